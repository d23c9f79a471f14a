/**
 * @module chain/asc/messages
 * The JSON protocol of the ASC contract (contracts/asc). This file is the
 * source of truth: the AssemblyScript contract parses and emits exactly these
 * shapes (snake_case keys, strings for 64-bit and larger numbers).
 */
import type { FheType } from '../../common/fheTypes.js';

/** 160-bit request id, 40 lower-case hex chars, no 0x. */
export type RequestId = string;
/** Key id = the request id of the keygen request that produced it. */
export type KeyId = string;

export interface AscInstantiateMsg {
  /** Address of the Config contract that holds the party set. */
  config: string;
}

/** A public decrypt as the ASC stores it (`RequestInfo.decrypt`). */
export interface DecryptParams {
  key_id: KeyId;
  /** 1..32 ciphertexts, decrypted all or nothing; the answer carries one plaintext each, in this order. */
  ciphertexts: CiphertextRef[];
  /** Registered application (Config `application`); default "default". Stored with the request. */
  app_id?: string;
  /** A CRS id (its crs_gen request id): the cores verify each ciphertext's proof of
   * encryption against that CRS before decrypting (ciphertexts are then
   * ProvenCompactCiphertextLists of one value), and fail with PROOF_INVALID otherwise. */
  crs_id?: string;
  /** Why the ASC accepted the ciphertexts' origin (contracts/asc/provenance.ts). */
  provenance?: Provenance;
}

/**
 * Where a request's ciphertexts come from, as the ASC judged it:
 * `proven` (the request names a CRS: the cores verify each proof of encryption,
 * bound to key, CRS, application and requester), `isc` (the application's ISC
 * checked a handle → digest commitment for every ciphertext), `trusted_submitter`
 * (the sender is on the Config's trusted submitter list), `open` (an open
 * application of a dev network: nothing checked).
 */
export type Provenance = 'proven' | 'isc' | 'trusted_submitter' | 'open';

/** What a decrypt message carries: the key, the ciphertexts (a `ciphertexts` list,
 * or one ciphertext's three members at the top level), and the application's
 * proof of permission, an opaque JSON object passed to the ISC (not stored). */
export type DecryptMsg = {
  key_id: KeyId;
  app_id?: string;
  crs_id?: string;
  /**
   * The application's proof, passed verbatim to its ISC in one `validate` query for
   * the whole request (chain/isc-fhevm/messages.ts `IscValidateMsg`, purpose
   * "public_decrypt"): the ASC sets the ciphertexts ({handle, digest} in request
   * order) and, for an `allowlist` ISC, `"requester": <tx sender>`. An `fhevm` ISC
   * needs `FhevmProof`: one entry per ciphertext proving the handle publicly
   * decryptable (ACL `allowedForDecryption[handle]`; a per-user permission and its
   * signed header are public data anyone could forward) and committed to its digest
   * (`ciphertextDigest[handle]`). One refusal refuses the whole request. An `open`
   * application (no ISC) ignores it.
   */
  proof?: Record<string, unknown>;
} & ({ ciphertexts: CiphertextRef[] } | CiphertextRef);

/** The parameter sets a key can be made with (core/engine/tfhe/parameters.ts); `test-insecure` is INSECURE, for tests on dev networks only. */
export type FheParameterSetName = 'default' | 'fhevm' | 'test-insecure';

/** `keygen`: as sent and as stored (`RequestInfo.keygen`, only when preproc_id or fhe_parameters was given). */
export interface KeygenParams {
  /** The keygen_preproc request id whose material the key is made from. */
  preproc_id?: RequestId;
  /** Absent: `default`. `fhevm`: dedicated compact-public-key parameters (inputs may carry ZK proofs). `test-insecure`: INSECURE toy parameters, refused unless Config is in dev mode. */
  fhe_parameters?: FheParameterSetName;
  /** Stored only (never sent): true on a network whose Config has `insecure_dealer_keys`, the one case a core may deal the key (INSECURE). */
  insecure_dealer_keys?: boolean;
}

/**
 * `keygen_preproc`: as sent and as stored (`RequestInfo.keygen_preproc`, only when
 * fhe_parameters was given). The preprocessing is made for one parameter set
 * (absent: `default`, checked as keygen's); a keygen naming it must ask for the
 * same set, else "keygen: preprocessing <id> was made for parameter set <a>, the
 * keygen asks for <b>".
 */
export interface KeygenPreprocParams {
  fhe_parameters?: FheParameterSetName;
  /** Stored only (never sent): true on a network whose Config has `insecure_dealer_keys`, the one case a core may deal the key (INSECURE). */
  insecure_dealer_keys?: boolean;
}

/** `crs_gen`: a CRS for ZK proofs of encryption of up to `max_num_bits` bits (1..65536). */
export interface CrsGenParams {
  max_num_bits: number;
}

/**
 * One ciphertext of a request. The ASC refuses it unless
 * `ciphertext_handle` == SHA3-256(lp("TKMS-HANDLE-V2") ‖ lp(key_id) ‖ lp(app_id) ‖ lp(ciphertext_digest))[0..30]
 * ‖ type code of `fhe_type` ‖ 0x01 (common/ciphertext.ts `ciphertextHandle`):
 * the ISC judges the handle while the cores decrypt what the digest names, so
 * the two must be one ciphertext; and the handle names the key and the
 * application, so it cannot be decrypted under another key or through another
 * application. The cores check it again (HANDLE_MISMATCH).
 */
export interface CiphertextRef {
  ciphertext_handle: string;
  ciphertext_digest: string;
  fhe_type: FheType;
}

/** EIP-712 domain the parties sign user-decryption responses under (addresses stored lower-case). */
export interface Eip712Domain {
  name: string;
  version: string;
  /** Decimal string (u64). */
  chain_id: string;
  verifying_contract: string;
}

/**
 * `user_decrypt`: each party's share is signcrypted to `enc_key` (ML-KEM-512
 * encapsulation key, 800 bytes as 1600 hex) for `client_address` (0x EVM
 * address). 1..32 ciphertexts, checked with the application's ISC in one query.
 * Stored under `RequestInfo.user_decrypt` (without `proof` and `user_signature`;
 * addresses and hex lower-case, the window's integers as decimal strings).
 */
export interface UserDecryptParams {
  key_id: KeyId;
  ciphertexts: CiphertextRef[];
  enc_key: string;
  client_address: string;
  eip712_domain: Eip712Domain;
  /** dApp contracts the user lets read her handles: 1..10 distinct 0x addresses, never `client_address`. */
  allowed_contracts: string[];
  /** Unix seconds (decimal string; a JSON integer is accepted too): the request is valid from then… */
  start_timestamp: string;
  /** …for this many seconds, 1..31536000 (365 days), on the KMS chain's block time. */
  duration_seconds: string;
  /** Opaque bytes the user signed, 0x hex (at most 1024 bytes); "0x" when absent. */
  extra_data: string;
  app_id?: string;
  /** As `DecryptParams.crs_id`: the ciphertexts are proven inputs to verify first. */
  crs_id?: string;
  /** As `DecryptParams.provenance` (stored by the ASC). */
  provenance?: Provenance;
}
export interface UserDecryptMsg extends Omit<UserDecryptParams, 'extra_data'> {
  extra_data?: string;
  /**
   * `client_address`'s authorization (required): `0x` + 65 bytes r ‖ s ‖ v
   * (v ∈ {0,1,27,28}, low s), its EIP-712 signature (ethers `signTypedData`) of
   *   UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,
   *                                  uint256 startTimestamp,uint256 durationSeconds,bytes extraData)
   * = (client_address, enc_key bytes, allowed_contracts, start_timestamp, duration_seconds, extra_data)
   * under `eip712_domain` (EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)).
   * The ASC refuses the request unless start ≤ block time < start + duration and the
   * signature recovers to `client_address` (common/userDecryptAuth.ts,
   * contracts/asc/userAuth.ts): a copied ACL proof is useless with another ML-KEM key,
   * and a signed request dies with its window. Not stored.
   */
  user_signature: string;
  /**
   * The application's proof, passed verbatim to its ISC in the `validate` query
   * (chain/isc-fhevm/messages.ts `IscValidateMsg`, purpose "user_decrypt"); the ASC
   * sets `requester` — the signed `client_address` for an `fhevm` ISC, the tx sender
   * for an `allowlist` one — and `allowed_contracts`. fhEVM: `FhevmProof`, one entry
   * per ciphertext naming its dApp contract.
   */
  proof?: Record<string, unknown>;
}

/** Key lifecycle states (NIST SP 800-57, snake_case). New keys start `active`. */
export type KeyState = 'pre_activation' | 'active' | 'suspended' | 'deactivated' | 'compromised' | 'destroyed';

/**
 * Every request must carry exactly Config's fee for its kind in `fees.denom`
 * (Uint128 decimal amounts): less is refused ("fee too low: …"), more too
 * ("overpayment refused: …"), funds in another denom too ("unexpected funds …").
 * - `keygen`, `keygen_preproc`, `crs_gen`: only from Config governance or a Config
 *   `operators` account, else "unauthorized: <kind> is restricted to governance and
 *   the Config operators".
 * - `fulfill`: refused after `expires_at` (block time), decided or not ("… expired at
 *   time …: answers are no longer accepted"), and from a party that already answered
 *   under its id or from its address.
 * - `claim`: pays the sender every fee share it earned (BankMsg per denom).
 * - `refund`: once, only after `expires_at` and only while the request is undecided
 *   (pending); decided requests (completed, failed) are never refunded ("is completed:
 *   its fee went to the parties"). The parties that answered before expiry are paid
 *   fee / max(quorum.result, answers) each (`payees`); the remainder goes back to the
 *   sender; the request becomes `expired`.
 * - `set_key_state`: governance only, along the SP 800-57 transitions
 *   (contracts/asc/keys.ts).
 */
export type AscExecuteMsg =
  /** Answered with `keygen_preproc` responses (signature only); 2t+1 complete it. */
  | { keygen_preproc: KeygenPreprocParams }
  /**
   * `preproc_id`: a completed `keygen_preproc` request no other keygen used, else
   * refused ("keygen: preproc_id <id> is unknown" / "is still pending" / "is failed: …"
   * / "is expired" / "is already used by keygen <id>" / "is a <kind> request, not
   * keygen_preproc" / "keygen: preprocessing <id> was made for parameter set <a>,
   * the keygen asks for <b>"). Without it the cores preprocess inline.
   */
  | { keygen: KeygenParams }
  | { decrypt: DecryptMsg }
  /** Answered with `crs_gen` responses; 2t+1 agreeing on the digest register the CRS (`crs` query). */
  | { crs_gen: CrsGenParams }
  /** Answered with one `user_decrypt` response per party (one signcryption for the whole batch). */
  | { user_decrypt: UserDecryptMsg }
  | { fulfill: FulfillParams }
  | { claim: Record<string, never> }
  | { refund: { request_id: RequestId } }
  | { set_key_state: { key_id: KeyId; state: KeyState } };

export interface FulfillParams {
  request_id: RequestId;
  response: FulfillResponse;
}

/** A party's answer to a request. `signature` is the party signer's secp256k1
 * compact signature (r||s, 128 hex chars, low-s) over `responseDigest(...)`
 * (common/signing.ts); the ASC verifies it against the Config's signer key. */
export type FulfillResponse =
  /** One decimal plaintext per requested ciphertext, in request order; one signature over all. */
  | { decrypt: { plaintexts: string[]; signature: string } }
  | {
      keygen: {
        public_key_digest: string;
        public_key_uri: string;
        server_key_digest: string;
        server_key_uri: string;
        signature: string;
      };
    }
  | {
      /**
       * One signcryption (common/signcryption.ts, lower-case hex, at most 8 KiB)
       * to the request's `enc_key` of a `UserDecryptPayload` covering every
       * ciphertext of the request (core/service/userDecrypt.ts), and the party's
       * EIP-712 `UserDecryptResponseVerification` signature over (enc_key, all
       * handles, the signcryption bytes) under the request's domain (0x, 65 bytes).
       * `signature` covers: request_id, key_id, k, (ciphertext_digest, fhe_type) × k,
       * SHA-256(enc_key), SHA-256(signcryption), eip712_signature.
       */
      user_decrypt: { signcryption: string; eip712_signature: string; signature: string };
    }
  | {
      /** `signature` covers request_id only (kind "keygen_preproc"): the party holds the preprocessing material. */
      keygen_preproc: { signature: string };
    }
  | {
      /** `signature` covers request_id, max_num_bits, crs_digest (SHA3-256 of the CRS bytes), crs_uri. */
      crs_gen: { crs_digest: string; crs_uri: string; signature: string };
    }
  | { failure: { reason: string; signature: string } };

/**
 * A party's answer as the ASC stores it (`RequestInfo.responses`, `result`):
 * a user_decrypt answer carries the SHA-256 of its signcryption instead of the
 * blob, which is stored apart (query `user_decrypt_answers`): every fulfillment
 * rewrites the request, and storage writes are charged per byte.
 */
export type StoredFulfillResponse =
  | Exclude<FulfillResponse, { user_decrypt: unknown }>
  | { user_decrypt: { signcryption_sha256: string; eip712_signature: string; signature: string } };

/** `user_decrypt_answers {request_id}`: the signcryptions, in answer order. */
export interface UserDecryptAnswersResponse {
  answers: { party_id: number; signcryption: string }[];
}

/** A CRS a quorum of parties produced (key `crs {crs_id}`, list `crs_list`). crs_id = the crs_gen request id. */
export interface CrsInfo {
  crs_id: string;
  crs_digest: string;
  /** URI of the answer that completed the quorum (every party serves it; the digest binds it). */
  crs_uri: string;
  max_num_bits: number;
  height: string;
}
export interface CrsListResponse {
  crs: CrsInfo[];
}

export type RequestKind = 'keygen' | 'keygen_preproc' | 'decrypt' | 'crs_gen' | 'user_decrypt';
/** `expired`: refunded after `expires_at` without a result. */
export type RequestStatus = 'pending' | 'completed' | 'failed' | 'expired';

export interface PartyResponse {
  party_id: number;
  /** The party's chain address that sent the fulfillment (where its fee share is owed). */
  sender: string;
  response: StoredFulfillResponse;
  height: string;
}

export interface Coin {
  denom: string;
  amount: string;
}

export interface RequestInfo {
  request_id: RequestId;
  kind: RequestKind;
  sender: string;
  height: string;
  status: RequestStatus;
  /** Present for decrypt requests. */
  decrypt?: DecryptParams;
  /** Present for keygen requests that named a preprocessing. */
  keygen?: KeygenParams;
  /** Present for keygen_preproc requests that named a parameter set (absent: `default`). */
  keygen_preproc?: KeygenPreprocParams;
  /** keygen_preproc requests: the keygen request that consumed it (set when that keygen was submitted). */
  used_by?: RequestId;
  /** Present for crs_gen requests. */
  crs_gen?: CrsGenParams;
  /** Present for user_decrypt requests. */
  user_decrypt?: UserDecryptParams;
  responses: PartyResponse[];
  /** The response a quorum agreed on (identical answers from t+1 parties for a decrypt
   * result or a failure, 2t+1 for a keygen or CRS result), once status is completed or
   * failed. Absent for a completed user_decrypt: 2t+1 parties answered, each with its
   * own signcryption, all in `responses`. */
  result?: StoredFulfillResponse;
  /** Set when status == failed: the agreed failure reason. */
  failure_reason?: string;
  /** The fee paid with the request (Uint128 decimal; held by the ASC; denom "" when fees are 0). */
  fee: Coin;
  /** Block time (Unix seconds, decimal) after which an unfulfilled request can be
   * refunded: its creation block's time + Config `request_expiry_seconds`. */
  expires_at: string;
  /** Set once a party answered differently from an earlier answer (nobody is blamed for it). */
  conflict?: boolean;
  /**
   * Parties whose recorded answer differs from the decision (the `result`; for a
   * completed user_decrypt, answering with a share), named when the request is
   * decided and, for later answers, as they arrive. Absent when none.
   */
  dissent?: number[];
  /** Parties whose answers formed the quorum (they share the fee), once completed or failed. */
  payees?: number[];
  /** Set once the request was refunded after expiry (`payees` then names the parties paid). */
  refunded?: boolean;
  /**
   * Fixed when the request is made: the threshold t then, and the identical answers
   * that decide it (`result`: 2t+1 for keygen, keygen_preproc, crs_gen, user_decrypt;
   * t+1 for decrypt; `failure`: t+1). Absent on requests stored before it existed.
   */
  quorum?: RequestQuorum;
}

export interface RequestQuorum {
  threshold: number;
  result: number;
  failure: number;
}

export interface KeyInfo {
  key_id: KeyId;
  public_key_digest: string;
  public_key_uri: string;
  server_key_digest: string;
  server_key_uri: string;
  /** Absent on keys recorded before the lifecycle existed: read as `active`. */
  state?: KeyState;
  /** Height of the last state change (or of the key's creation). */
  state_height?: string;
  /** The keygen_preproc request the key was made from (absent: preprocessed inline). */
  preproc_id?: RequestId;
  /** The parameter set (absent on keys recorded before it was: `default`). */
  fhe_parameters?: FheParameterSetName;
  /** True when made on an INSECURE test network that lets cores deal keys (Config `insecure_dealer_keys`): one process may have held the whole key. Absent otherwise. */
  insecure_dealer_keys?: boolean;
}

export type AscQueryMsg =
  | { request: { request_id: RequestId } }
  | { requests: { start_after?: RequestId; limit?: number } }
  | { key: { key_id: KeyId } }
  | { keys: { start_after?: KeyId; limit?: number } }
  | { config: Record<string, never> }
  | { claimable: { address: string } }
  | { crs: { crs_id: string } }
  | { crs_list: { start_after?: string; limit?: number } }
  | { user_decrypt_answers: { request_id: RequestId } };

export interface RequestsResponse {
  requests: RequestInfo[];
}
export interface KeysResponse {
  keys: KeyInfo[];
}
export interface AscConfigResponse {
  config: string;
}
export interface ClaimableResponse {
  address: string;
  amounts: Coin[];
}

/**
 * Events (CosmWasm prefixes custom event types with `wasm-`):
 * - `wasm-tkms_request`: request_id, kind, sender, for keygen preproc_id (when set), for decrypt key_id, ciphertexts
 *   (count), app_id, crs_id (when set); for crs_gen max_num_bits;
 *   for user_decrypt key_id, ciphertexts (count), client_address, app_id (the rest is in
 *   the stored request); then fee ("<amount><denom>"), expires_at.
 * - `wasm-tkms_response`: request_id, party_id, outcome ("decrypt"|"keygen"|"keygen_preproc"|"user_decrypt"|"crs_gen"|"failure").
 * - `wasm-tkms_conflict`: request_id (an answer differs from an earlier one; before the
 *   decision nobody knows which side is wrong, so no party is named).
 * - `wasm-tkms_dissent`: request_id, party_ids ("2,5"): parties whose answers differ from
 *   the decision, emitted with `tkms_result` and for each differing answer after it.
 * - `wasm-tkms_result`: request_id, kind, status ("completed"|"failed"|"expired"), and
 *   fee_share when a non-zero fee was split.
 * - `wasm-tkms_claim`: address, amount (one per denom); `wasm-tkms_refund`: request_id, to,
 *   amount (what went back to the sender), and when parties had answered paid_parties
 *   ("1,3") and fee_share.
 * - `wasm-tkms_key_state`: key_id, from, to.
 * Every wasm event also carries `_contract_address`.
 */
export const ASC_EVENTS = {
  request: 'wasm-tkms_request',
  response: 'wasm-tkms_response',
  result: 'wasm-tkms_result',
  conflict: 'wasm-tkms_conflict',
  dissent: 'wasm-tkms_dissent',
  claim: 'wasm-tkms_claim',
  refund: 'wasm-tkms_refund',
  keyState: 'wasm-tkms_key_state',
} as const;
