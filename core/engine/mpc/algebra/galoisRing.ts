/**
 * @module core/engine/mpc/algebra/galoisRing
 * The Galois ring GR(2^64, d) = Z_{2^64}[X] / (F(X)), F monic of degree d and
 * irreducible mod 2, with its exceptional set for party ids.
 *
 * Why a Galois ring. TFHE ciphertexts live in Z/2^64, and Shamir sharing over
 * a ring needs n+1 evaluation points whose pairwise differences are units
 * (an *exceptional set*), otherwise Lagrange coefficients do not exist. In
 * Z/2^64 every difference of two distinct points is invertible only if the
 * points differ mod 2, so the exceptional set is {0, 1}: no Shamir sharing for
 * more than one party. GR(2^64, d) reduces mod 2 to the field GF(2^d), and an
 * element is a unit iff its reduction is non-zero; the 2^d elements whose
 * coefficients are bits are pairwise distinct mod 2, so they form an
 * exceptional set of size 2^d and any n < 2^d parties can share. Z/2^64 embeds
 * as the constant coefficient, so a share of `b − <a,s>` computed in the ring
 * opens to the phase mod 2^64. References: Abspoel–Cramer–Damgård–Escudero–
 * Yuan, "Efficient information-theoretic secure multiparty computation over
 * Z/p^k Z via Galois rings" (TCC 2019); Zama's threshold decryption
 * specification, eprint 2023/815 and its successor 2025/699 (§ on Galois rings
 * and exceptional sets), which uses GR(2^64, d) with d = 4 in production.
 *
 * Layout: an element is `2d` u32 limbs, coefficient j of X^j as limbs
 * (2j, 2j+1) (see `z64.ts`); a vector of m elements is one Uint32Array of
 * 2dm limbs, element k starting at limb 2dk. Operations take (array, element
 * index) pairs and write in place, so hot loops allocate nothing.
 */
import { MpcParameterError } from '../errors.js';
import { gf2d, type Gf2d } from './gf2d.js';
import type { Rng } from './random.js';
import { add64, getU64, mul64, setU64, sub64 } from './z64.js';

const imul = Math.imul;

/** One ring element (2d limbs) or a vector of them. */
export type GrVector = Uint32Array;

/**
 * F(X) = X^d + Σ_{e ∈ taps} X^e, irreducible over GF(2) (low-weight, so the
 * reduction is a few subtractions): the trinomials X^3+X+1, X^4+X+1 (as in
 * threshold-fhe's GR(2^64,4)), X^5+X^2+1, X^6+X+1, X^7+X+1 and the AES
 * polynomial X^8+X^4+X^3+X+1. Irreducibility is checked when the residue
 * field's inverse table is built.
 */
export const IRREDUCIBLE_TAPS: Readonly<Record<number, readonly number[]>> = {
  3: [0, 1],
  4: [0, 1],
  5: [0, 2],
  6: [0, 1],
  7: [0, 1],
  8: [0, 1, 3, 4],
};

export const MIN_EXTENSION_DEGREE = 3;
export const MAX_EXTENSION_DEGREE = 8;

/**
 * GR(2^64, d). Build with `galoisRing(d)` or `ringForParties(n)`.
 *
 * @example
 * const R = galoisRing(4);
 * const a = R.fromBigints([3n, 1n]); // 3 + X
 * const b = R.inv(a);                 // a unit: mod 2 it is 1 + X ≠ 0
 * R.equals(R.mul(a, b), 0, R.one(), 0); // true
 */
export class GaloisRing {
  readonly d: number;
  readonly taps: readonly number[];
  /** Limbs per element (2d). */
  readonly limbs: number;
  /** Bytes per element in `toBytes` (8d). */
  readonly bytesPerElement: number;
  /** The residue field GF(2^d) = GR / (2). */
  readonly field: Gf2d;
  private readonly acc: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly tapArray: Uint8Array;
  private readonly points = new Map<number, GrVector>();

  constructor(d: number) {
    const taps = IRREDUCIBLE_TAPS[d];
    if (!taps) throw new MpcParameterError(`Galois ring extension degree must be ${MIN_EXTENSION_DEGREE}..${MAX_EXTENSION_DEGREE}, got ${d}`);
    this.d = d;
    this.taps = taps;
    this.limbs = 2 * d;
    this.bytesPerElement = 8 * d;
    this.field = gf2d(d, taps.reduce((m, e) => m | (1 << e), 1 << d));
    this.acc = new Uint32Array(2 * (2 * d - 1));
    this.tmp = new Uint32Array(2 * d);
    this.tapArray = Uint8Array.from(taps);
  }

  /** Zeroes the scratch words products go through (they may hold the last product of secret operands). */
  clearScratch(): void {
    this.acc.fill(0);
    this.tmp.fill(0);
  }

  /** Size of the exceptional set {bits-embedded 0 .. 2^d − 1}; parties 1..n need n < 2^d. */
  get maxParties(): number {
    return (1 << this.d) - 1;
  }

  alloc(count = 1): GrVector {
    return new Uint32Array(this.limbs * count);
  }

  zero(): GrVector {
    return this.alloc();
  }

  one(): GrVector {
    return this.constant(1n);
  }

  /** The Z/2^64 value `x` embedded as the constant coefficient. */
  constant(x: bigint): GrVector {
    const e = this.alloc();
    setU64(e, 0, x);
    return e;
  }

  /** Element from its d coefficients (missing ones are zero), each taken mod 2^64. */
  fromBigints(coeffs: readonly bigint[]): GrVector {
    if (coeffs.length > this.d) throw new MpcParameterError(`GR(2^64, ${this.d}) element has ${this.d} coefficients, got ${coeffs.length}`);
    const e = this.alloc();
    coeffs.forEach((c, j) => setU64(e, j, c));
    return e;
  }

  /** The d coefficients of element `i` of `v`. */
  toBigints(v: GrVector, i = 0): bigint[] {
    const out: bigint[] = [];
    for (let j = 0; j < this.d; j++) out.push(getU64(v, i * this.d + j));
    return out;
  }

  /** Element `i` of `v` as a fresh element. */
  get(v: GrVector, i: number): GrVector {
    return v.slice(i * this.limbs, (i + 1) * this.limbs);
  }

  /** `dst[di] = src[si]`. */
  copyInto(dst: GrVector, di: number, src: GrVector, si: number): void {
    const L = this.limbs;
    for (let j = 0; j < L; j++) dst[di * L + j] = src[si * L + j]!;
  }

  /**
   * The exceptional point of party `i`: the element whose coefficient j is bit
   * j of i. Points of distinct ids differ mod 2, so their difference is a unit.
   */
  embedParty(i: number): GrVector {
    if (!Number.isInteger(i) || i < 0 || i > this.maxParties) {
      throw new MpcParameterError(`party id ${i} outside the exceptional set 0..${this.maxParties} of GR(2^64, ${this.d})`);
    }
    let p = this.points.get(i);
    if (!p) {
      p = this.alloc();
      for (let j = 0; j < this.d; j++) p[2 * j] = (i >>> j) & 1;
      this.points.set(i, p);
    }
    return p;
  }

  equals(a: GrVector, ai: number, b: GrVector, bi: number): boolean {
    const L = this.limbs;
    for (let j = 0; j < L; j++) if (a[ai * L + j] !== b[bi * L + j]) return false;
    return true;
  }

  isZero(a: GrVector, ai = 0): boolean {
    const L = this.limbs;
    for (let j = 0; j < L; j++) if (a[ai * L + j] !== 0) return false;
    return true;
  }

  addInto(out: GrVector, oi: number, a: GrVector, ai: number, b: GrVector, bi: number): void {
    const L = this.limbs;
    for (let j = 0; j < L; j += 2) add64(out, oi * L + j, a, ai * L + j, b, bi * L + j);
  }

  subInto(out: GrVector, oi: number, a: GrVector, ai: number, b: GrVector, bi: number): void {
    const L = this.limbs;
    for (let j = 0; j < L; j += 2) sub64(out, oi * L + j, a, ai * L + j, b, bi * L + j);
  }

  /**
   * `out[oi] = a[ai] · b[bi]`: schoolbook product of the coefficient vectors,
   * then reduction of X^k (k ≥ d) by X^d ≡ −Σ_{e∈taps} X^e. `out` may alias.
   */
  mulInto(out: GrVector, oi: number, a: GrVector, ai: number, b: GrVector, bi: number): void {
    this.acc.fill(0);
    this.productIntoAcc(a, ai, b, bi);
    const L = this.limbs;
    const o = oi * L;
    const acc = this.acc;
    for (let j = 0; j < L; j++) out[o + j] = acc[j]!;
  }

  /**
   * The matrix of x ↦ c·x over Z/2^64 (d × d words, row k = coefficient k of
   * the product): multiplying many elements by one constant c (a Lagrange
   * coefficient in a robust open) then costs d² word products and no
   * reduction or scratch copies (`mulConstAddInto`).
   */
  constMatrix(c: GrVector, ci = 0): Uint32Array {
    const d = this.d;
    const M = new Uint32Array(2 * d * d);
    const basis = this.alloc();
    const col = this.alloc();
    for (let j = 0; j < d; j++) {
      basis.fill(0);
      basis[2 * j] = 1; // X^j
      this.mulInto(col, 0, c, ci, basis, 0);
      for (let k = 0; k < d; k++) {
        M[2 * (k * d + j)] = col[2 * k]!;
        M[2 * (k * d + j) + 1] = col[2 * k + 1]!;
      }
    }
    return M;
  }

  /** `out[oi] += c · x[xi]` with `M = constMatrix(c)` (same result as `mulAddInto`). `out` must not alias `x[xi]`. */
  mulConstAddInto(out: GrVector, oi: number, M: Uint32Array, x: GrVector, xi: number): void {
    const d = this.d;
    const o = oi * this.limbs;
    const xo = xi * this.limbs;
    // z64.mulAdd64 inlined with the accumulator in locals (the hot loop of robust opening).
    for (let k = 0; k < d; k++) {
      const row = 2 * k * d;
      let lo = out[o + 2 * k]!;
      let hi = out[o + 2 * k + 1]!;
      for (let j = 0; j < d; j++) {
        const al = M[row + 2 * j]!;
        const ah = M[row + 2 * j + 1]!;
        const bl = x[xo + 2 * j]!;
        const bh = x[xo + 2 * j + 1]!;
        const a0 = al & 0xffff;
        const a1 = al >>> 16;
        const b0 = bl & 0xffff;
        const b1 = bl >>> 16;
        const p00 = a0 * b0;
        const p01 = a0 * b1;
        const p10 = a1 * b0;
        const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
        const wideHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
        const s = lo + (imul(al, bl) >>> 0);
        hi = (hi + wideHi + imul(al, bh) + imul(ah, bl) + (s > 0xffffffff ? 1 : 0)) >>> 0;
        lo = s >>> 0;
      }
      out[o + 2 * k] = lo;
      out[o + 2 * k + 1] = hi;
    }
  }

  /** `acc[ci] += a[ai] · b[bi]` (the reduction is linear, so the addend rides along in the low slots). */
  mulAddInto(accOut: GrVector, ci: number, a: GrVector, ai: number, b: GrVector, bi: number): void {
    const L = this.limbs;
    const o = ci * L;
    const acc = this.acc;
    acc.fill(0);
    for (let j = 0; j < L; j++) acc[j] = accOut[o + j]!;
    this.productIntoAcc(a, ai, b, bi);
    for (let j = 0; j < L; j++) accOut[o + j] = acc[j]!;
  }

  /** acc += a·b then reduce the coefficients of X^d..X^{2d−2}. */
  private productIntoAcc(a: GrVector, ai: number, b: GrVector, bi: number): void {
    const d = this.d;
    const acc = this.acc;
    const ao = ai * this.limbs;
    const bo = bi * this.limbs;
    // z64.mulAdd64 inlined (a hot loop: Beaver products, PRSS, the decryption circuit).
    for (let i = 0; i < d; i++) {
      const al = a[ao + 2 * i]!;
      const ah = a[ao + 2 * i + 1]!;
      const a0 = al & 0xffff;
      const a1 = al >>> 16;
      for (let j = 0; j < d; j++) {
        const bl = b[bo + 2 * j]!;
        const bh = b[bo + 2 * j + 1]!;
        const b0 = bl & 0xffff;
        const b1 = bl >>> 16;
        const p00 = a0 * b0;
        const p01 = a0 * b1;
        const p10 = a1 * b0;
        const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
        const wideHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
        const o = 2 * (i + j);
        const s = acc[o]! + (imul(al, bl) >>> 0);
        acc[o + 1] = acc[o + 1]! + wideHi + imul(al, bh) + imul(ah, bl) + (s > 0xffffffff ? 1 : 0);
        acc[o] = s;
      }
    }
    const taps = this.tapArray;
    for (let k = 2 * d - 2; k >= d; k--) {
      for (let e = 0; e < taps.length; e++) {
        const t = 2 * (k - d + taps[e]!);
        sub64(acc, t, acc, t, acc, 2 * k);
      }
    }
  }

  /** `out[oi] = a[ai] · s` for the Z/2^64 scalar word `s[si]` (limb pair at 2si). */
  mulScalarInto(out: GrVector, oi: number, a: GrVector, ai: number, s: Uint32Array, si: number): void {
    const L = this.limbs;
    for (let j = 0; j < L; j += 2) mul64(out, oi * L + j, a, ai * L + j, s, 2 * si);
  }

  add(a: GrVector, b: GrVector): GrVector {
    const o = this.alloc();
    this.addInto(o, 0, a, 0, b, 0);
    return o;
  }

  sub(a: GrVector, b: GrVector): GrVector {
    const o = this.alloc();
    this.subInto(o, 0, a, 0, b, 0);
    return o;
  }

  neg(a: GrVector): GrVector {
    return this.sub(this.zero(), a);
  }

  mul(a: GrVector, b: GrVector): GrVector {
    const o = this.alloc();
    this.mulInto(o, 0, a, 0, b, 0);
    return o;
  }

  /** The reduction mod 2 of element `ai`: bit j = coefficient j mod 2, an element of GF(2^d). */
  mod2(a: GrVector, ai = 0): number {
    return this.bitLevel(a, ai, 0);
  }

  /** Bit `level` (0..63) of every coefficient of element `ai`, packed as a GF(2^d) element. */
  bitLevel(a: GrVector, ai: number, level: number): number {
    const base = ai * this.limbs + (level >= 32 ? 1 : 0);
    const sh = level & 31;
    let r = 0;
    for (let j = 0; j < this.d; j++) r |= ((a[base + 2 * j]! >>> sh) & 1) << j;
    return r;
  }

  /** True iff element `ai` is invertible (its reduction mod 2 is non-zero). */
  isUnit(a: GrVector, ai = 0): boolean {
    return this.mod2(a, ai) !== 0;
  }

  /**
   * Inverse of a unit: invert mod 2 in GF(2^d), then Hensel/Newton lifting
   * x ← x·(2 − a·x), which doubles the number of correct bits: 1 → 64 in 6 steps.
   */
  inv(a: GrVector, ai = 0): GrVector {
    const r = this.mod2(a, ai);
    if (r === 0) throw new MpcParameterError('element of GR(2^64, d) is not a unit (zero mod 2)');
    const x = this.alloc();
    const inv2 = this.field.invTable[r]!;
    for (let j = 0; j < this.d; j++) x[2 * j] = (inv2 >>> j) & 1;
    const two = this.constant(2n);
    const t = this.tmp;
    for (let step = 0; step < 6; step++) {
      this.mulInto(t, 0, a, ai, x, 0);
      this.subInto(t, 0, two, 0, t, 0);
      this.mulInto(x, 0, x, 0, t, 0);
    }
    return x;
  }

  /** `count` uniform elements. */
  random(rng: Rng, count = 1): GrVector {
    const v = this.alloc(count);
    rng.fillU32(v);
    return v;
  }

  /** Little-endian bytes, 8d per element (the wire format of shares). */
  toBytes(v: GrVector): Uint8Array {
    return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  }

  /** Inverse of `toBytes`; `undefined` when the length is not `count` elements. */
  fromBytes(bytes: Uint8Array, count: number): GrVector | undefined {
    if (bytes.length !== count * this.bytesPerElement) return undefined;
    const copy = new Uint8Array(bytes);
    return new Uint32Array(copy.buffer, 0, count * this.limbs);
  }
}

const RINGS = new Map<number, GaloisRing>();

/** The (cached) ring GR(2^64, d), d in 3..8. */
export function galoisRing(d: number): GaloisRing {
  let R = RINGS.get(d);
  if (!R) {
    R = new GaloisRing(d);
    RINGS.set(d, R);
  }
  return R;
}

/** The smallest supported GR(2^64, d) whose exceptional set holds parties 1..n (2^d > n). */
export function ringForParties(n: number): GaloisRing {
  for (let d = MIN_EXTENSION_DEGREE; d <= MAX_EXTENSION_DEGREE; d++) if (1 << d > n) return galoisRing(d);
  throw new MpcParameterError(`at most ${(1 << MAX_EXTENSION_DEGREE) - 1} parties are supported, got ${n}`);
}
