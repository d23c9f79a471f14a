/**
 * @module contracts/config
 * The Config contract: the party set and threshold (chain/config/messages.ts).
 * Entry points follow the CosmWasm ABI (contracts/lib/entry.ts).
 */
import { parseMsg, messageError, responseResult, queryResult, variantOf } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { instantiate as doInstantiate } from "./instantiate";
import { queryParties, queryPartyByAddress } from "./queries";

export { allocate, deallocate, interface_version_8 } from "../lib/exports";

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  return responseResult(doInstantiate(msg));
}

/** No execute messages yet: the party set changes by governance in a later version. */
export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  return responseResult(Outcome.err("the config contract has no execute messages"));
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant == "parties") return queryResult(queryParties());
  if (variant == "party_by_address") {
    const args = msg.get("party_by_address");
    if (args === null || !args.isObj) return queryResult(Outcome.err("party_by_address must be an object"));
    return queryResult(queryPartyByAddress(args));
  }
  return queryResult(Outcome.err("unknown query " + (variant !== null ? variant : msg.toString())));
}
