/**
 * @module chain/config/messages
 * The JSON protocol of the Config contract (contracts/config): the party set,
 * threshold, FHE parameter set, fees, request expiry and registered
 * applications. Only the `governance` address may change them (on wasmd the gov
 * module account, so every change is a passed proposal); each change emits
 * `wasm-tkms_config_update` with `action` = the message name and what changed.
 */

export interface PartyInfo {
  /** 1-based party id. */
  id: number;
  /** Chain address the party's connector signs transactions with. */
  address: string;
  /** Compressed secp256k1 public key (33 bytes, 66 hex) of the party's core signer. */
  signer_pubkey: string;
  /** EVM address of the signer key (`0x` + 40 hex, stored lower-case): what EIP-712
   * verifiers on fhEVM chains check. `chain/deploy.ts` derives it from `signer_pubkey`. */
  evm_address?: string;
  /** The core's gRPC endpoint (host:port) for peers and connectors. */
  grpc_endpoint?: string;
  /** SHA-256 of the core's TLS certificate (DER), 64 hex, stored lower-case. */
  tls_cert_fingerprint?: string;
}

/** Native-denom fee per operation kind; amounts are Uint128 decimal strings
 * (digits only, no leading zero, at most 2^128 − 1). `denom` is required when a
 * fee is non-zero. A request must pay exactly its kind's fee (the ASC refuses
 * less — "fee too low" — and more — "overpayment refused"). */
export interface FeeSchedule {
  denom: string;
  keygen: string;
  decrypt: string;
  crs_gen: string;
  user_decrypt: string;
  /** `keygen_preproc` requests (default "0"; absent in Configs stored before it existed, read as 0). */
  keygen_preproc: string;
}

/** `open`: no ISC and no provenance check, every request is allowed — only on a
 * Config instantiated with `dev_mode: true` (an open application decrypts any
 * bytes anyone uploads: a key-extraction oracle). `proven`: no ISC; every
 * ciphertext must be a proven input (the request names a CRS).
 * `allowlist`: contracts/isc-allowlist; `fhevm`: contracts/isc-fhevm. */
export type IscType = 'open' | 'proven' | 'allowlist' | 'fhevm';

export interface ApplicationInfo {
  app_id: string;
  isc_type: IscType;
  /** ISC contract address; absent for `open` and `proven`. */
  isc?: string;
}

export interface ConfigInstantiateMsg {
  parties: PartyInfo[];
  /** t: n >= 3t+1 is enforced. */
  threshold: number;
  /** Who may change the Config and key states (default: the instantiating sender). */
  governance?: string;
  /** FHE parameter set name (default "default"). */
  fhe_parameters?: string;
  /** Missing kinds default to "0" (default: all fees 0). */
  fees?: Partial<FeeSchedule>;
  /** Seconds (of block time) after which an unfulfilled request can be refunded (default 3600). */
  request_expiry_seconds?: number;
  /**
   * A development network (default false), fixed forever: only a dev_mode Config
   * accepts `open` applications. Say it explicitly for `make start`-style networks.
   */
  dev_mode?: boolean;
  /**
   * INSECURE test networks only (default false), fixed forever: cores configured
   * with `threshold.insecureDealerKeygen` may deal `default` and `fhevm` keys from
   * one process instead of the distributed key generation. A production network
   * leaves it out, and then no core deals, whatever its configuration.
   */
  insecure_dealer_keys?: boolean;
  /** Accounts whose decrypt requests the KMS serves without proof of origin: a
   * trust assumption, named by `tkms config` (default []). Validated, deduplicated. */
  trusted_submitters?: string[];
  /** Accounts that may start keygen, keygen_preproc and crs_gen besides governance (default []). */
  operators?: string[];
  /** Default: `[{app_id: "default", isc_type: "open"}]` when dev_mode, else
   * `[{app_id: "default", isc_type: "proven"}]`. */
  applications?: ApplicationInfo[];
}

export type ConfigExecuteMsg =
  | { update_parties: { parties: PartyInfo[]; threshold: number } }
  | { update_fees: { fees: Partial<FeeSchedule> } }
  /** Absent members are unchanged; a list replaces the whole list (`[]` empties it).
   * `dev_mode` is refused ("dev_mode is fixed at instantiation"). */
  | { update_params: { fhe_parameters?: string; request_expiry_seconds?: number; trusted_submitters?: string[]; operators?: string[] } }
  | { update_governance: { governance: string } }
  /** Registers an application; an app id already registered is refused (remove it first to replace it). */
  | { register_application: ApplicationInfo }
  | { remove_application: { app_id: string } };

export type ConfigQueryMsg =
  | { parties: Record<string, never> }
  | { party_by_address: { address: string } }
  | { params: Record<string, never> }
  | { fees: Record<string, never> }
  | { application: { app_id: string } }
  | { applications: Record<string, never> };

export interface PartiesResponse {
  parties: PartyInfo[];
  threshold: number;
}
export interface PartyByAddressResponse {
  party: PartyInfo | null;
}
export interface ParamsResponse {
  governance: string;
  fhe_parameters: string;
  n: number;
  threshold: number;
  fees: FeeSchedule;
  request_expiry_seconds: number;
  /** True on a development network (open applications allowed); never changes. */
  dev_mode: boolean;
  /** True on an INSECURE test network whose cores may deal keys; never changes. */
  insecure_dealer_keys: boolean;
  trusted_submitters: string[];
  operators: string[];
}
export interface ApplicationResponse {
  application: ApplicationInfo | null;
}
export interface ApplicationsResponse {
  applications: ApplicationInfo[];
}

/** Event types (CosmWasm prefixes `wasm-`): `tkms_config` at instantiation (parties,
 * threshold, governance, fhe_parameters, applications, dev_mode, trusted_submitters,
 * operators — lists comma-separated), `tkms_config_update` on every governance change. */
export const CONFIG_EVENTS = {
  instantiate: 'wasm-tkms_config',
  update: 'wasm-tkms_config_update',
} as const;
