/**
 * @module contracts/asc/testing/testIsc
 * A minimal ISC for the ASC's tests (built by asc.test.ts, never deployed):
 * instantiate `{"allowed": [address…], "fhevm"?: true}`; query
 * `{"validate": {requester, handle, purpose, …proof}}` answers `{"valid":true}` iff
 * `purpose` is given and, for an `fhevm` instance and `purpose` "public_decrypt",
 * the proof member `public` is true (requester ignored, as the fhEVM ISC does),
 * otherwise `requester` is allowed; `handle` is `0x` + 64 hex (and not the proof member `deny`, to test
 * per-handle checks) and the proof member `ok` is true, else
 * `{"valid":false,"reason":…}` naming the first failed check. It shows what the
 * ASC passes through.
 */
import { parseMsg, messageError, responseResult, queryResult, variantOf } from "../../lib/entry";
import { Outcome } from "../../lib/outcome";
import { JType, JValue, quote } from "../../lib/json";
import { Response } from "../../lib/response";
import { getString, setString } from "../../lib/storage";

export { allocate, deallocate, interface_version_8 } from "../../lib/exports";

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const allowed = msg.get("allowed");
  if (allowed === null || !allowed.isArr) return responseResult(Outcome.err("allowed must be an array"));
  setString("allowed", allowed.toString());
  const fhevm = msg.get("fhevm");
  setString("fhevm", fhevm !== null && fhevm.type == JType.Bool && fhevm.bool ? "1" : "0");
  return responseResult(Outcome.ok(new Response().toJson()));
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  return responseResult(Outcome.err("no execute messages"));
}

function refuse(reason: string): Outcome {
  return Outcome.ok("{\"valid\":false,\"reason\":" + quote(reason) + "}");
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  if (variantOf(msg) != "validate") return queryResult(Outcome.err("unknown query"));
  const body = msg.get("validate")!;
  const requester = body.getStr("requester");
  const handle = body.getStr("handle");
  const ok = body.get("ok");
  const list = getString("allowed")!;
  const purpose = body.getStr("purpose");
  if (purpose === null) return queryResult(refuse("no purpose"));
  if (purpose == "public_decrypt" && getString("fhevm") == "1") {
    const pub = body.get("public");
    if (pub === null || pub.type != JType.Bool || !pub.bool) return queryResult(refuse("handle not publicly decryptable"));
  } else if (requester === null || !list.includes(quote(requester))) return queryResult(refuse("requester not allowed"));
  if (handle === null || !handle.startsWith("0x") || handle.length != 66) return queryResult(refuse("bad handle"));
  const deny = body.getStr("deny");
  if (deny !== null && handle == deny) return queryResult(refuse("handle " + handle + " not allowed"));
  if (ok === null || ok.type != JType.Bool || !ok.bool) return queryResult(refuse("proof not ok"));
  return queryResult(Outcome.ok("{\"valid\":true}"));
}
