/**
 * @module contracts/config/queries
 * `{"parties":{}}` → PartiesResponse; `{"party_by_address":{"address"}}` → PartyByAddressResponse.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { loadParties, loadParty } from "./state";

export function queryParties(): Outcome {
  const s = loadParties();
  if (s === null) return Outcome.err("config not instantiated");
  return Outcome.ok(s);
}

export function queryPartyByAddress(args: JValue): Outcome {
  const address = args.getStr("address");
  if (address === null) return Outcome.err("party_by_address: address must be a string");
  const s = loadParty(address);
  return Outcome.ok("{\"party\":" + (s === null ? "null" : s) + "}");
}
