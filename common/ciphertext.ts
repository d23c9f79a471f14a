/**
 * @module common/ciphertext
 * Ciphertext identity: the digest is what goes on chain and keys the KV-store;
 * the handle is the fhEVM-style 32-byte name a dApp uses. A handle also names
 * the key and the application the ciphertext is admitted under (issue 10):
 * the ASC and every core recompute it from the request's key id and app id, so
 * a handle admitted through one application can never be decrypted or
 * user-decrypted through another, nor under another key.
 */
import { sha3_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { FHE_TYPE_INFO, type FheType } from './fheTypes.js';

/** Byte 31 of a handle: 1 since handles bind the key and the application. */
export const HANDLE_VERSION = 1;
const HANDLE_TAG = 'TKMS-HANDLE-V2';

/** SHA3-256 of the serialized ciphertext, 64 lower-case hex chars. */
export function ciphertextDigest(ciphertext: Uint8Array): string {
  return bytesToHex(sha3_256(ciphertext));
}

/** What a handle binds besides the digest and the type. */
export interface HandleScope {
  /** The key the ciphertext is encrypted under (a keygen request id). */
  keyId: string;
  /** The registered application it is admitted through (Config `applications`). */
  appId: string;
}

/** u32 big-endian byte length ‖ UTF-8 (= contracts/lib/encoding.ts `lengthPrefixed`). */
function lp(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}

/**
 * handle = SHA3-256(lp("TKMS-HANDLE-V2") ‖ lp(key_id) ‖ lp(app_id) ‖ lp(digest))[0..30]
 * ‖ type code ‖ version 1, so, as in fhEVM, the type can be read off byte 30.
 * contracts/asc/handles.ts computes the same bytes.
 *
 * @example
 * ciphertextHandle(digest, 'euint8', { keyId, appId: 'default' }); // 64 hex chars, byte 30 = 2
 */
export function ciphertextHandle(digestHex: string, type: FheType, scope: HandleScope): string {
  const parts = [lp(HANDLE_TAG), lp(scope.keyId), lp(scope.appId), lp(digestHex)];
  const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    input.set(p, at);
    at += p.length;
  }
  const h = sha3_256(input).slice(0, 32);
  h[30] = FHE_TYPE_INFO[type].code;
  h[31] = HANDLE_VERSION;
  return bytesToHex(h);
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const REQUEST_ID = /^[0-9a-f]{40}$/;
