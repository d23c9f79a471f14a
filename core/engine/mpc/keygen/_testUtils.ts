/**
 * Test helpers for the DKG: toy shape, random masks, and a checker of the
 * tfhe-rs relations the opened bodies must satisfy for given keys (in BigInt,
 * independent of the code under test).
 */
import { expect } from '@jest/globals';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { getU64 } from '../algebra/z64.js';
import { reconstruct } from '../sharing/shamir.js';
import { keygenLayout, type KeygenShape } from './keygen.js';

export const SHAPE: KeygenShape = { lweDimension: 5, glweDimension: 2, polynomialSize: 8, ksLevel: 2, ksBaseLog: 6, pbsLevel: 2, pbsBaseLog: 10, lweNoiseBoundLog2: 3, glweNoiseBoundLog2: 2, cpkNoiseBoundLog2: 4 };
/** SHAPE with a dedicated compact public key (as `fhevm`): Z of dimension 32 (≠ k·N), casting key Z → s. */
export const PKE_SHAPE: KeygenShape = { ...SHAPE, cpkNoiseBoundLog2: 5, pke: { dimension: 32, castingLevel: 3, castingBaseLog: 5, castingNoiseBoundLog2: 1 } };
const M64 = (1n << 64n) - 1n;

export function randomMasks(words: number, seed: number): BigUint64Array {
  const rng = seededRng(seed);
  const out = new BigUint64Array(words);
  for (let i = 0; i < words; i++) out[i] = (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
  return out;
}

/** The integers the first t+1 parties' shares reconstruct to (all must be constants). */
export function secretsOf(R: GaloisRing, t: number, shares: Map<number, GrVector>, count: number): bigint[] {
  const v = reconstruct(R, t, shares, count);
  return Array.from({ length: count }, (_, i) => {
    for (let c = 1; c < R.d; c++) expect(getU64(v, i * R.d + c)).toBe(0n);
    return getU64(v, i * R.d);
  });
}

/** x as a signed integer in (−2^63, 2^63]. */
export const signed = (x: bigint): bigint => BigInt.asIntN(64, x);

/** Negacyclic product of polynomials a, b (length N) mod 2^64. */
function negacyclic(a: readonly bigint[], b: readonly bigint[]): bigint[] {
  const N = a.length;
  const out = Array<bigint>(N).fill(0n);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    const p = a[i]! * b[j]!;
    if (i + j < N) out[i + j] = (out[i + j]! + p) & M64;
    else out[i + j - N] = (out[i + j - N]! - p) & M64;
  }
  return out;
}

/**
 * Every body's noise, given the keys (Z: the dedicated compact-public-key
 * secret, with `shape.pke`): throws if a relation does not hold within its bound.
 */
export function noiseOf(shape: KeygenShape, masks: BigUint64Array, bodies: BigUint64Array, S: bigint[], s: bigint[], Z?: bigint[]): { cpk: bigint[]; ksk: bigint[]; bsk: bigint[]; cksk: bigint[] } {
  const L = keygenLayout(shape);
  const { lweDimension: n, glweDimension: k, polynomialSize: N } = shape;
  const big = k * N;
  const m = (at: number, len: number): bigint[] => Array.from(masks.subarray(at, at + len));
  const cpkKey = shape.pke ? Z! : S;
  const cpkA = negacyclic(m(L.cpk.maskAt, cpkKey.length), [...cpkKey].reverse());
  const cpk = cpkA.map((x, q) => signed(bodies[L.cpk.bodyAt + q]! - x));
  // Levels descend within a coefficient's rows, as tfhe-rs stores them (tools/tfhe-zk/src/dkg.rs).
  const keySwitching = (input: bigint[], at: { maskAt: number; bodyAt: number }, level: number, baseLog: number): bigint[] => {
    const out: bigint[] = [];
    for (let j = 0; j < input.length; j++) for (let t = 0; t < level; t++) {
      const l = level - t;
      const row = j * level + t;
      const a = m(at.maskAt + row * n, n);
      const dot = a.reduce((acc, ai, x) => acc + ai * s[x]!, 0n);
      out.push(signed(bodies[at.bodyAt + row]! - dot - input[j]! * (1n << BigInt(64 - l * baseLog))));
    }
    return out;
  };
  const ksk = keySwitching(S, L.ksk, shape.ksLevel, shape.ksBaseLog);
  const cksk = shape.pke && L.cksk ? keySwitching(Z!, L.cksk, shape.pke.castingLevel, shape.pke.castingBaseLog) : [];
  const bsk: bigint[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < shape.pbsLevel; t++) for (let r = 0; r <= k; r++) {
    const l = shape.pbsLevel - t;
    const row = (i * shape.pbsLevel + t) * (k + 1) + r;
    const delta = 1n << BigInt(64 - l * shape.pbsBaseLog);
    const acc = Array<bigint>(N).fill(0n);
    for (let p = 0; p < k; p++) negacyclic(m(L.bsk.maskAt + (row * k + p) * N, N), S.slice(p * N, (p + 1) * N)).forEach((x, q) => (acc[q] = acc[q]! + x));
    for (let q = 0; q < N; q++) {
      const plain = r < k ? -s[i]! * S[r * N + q]! * delta : q === 0 ? s[i]! * delta : 0n;
      bsk.push(signed(bodies[L.bsk.bodyAt + row * N + q]! - acc[q]! - plain));
    }
  }
  return { cpk, ksk, bsk, cksk };
}

export function expectWithin(noise: bigint[], boundLog2: number): void {
  const bound = 1n << BigInt(boundLog2);
  for (const e of noise) {
    expect(e <= bound && e >= -bound).toBe(true);
  }
  // Not all zero: the noise is there (P[all zero] is negligible at these counts).
  expect(noise.some((e) => e !== 0n)).toBe(true);
}

