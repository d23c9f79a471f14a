/**
 * @module contracts/asc/configClient
 * Smart queries to the Config contract (chain/config/messages.ts); the ISCs it
 * registers are asked in isc.ts. A failed query sets `lastConfigError`.
 */
import { querySmart } from "../lib/api";
import { JType, JValue, parseJson, quote } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { isUint128, u128, uint128 } from "../lib/uint128";
import { loadConfigAddress } from "./state";

export class Party {
  constructor(public id: i32, public signerPubkey: string) {}
}

export let lastConfigError = "";

function queryConfig(msg: string): JValue | null {
  lastConfigError = "";
  const o: Outcome = querySmart(loadConfigAddress(), msg);
  const e = o.error;
  if (e !== null) { lastConfigError = e; return null; }
  const v = parseJson(o.json);
  if (v === null || !v.isObj) { lastConfigError = "config returned malformed JSON"; return null; }
  return v;
}

/** The party registered for `address`, or null; `lastConfigError` is set when the query itself failed. */
export function partyByAddress(address: string): Party | null {
  const v = queryConfig("{\"party_by_address\":{\"address\":" + quote(address) + "}}");
  if (v === null) return null;
  const p = v.get("party");
  if (p === null || !p.isObj) return null;
  const idv = p.get("id");
  const pk = p.getStr("signer_pubkey");
  if (idv === null || pk === null) { lastConfigError = "config returned a malformed party"; return null; }
  return new Party(idv.asIndex(), pk);
}

/** The parts of Config `params` the ASC uses. */
export class Params {
  governance: string = "";
  threshold: i32 = 0;
  denom: string = "";
  /** The fee object: kind → decimal amount. */
  fees: JValue = JValue.obj();
  /** Config `request_expiry_seconds`. */
  expirySeconds: i64 = 0;
  /** Config `dev_mode` (false on a Config stored before it existed). */
  devMode: bool = false;
  /** Config `insecure_dealer_keys`: an INSECURE test network whose cores may deal keys (false when absent). */
  insecureDealerKeys: bool = false;
  /** Accounts that may start keygen, keygen_preproc and crs_gen besides governance. */
  operators: string[] = [];
  /** Accounts whose submissions are decrypted without proof of origin (a trust assumption). */
  trustedSubmitters: string[] = [];

  /** Fee for a request kind (0 when the kind has no fee entry). */
  fee(kind: string): u128 {
    const a = this.fees.getStr(kind);
    if (a === null || !isUint128(a)) return u128.Zero;
    return uint128(a);
  }

  /** Whether `address` is governance or a Config operator. */
  isOperator(address: string): bool {
    return address == this.governance || this.operators.includes(address);
  }

  isTrustedSubmitter(address: string): bool {
    return this.trustedSubmitters.includes(address);
  }
}

function stringList(v: JValue | null): string[] {
  const out = new Array<string>();
  if (v === null || !v.isArr) return out;
  for (let i = 0; i < v.items.length; i++) if (v.items[i].isStr) out.push(v.items[i].text);
  return out;
}

/** Config `params`, or null with `lastConfigError`. */
export function params(): Params | null {
  const v = queryConfig("{\"params\":{}}");
  if (v === null) return null;
  const p = new Params();
  const g = v.getStr("governance");
  const t = v.get("threshold");
  const fees = v.get("fees");
  const ex = v.get("request_expiry_seconds");
  if (g === null || t === null || t.asIndex() < 0 || fees === null || !fees.isObj || ex === null || ex.asIndex() < 0) {
    lastConfigError = "config returned malformed params";
    return null;
  }
  p.governance = g;
  p.threshold = t.asIndex();
  p.fees = fees;
  const d = fees.getStr("denom");
  p.denom = d !== null ? d : "";
  p.expirySeconds = <i64>ex.asIndex();
  const dm = v.get("dev_mode");
  p.devMode = dm !== null && dm.type == JType.Bool && dm.bool;
  const idk = v.get("insecure_dealer_keys");
  p.insecureDealerKeys = idk !== null && idk.type == JType.Bool && idk.bool;
  p.operators = stringList(v.get("operators"));
  p.trustedSubmitters = stringList(v.get("trusted_submitters"));
  return p;
}

export class Application {
  constructor(public appId: string, public iscType: string, public isc: string) {}
}

/** The registered application `appId`, or null (unregistered, or `lastConfigError`). */
export function application(appId: string): Application | null {
  const v = queryConfig("{\"application\":{\"app_id\":" + quote(appId) + "}}");
  if (v === null) return null;
  const a = v.get("application");
  if (a === null || !a.isObj) return null;
  const type = a.getStr("isc_type");
  const isc = a.getStr("isc");
  if (type === null) { lastConfigError = "config returned a malformed application"; return null; }
  return new Application(appId, type, isc !== null ? isc : "");
}
