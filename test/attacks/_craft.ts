/**
 * @module test/attacks/_craft
 * The key-extraction oracle's ciphertexts (issue 10): a radix ciphertext whose
 * every block has mask 2^59·e_j (one non-zero coefficient) and body 0. Its
 * phase is b − <a, s> = −2^59·s_j, so the block decrypts to digit 3 (message
 * bits of 15) when key bit s_j is 1 and to 0 otherwise. An euint256 has 128
 * blocks: sixteen of them read all 2048 bits of the big key in one batch.
 * The layout is core/engine/tfhe/ciphertext.ts's; a real node-tfhe ciphertext
 * serves as template, so every header and trailer field is genuine.
 */
import { FHE_TYPE_INFO } from '../../common/fheTypes.js';
import { LWE_DIMENSION, lweSecretKeyFromBits, type LweSecretKey } from '../../core/engine/index.js';

const FIRST_BLOCK = 77;
const BLOCK_BYTES = 16_500;
const MASK_AT = 16;
const BODY_AT = MASK_AT + LWE_DIMENSION * 8;

/** Blocks of an euint256, hence key bits read per crafted ciphertext. */
export const BITS_PER_CIPHERTEXT = FHE_TYPE_INFO.euint256.blocks;
/** Crafted euint256 ciphertexts that read the whole big key. */
export const CIPHERTEXTS_FOR_THE_KEY = LWE_DIMENSION / BITS_PER_CIPHERTEXT;

/**
 * The crafted euint256 that reads key bits `first .. first+127`, from a genuine
 * euint256 ciphertext `template` (safe_serialize bytes).
 */
export function craftKeyBitReader(template: Uint8Array, first: number): Uint8Array {
  const out = template.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let j = 0; j < BITS_PER_CIPHERTEXT; j++) {
    const block = FIRST_BLOCK + j * BLOCK_BYTES;
    for (let i = 0; i < LWE_DIMENSION; i++) dv.setBigUint64(block + MASK_AT + 8 * i, i === first + j ? 1n << 59n : 0n, true);
    dv.setBigUint64(block + BODY_AT, 0n, true);
  }
  return out;
}

/** The key bits a crafted reader's plaintext gives away: block j's message digit is non-zero iff s_j = 1. */
export function keyBitsOf(plaintext: bigint): number[] {
  return Array.from({ length: BITS_PER_CIPHERTEXT }, (_, j) => (((plaintext >> BigInt(2 * j)) & 3n) !== 0n ? 1 : 0));
}

/** The big LWE key from the plaintexts of the readers of bits 0, 128, …, 1920, in that order. */
export function recoverKey(plaintexts: readonly bigint[]): LweSecretKey {
  return lweSecretKeyFromBits(plaintexts.flatMap(keyBitsOf));
}

/**
 * A carry planted in block `block` of a genuine radix ciphertext: 4Δ added to
 * its body, so its digit is the message digit plus 4 (a carry bit), and its
 * degree set to `degree` (15: honest about the carry; 3: lying about it).
 * Before issue 10 the opened digit carried the carry bits, which count into the
 * next block: a decryption told more than the plaintext.
 */
export function withCarry(ciphertext: Uint8Array, block: number, degree: bigint): Uint8Array {
  const out = ciphertext.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const at = FIRST_BLOCK + block * BLOCK_BYTES;
  dv.setBigUint64(at + BODY_AT, (dv.getBigUint64(at + BODY_AT, true) + (1n << 61n)) & ((1n << 64n) - 1n), true);
  // Degree: after the body, the ciphertext modulus (4 + 16 bytes), scalar bits (8), then DegreeVersions (4).
  dv.setBigUint64(at + BODY_AT + 8 + 28 + 4, degree, true);
  return out;
}
