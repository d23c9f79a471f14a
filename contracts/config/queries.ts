/**
 * @module contracts/config/queries
 * `parties`, `party_by_address`, `params`, `fees`, `application`, `applications`
 * (chain/config/messages.ts `ConfigQueryMsg`).
 */
import { JValue, parseJson } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { loadApp, loadApps, loadParams, loadParties, loadParty } from "./state";

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

/**
 * ParamsResponse: governance, fhe_parameters, n, threshold, fees,
 * request_expiry_seconds, dev_mode, insecure_dealer_keys, trusted_submitters, operators (a Config
 * stored before the last three existed reads as false, [], []).
 */
export function queryParams(): Outcome {
  const s = loadParties();
  if (s === null) return Outcome.err("config not instantiated");
  const parsed = parseJson(s);
  if (parsed === null) return Outcome.err("config not instantiated");
  const set: JValue = parsed;
  const p = loadParams();
  const out = JValue.obj()
    .set("governance", p.get("governance")!)
    .set("fhe_parameters", p.get("fhe_parameters")!)
    .set("n", JValue.num(set.get("parties")!.items.length.toString()))
    .set("threshold", set.get("threshold")!)
    .set("fees", p.get("fees")!)
    .set("request_expiry_seconds", p.get("request_expiry_seconds")!)
    .set("dev_mode", orElse(p.get("dev_mode"), JValue.bool(false)))
    .set("insecure_dealer_keys", orElse(p.get("insecure_dealer_keys"), JValue.bool(false)))
    .set("trusted_submitters", orElse(p.get("trusted_submitters"), JValue.arr()))
    .set("operators", orElse(p.get("operators"), JValue.arr()));
  return Outcome.ok(out.toString());
}

export function queryFees(): Outcome {
  const f = loadParams().get("fees");
  if (f === null) return Outcome.err("config not instantiated");
  return Outcome.ok(f.toString());
}

export function queryApplication(args: JValue): Outcome {
  const id = args.getStr("app_id");
  if (id === null) return Outcome.err("application: app_id must be a string");
  const s = loadApp(id);
  return Outcome.ok("{\"application\":" + (s === null ? "null" : s) + "}");
}

export function queryApplications(): Outcome {
  return Outcome.ok(JValue.obj().set("applications", loadApps()).toString());
}

function orElse(v: JValue | null, fallback: JValue): JValue {
  return v !== null ? v : fallback;
}
