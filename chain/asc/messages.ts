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

export interface DecryptParams {
  key_id: KeyId;
  /** 32-byte fhEVM-style handle, 64 hex chars. */
  ciphertext_handle: string;
  /** SHA3-256 of the serialized ciphertext, 64 hex chars: the KV-store key. */
  ciphertext_digest: string;
  fhe_type: FheType;
}

export type AscExecuteMsg =
  | { keygen: Record<string, never> }
  | { decrypt: DecryptParams }
  | { fulfill: FulfillParams };

export interface FulfillParams {
  request_id: RequestId;
  response: FulfillResponse;
}

/** A party's answer to a request. `signature` is the party signer's secp256k1
 * compact signature (r||s, 128 hex chars, low-s) over `responseDigest(...)`
 * (common/signing.ts); the ASC verifies it against the Config's signer key. */
export type FulfillResponse =
  | { decrypt: { plaintext: string; signature: string } }
  | {
      keygen: {
        public_key_digest: string;
        public_key_uri: string;
        server_key_digest: string;
        server_key_uri: string;
        signature: string;
      };
    }
  | { failure: { reason: string; signature: string } };

export type RequestKind = 'keygen' | 'decrypt';
export type RequestStatus = 'pending' | 'completed' | 'failed';

export interface PartyResponse {
  party_id: number;
  response: FulfillResponse;
  height: string;
}

export interface RequestInfo {
  request_id: RequestId;
  kind: RequestKind;
  sender: string;
  height: string;
  status: RequestStatus;
  /** Present for decrypt requests. */
  decrypt?: DecryptParams;
  responses: PartyResponse[];
  /** The response a quorum (t+1 identical) agreed on, once status != pending. */
  result?: FulfillResponse;
  /** Set when status == failed: the agreed failure reason. */
  failure_reason?: string;
}

export interface KeyInfo {
  key_id: KeyId;
  public_key_digest: string;
  public_key_uri: string;
  server_key_digest: string;
  server_key_uri: string;
}

export type AscQueryMsg =
  | { request: { request_id: RequestId } }
  | { requests: { start_after?: RequestId; limit?: number } }
  | { key: { key_id: KeyId } }
  | { keys: { start_after?: KeyId; limit?: number } }
  | { config: Record<string, never> };

export interface RequestsResponse {
  requests: RequestInfo[];
}
export interface KeysResponse {
  keys: KeyInfo[];
}
export interface AscConfigResponse {
  config: string;
}

/**
 * Events (CosmWasm prefixes custom event types with `wasm-`):
 * - `wasm-tkms_request`: request_id, kind, sender, and for decrypt key_id,
 *   ciphertext_handle, ciphertext_digest, fhe_type.
 * - `wasm-tkms_response`: request_id, party_id, outcome ("decrypt"|"keygen"|"failure").
 * - `wasm-tkms_result`: request_id, kind, status ("completed"|"failed").
 * Every wasm event also carries `_contract_address`.
 */
export const ASC_EVENTS = {
  request: 'wasm-tkms_request',
  response: 'wasm-tkms_response',
  result: 'wasm-tkms_result',
} as const;
