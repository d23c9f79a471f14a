/**
 * @module contracts/config
 * The Config contract: party set, threshold, FHE parameter set, fees, request
 * expiry and registered applications, changed only by governance
 * (chain/config/messages.ts). Entry points follow the CosmWasm ABI (contracts/lib/entry.ts).
 */
import { parseMsg, parseInfo, messageError, responseResult, queryResult, variantOf } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { instantiate as doInstantiate } from "./instantiate";
import { execute as doExecute } from "./execute";
import { queryApplication, queryApplications, queryFees, queryParams, queryParties, queryPartyByAddress } from "./queries";

export { allocate, deallocate, interface_version_8 } from "../lib/exports";

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const info = parseInfo(infoPtr);
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  return responseResult(doInstantiate(info, msg));
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const info = parseInfo(infoPtr);
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant === null) return responseResult(Outcome.err("execute message must have exactly one variant"));
  const body = msg.get(variant)!;
  if (!body.isObj) return responseResult(Outcome.err(variant + " must be an object"));
  return responseResult(doExecute(info, variant, body));
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant == "parties") return queryResult(queryParties());
  if (variant == "params") return queryResult(queryParams());
  if (variant == "fees") return queryResult(queryFees());
  if (variant == "applications") return queryResult(queryApplications());
  if (variant == "party_by_address" || variant == "application") {
    const args = msg.get(variant!);
    if (args === null || !args.isObj) return queryResult(Outcome.err(variant! + " must be an object"));
    if (variant == "application") return queryResult(queryApplication(args));
    return queryResult(queryPartyByAddress(args));
  }
  return queryResult(Outcome.err("unknown query " + (variant !== null ? variant : msg.toString())));
}
