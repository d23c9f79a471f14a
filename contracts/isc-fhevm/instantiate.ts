/**
 * @module contracts/isc-fhevm/instantiate
 * `{chain_id, acl_address, acl_slot_base?, validators, quorum, max_age_seconds?}`
 * (README): checked once and stored normalised (lower-case hex, slot base as a
 * 32-byte word).
 */
import { JValue, parseJson } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Response, Event } from "../lib/response";
import { parseAddress, parseU64, parseWord, to0x } from "../lib/hex";
import { configJson, saveConfig, DEFAULT_MAX_AGE_SECONDS, MAX_MAX_AGE_SECONDS } from "./state";

const MAX_AGE_ERROR = "max_age_seconds must be an integer in 1.." + MAX_MAX_AGE_SECONDS.toString();

/** `max_age_seconds` of a message: `fallback` when absent, 0 when out of range. */
function maxAgeOf(msg: JValue, fallback: u64): u64 {
  const m = msg.get("max_age_seconds");
  if (m === null || m.isNull) return fallback;
  const p = m.isNum || m.isStr ? parseU64(m.text) : null;
  if (p === null || !p.ok || p.value == 0 || p.value > MAX_MAX_AGE_SECONDS) return 0;
  return p.value;
}

/**
 * `migrate {max_age_seconds?}`, run by the contract's admin (governance on wasmd):
 * moves the ISC to new code and may change its freshness window; the chain, ACL
 * and validator set stay (a new set is a new ISC). A configuration stored by
 * code without freshness gets the default window.
 */
export function migrate(msg: JValue): Outcome {
  const cfg = parseJson(configJson());
  if (cfg === null || !cfg.isObj) return Outcome.err("migrate: no stored configuration");
  const m = cfg.get("max_age_seconds");
  const current = m !== null ? parseU64(m.text) : null;
  const maxAge = maxAgeOf(msg, current !== null && current.ok ? current.value : DEFAULT_MAX_AGE_SECONDS);
  if (maxAge == 0) return Outcome.err(MAX_AGE_ERROR);
  cfg.set("max_age_seconds", JValue.num(maxAge.toString()));
  saveConfig(cfg);
  const res = new Response()
    .addAttribute("action", "migrate")
    .addEvent(new Event("tkms_isc_fhevm_migrate").add("max_age_seconds", maxAge.toString()));
  return Outcome.ok(res.toJson());
}

export function instantiate(msg: JValue): Outcome {
  const c = msg.get("chain_id");
  const chainId = c !== null && (c.isNum || c.isStr) ? parseU64(c.text) : null;
  if (chainId === null || !chainId.ok || chainId.value == 0) return Outcome.err("chain_id must be a positive integer (u64)");

  const aclText = msg.getStr("acl_address");
  const acl = aclText !== null ? parseAddress(aclText) : null;
  if (acl === null) return Outcome.err("acl_address must be a 20-byte 0x-hex address");

  let base = new Uint8Array(32);
  const b = msg.get("acl_slot_base");
  if (b !== null && !b.isNull) {
    const w = b.isStr ? parseWord(b.text) : null;
    if (w === null) return Outcome.err("acl_slot_base must be a 0x-hex word of at most 32 bytes");
    base = w;
  }

  const list = msg.get("validators");
  if (list === null || !list.isArr || list.items.length == 0) return Outcome.err("validators must be a non-empty array of 0x addresses");
  const vals = JValue.arr();
  const seen = new Array<string>();
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    const a = item.isStr ? parseAddress(item.text) : null;
    if (a === null) return Outcome.err("validator " + i.toString() + " must be a 20-byte 0x-hex address");
    const norm = to0x(a);
    if (seen.includes(norm)) return Outcome.err("duplicate validator " + norm);
    seen.push(norm);
    vals.push(JValue.str(norm));
  }

  const q = msg.get("quorum");
  const quorum = q !== null ? q.asIndex() : -1;
  if (quorum < 1 || quorum > seen.length) {
    return Outcome.err("quorum must be between 1 and the number of validators (" + seen.length.toString() + ")");
  }

  const maxAge = maxAgeOf(msg, DEFAULT_MAX_AGE_SECONDS);
  if (maxAge == 0) return Outcome.err(MAX_AGE_ERROR);

  saveConfig(
    JValue.obj()
      .set("chain_id", JValue.num(chainId.value.toString()))
      .setStr("acl_address", to0x(acl))
      .setStr("acl_slot_base", to0x(base))
      .set("validators", vals)
      .set("quorum", JValue.num(quorum.toString()))
      .set("max_age_seconds", JValue.num(maxAge.toString())),
  );
  const res = new Response()
    .addAttribute("action", "instantiate")
    .addEvent(
      new Event("tkms_isc_fhevm")
        .add("chain_id", chainId.value.toString())
        .add("acl_address", to0x(acl))
        .add("validators", seen.length.toString())
        .add("quorum", quorum.toString())
        .add("max_age_seconds", maxAge.toString()),
    );
  return Outcome.ok(res.toJson());
}
