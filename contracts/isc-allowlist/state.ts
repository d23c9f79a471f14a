/**
 * @module contracts/isc-allowlist/state
 * `admin` (a chain address) and `allowed` (a JSON array of normalised requester
 * addresses). A private deployment's list is short, so one value holds it.
 */
import { getString, setString } from "../lib/storage";
import { JValue, parseJson } from "../lib/json";

export function loadAdmin(): string {
  const s = getString("admin");
  return s !== null ? s : "";
}

export function saveAdmin(a: string): void {
  setString("admin", a);
}

export function loadAllowed(): string[] {
  const s = getString("allowed");
  const out = new Array<string>();
  if (s === null) return out;
  const v = parseJson(s);
  if (v === null) return out;
  for (let i = 0; i < v.items.length; i++) out.push(v.items[i].text);
  return out;
}

export function saveAllowed(list: string[]): void {
  const arr = JValue.arr();
  for (let i = 0; i < list.length; i++) arr.push(JValue.str(list[i]));
  setString("allowed", arr.toString());
}
