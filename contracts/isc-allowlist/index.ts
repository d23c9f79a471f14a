/**
 * @module contracts/isc-allowlist
 * The allow-list ISC for private deployments (README): `validate` answers
 * `{"valid":true,"provenance":false}` iff the requester is on the list; the admin
 * adds and removes requesters. The ASC sends every ISC the same batch `validate`
 * query (chain/isc-fhevm/messages.ts IscValidateMsg); this one reads only
 * `purpose` and `requester` (the tx sender, set by the ASC).
 */
import { parseMsg, parseInfo, messageError, responseResult, queryResult, variantOf } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { JValue } from "../lib/json";
import { Response, Event } from "../lib/response";
import { validateAddress } from "../lib/api";
import { loadAdmin, saveAdmin, loadAllowed, saveAllowed } from "./state";
import { normalizeRequester, requesterError } from "./address";

export { allocate, deallocate, interface_version_8 } from "../lib/exports";

function listJson(list: string[]): JValue {
  const arr = JValue.arr();
  for (let i = 0; i < list.length; i++) arr.push(JValue.str(list[i]));
  return arr;
}

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const admin = msg.getStr("admin");
  if (admin === null) return responseResult(Outcome.err("admin must be an address"));
  const bad = validateAddress(admin);
  if (bad !== null) return responseResult(Outcome.err("invalid admin address " + admin + ": " + bad));
  const given = msg.get("allowed");
  if (given === null || !given.isArr) return responseResult(Outcome.err("allowed must be an array of addresses"));
  const list = new Array<string>();
  for (let i = 0; i < given.items.length; i++) {
    const it = given.items[i];
    const a = it.isStr ? normalizeRequester(it.text) : null;
    if (a === null) return responseResult(Outcome.err("allowed[" + i.toString() + "]: " + (it.isStr ? requesterError : "must be a string")));
    if (!list.includes(a)) list.push(a);
  }
  saveAdmin(admin);
  saveAllowed(list);
  const res = new Response()
    .addAttribute("action", "instantiate")
    .addEvent(new Event("tkms_isc_allowlist").add("admin", admin).add("allowed", list.length.toString()));
  return responseResult(Outcome.ok(res.toJson()));
}

function change(msg: JValue, variant: string, sender: string): Outcome {
  if (sender != loadAdmin()) return Outcome.err("unauthorized: only the admin may " + variant + " requesters");
  const args = msg.get(variant);
  const addr = args !== null && args.isObj ? args.getStr("address") : null;
  if (addr === null) return Outcome.err(variant + " needs {\"address\": …}");
  const a = normalizeRequester(addr);
  if (a === null) return Outcome.err(requesterError);
  const list = loadAllowed();
  const at = list.indexOf(a);
  if (variant == "add") {
    if (at >= 0) return Outcome.err("already allowed: " + a);
    list.push(a);
  } else {
    if (at < 0) return Outcome.err("not on the list: " + a);
    list.splice(at, 1);
  }
  saveAllowed(list);
  const res = new Response()
    .addAttribute("action", variant)
    .addEvent(new Event("tkms_isc_allowlist").add("action", variant).add("address", a));
  return Outcome.ok(res.toJson());
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const info = parseInfo(infoPtr);
  const variant = variantOf(msg);
  if (variant == "add" || variant == "remove") return responseResult(change(msg, variant!, info.sender));
  return responseResult(Outcome.err("unknown execute message " + (variant !== null ? variant : msg.toString())));
}

/**
 * The batch `validate` query. `provenance` is false: an allow-list says who may
 * ask, not where a ciphertext comes from, so the ASC needs another origin
 * (a proven input or a trusted submitter) before anything is decrypted.
 */
function validate(args: JValue): JValue {
  const purpose = args.getStr("purpose");
  if (purpose === null || (purpose != "public_decrypt" && purpose != "user_decrypt")) {
    return refusal("malformed request: purpose must be \"public_decrypt\" or \"user_decrypt\"");
  }
  const r = args.getStr("requester");
  const a = r !== null ? normalizeRequester(r) : null;
  if (a === null) return refusal("malformed request: " + (r !== null ? requesterError : "requester must be a string"));
  if (!loadAllowed().includes(a)) return refusal("requester " + a + " is not on the allow-list");
  return JValue.obj().set("valid", JValue.bool(true)).set("provenance", JValue.bool(false));
}

function refusal(reason: string): JValue {
  return JValue.obj().set("valid", JValue.bool(false)).setStr("reason", reason);
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant == "validate") {
    const args = msg.get("validate");
    if (args === null || !args.isObj) return queryResult(Outcome.err("validate must be an object"));
    return queryResult(Outcome.ok(validate(args).toString()));
  }
  if (variant == "config") {
    return queryResult(Outcome.ok(JValue.obj().setStr("admin", loadAdmin()).set("allowed", listJson(loadAllowed())).toString()));
  }
  return queryResult(Outcome.err("unknown query " + (variant !== null ? variant : msg.toString())));
}
