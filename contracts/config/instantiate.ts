/**
 * @module contracts/config/instantiate
 * `ConfigInstantiateMsg {parties, threshold}`: validates the party set once.
 * Rules: n >= 3t+1 (t < n/3 malicious parties tolerated, DESIGN §1), ids positive
 * and unique, addresses valid (host `addr_validate`) and unique, signer keys
 * 33-byte compressed secp256k1 (prefix 02/03).
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Response, Event } from "../lib/response";
import { validateAddress } from "../lib/api";
import { isHex } from "../lib/encoding";
import { saveParties, saveParty } from "./state";

export function instantiate(msg: JValue): Outcome {
  const t = msg.get("threshold");
  if (t === null || t.asIndex() < 0) return Outcome.err("threshold must be a non-negative integer");
  const threshold = t.asIndex();
  const list = msg.get("parties");
  if (list === null || !list.isArr) return Outcome.err("parties must be an array");
  const n = list.items.length;
  if (n < 3 * threshold + 1) {
    return Outcome.err("need n >= 3t+1 parties: n=" + n.toString() + ", t=" + threshold.toString());
  }

  const ids = new Array<i32>();
  const addrs = new Array<string>();
  const out = JValue.arr();
  for (let i = 0; i < n; i++) {
    const p = list.items[i];
    if (!p.isObj) return Outcome.err("party " + i.toString() + " must be an object");
    const idv = p.get("id");
    const id = idv === null ? -1 : idv.asIndex();
    if (id < 1) return Outcome.err("party " + i.toString() + ": id must be a positive integer");
    if (ids.includes(id)) return Outcome.err("duplicate party id " + id.toString());
    const address = p.getStr("address");
    if (address === null) return Outcome.err("party " + id.toString() + ": address must be a string");
    const bad = validateAddress(address);
    if (bad !== null) return Outcome.err("party " + id.toString() + ": invalid address " + address + ": " + bad);
    if (addrs.includes(address)) return Outcome.err("duplicate party address " + address);
    const pk = p.getStr("signer_pubkey");
    if (pk === null || !isHex(pk, 66, false)) {
      return Outcome.err("party " + id.toString() + ": signer_pubkey must be 33 bytes (66 hex chars)");
    }
    const key = pk.toLowerCase();
    if (!key.startsWith("02") && !key.startsWith("03")) {
      return Outcome.err("party " + id.toString() + ": signer_pubkey must be a compressed key (02/03 prefix)");
    }
    ids.push(id);
    addrs.push(address);
    const info = JValue.obj()
      .set("id", JValue.num(id.toString()))
      .setStr("address", address)
      .setStr("signer_pubkey", key);
    out.push(info);
    saveParty(address, info.toString());
  }
  saveParties(JValue.obj().set("parties", out).set("threshold", JValue.num(threshold.toString())).toString());
  const res = new Response()
    .addAttribute("action", "instantiate")
    .addEvent(new Event("tkms_config").add("parties", n.toString()).add("threshold", threshold.toString()));
  return Outcome.ok(res.toJson());
}
