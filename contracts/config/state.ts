/**
 * @module contracts/config/state
 * Storage layout (chain/config/messages.ts):
 *   parties          → PartiesResponse JSON `{parties, threshold}`
 *   party:<address>  → that party's PartyInfo JSON (the ASC looks it up on every fulfillment)
 *   params           → `{governance, fhe_parameters, fees, request_expiry_seconds,
 *                        dev_mode, trusted_submitters, operators}`
 *   apps             → JSON array of ApplicationInfo, registration order
 *   app:<app_id>     → that application's ApplicationInfo JSON
 */
import { getString, remove, setString } from "../lib/storage";
import { JValue, parseJson } from "../lib/json";

export const PARTIES_KEY = "parties";
export const PARAMS_KEY = "params";
export const APPS_KEY = "apps";

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

export function removeParty(address: string): void {
  remove(partyKey(address));
}

/** The stored params object (always present after instantiate). */
export function loadParams(): JValue {
  const s = getString(PARAMS_KEY);
  if (s === null) return JValue.obj();
  const v = parseJson(s);
  if (v === null) return JValue.obj();
  return v;
}

export function saveParams(v: JValue): void {
  setString(PARAMS_KEY, v.toString());
}

export function loadApps(): JValue {
  const s = getString(APPS_KEY);
  if (s === null) return JValue.arr();
  const v = parseJson(s);
  if (v === null || !v.isArr) return JValue.arr();
  return v;
}

export function saveApps(v: JValue): void {
  setString(APPS_KEY, v.toString());
}

export function loadApp(appId: string): string | null {
  return getString("app:" + appId);
}

export function saveApp(appId: string, json: string): void {
  setString("app:" + appId, json);
}

export function removeApp(appId: string): void {
  remove("app:" + appId);
}
