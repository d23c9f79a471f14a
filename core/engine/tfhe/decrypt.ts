/**
 * @module core/engine/tfhe/decrypt
 * Centralized decryption of parsed radix ciphertexts with the big LWE key.
 * This is the computation the threshold engine mirrors on shares, so it is
 * written in the same shape: per block, the phase `b − <a, s> mod 2^64`, then
 * rounding off the noise, then little-endian base-`message_modulus`
 * recombination.
 *
 * Encoding (tfhe-rs `shortint::ShortintEncoding` with `PaddingBit::Yes`):
 * `Δ = 2^63 / (message_modulus · carry_modulus)` = 2^59 for the default
 * parameters; a block holds `v = round(phase / Δ) mod (message·carry)`.
 * Only the message digit `m_i = v_i mod message_modulus` of each block is
 * used, and a block whose degree says it may hold carries is refused
 * (`requireCleanCarries`): the carry bits are not part of the plaintext, and
 * revealing them would tell more than the plaintext (DESIGN.md §7).
 * Booleans decrypt to `(v mod message_modulus) ≠ 0` as tfhe-rs' `decrypt_bool`.
 *
 * Speed: the key is binary, so `<a, s>` is the sum of the mask words at the
 * key's one-positions. Each 64-bit word is read as two u32 halves from the
 * mask's own buffer and summed into two float64 accumulators (≤ 2048 · 2^32 <
 * 2^53, exact), the low sum's overflow carried into the high half once at the
 * end. No BigInt per coefficient.
 */
import { FHE_TYPE_INFO } from '../../../common/fheTypes.js';
import { CiphertextFormatError } from '../errors.js';
import type { LweBlock, ParsedCiphertext } from './ciphertext.js';
import { parseCiphertext, requireCleanCarries } from './ciphertext.js';
import type { LweSecretKey } from './clientKey.js';
import type { FheType } from '../../../common/fheTypes.js';

const TWO32 = 4294967296;

/** The phase of one block as two u32 halves: `phase = hi · 2^32 + lo`. */
export interface Phase64 {
  lo: number;
  hi: number;
}

/**
 * `b − <a, s> mod 2^64` for one block.
 *
 * @example
 * const { lo, hi } = blockPhase(ct.blocks[0], key);
 */
export function blockPhase(block: LweBlock, key: LweSecretKey): Phase64 {
  const mask = block.mask;
  if (mask.length !== key.dimension) {
    throw new CiphertextFormatError(`block has LWE dimension ${mask.length} but the key has dimension ${key.dimension}`);
  }
  // Little-endian u32 view of the mask: word i is (m32[2i] low, m32[2i+1] high).
  const m32 = new Uint32Array(mask.buffer, mask.byteOffset, mask.length * 2);
  const ones = key.ones;
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < ones.length; j++) {
    const i = ones[j]! << 1;
    lo += m32[i]!;
    hi += m32[i + 1]!;
  }
  const carry = Math.floor(lo / TWO32);
  lo -= carry * TWO32;
  hi = (hi + carry) % TWO32;
  const body = block.body;
  const bLo = Number(body & 0xffffffffn);
  const bHi = Number(body >> 32n);
  let pLo = bLo - lo;
  let borrow = 0;
  if (pLo < 0) {
    pLo += TWO32;
    borrow = 1;
  }
  let pHi = bHi - hi - borrow;
  if (pHi < 0) pHi += TWO32;
  return { lo: pLo, hi: pHi };
}

/**
 * The phase as one bigint (for tests and for the threshold engine's checks).
 *
 * @example
 * blockPhaseBig(ct.blocks[0], key); // ≈ m · 2^59 + noise, mod 2^64
 */
export function blockPhaseBig(block: LweBlock, key: LweSecretKey): bigint {
  const { lo, hi } = blockPhase(block, key);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Rounds a phase to the block value `round(phase / Δ) mod (message·carry)`,
 * with `Δ = 2^63 / (message·carry)` (one padding bit on top).
 *
 * @example
 * decodePhase({ lo: 0, hi: 3 << 27 }, 4, 4); // 3
 */
export function decodePhase(phase: Phase64, messageModulus: number, carryModulus: number): number {
  const total = messageModulus * carryModulus;
  const log2Total = Math.log2(total);
  if (!Number.isInteger(log2Total) || log2Total < 1 || log2Total > 30) {
    throw new CiphertextFormatError(`unsupported moduli: message ${messageModulus}, carry ${carryModulus}`);
  }
  // Δ = 2^(63 − log2Total) ≥ 2^33, so the rounding offset Δ/2 and the
  // decoded bits all sit in the high half; the low half cannot change them.
  const shift = 63 - log2Total - 32;
  const rounded = (phase.hi + 2 ** (shift - 1)) % TWO32;
  return (rounded >>> shift) & (total - 1);
}

/**
 * Decrypts a parsed ciphertext with the big LWE key; booleans give 0n / 1n.
 *
 * @example
 * const ct = parseCiphertext(bytes, 'euint64');
 * decryptCiphertext(ct, parseClientKey(ckBytes).bigKey); // 123456789n
 */
export function decryptCiphertext(ct: ParsedCiphertext, secretKey: LweSecretKey): bigint {
  requireCleanCarries(ct);
  const blocks = ct.blocks;
  if (ct.type === 'ebool') {
    const b = blocks[0]!;
    const v = decodePhase(blockPhase(b, secretKey), b.messageModulus, b.carryModulus);
    return v % b.messageModulus !== 0 ? 1n : 0n;
  }
  // Accumulate in a number while the partial sum stays below 2^53, then
  // flush into the bigint: 4 blocks of 2 bits per chunk is far from 2^53.
  let value = 0n;
  let shift = 0n;
  let chunk = 0;
  let chunkBits = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const v = decodePhase(blockPhase(b, secretKey), b.messageModulus, b.carryModulus) % b.messageModulus;
    const bits = Math.log2(b.messageModulus);
    chunk += v * 2 ** chunkBits;
    chunkBits += bits;
    if (chunkBits >= 40 || i === blocks.length - 1) {
      value += BigInt(chunk) << shift;
      shift += BigInt(chunkBits);
      chunk = 0;
      chunkBits = 0;
    }
  }
  const width = BigInt(FHE_TYPE_INFO[ct.type].bits);
  return value & ((1n << width) - 1n);
}

/**
 * Parses and decrypts in one call.
 *
 * @example
 * decryptCiphertextBytes(bytes, 'euint8', bigKey); // 42n
 */
export function decryptCiphertextBytes(bytes: Uint8Array, type: FheType, secretKey: LweSecretKey): bigint {
  return decryptCiphertext(parseCiphertext(bytes, type), secretKey);
}
