/**
 * @module contracts/config/instantiate
 * `ConfigInstantiateMsg` (chain/config/messages.ts): the party set and every
 * parameter, validated once (contracts/config/validate.ts). Defaults: governance
 * = the instantiating sender (on wasmd the deployer passes the gov module
 * account), `fhe_parameters` "default", all fees 0, `request_expiry_seconds`
 * 3600 (an hour), `dev_mode` false, `trusted_submitters` and `operators` empty,
 * applications = one application "default": `open` on a dev_mode network,
 * `proven` otherwise (issue 10: an open application decrypts whatever anyone
 * uploads, so only a network instantiated in dev mode may have one).
 * `dev_mode` is stored once and no message changes it.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Response, Event } from "../lib/response";
import { validateAddress } from "../lib/api";
import { Info } from "../lib/entry";
import { saveApp, saveApps, saveParams } from "./state";
import { validateAddressList, validateApplication, validateDevMode, validateExpiry, validateFees, validatePartySet, validateParamsName, validationError, joinList } from "./validate";
import { storePartySet } from "./execute";

export const DEFAULT_EXPIRY_SECONDS = 3600;
export const DEFAULT_APP_ID = "default";

export function instantiate(info: Info, msg: JValue): Outcome {
  const dm = validateDevMode(msg.get("dev_mode"));
  if (dm < 0) return Outcome.err(validationError);
  const devMode = dm == 1;
  // INSECURE test networks only: cores configured with threshold.insecureDealerKeygen may
  // then deal default and fhevm keys from one process. Fixed forever, like dev_mode: a
  // network instantiated without it (every production network) never gets a dealt key.
  const idk = validateDevMode(msg.get("insecure_dealer_keys"), "insecure_dealer_keys");
  if (idk < 0) return Outcome.err(validationError);
  const insecureDealerKeys = idk == 1;
  const trusted = validateAddressList(msg.get("trusted_submitters"), "trusted_submitters");
  if (trusted === null) return Outcome.err(validationError);
  const operators = validateAddressList(msg.get("operators"), "operators");
  if (operators === null) return Outcome.err(validationError);
  const set = validatePartySet(msg.get("parties"), msg.get("threshold"));
  if (set === null) return Outcome.err(validationError);

  let governance = info.sender;
  const g = msg.get("governance");
  if (g !== null && !g.isNull) {
    if (!g.isStr) return Outcome.err("governance must be an address");
    const bad = validateAddress(g.text);
    if (bad !== null) return Outcome.err("invalid governance address " + g.text + ": " + bad);
    governance = g.text;
  }
  let fheParams = "default";
  const fp = msg.get("fhe_parameters");
  if (fp !== null && !fp.isNull) {
    const name = validateParamsName(fp);
    if (name === null) return Outcome.err(validationError);
    fheParams = name;
  }
  const fees = validateFees(msg.get("fees"));
  if (fees === null) return Outcome.err(validationError);
  let expiry = DEFAULT_EXPIRY_SECONDS;
  const ex = msg.get("request_expiry_seconds");
  if (ex !== null && !ex.isNull) {
    expiry = validateExpiry(ex);
    if (expiry < 0) return Outcome.err(validationError);
  }
  const apps = JValue.arr();
  const given = msg.get("applications");
  if (given === null || given.isNull) {
    apps.push(JValue.obj().setStr("app_id", DEFAULT_APP_ID).setStr("isc_type", devMode ? "open" : "proven"));
  } else {
    if (!given.isArr) return Outcome.err("applications must be an array");
    const ids = new Array<string>();
    for (let i = 0; i < given.items.length; i++) {
      const a = validateApplication(given.items[i], devMode);
      if (a === null) return Outcome.err(validationError);
      const id = a.getStr("app_id")!;
      if (ids.includes(id)) return Outcome.err("duplicate application " + id);
      ids.push(id);
      apps.push(a);
    }
  }

  storePartySet(set);
  saveParams(
    JValue.obj()
      .setStr("governance", governance)
      .setStr("fhe_parameters", fheParams)
      .set("fees", fees)
      .set("request_expiry_seconds", JValue.num(expiry.toString()))
      .set("dev_mode", JValue.bool(devMode))
      .set("insecure_dealer_keys", JValue.bool(insecureDealerKeys))
      .set("trusted_submitters", trusted)
      .set("operators", operators),
  );
  for (let i = 0; i < apps.items.length; i++) saveApp(apps.items[i].getStr("app_id")!, apps.items[i].toString());
  saveApps(apps);

  const n = set.get("parties")!.items.length;
  const res = new Response()
    .addAttribute("action", "instantiate")
    .addEvent(
      new Event("tkms_config")
        .add("parties", n.toString())
        .add("threshold", set.get("threshold")!.text)
        .add("governance", governance)
        .add("fhe_parameters", fheParams)
        .add("applications", apps.items.length.toString())
        .add("dev_mode", devMode ? "true" : "false")
        .add("insecure_dealer_keys", insecureDealerKeys ? "true" : "false")
        .add("trusted_submitters", joinList(trusted))
        .add("operators", joinList(operators)),
    );
  return Outcome.ok(res.toJson());
}

