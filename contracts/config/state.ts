/**
 * @module contracts/config/state
 * Storage layout: `parties` → the PartiesResponse JSON (chain/config/messages.ts);
 * `party:<address>` → that party's PartyInfo JSON, for the lookup the ASC does on
 * every fulfillment.
 */
import { getString, setString } from "../lib/storage";

export const PARTIES_KEY = "parties";

export function partyKey(address: string): string {
  return "party:" + address;
}

export function loadParties(): string | null {
  return getString(PARTIES_KEY);
}

export function saveParties(json: string): void {
  setString(PARTIES_KEY, json);
}

export function loadParty(address: string): string | null {
  return getString(partyKey(address));
}

export function saveParty(address: string, json: string): void {
  setString(partyKey(address), json);
}
