/**
 * @module contracts/isc-fhevm
 * ISC for one fhEVM chain (README): holds the chain id, the ACL contract address
 * and slot, and the validator set with its quorum; answers the `validate` smart
 * query the ASC sends through `query_chain`. No execute messages: a new
 * validator set is a new ISC registered by governance. `migrate` (admin only,
 * governance on wasmd) may change the freshness window.
 */
import { parseEnv, parseMsg, messageError, responseResult, queryResult, variantOf } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { instantiate as doInstantiate, migrate as doMigrate } from "./instantiate";
import { validate } from "./validate";
import { configJson } from "./state";

export { allocate, deallocate, interface_version_8 } from "../lib/exports";

export function instantiate(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  return responseResult(doInstantiate(msg));
}

export function execute(envPtr: u32, infoPtr: u32, msgPtr: u32): u32 {
  return responseResult(Outcome.err("the fhEVM ISC has no execute messages"));
}

export function migrate(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  return responseResult(doMigrate(msg));
}

export function query(envPtr: u32, msgPtr: u32): u32 {
  const msg = parseMsg(msgPtr);
  if (msg === null) return messageError();
  const variant = variantOf(msg);
  if (variant == "validate") {
    const args = msg.get("validate");
    if (args === null || !args.isObj) return queryResult(Outcome.err("validate must be an object"));
    return queryResult(validate(args, parseEnv(envPtr)));
  }
  if (variant == "config") return queryResult(Outcome.ok(configJson()));
  return queryResult(Outcome.err("unknown query " + (variant !== null ? variant : msg.toString())));
}
