/**
 * @module contracts/asc
 * The ASC: every request and fulfillment (chain/asc/messages.ts). One handler
 * per message; the CosmWasm entry points only parse and dispatch.
 */
import { Env, Info, messageError, parseEnv, parseInfo, parseMsg, queryResult, responseResult, variantOf } from "../lib/entry";
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { validateAddress } from "../lib/api";
import { saveConfigAddress } from "./state";
import { crsGen, decrypt, keygen, keygenPreproc, userDecrypt } from "./request";
import { fulfill } from "./fulfill";
import { claim, refund } from "./funds";
import { setKeyState } from "./keys";
import { queryClaimable, queryConfig, queryKey, queryKeys, queryRequest, queryRequests } from "./queries";
import { queryCrs, queryCrsList } from "./crs";
import { queryUserDecryptAnswers } from "./answerKinds";

export { allocate, deallocate, interface_version_8 } from "../lib/exports";

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const config = msg.getStr("config");
  if (config === null) return responseResult(Outcome.err("instantiate: config must be a string address"));
  const bad = validateAddress(config);
  if (bad !== null) return responseResult(Outcome.err("invalid config address " + config + ": " + bad));
  saveConfigAddress(config);
  const res = new Response().addAttribute("action", "instantiate").addEvent(new Event("tkms_asc").add("config", config));
  return responseResult(Outcome.ok(res.toJson()));
}

/** The object under a message variant, or null when it is not an object. */
function body(msg: JValue, variant: string): JValue | null {
  const b = msg.get(variant);
  return b !== null && b.isObj ? b : null;
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const env: Env = parseEnv(envPtr);
  const info: Info = parseInfo(infoPtr);
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant === null) return responseResult(Outcome.err("execute message must have exactly one variant"));
  const b = body(msg, variant);
  if (b === null) return responseResult(Outcome.err(variant + " must be an object"));
  if (variant == "keygen") return responseResult(keygen(env, info, b));
  if (variant == "keygen_preproc") return responseResult(keygenPreproc(env, info, b));
  if (variant == "decrypt") return responseResult(decrypt(env, info, b));
  if (variant == "crs_gen") return responseResult(crsGen(env, info, b));
  if (variant == "user_decrypt") return responseResult(userDecrypt(env, info, b));
  if (variant == "fulfill") return responseResult(fulfill(env, info, b));
  if (variant == "claim") return responseResult(claim(info));
  if (variant == "refund") return responseResult(refund(env, b));
  if (variant == "set_key_state") return responseResult(setKeyState(env, info, b));
  return responseResult(Outcome.err("unknown execute message " + variant));
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant === null) return queryResult(Outcome.err("query message must have exactly one variant"));
  const b = body(msg, variant);
  if (b === null) return queryResult(Outcome.err(variant + " must be an object"));
  if (variant == "request") return queryResult(queryRequest(b));
  if (variant == "requests") return queryResult(queryRequests(b));
  if (variant == "key") return queryResult(queryKey(b));
  if (variant == "keys") return queryResult(queryKeys(b));
  if (variant == "config") return queryResult(queryConfig());
  if (variant == "claimable") return queryResult(queryClaimable(b));
  if (variant == "crs") return queryResult(queryCrs(b));
  if (variant == "crs_list") return queryResult(queryCrsList(b));
  if (variant == "user_decrypt_answers") return queryResult(queryUserDecryptAnswers(b));
  return queryResult(Outcome.err("unknown query " + variant));
}
