/**
 * @module contracts/asc/configClient
 * Smart queries to the Config contract (chain/config/messages.ts).
 */
import { querySmart } from "../lib/api";
import { JValue, parseJson, quote } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { loadConfigAddress } from "./state";

export class Party {
  constructor(public id: i32, public signerPubkey: string) {}
}

/** The party registered for `address`, or null; `lastConfigError` is set when the query itself failed. */
export function partyByAddress(address: string): Party | null {
  lastConfigError = "";
  const o = querySmart(loadConfigAddress(), "{\"party_by_address\":{\"address\":" + quote(address) + "}}");
  const e = o.error;
  if (e !== null) { lastConfigError = e; return null; }
  const v = parseJson(o.json);
  if (v === null) { lastConfigError = "config returned malformed JSON"; return null; }
  const p = v.get("party");
  if (p === null || !p.isObj) return null;
  const idv = p.get("id");
  const pk = p.getStr("signer_pubkey");
  if (idv === null || pk === null) { lastConfigError = "config returned a malformed party"; return null; }
  return new Party(idv.asIndex(), pk);
}
export let lastConfigError = "";

/** The threshold t (a result needs t+1 identical responses), or -1 with `lastConfigError`. */
export function threshold(): i32 {
  lastConfigError = "";
  const o: Outcome = querySmart(loadConfigAddress(), "{\"parties\":{}}");
  const e = o.error;
  if (e !== null) { lastConfigError = e; return -1; }
  const v = parseJson(o.json);
  let t: JValue | null = null;
  if (v !== null) t = v.get("threshold");
  if (t === null || t.asIndex() < 0) { lastConfigError = "config returned no threshold"; return -1; }
  return t.asIndex();
}
