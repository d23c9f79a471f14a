/**
 * @module contracts/asc/testing/testIsc
 * A minimal ISC for the ASC's tests (built by asc.test.ts, never deployed):
 * instantiate `{"allowed": [address…], "fhevm"?: true}`; the batch query
 * `{"validate": {purpose, requester?, allowed_contracts?, ciphertexts, proof}}`
 * (chain/isc-fhevm/messages.ts IscValidateMsg) answers
 * `{"valid":true,"provenance":<proof.provenance>}` iff `purpose` is given,
 * `ciphertexts` is a non-empty list of {handle: 0x + 64 hex, digest}, and — for an
 * `fhevm` instance and purpose "public_decrypt" — `proof.public` is true (requester
 * ignored, as the fhEVM ISC does), otherwise `requester` is allowed; no handle is
 * `proof.deny` (to test that every handle reaches the ISC); `proof.ok` is true.
 * Else `{"valid":false,"reason":…}` naming the first failed check. With
 * `proof.echo` true it refuses with the whole body as reason: shows exactly what
 * the ASC sends.
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

function flag(proof: JValue, name: string): bool {
  const v = proof.get(name);
  return v !== null && v.type == JType.Bool && v.bool;
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  if (variantOf(msg) != "validate") return queryResult(Outcome.err("unknown query"));
  const body = msg.get("validate")!;
  const purpose = body.getStr("purpose");
  if (purpose === null) return queryResult(refuse("no purpose"));
  const proof = body.get("proof");
  if (proof === null || !proof.isObj) return queryResult(refuse("no proof"));
  if (flag(proof, "echo")) return queryResult(refuse("echo " + body.toString()));
  const cts = body.get("ciphertexts");
  if (cts === null || !cts.isArr || cts.items.length == 0) return queryResult(refuse("no ciphertexts"));
  const requester = body.getStr("requester");
  const list = getString("allowed")!;
  if (purpose == "public_decrypt" && getString("fhevm") == "1") {
    if (!flag(proof, "public")) return queryResult(refuse("handle not publicly decryptable"));
  } else if (requester === null || !list.includes(quote(requester))) return queryResult(refuse("requester not allowed"));
  const deny = proof.getStr("deny");
  for (let i = 0; i < cts.items.length; i++) {
    const handle = cts.items[i].getStr("handle");
    if (handle === null || !handle.startsWith("0x") || handle.length != 66) return queryResult(refuse("bad handle"));
    if (deny !== null && handle == deny) return queryResult(refuse("handle " + handle + " not allowed"));
  }
  if (!flag(proof, "ok")) return queryResult(refuse("proof not ok"));
  return queryResult(Outcome.ok("{\"valid\":true,\"provenance\":" + (flag(proof, "provenance") ? "true" : "false") + "}"));
}
