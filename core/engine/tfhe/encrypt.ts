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
