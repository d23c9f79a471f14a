/**
 * @module contracts/config/validate
 * Validation of everything the Config stores, shared by instantiate and the
 * governance messages. Each function returns the canonical JSON to store, or
 * null with the reason in `validationError`.
 *
 * Party set rules: n >= 3t+1 (t < n/3 malicious parties tolerated, DESIGN §1),
 * ids positive and unique, addresses valid (host `addr_validate`) and unique,
 * signer keys 33-byte compressed secp256k1 (prefix 02/03) and unique, optional
 * EVM address `0x` + 40 hex (stored lower-case; the deployer derives it from
 * the signer key) and unique, optional gRPC endpoint (non-empty, ≤ 256 chars)
 * and TLS certificate fingerprint (SHA-256, 64 hex, stored lower-case).
 * Two parties with one signer key (or one EVM address) would be one signer
 * counted twice: t+1 "agreeing" answers could come from t+1 ids but fewer keys,
 * and an EIP-712 verifier counting distinct signers would see fewer than the
 * ASC did.
 *
 * Fees are Uint128 decimal strings (contracts/lib/uint128.ts).
 */
import { JType, JValue } from "../lib/json";
import { validateAddress } from "../lib/api";
import { isHex } from "../lib/encoding";
import { isUint128 } from "../lib/uint128";

export let validationError = "";

function fail(msg: string): JValue | null {
  validationError = msg;
  return null;
}

/** The request kinds that carry a fee (chain/config/messages.ts FeeSchedule). */
export const FEE_KINDS: string[] = ["keygen", "decrypt", "crs_gen", "user_decrypt", "keygen_preproc"];
/**
 * `open`: no ISC and no provenance check (dev_mode networks only); `proven`: no
 * ISC, every ciphertext must be a proven input (the request names a CRS);
 * `allowlist`, `fhevm`: an ISC contract decides.
 */
export const ISC_TYPES: string[] = ["open", "proven", "allowlist", "fhevm"];
/** Application types that have no ISC contract. */
export const NO_ISC_TYPES: string[] = ["open", "proven"];
/** Most addresses in `trusted_submitters` or `operators`: each list is read on every request. */
export const MAX_ADDRESS_LIST = 64;
const MAX_TEXT = 256;

/** `{parties, threshold}` → the PartiesResponse JSON. */
export function validatePartySet(list: JValue | null, t: JValue | null): JValue | null {
  validationError = "";
  if (t === null || t.asIndex() < 0) return fail("threshold must be a non-negative integer");
  const threshold = t.asIndex();
  if (list === null || !list.isArr) return fail("parties must be an array");
  const n = list.items.length;
  if (n < 3 * threshold + 1) return fail("need n >= 3t+1 parties: n=" + n.toString() + ", t=" + threshold.toString());

  const ids = new Array<i32>();
  const addrs = new Array<string>();
  const keys = new Array<string>();
  const evms = new Array<string>();
  const out = JValue.arr();
  for (let i = 0; i < n; i++) {
    const p = list.items[i];
    if (!p.isObj) return fail("party " + i.toString() + " must be an object");
    const idv = p.get("id");
    const id = idv === null ? -1 : idv.asIndex();
    if (id < 1) return fail("party " + i.toString() + ": id must be a positive integer");
    if (ids.includes(id)) return fail("duplicate party id " + id.toString());
    const pid = "party " + id.toString();
    const address = p.getStr("address");
    if (address === null) return fail(pid + ": address must be a string");
    const bad = validateAddress(address);
    if (bad !== null) return fail(pid + ": invalid address " + address + ": " + bad);
    if (addrs.includes(address)) return fail("duplicate party address " + address);
    const pk = p.getStr("signer_pubkey");
    if (pk === null || !isHex(pk, 66, false)) return fail(pid + ": signer_pubkey must be 33 bytes (66 hex chars)");
    const key = pk.toLowerCase();
    if (!key.startsWith("02") && !key.startsWith("03")) return fail(pid + ": signer_pubkey must be a compressed key (02/03 prefix)");
    if (keys.includes(key)) return fail(pid + ": duplicate signer_pubkey " + key + " (party " + ids[keys.indexOf(key)].toString() + " has it)");
    ids.push(id);
    addrs.push(address);
    keys.push(key);
    const info = JValue.obj().set("id", JValue.num(id.toString())).setStr("address", address).setStr("signer_pubkey", key);

    const evm = p.get("evm_address");
    if (evm !== null && !evm.isNull) {
      if (!evm.isStr || !evm.text.startsWith("0x") || !isHex(evm.text.substring(2), 40, false)) {
        return fail(pid + ": evm_address must be 0x + 40 hex chars");
      }
      const e = evm.text.toLowerCase();
      if (evms.includes(e)) return fail(pid + ": duplicate evm_address " + e);
      evms.push(e);
      info.setStr("evm_address", e);
    }
    const grpc = p.get("grpc_endpoint");
    if (grpc !== null && !grpc.isNull) {
      if (!grpc.isStr || grpc.text.length == 0 || grpc.text.length > MAX_TEXT) return fail(pid + ": grpc_endpoint must be a non-empty string of at most 256 chars");
      info.setStr("grpc_endpoint", grpc.text);
    }
    const fp = p.get("tls_cert_fingerprint");
    if (fp !== null && !fp.isNull) {
      if (!fp.isStr || !isHex(fp.text, 64, false)) return fail(pid + ": tls_cert_fingerprint must be a SHA-256 digest (64 hex chars)");
      info.setStr("tls_cert_fingerprint", fp.text.toLowerCase());
    }
    out.push(info);
  }
  return JValue.obj().set("parties", out).set("threshold", JValue.num(threshold.toString()));
}

/** A FeeSchedule; absent kinds default to "0", `denom` is required when a fee is non-zero. */
export function validateFees(v: JValue | null): JValue | null {
  validationError = "";
  if (v === null || v.isNull) v = JValue.obj();
  if (!v.isObj) return fail("fees must be an object");
  const out = JValue.obj();
  const dv = v.get("denom");
  let denom = "";
  if (dv !== null && !dv.isNull) {
    if (!dv.isStr || dv.text.length > 128) return fail("fees.denom must be a string");
    denom = dv.text;
  }
  out.setStr("denom", denom);
  let anyFee = false;
  for (let i = 0; i < v.keys.length; i++) {
    const k = v.keys[i];
    if (k != "denom" && !FEE_KINDS.includes(k)) return fail("fees: unknown operation " + k + "; expected one of " + FEE_KINDS.join(", "));
  }
  for (let i = 0; i < FEE_KINDS.length; i++) {
    const k = FEE_KINDS[i];
    const a = v.get(k);
    let amount = "0";
    if (a !== null && !a.isNull) {
      if (!a.isStr || !isUint128(a.text)) return fail("fees." + k + " must be a Uint128 decimal string (digits only, at most 2^128-1)");
      amount = a.text;
    }
    if (amount != "0") anyFee = true;
    out.setStr(k, amount);
  }
  if (anyFee && denom.length == 0) return fail("fees.denom must be set when a fee is non-zero");
  return out;
}

/**
 * An ApplicationInfo `{app_id, isc_type, isc?}`: `open` and `proven` apps have no
 * ISC, the others need one. `open` (no provenance check at all: whatever bytes
 * anyone uploads get decrypted, a key-extraction oracle) only when `devMode`.
 */
export function validateApplication(v: JValue | null, devMode: bool): JValue | null {
  validationError = "";
  if (v === null || !v.isObj) return fail("application must be an object");
  const id = v.getStr("app_id");
  if (id === null || !isName(id)) return fail("app_id must be 1..64 printable ASCII characters without spaces");
  const type = v.getStr("isc_type");
  if (type === null || !ISC_TYPES.includes(type)) return fail("application " + id + ": isc_type must be one of " + ISC_TYPES.join(", "));
  if (type == "open" && !devMode) {
    return fail("application " + id + ": isc_type open (no ISC, no provenance check) is only allowed on a dev_mode network");
  }
  const out = JValue.obj().setStr("app_id", id).setStr("isc_type", type);
  const isc = v.get("isc");
  if (NO_ISC_TYPES.includes(type)) {
    if (isc !== null && !isc.isNull) return fail("application " + id + ": " + (type == "open" ? "an open" : "a proven") + " application has no isc");
    return out;
  }
  if (isc === null || !isc.isStr) return fail("application " + id + ": isc must be the ISC contract address");
  const bad = validateAddress(isc.text);
  if (bad !== null) return fail("application " + id + ": invalid isc address " + isc.text + ": " + bad);
  return out.setStr("isc", isc.text);
}

/**
 * Names (app ids, parameter set names): 1..64 printable ASCII characters, no
 * spaces. They key storage, travel in events and are printed by the CLI, so no
 * control characters (terminal escapes), no look-alike Unicode.
 */
export function isName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** `request_expiry_seconds`: a positive integer. */
export function validateExpiry(v: JValue | null): i32 {
  validationError = "";
  if (v === null || v.asIndex() < 1) { validationError = "request_expiry_seconds must be a positive integer"; return -1; }
  return v.asIndex();
}

/** `fhe_parameters`: a parameter set name. */
export function validateParamsName(v: JValue | null): string | null {
  validationError = "";
  if (v === null || !v.isStr || !isName(v.text)) { validationError = "fhe_parameters must be 1..64 printable ASCII characters without spaces"; return null; }
  return v.text;
}

/**
 * `trusted_submitters` / `operators`: an array of chain addresses (host
 * `addr_validate`), at most MAX_ADDRESS_LIST, duplicates dropped (first
 * occurrence kept); absent or null is the empty list.
 */
export function validateAddressList(v: JValue | null, name: string): JValue | null {
  validationError = "";
  const out = JValue.arr();
  if (v === null || v.isNull) return out;
  if (!v.isArr) return fail(name + " must be an array of addresses");
  if (v.items.length > MAX_ADDRESS_LIST) return fail(name + ": at most " + MAX_ADDRESS_LIST.toString() + " addresses");
  const seen = new Array<string>();
  for (let i = 0; i < v.items.length; i++) {
    const a = v.items[i];
    if (!a.isStr) return fail(name + "[" + i.toString() + "] must be an address string");
    const bad = validateAddress(a.text);
    if (bad !== null) return fail(name + "[" + i.toString() + "]: invalid address " + a.text + ": " + bad);
    if (seen.includes(a.text)) continue;
    seen.push(a.text);
    out.push(JValue.str(a.text));
  }
  return out;
}

/** `dev_mode`: a boolean; absent or null is false. -1 (with `validationError`) when malformed. */
export function validateDevMode(v: JValue | null, name: string = "dev_mode"): i32 {
  validationError = "";
  if (v === null || v.isNull) return 0;
  if (v.type != JType.Bool) { validationError = name + " must be a boolean"; return -1; }
  return v.bool ? 1 : 0;
}

/** An address list as one event attribute ("a,b"; empty when none). */
export function joinList(list: JValue): string {
  const parts = new Array<string>();
  for (let i = 0; i < list.items.length; i++) parts.push(list.items[i].text);
  return parts.join(",");
}
