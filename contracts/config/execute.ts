/**
 * @module contracts/config/execute
 * Governance messages (chain/config/messages.ts `ConfigExecuteMsg`). Only the
 * governance address may send them (on wasmd: the gov module account, so every
 * change is a passed proposal); each emits `tkms_config_update` with `action`
 * and what changed.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Response, Event } from "../lib/response";
import { validateAddress } from "../lib/api";
import { Info } from "../lib/entry";
import { loadApp, loadApps, loadParams, loadParties, removeApp, removeParty, saveApp, saveApps, saveParams, saveParties, saveParty } from "./state";
import { validateAddressList, validateApplication, validateExpiry, validateFees, validatePartySet, validateParamsName, validationError, joinList } from "./validate";
import { parseJson } from "../lib/json";

/** Replaces the stored party set (and the per-address index) with `set`. */
export function storePartySet(set: JValue): void {
  const old = loadParties();
  if (old !== null) {
    const v = parseJson(old);
    const list = v !== null ? v.get("parties") : null;
    if (list !== null) for (let i = 0; i < list.items.length; i++) removeParty(list.items[i].getStr("address")!);
  }
  const ps = set.get("parties")!;
  for (let i = 0; i < ps.items.length; i++) saveParty(ps.items[i].getStr("address")!, ps.items[i].toString());
  saveParties(set.toString());
}

function updated(action: string): Event {
  return new Event("tkms_config_update").add("action", action);
}

function ok(action: string, ev: Event): Outcome {
  return Outcome.ok(new Response().addAttribute("action", action).addEvent(ev).toJson());
}

/** What `update_params` may change. */
const UPDATABLE_PARAMS: string[] = ["fhe_parameters", "request_expiry_seconds", "trusted_submitters", "operators"];
/** Address lists in params, replaced whole by `update_params`. */
const ADDRESS_LISTS: string[] = ["trusted_submitters", "operators"];

export const EXECUTE_MESSAGES: string[] = [
  "update_parties", "update_fees", "update_params", "update_governance", "register_application", "remove_application",
];

export function execute(info: Info, variant: string, body: JValue): Outcome {
  if (!EXECUTE_MESSAGES.includes(variant)) return Outcome.err("unknown execute message " + variant);
  const params = loadParams();
  const governance = params.getStr("governance");
  if (governance === null || info.sender != governance) {
    return Outcome.err("unauthorized: only governance (" + (governance !== null ? governance : "unset") + ") may " + variant);
  }
  if (variant == "update_parties") {
    const set = validatePartySet(body.get("parties"), body.get("threshold"));
    if (set === null) return Outcome.err(validationError);
    storePartySet(set);
    return ok(variant, updated(variant).add("parties", set.get("parties")!.items.length.toString()).add("threshold", set.get("threshold")!.text));
  }
  if (variant == "update_fees") {
    const fees = validateFees(body.get("fees"));
    if (fees === null) return Outcome.err(validationError);
    params.set("fees", fees);
    saveParams(params);
    const ev = updated(variant);
    for (let i = 0; i < fees.keys.length; i++) ev.add(fees.keys[i], fees.values[i].text);
    return ok(variant, ev);
  }
  if (variant == "update_params") {
    // An unknown key is refused, not ignored: a proposal with a typo must fail, not pass doing nothing.
    for (let i = 0; i < body.keys.length; i++) {
      const k = body.keys[i];
      // dev_mode decides whether open applications may exist: fixed at instantiation, so a
      // production network can never be turned into a decryption oracle by a proposal.
      if (k == "dev_mode") return Outcome.err("update_params: dev_mode is fixed at instantiation and cannot be changed");
      // Likewise: no proposal can let a production network's cores deal keys.
      if (k == "insecure_dealer_keys") return Outcome.err("update_params: insecure_dealer_keys is fixed at instantiation and cannot be changed");
      if (!UPDATABLE_PARAMS.includes(k)) {
        return Outcome.err("update_params: unknown parameter " + k + " (expected " + UPDATABLE_PARAMS.join(", ") + ")");
      }
    }
    const ev = updated(variant);
    const fp = body.get("fhe_parameters");
    if (fp !== null && !fp.isNull) {
      const name = validateParamsName(fp);
      if (name === null) return Outcome.err(validationError);
      params.setStr("fhe_parameters", name);
      ev.add("fhe_parameters", name);
    }
    const ex = body.get("request_expiry_seconds");
    if (ex !== null && !ex.isNull) {
      const seconds = validateExpiry(ex);
      if (seconds < 0) return Outcome.err(validationError);
      params.set("request_expiry_seconds", JValue.num(seconds.toString()));
      ev.add("request_expiry_seconds", seconds.toString());
    }
    // Each list is replaced as a whole (absent: unchanged; [] empties it).
    for (let i = 0; i < ADDRESS_LISTS.length; i++) {
      const name = ADDRESS_LISTS[i];
      const v = body.get(name);
      if (v === null || v.isNull) continue;
      const list = validateAddressList(v, name);
      if (list === null) return Outcome.err(validationError);
      params.set(name, list);
      ev.add(name, joinList(list));
    }
    saveParams(params);
    return ok(variant, ev);
  }
  if (variant == "update_governance") {
    const g = body.getStr("governance");
    if (g === null) return Outcome.err("update_governance: governance must be an address");
    const bad = validateAddress(g);
    if (bad !== null) return Outcome.err("invalid governance address " + g + ": " + bad);
    params.setStr("governance", g);
    saveParams(params);
    return ok(variant, updated(variant).add("governance", g));
  }
  if (variant == "register_application") {
    const dev = params.get("dev_mode");
    const app = validateApplication(body, dev !== null && dev.bool);
    if (app === null) return Outcome.err(validationError);
    const id = app.getStr("app_id")!;
    // Never a silent replacement: requests already validated by the old ISC, and
    // voters who read "register", would not expect the app's ISC to change.
    // Replacing is explicit: remove_application then register_application (one proposal may carry both).
    if (loadApp(id) !== null) return Outcome.err("application " + id + " is already registered; remove_application it first to replace it");
    const apps = loadApps();
    const list = JValue.arr();
    for (let i = 0; i < apps.items.length; i++) list.push(apps.items[i]);
    list.push(app);
    saveApps(list);
    saveApp(id, app.toString());
    const ev = updated(variant).add("app_id", id).add("isc_type", app.getStr("isc_type")!);
    const isc = app.getStr("isc");
    if (isc !== null) ev.add("isc", isc);
    return ok(variant, ev);
  }
  if (variant == "remove_application") {
    const id = body.getStr("app_id");
    if (id === null) return Outcome.err("remove_application: app_id must be a string");
    if (loadApp(id) === null) return Outcome.err("unknown application " + id);
    const apps = loadApps();
    const list = JValue.arr();
    for (let i = 0; i < apps.items.length; i++) if (apps.items[i].getStr("app_id") != id) list.push(apps.items[i]);
    saveApps(list);
    removeApp(id);
    return ok(variant, updated(variant).add("app_id", id));
  }
  return Outcome.err("unknown execute message " + variant);
}
