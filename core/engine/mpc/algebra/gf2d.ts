/**
 * @module core/engine/mpc/algebra/gf2d
 * The residue field GF(2^d) = GR(2^64, d) / (2) = GF(2)[X]/(F(X)), elements as
 * integers < 2^d (bit j = coefficient of X^j), and the polynomial arithmetic
 * over it that Gao decoding needs. Robust opening over the Galois ring decodes
 * bit level by bit level in this field (see `sharing/robustOpen.ts`).
 *
 * Multiplication and inversion are table look-ups (2^d ≤ 256, so at most a
 * 64 KiB table per d), built once per field.
 */

/** A field GF(2^d) with multiplication and inverse tables. */
export interface Gf2d {
  readonly d: number;
  readonly size: number;
  /** `mul[a * size + b] = a·b`. */
  readonly mulTable: Uint8Array;
  /** `inv[a] = a^-1` for a ≠ 0 (inv[0] = 0). */
  readonly invTable: Uint8Array;
}

/** Polynomial over GF(2^d), coefficient i of X^i at index i, no trailing zeros (zero poly = []). */
export type GfPoly = number[];

const FIELDS = new Map<string, Gf2d>();

/** The field GF(2)[X]/(F) for the modulus F given as a bit mask of degree d (bit d set). */
export function gf2d(d: number, modulusMask: number): Gf2d {
  const key = `${d}:${modulusMask}`;
  const cached = FIELDS.get(key);
  if (cached) return cached;
  const size = 1 << d;
  const mulTable = new Uint8Array(size * size);
  for (let a = 0; a < size; a++) {
    for (let b = a; b < size; b++) {
      // Carry-less product, reduced by F bit by bit from the top.
      let p = 0;
      for (let j = 0; j < d; j++) if ((b >>> j) & 1) p ^= a << j;
      for (let j = 2 * d - 2; j >= d; j--) if ((p >>> j) & 1) p ^= modulusMask << (j - d);
      mulTable[a * size + b] = p;
      mulTable[b * size + a] = p;
    }
  }
  const invTable = new Uint8Array(size);
  for (let a = 1; a < size; a++) {
    for (let b = 1; b < size; b++) {
      if (mulTable[a * size + b] === 1) {
        invTable[a] = b;
        break;
      }
    }
    if (invTable[a] === 0) throw new Error(`GF(2^${d}) modulus 0x${modulusMask.toString(16)} is reducible: ${a} has no inverse`);
  }
  const field = { d, size, mulTable, invTable };
  FIELDS.set(key, field);
  return field;
}

function trim(p: GfPoly): GfPoly {
  while (p.length > 0 && p[p.length - 1] === 0) p.pop();
  return p;
}

/** Degree (−1 for the zero polynomial). */
export function deg(p: GfPoly): number {
  return p.length - 1;
}

export function polyAdd(a: GfPoly, b: GfPoly): GfPoly {
  const out = new Array<number>(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return trim(out);
}

export function polyMul(F: Gf2d, a: GfPoly, b: GfPoly): GfPoly {
  if (a.length === 0 || b.length === 0) return [];
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  const s = F.size;
  for (let i = 0; i < a.length; i++) {
    const row = a[i]! * s;
    if (row === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j] = out[i + j]! ^ F.mulTable[row + b[j]!]!;
  }
  return trim(out);
}

/** Quotient and remainder of `a / b` (b ≠ 0). */
export function polyDivMod(F: Gf2d, a: GfPoly, b: GfPoly): { q: GfPoly; r: GfPoly } {
  if (b.length === 0) throw new RangeError('polynomial division by zero');
  const r = a.slice();
  const db = b.length - 1;
  const lcInv = F.invTable[b[db]!]!;
  const s = F.size;
  if (r.length <= db) return { q: [], r: trim(r) };
  const q = new Array<number>(r.length - db).fill(0);
  for (let i = r.length - 1; i >= db; i--) {
    const c = r[i]!;
    if (c === 0) continue;
    const f = F.mulTable[c * s + lcInv]!;
    q[i - db] = f;
    for (let j = 0; j <= db; j++) r[i - db + j] = r[i - db + j]! ^ F.mulTable[f * s + b[j]!]!;
  }
  return { q: trim(q), r: trim(r) };
}

export function polyEval(F: Gf2d, p: GfPoly, x: number): number {
  let acc = 0;
  const s = F.size;
  for (let i = p.length - 1; i >= 0; i--) acc = F.mulTable[acc * s + x]! ^ p[i]!;
  return acc;
}

/** The polynomial of degree < xs.length through the points (Lagrange form, O(k^2)). */
export function polyInterpolate(F: Gf2d, xs: readonly number[], ys: readonly number[]): GfPoly {
  const s = F.size;
  // M(X) = Π (X − x_j); then p = Σ y_i · M/(X − x_i) / M'(x_i).
  let M: GfPoly = [1];
  for (const x of xs) M = polyMul(F, M, [x, 1]);
  let out: GfPoly = [];
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === 0) continue;
    const { q } = polyDivMod(F, M, [xs[i]!, 1]);
    const denom = polyEval(F, q, xs[i]!);
    const c = F.mulTable[ys[i]! * s + F.invTable[denom]!]!;
    out = polyAdd(
      out,
      q.map((v) => F.mulTable[v * s + c]!),
    );
  }
  return out;
}

/**
 * Gao decoding of a Reed–Solomon codeword of dimension k (polynomials of degree
 * < k) at distinct points xs: returns the message polynomial if the received
 * word is within distance ⌊(N − k)/2⌋ of a codeword, else undefined.
 * Gao, "A new algorithm for decoding Reed-Solomon codes" (2003):
 *   1. g0 = Π (X − x_i);  2. g1 = interpolation of (x_i, y_i);
 *   3. extended Euclid on (g0, g1) stopped at the first remainder g with
 *      deg g < (N + k)/2, giving g = u·g0 + v·g1;
 *   4. f = g / v; success iff the division is exact and deg f < k.
 */
export function gaoDecode(F: Gf2d, xs: readonly number[], ys: readonly number[], k: number): GfPoly | undefined {
  const N = xs.length;
  if (N < k) return undefined;
  let g0: GfPoly = [1];
  for (const x of xs) g0 = polyMul(F, g0, [x, 1]);
  const g1 = polyInterpolate(F, xs, ys);
  // Invariant: r_prev = u_prev·g0 + v_prev·g1, r = u·g0 + v·g1 (u not needed).
  let rPrev = g0;
  let r = g1;
  let vPrev: GfPoly = [];
  let v: GfPoly = [1];
  while (2 * deg(r) >= N + k) {
    const { q, r: rem } = polyDivMod(F, rPrev, r);
    const vNext = polyAdd(vPrev, polyMul(F, q, v));
    rPrev = r;
    r = rem;
    vPrev = v;
    v = vNext;
  }
  if (v.length === 0) return undefined;
  const { q: f, r: rem } = polyDivMod(F, r, v);
  if (rem.length !== 0 || f.length > k) return undefined;
  return f;
}
