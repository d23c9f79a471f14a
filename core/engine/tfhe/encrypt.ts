/**
 * @module core/engine/tfhe/encrypt
 * Client-side encryption under the compact public key, as an fhEVM user does:
 * a `CompactCiphertextList` with one value, built with `build()` (not
 * `build_packed()`, which needs a server key to unpack), expanded, and the
 * single `FheXxx` serialized. The result parses with `parseCiphertext` and
 * decrypts under the big key.
 */
import * as tfhe from 'node-tfhe';
import { FHE_TYPE_INFO, isFheType, maxPlaintext, type FheType } from '../../../common/fheTypes.js';
import { PlaintextRangeError } from '../errors.js';
import { binding, toTfheArg, TFHE_CIPHERTEXT_SERIALIZE_LIMIT } from './_nodeTfhe.js';
import { MAX_COMPACT_PUBLIC_KEY_BYTES } from './keyset.js';
import { MAX_CRS_BYTES } from './crs.js';
import { TkmsError } from '../../../common/errors.js';

/**
 * Checks that `value` fits `type` and returns it as a bigint (booleans as 0n/1n;
 * `ebool` also takes 0n/1n).
 *
 * @example
 * checkPlaintext('euint8', 255n); // 255n
 * checkPlaintext('euint8', 256n); // throws PlaintextRangeError
 */
export function checkPlaintext(type: FheType, value: bigint | boolean): bigint {
  if (!isFheType(type)) throw new PlaintextRangeError(`unknown FHE type "${String(type)}"`);
  if (typeof value === 'boolean') {
    if (type !== 'ebool') throw new PlaintextRangeError(`a boolean cannot be encrypted as ${type}`);
    return value ? 1n : 0n;
  }
  if (typeof value !== 'bigint') throw new PlaintextRangeError(`plaintext must be a bigint or boolean, got ${typeof value}`);
  const max = maxPlaintext(type);
  if (value < 0n || value > max) {
    throw new PlaintextRangeError(`plaintext ${value} does not fit ${type} (0..${max}, ${FHE_TYPE_INFO[type].bits} bits)`);
  }
  return value;
}

/**
 * Encrypts one value under a serialized `TfheCompactPublicKey` and returns the
 * `safe_serialize` bytes of the expanded ciphertext (e.g. an `FheUint8`).
 *
 * @example
 * const ct = encryptWithPublicKey(keySet.compactPublicKey, 'euint8', 42n);
 * decryptCiphertextBytes(ct, 'euint8', parseClientKey(keySet.clientKey).bigKey); // 42n
 */
export function encryptWithPublicKey(compactPublicKeyBytes: Uint8Array, type: FheType, value: bigint | boolean): Uint8Array {
  const plain = checkPlaintext(type, value);
  const pk = tfhe.TfheCompactPublicKey.safe_deserialize(compactPublicKeyBytes, BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES));
  const { push, get } = binding(type);
  const builder = tfhe.CompactCiphertextList.builder(pk);
  let list: tfhe.CompactCiphertextList | undefined;
  let expander: tfhe.CompactCiphertextListExpander | undefined;
  try {
    (builder as unknown as Record<string, (v: unknown) => void>)[push]!(toTfheArg(type, plain));
    list = builder.build();
    expander = list.expand();
    const ct = (expander as unknown as Record<string, (i: number) => { safe_serialize(l: bigint): Uint8Array; free(): void }>)[get]!(0);
    try {
      return ct.safe_serialize(TFHE_CIPHERTEXT_SERIALIZE_LIMIT);
    } finally {
      ct.free();
    }
  } finally {
    expander?.free();
    list?.free();
    builder.free();
    pk.free();
  }
}

/** Size limit for a proven compact list (a proof of one value is ~19 KB; of 2048 bits some 100s of KB). */
export const MAX_PROVEN_LIST_BYTES = 1 << 26;

/**
 * Encrypts one value under a serialized `TfheCompactPublicKey` of the `fhevm`
 * parameter set (keyset.ts) and proves in zero knowledge that the encryption
 * is well formed, against a serialized `CompactPkeCrs` (crs.ts) and
 * `metadata` (the bytes the proof is bound to: the verifier must pass the
 * same). Returns the `safe_serialize` bytes of the `ProvenCompactCiphertextList`,
 * packed and unexpanded: expanding needs the server key (the core's tfhe-zk
 * tool does it after verifying). CPU-bound: ~15 s for one value on this
 * machine, longer for wide types.
 *
 * @example
 * const list = encryptWithProof(pk, crs, 'euint8', 42n, provenInputMetadata(keyId, crsId));
 */
export function encryptWithProof(compactPublicKeyBytes: Uint8Array, crsBytes: Uint8Array, type: FheType, value: bigint | boolean, metadata: Uint8Array): Uint8Array {
  const plain = checkPlaintext(type, value);
  let pk: tfhe.TfheCompactPublicKey | undefined;
  let crs: tfhe.CompactPkeCrs | undefined;
  let builder: tfhe.CompactCiphertextListBuilder | undefined;
  let list: tfhe.ProvenCompactCiphertextList | undefined;
  try {
    pk = tfhe.TfheCompactPublicKey.safe_deserialize(compactPublicKeyBytes, BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES));
    crs = tfhe.CompactPkeCrs.safe_deserialize(crsBytes, BigInt(MAX_CRS_BYTES));
    builder = tfhe.ProvenCompactCiphertextList.builder(pk);
    (builder as unknown as Record<string, (v: unknown) => void>)[binding(type).push]!(toTfheArg(type, plain));
    try {
      list = builder.build_with_proof_packed(crs, metadata, tfhe.ZkComputeLoad.Verify);
    } catch (e) {
      // tfhe-rs: "Zk proof of encryption is not supported by the provided parameters" for `default` keys.
      throw new TkmsError('PROOF_UNSUPPORTED', `cannot prove this encryption: ${String(e).slice(0, 200)} (is the key made with the fhevm parameter set, and the CRS for it?)`);
    }
    return list.safe_serialize(BigInt(MAX_PROVEN_LIST_BYTES));
  } finally {
    list?.free();
    builder?.free();
    crs?.free();
    pk?.free();
  }
}
