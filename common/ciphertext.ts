/**
 * @module common/ciphertext
 * Ciphertext identity: the digest is what goes on chain and keys the KV-store;
 * the handle is the fhEVM-style 32-byte name a dApp uses.
 */
import { sha3_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { FHE_TYPE_INFO, type FheType } from './fheTypes.js';

const HANDLE_VERSION = 0;

/** SHA3-256 of the serialized ciphertext, 64 lower-case hex chars. */
export function ciphertextDigest(ciphertext: Uint8Array): string {
  return bytesToHex(sha3_256(ciphertext));
}

/**
 * handle = SHA3-256("TKMS-HANDLE-V1" ‖ digest)[0..30] ‖ type code ‖ version,
 * so, as in fhEVM, the type can be read off the handle's byte 30.
 */
export function ciphertextHandle(digestHex: string, type: FheType): string {
  const h = sha3_256(new TextEncoder().encode(`TKMS-HANDLE-V1${digestHex}`)).slice(0, 32);
  h[30] = FHE_TYPE_INFO[type].code;
  h[31] = HANDLE_VERSION;
  return bytesToHex(h);
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const REQUEST_ID = /^[0-9a-f]{40}$/;
