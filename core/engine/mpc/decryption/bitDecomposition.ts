/**
 * @module core/engine/mpc/decryption/bitDecomposition
 * Threshold decryption of tfhe-rs radix ciphertexts that never opens the
 * phase: the noise is rounded off inside the MPC by a borrow circuit on
 * shared random bits, and only the plaintext digits are opened. The secure
 * replacement for `openPhaseInsecureForTesting` (DESIGN.md §5; eprint 2025/699,
 * "bit decomposition" decryption mode; threshold-fhe `online/bit_manipulation.rs`).
 *
 * Per block, with Δ = 2^K (K = 63 − W, 2^W = message·carry modulus; K = 59,
 * W = 4 for the default parameters) the digit is m = bits K..K+W−1 of
 * x = phase + 2^{K−1} (`tfhe/decrypt.ts`, `decodePhase`). Steps:
 *
 *  1. Local: [x] = b − <a, [s]> + 2^{K−1} (`phaseShare`).
 *  2. Mask: [r] = Σ_{i<K} 2^i [r_i] + 2^K [s'] with r_i shared random bits
 *     (`randomBits.ts`) and s' from PRSS. r mod 2^64 is uniform, so
 *     c = x + r, opened robustly, reveals nothing about x. (The higher
 *     coefficients of c are 2^K·s'_j for j ≥ 1: random, independent of x.)
 *  3. Borrow: x = c − r, so with c public, x >> K = (c >> K) − s' − β where
 *     β = [c mod 2^K < r mod 2^K] is the borrow into bit K. β is a prefix of
 *     generate/propagate pairs: borrow_{i+1} = g_i ∨ (p_i ∧ borrow_i) with
 *       g_i = ¬c_i ∧ r_i,  p_i = ¬(c_i ⊕ r_i),
 *     both *linear* in r_i because c_i is public (g_i = r_i or 0; p_i = r_i or
 *     1 − r_i). g_i and p_i are never both 1, so ∨ is +, and groups combine as
 *       (G, P) ∘ (G', P') = (G + P·G', P·P')   (hi ∘ lo)
 *     on a binary tree: ⌈log2 K⌉ = 6 rounds of Beaver multiplications, 110
 *     products per block at K = 59 (the lowest group's P is never needed).
 *  4. Output: [V] = (c >> K) − [s'] − [β] + 2^W [s''] (s'' from PRSS), open V
 *     robustly: m = V mod 2^W. The 2^W·s'' mask hides everything of V above
 *     the W digit bits (in particular the borrow out of bit 63, which would
 *     leak a comparison of the noise with c).
 *
 * All blocks of all ciphertexts of a call run in the same rounds: 1 (mask) +
 * 6 (circuit) + 1 (output) = 8 robust opens online. Preprocessing per block:
 * K random bits (K triples) and 110 circuit triples.
 *
 * What a party sees of x: c (uniform), the d, e of Beaver multiplications
 * (uniform), V (the digit plus a uniform multiple of 2^W). Tests assert that
 * these are the only opens. Robustness: every open is a degree-t robust open,
 * so t wrong or missing shares are corrected and their senders named; with
 * more than t the open fails (`RobustOpenError`) rather than return a wrong
 * value, except against the rushing adversary of `sharing/robustOpen.ts`
 * (documented limit of the bound t).
 */
import { FHE_TYPE_INFO } from '../../../../common/fheTypes.js';
import type { ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { getU64, setU64 } from '../algebra/z64.js';
import { beaverMultiply } from '../online/multiply.js';
import type { MpcSession } from '../online/session.js';
import { generateRandomBits } from '../preprocessing/randomBits.js';
import { concatTriples, generateTriples, sliceTriples, type Triples } from '../preprocessing/triples.js';
import { phaseShare } from './keyShares.js';

/** Digit width W and Δ exponent K of a block (2^W = message · carry modulus, K = 63 − W). */
export function blockLayout(messageModulus: number, carryModulus: number): { W: number; K: number } {
  const W = Math.log2(messageModulus * carryModulus);
  if (!Number.isInteger(W) || W < 1 || W > 30) throw new MpcParameterError(`unsupported moduli: message ${messageModulus}, carry ${carryModulus}`);
  return { W, K: 63 - W };
}

/** Beaver products of the borrow tree over K leaves (module doc, step 3). */
export function borrowCircuitProducts(K: number): number {
  let products = 0;
  for (let w = K; w > 1; w = Math.ceil(w / 2)) products += 2 * Math.floor(w / 2) - 1;
  return products;
}

/** Preprocessed material consumed in order by the online phase. */
export class DecryptionMaterial {
  private tripleAt = 0;
  private bitAt = 0;
  constructor(
    readonly R: GaloisRing,
    readonly triples: Triples,
    readonly bits: GrVector,
  ) {}
  get triplesLeft(): number {
    return this.triples.count - this.tripleAt;
  }
  get bitsLeft(): number {
    return this.bits.length / this.R.limbs - this.bitAt;
  }
  takeTriples(count: number): Triples {
    const t = sliceTriples(this.R, this.triples, this.tripleAt, count);
    this.tripleAt += count;
    return t;
  }
  takeBits(count: number): GrVector {
    if (count > this.bitsLeft) throw new MpcParameterError(`need ${count} random bits, ${this.bitsLeft} left`);
    const L = this.R.limbs;
    const out = this.bits.subarray(this.bitAt * L, (this.bitAt + count) * L);
    this.bitAt += count;
    return out;
  }
}

/** Triples and bits the online phase needs for `blocks` blocks of 2^W = 16. */
export function decryptionCost(blocks: number, W = 4): { bits: number; triples: number } {
  const K = 63 - W;
  return { bits: blocks * K, triples: blocks * borrowCircuitProducts(K) };
}

/**
 * Preprocessing for `blocks` blocks (default parameters): triples for the
 * random bits and the circuit, then the bits. 2 + 2 rounds (plus 1 per failed
 * triple batch).
 *
 * @example
 * const material = await preprocessDecryption(session, 32); // one euint64
 */
export async function preprocessDecryption(session: MpcSession, blocks: number, W = 4): Promise<DecryptionMaterial> {
  const cost = decryptionCost(blocks, W);
  const all = await generateTriples(session, cost.bits + cost.triples);
  const bits = await generateRandomBits(session, cost.bits, sliceTriples(session.R, all, 0, cost.bits));
  return new DecryptionMaterial(session.R, sliceTriples(session.R, all, cost.bits, cost.triples), bits);
}

/** Joins material produced in several batches (a pool). */
export function joinMaterial(R: GaloisRing, parts: readonly DecryptionMaterial[]): DecryptionMaterial {
  const triples = concatTriples(
    R,
    parts.map((p) => sliceTriples(R, p.triples, p.triples.count - p.triplesLeft, p.triplesLeft)),
  );
  const bitCount = parts.reduce((s, p) => s + p.bitsLeft, 0);
  const bits = R.alloc(bitCount);
  let o = 0;
  for (const p of parts) {
    const b = p.takeBits(p.bitsLeft);
    bits.set(b, o);
    o += b.length;
  }
  return new DecryptionMaterial(R, triples, bits);
}

export interface ThresholdDecryptionReturnType {
  /** One plaintext per ciphertext. */
  plaintexts: bigint[];
  /** The opened digits, per ciphertext, per block. */
  digits: number[][];
  /** Parties proven to deviate (so far in this session). */
  cheaters: number[];
}

/** This party's shares of the output values [V] of step 4 (one per block, all ciphertexts in order). */
export interface DecryptionSharesReturnType {
  /** B ring elements: V = m + 2^W·s'' (degree-t Shamir sharing; m = V mod 2^W). */
  shares: GrVector;
  /** Digit width W. */
  W: number;
  /** Parties proven to deviate (so far in this session). */
  cheaters: number[];
}

/**
 * Steps 1–4 of the module doc without the final open: this party's shares of
 * [V]. For user decryption (DESIGN.md §3.3): each party hands its share to the
 * user (signcrypted), who robustly reconstructs V and reads m = V mod 2^W; the
 * parties never learn the plaintext. 7 rounds (mask + circuit).
 *
 * @example
 * const { shares, W } = await thresholdDecryptShares(session, [ct], keyShare, material);
 */
export async function thresholdDecryptShares(session: MpcSession, cts: readonly ParsedCiphertext[], keyShare: GrVector, material: DecryptionMaterial): Promise<DecryptionSharesReturnType> {
  const { R, prss } = session;
  const blocks = cts.flatMap((ct) => ct.blocks);
  const B = blocks.length;
  if (B === 0) return { shares: R.alloc(0), W: 0, cheaters: [...session.excluded].sort((a, b) => a - b) };
  const layouts = blocks.map((b) => blockLayout(b.messageModulus, b.carryModulus));
  const { W, K } = layouts[0]!;
  if (layouts.some((l) => l.W !== W)) throw new MpcParameterError('all blocks of a decryption batch must share message and carry moduli');

  // 1. [x] = phase + 2^{K−1}.
  const x = R.alloc(B);
  blocks.forEach((b, k) => phaseShare(R, b, keyShare, x, k));
  const offset = R.constant(1n << BigInt(K - 1));
  for (let k = 0; k < B; k++) R.addInto(x, k, x, k, offset, 0);

  // 2. Mask with K shared bits and 2^K·s', open c.
  const bits = material.takeBits(B * K);
  const sHigh = prss.random(session.nextTag('dec/s1'), B);
  const sOut = prss.random(session.nextTag('dec/s2'), B);
  const pow2 = new Uint32Array(2 * 64);
  for (let i = 0; i < 64; i++) setU64(pow2, i, 1n << BigInt(i));
  const masked = R.alloc(B);
  const tmp = R.alloc();
  for (let k = 0; k < B; k++) {
    R.copyInto(masked, k, x, k);
    for (let i = 0; i < K; i++) {
      R.mulScalarInto(tmp, 0, bits, k * K + i, pow2, i);
      R.addInto(masked, k, masked, k, tmp, 0);
    }
    R.mulScalarInto(tmp, 0, sHigh, k, pow2, K);
    R.addInto(masked, k, masked, k, tmp, 0);
  }
  const c = await session.open(masked, B, 'mask');
  const cLow: bigint[] = [];
  for (let k = 0; k < B; k++) cLow.push(getU64(c, k * R.d));

  // 3. Leaves (g_i, p_i), linear in r_i, then the borrow tree.
  let width = K;
  let G = R.alloc(B * K);
  let P = R.alloc(B * K);
  const one = R.one();
  for (let k = 0; k < B; k++) {
    const ck = cLow[k]!;
    for (let i = 0; i < K; i++) {
      const e = k * K + i;
      if (((ck >> BigInt(i)) & 1n) === 0n) {
        R.copyInto(G, e, bits, e);
        R.subInto(P, e, one, 0, bits, e);
      } else R.copyInto(P, e, bits, e);
    }
  }
  while (width > 1) {
    const pairs = Math.floor(width / 2);
    const next = Math.ceil(width / 2);
    const perBlock = 2 * pairs - 1;
    const lhs = R.alloc(B * perBlock);
    const rhs = R.alloc(B * perBlock);
    for (let k = 0; k < B; k++) {
      let m = k * perBlock;
      for (let q = 0; q < pairs; q++) {
        const lo = k * width + 2 * q;
        R.copyInto(lhs, m, P, lo + 1);
        R.copyInto(rhs, m++, G, lo);
        if (q > 0) {
          R.copyInto(lhs, m, P, lo + 1);
          R.copyInto(rhs, m++, P, lo);
        }
      }
    }
    const prod = await beaverMultiply(session, lhs, rhs, material.takeTriples(B * perBlock), B * perBlock);
    const G2 = R.alloc(B * next);
    const P2 = R.alloc(B * next);
    for (let k = 0; k < B; k++) {
      let m = k * perBlock;
      for (let q = 0; q < pairs; q++) {
        const lo = k * width + 2 * q;
        R.addInto(G2, k * next + q, G, lo + 1, prod, m++);
        if (q > 0) R.copyInto(P2, k * next + q, prod, m++);
      }
      if (width % 2 === 1) {
        R.copyInto(G2, k * next + pairs, G, k * width + width - 1);
        R.copyInto(P2, k * next + pairs, P, k * width + width - 1);
      }
    }
    G = G2;
    P = P2;
    width = next;
  }

  // 4. [V] = (c >> K) − [s'] − [β] + 2^W [s''], open, m = V mod 2^W.
  const V = R.alloc(B);
  for (let k = 0; k < B; k++) {
    setU64(V, k * R.d, cLow[k]! >> BigInt(K));
    R.subInto(V, k, V, k, sHigh, k);
    R.subInto(V, k, V, k, G, k);
    R.mulScalarInto(tmp, 0, sOut, k, pow2, W);
    R.addInto(V, k, V, k, tmp, 0);
  }
  return { shares: V, W, cheaters: [...session.excluded].sort((a, b) => a - b) };
}

/**
 * Decrypts `cts` (all blocks in parallel, 8 rounds) with this party's share of
 * the big key, consuming `material`: `thresholdDecryptShares`, then a robust
 * open of [V].
 *
 * @example
 * const { plaintexts } = await thresholdDecrypt(session, [ct], keyShare, material);
 */
export async function thresholdDecrypt(session: MpcSession, cts: readonly ParsedCiphertext[], keyShare: GrVector, material: DecryptionMaterial): Promise<ThresholdDecryptionReturnType> {
  const { R } = session;
  const B = cts.reduce((s, ct) => s + ct.blocks.length, 0);
  if (B === 0) return { plaintexts: [], digits: [], cheaters: [...session.excluded].sort((a, b) => a - b) };
  const { shares: V, W } = await thresholdDecryptShares(session, cts, keyShare, material);
  const opened = await session.open(V, B, 'output');
  const mask = (1 << W) - 1;
  const flat: number[] = [];
  for (let k = 0; k < B; k++) flat.push(Number(R.toBigints(opened, k)[0]! & BigInt(mask)));
  const digits: number[][] = [];
  let at = 0;
  for (const ct of cts) {
    digits.push(flat.slice(at, at + ct.blocks.length));
    at += ct.blocks.length;
  }
  return { plaintexts: cts.map((ct, i) => recombineDigits(ct, digits[i]!)), digits, cheaters: [...session.excluded].sort((a, b) => a - b) };
}

/** Little-endian base-(message modulus) recombination, as `decryptCiphertext` (booleans: 0n / 1n). */
export function recombineDigits(ct: ParsedCiphertext, digits: readonly number[]): bigint {
  if (ct.type === 'ebool') return digits[0]! % ct.blocks[0]!.messageModulus !== 0 ? 1n : 0n;
  let value = 0n;
  let shift = 0n;
  ct.blocks.forEach((b, k) => {
    value += BigInt(digits[k]!) << shift;
    shift += BigInt(Math.log2(b.messageModulus));
  });
  return value & ((1n << BigInt(FHE_TYPE_INFO[ct.type].bits)) - 1n);
}
