/**
 * @module contracts/isc-fhevm/state
 * The ISC's configuration, stored once at instantiation under `config` as the
 * normalised JSON the `config` query returns.
 */
import { getString, setString } from "../lib/storage";
import { JValue, parseJson } from "../lib/json";
import { parseAddress, parseWord, parseU64 } from "../lib/hex";

const CONFIG_KEY = "config";

/** Default freshness window: a signed header older than an hour is refused. */
export const DEFAULT_MAX_AGE_SECONDS: u64 = 3600;
/** Upper bound on `max_age_seconds` (30 days): beyond that freshness means nothing. */
export const MAX_MAX_AGE_SECONDS: u64 = 2592000;
/** How far a header's timestamp may be ahead of the KMS chain's block time
 * (clock skew between the two chains' proposers). */
export const MAX_FUTURE_SKEW_SECONDS: u64 = 60;

export class IscConfig {
  constructor(
    public chainId: u64,
    public aclAddress: Uint8Array,
    /** Slot p of `persistedAllowedPairs` (32 bytes). */
    public slotBase: Uint8Array,
    /** Registered validators, 20-byte addresses. */
    public validators: Uint8Array[],
    public quorum: i32,
    /** Oldest accepted header, in seconds before the KMS chain's block time. */
    public maxAgeSeconds: u64,
  ) {}
}

export function saveConfig(json: JValue): void {
  setString(CONFIG_KEY, json.toString());
}

export function configJson(): string {
  const s = getString(CONFIG_KEY);
  return s !== null ? s : "null";
}

/** Loads the config written by `instantiate` (already validated there). */
export function loadConfig(): IscConfig {
  const v = parseJson(configJson())!;
  const vals = v.get("validators")!.items;
  const validators = new Array<Uint8Array>();
  for (let i = 0; i < vals.length; i++) validators.push(parseAddress(vals[i].text)!);
  return new IscConfig(
    parseU64(v.get("chain_id")!.text).value,
    parseAddress(v.getStr("acl_address")!)!,
    parseWord(v.getStr("acl_slot_base")!)!,
    validators,
    v.get("quorum")!.asIndex(),
    parseU64(v.get("max_age_seconds")!.text).value,
  );
}

