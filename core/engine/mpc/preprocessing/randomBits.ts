/**
 * @module core/engine/mpc/preprocessing/randomBits
 * Shared uniformly random bits [b], b ∈ {0, 1} ⊂ GR(2^64, d), from PRSS and
 * one Beaver triple per bit.
 *
 * ## Why not the square root
 * Over a field of odd characteristic one opens a² and divides a by a square
 * root. In characteristic 2^k squaring loses the top bit, so the classic fix
 * (DEFKSV19) lifts to Z/2^{k+2}. Galois rings allow a lift-free variant, the
 * one of eprint 2025/699 (threshold-fhe `online/gen_bits.rs`, `BitGenEven`),
 * which we follow:
 *   1. [a] ← PRSS (uniform in GR(2^64, d)); [s] = [a]·[a] (Beaver).
 *   2. Open v = a + a² robustly (degree t).
 *   3. Solve r² + r = v in GR(2^64, d). The roots are exactly a and −a − 1:
 *      (−a−1)² + (−a−1) = a² + a. Mod 2 the equation is x² + x = v̄ in
 *      GF(2^d), with the two roots ā and ā + 1 (found here by search: d ≤ 8);
 *      the derivative 2x + 1 is a unit, so each root mod 2 lifts uniquely by
 *      Newton/Hensel x ← x − (x² + x − v)/(2x + 1) (precision doubles: 6 steps).
 *      r is the lift of the smaller root mod 2: a deterministic function of v.
 *   4. [b] = ([a] − r) · (−(1 + 2r))⁻¹ (a public unit: 1 + 2r is odd).
 *      If r = a then b = 0; if r = −a−1 then a − r = 2a + 1 = −(1 + 2r), b = 1.
 * Privacy: the map a ↦ −a − 1 is an involution of GR without fixed points
 * (2a = −1 has no solution since −1 is a unit), so v reveals the pair {a, −a−1}
 * and nothing about which of the two a is; b is that choice: uniform.
 * Correctness under attack: the product [a]² is right as long as the triple is
 * (checked at generation, `triples.ts`) and opens are robust; a cheater can
 * only be corrected and named. No extra check b(1 − b) = 0 is needed: b is a
 * bit by construction once a² is correct.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { beaverMultiply } from '../online/multiply.js';
import type { MpcSession } from '../online/session.js';
import type { Triples } from './triples.js';

/**
 * `count` shared random bits, consuming `count` triples (2 rounds).
 *
 * @example
 * const bits = await generateRandomBits(session, 64, await generateTriples(session, 64));
 */
export async function generateRandomBits(session: MpcSession, count: number, triples: Triples): Promise<GrVector> {
  const { R, prss } = session;
  const a = prss.random(session.nextTag('bits'), count);
  const v = await beaverMultiply(session, a, a, triples, count);
  for (let k = 0; k < count; k++) R.addInto(v, k, v, k, a, k);
  const opened = await session.open(v, count, 'bitgen');
  try {
    return bitsFromOpened(R, a, opened, count);
  } finally {
    // a fixes b given the public opened value; v is a share of a + a².
    a.fill(0);
    v.fill(0);
  }
}

/**
 * Step 3–4 for every element: [b] = ([a] − r)·(−(1 + 2r))⁻¹ with r the
 * Artin–Schreier root of the opened v. Batched and allocation-free (this is
 * the bulk of a DKG's preprocessing: 70 M bits at `default`): the Newton
 * iteration's own approximation of (2r + 1)⁻¹, refined to full precision and
 * checked, replaces a separate inversion.
 */
export function bitsFromOpened(R: GaloisRing, a: GrVector, opened: GrVector, count: number): GrVector {
  const bits = R.alloc(count);
  const s = scratch(R);
  for (let k = 0; k < count; k++) {
    artinSchreierInto(R, opened, k, s);
    // b = (a − r)·d⁻¹ with d = −(1 + 2r): d⁻¹ = −y
    R.subInto(s.t, 0, a, k, s.x, 0);
    R.mulInto(bits, k, s.t, 0, s.y, 0);
    R.subInto(bits, k, s.zero, 0, bits, k);
  }
  s.x.fill(0);
  s.t.fill(0);
  R.clearScratch(); // the last product, −b, is still in the ring's accumulator
  return bits;
}

interface Scratch {
  x: GrVector;
  y: GrVector;
  f: GrVector;
  t: GrVector;
  one: GrVector;
  two: GrVector;
  zero: GrVector;
}

function scratch(R: GaloisRing): Scratch {
  return { x: R.alloc(), y: R.alloc(), f: R.alloc(), t: R.alloc(), one: R.one(), two: R.constant(2n), zero: R.alloc() };
}

/**
 * The root x of x² + x = v[vi] in GR(2^64, d) whose reduction mod 2 is the
 * smaller of the two roots in GF(2^d) (as integers). Throws if there is none
 * (v not of the form a + a²: only possible if a party fed a wrong value to a
 * robust open beyond the bound).
 */
export function solveArtinSchreier(R: GaloisRing, v: GrVector, vi = 0): GrVector {
  const s = scratch(R);
  artinSchreierInto(R, v, vi, s);
  return s.x;
}

/**
 * `solveArtinSchreier` into `s.x`, with `s.y` = (2x + 1)⁻¹ exactly (the
 * coupled Newton iteration's inverse, refined until (2x + 1)·y = 1).
 */
function artinSchreierInto(R: GaloisRing, v: GrVector, vi: number, s: Scratch): void {
  const F = R.field;
  const vbar = R.mod2(v, vi);
  let root = -1;
  for (let x = 0; x < F.size; x++) {
    if ((F.mulTable[x * F.size + x]! ^ x) === vbar) {
      root = x;
      break;
    }
  }
  if (root < 0) throw new RangeError('x² + x = v has no solution in GR(2^64, d)');
  const { x, y, f, t: tmp, one, two } = s;
  x.fill(0);
  for (let j = 0; j < R.d; j++) x[2 * j] = (root >>> j) & 1;
  // Coupled Newton iteration: x ← x − f(x)·y, y ← y·(2 − f'(x)·y), with
  // f(x) = x² + x − v and y ≈ f'(x)⁻¹ = (2x + 1)⁻¹ (≡ 1 mod 2). Both
  // precisions double each step: 6 steps take x from 1 to 64 bits.
  // Only the values x and y leave: both are checked exactly below.
  y.fill(0);
  y[0] = 1;
  const refineY = (): void => {
    // tmp = 2 − (2x + 1)·y; y ← y·tmp
    R.addInto(tmp, 0, x, 0, x, 0);
    R.addInto(tmp, 0, tmp, 0, one, 0);
    R.mulInto(tmp, 0, tmp, 0, y, 0);
    R.subInto(tmp, 0, two, 0, tmp, 0);
    R.mulInto(y, 0, y, 0, tmp, 0);
  };
  // Until f(x) = 0 exactly (6 steps; a few more are allowed, never needed).
  for (let step = 0; ; step++) {
    R.mulInto(f, 0, x, 0, x, 0);
    R.addInto(f, 0, f, 0, x, 0);
    R.subInto(f, 0, f, 0, v, vi);
    if (R.isZero(f, 0)) break;
    if (step === 9) throw new RangeError('Newton iteration for x² + x = v did not converge');
    R.mulInto(f, 0, f, 0, y, 0);
    R.subInto(x, 0, x, 0, f, 0);
    refineY();
  }
  // y: refined against the final x until exact (one step suffices; the check makes it certain).
  for (let guard = 0; ; guard++) {
    refineY();
    R.addInto(tmp, 0, x, 0, x, 0);
    R.addInto(tmp, 0, tmp, 0, one, 0);
    R.mulInto(tmp, 0, tmp, 0, y, 0);
    if (R.equals(tmp, 0, one, 0)) break;
    if (guard === 6) throw new RangeError('Newton inverse of 2x + 1 did not converge');
  }
}
