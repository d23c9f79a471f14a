/**
 * @module core/engine/tfhe/_testUtils
 * Shared by the engine's TFHE tests: one key pair per test file, encryption
 * through node-tfhe directly (the reference we check against), and a seeded
 * PRNG so failures reproduce.
 */
import * as tfhe from 'node-tfhe';
import { FHE_TYPE_INFO, type FheType } from '../../../common/fheTypes.js';
import { ciphertextClass, toTfheArg, TFHE_CIPHERTEXT_SERIALIZE_LIMIT } from './_nodeTfhe.js';

export interface TestKeys {
  ck: tfhe.TfheClientKey;
  pk: tfhe.TfheCompactPublicKey;
  clientKeyBytes: Uint8Array;
  compactPublicKeyBytes: Uint8Array;
}

export function makeTestKeys(): TestKeys {
  const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  const pk = tfhe.TfheCompactPublicKey.new(ck);
  return { ck, pk, clientKeyBytes: ck.safe_serialize(1n << 20n), compactPublicKeyBytes: pk.safe_serialize(1n << 20n) };
}

/** Encrypts with the client key through node-tfhe and serializes. */
export function encryptWithClientKey(ck: tfhe.TfheClientKey, type: FheType, value: bigint): Uint8Array {
  const ct = ciphertextClass(type).encrypt_with_client_key(toTfheArg(type, value) as never, ck);
  try {
    return ct.safe_serialize(TFHE_CIPHERTEXT_SERIALIZE_LIMIT);
  } finally {
    ct.free();
  }
}

/** node-tfhe's own decryption of serialized bytes, normalized to a bigint. */
export function tfheDecrypt(ck: tfhe.TfheClientKey, type: FheType, bytes: Uint8Array): bigint {
  const ct = ciphertextClass(type).safe_deserialize(bytes, TFHE_CIPHERTEXT_SERIALIZE_LIMIT);
  try {
    const v = ct.decrypt(ck);
    return typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
  } finally {
    ct.free();
  }
}

/** xorshift64*: deterministic test randomness. */
export function seededRandom(seed: bigint): (bits: number) => bigint {
  let s = seed || 1n;
  const mask = (1n << 64n) - 1n;
  const next64 = (): bigint => {
    s ^= s >> 12n;
    s ^= (s << 25n) & mask;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & mask;
  };
  return (bits: number) => {
    let v = 0n;
    for (let got = 0; got < bits; got += 64) v = (v << 64n) | next64();
    return v & ((1n << BigInt(bits)) - 1n);
  };
}

/** 0, the maximum and `n` random values of the type's width. */
export function sampleValues(type: FheType, rand: (bits: number) => bigint, n = 2): bigint[] {
  const bits = FHE_TYPE_INFO[type].bits;
  const out = [0n, (1n << BigInt(bits)) - 1n];
  for (let i = 0; i < n; i++) out.push(rand(bits));
  return out;
}
