/**
 * @module core/engine/mpc/sharing/robustOpen
 * Robust opening of Shamir sharings over GR(2^64, d): reconstruction with
 * error correction that tolerates up to t wrong or missing shares when
 * n ≥ 3t+1, names the parties whose shares were wrong, and throws instead of
 * returning a value it cannot vouch for.
 *
 * ## Decoding over a Galois ring
 * Reed–Solomon decoders (Gao, Berlekamp–Welch) divide, so they need a field;
 * GR(2^64, d) is not one. Its residue field is GF(2^d) = GR/(2), and errors
 * can hide in any 2-adic level (a share off by 2^63 is right mod 2). We decode
 * level by level in GF(2^d), as threshold-fhe's `error_correction.rs` does,
 * but jump straight to the lowest level that is not clean:
 *
 *   Fast path: if the shares of the alive parties (not missing, not yet proven
 *   wrong) lie on one polynomial of degree `deg` — checked by interpolating
 *   the first deg+1 and comparing the rest — interpolate the secret.
 *   Otherwise keep residuals r_i = y_i (for the alive parties) and repeat:
 *   1. Normalise: subtract from r the polynomial P interpolating r on the
 *      first deg+1 alive parties (the base); r is 0 on the base. Let ℓ be the
 *      smallest 2-adic valuation among the residuals. If none is non-zero, the
 *      alive shares are consistent: stop.
 *   2. For an honest i, r_i = h(α_i) with h = f − (everything subtracted so
 *      far), a polynomial of degree ≤ deg. All honest r_i vanish mod 2^ℓ and
 *      there are ≥ deg+1 of them, so h ≡ 0 mod 2^ℓ coefficient-wise (the
 *      Vandermonde matrix on an exceptional set is invertible mod 2^ℓ). Hence
 *      bit ℓ of r_i, coefficient-wise, is (h/2^ℓ mod 2) evaluated at α_i mod 2
 *      = i in GF(2^d): the level-ℓ word is a Reed–Solomon codeword of
 *      dimension deg+1 at the points {i alive}, plus the corrupt positions.
 *   3. Gao-decode it in GF(2^d). Positions where the word differs from the
 *      decoded polynomial hold shares whose error has valuation exactly ℓ:
 *      proven wrong; they become erasures. Back to 1.
 *   The level-ℓ word is zero on the base and non-zero somewhere, so it is not
 *   a codeword: each pass flags at least one party (or fails), hence at most
 *   t+1 Gao decodings per value, and usually none (fast path).
 *
 * Why it is correct. Suppose at most t parties are corrupt and n ≥ deg + 2t + 1
 * (n ≥ 3t+1 for deg = t). By induction every flagged party is corrupt: with E
 * parties already removed, the level word has |alive| ≥ n − E positions of
 * which at most t − E are wrong, and Gao corrects ⌊(|alive| − deg − 1)/2⌋ ≥
 * t − E errors, so it returns the true h/2^ℓ mod 2 and flags only wrong
 * positions. So the alive set always contains the ≥ n − t ≥ deg + 1 honest
 * parties, and when the alive shares are consistent with a polynomial g of
 * degree deg, g agrees with f on ≥ deg + 1 exceptional points: g = f.
 *
 * When to give up (never a silent wrong value). We throw when more than t
 * parties are missing or proven wrong, when Gao finds no codeword within its
 * radius, or when nothing consistent remains. Beyond t corruptions the
 * guarantee is information-theoretic only up to the code's distance: with
 * n = 3t+1 and t+1 corrupt parties,
 *   - t+1 silent parties: detected ('too-many-missing');
 *   - t+1 random shares, or t+1 shares shifted by a common offset or by any
 *     polynomial chosen without looking at the honest shares: the word is at
 *     distance ≥ t+1 from every codeword (two codewords differ in ≥ 2t+1
 *     places) except with probability ~2^-64: detected ('too-many-errors');
 *   - t+1 *rushing* liars who see the 2t honest shares first can pick a
 *     polynomial g ≠ f through t of them and send g(α_i): the word is then at
 *     distance t from g's codeword and no decoder can tell it from t honest
 *     errors. Undetectable in theory; this is why the bound is t, and why the
 *     opening protocol must not be used with more than t corruptions.
 */
import { RobustOpenError, MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { gaoDecode, polyEval } from '../algebra/gf2d.js';
import type { Network } from '../network/network.js';
import { receiveFromAll, sendToAll } from '../network/network.js';
import { checkThresholdParameters, lagrangeCoefficients } from './shamir.js';

export interface RobustOpenParameters {
  n: number;
  /** Corruption bound: at most t parties are missing or wrong. */
  t: number;
  /** Degree of the sharing (t by default; 2t for products and zero-sharings). */
  degree?: number;
}

export interface RobustOpenReturnType {
  /** The opened values, `count` ring elements. */
  values: GrVector;
  /** Parties whose share of some value was proven wrong (sorted). */
  cheaters: number[];
  /** Parties whose shares never arrived (sorted). */
  missing: number[];
}

/**
 * Decodes `count` shared values from the shares received (`undefined` or absent
 * = missing), correcting up to t wrong or missing shares.
 *
 * @example
 * const { values, cheaters } = robustReconstruct(R, { n: 4, t: 1 }, shares, 1);
 */
export function robustReconstruct(
  R: GaloisRing,
  params: RobustOpenParameters,
  shares: ReadonlyMap<number, GrVector | undefined>,
  count: number,
): RobustOpenReturnType {
  const { n, t } = params;
  const degree = params.degree ?? t;
  checkThresholdParameters(R, n, t);
  if (n < degree + 2 * t + 1) throw new MpcParameterError(`robust opening of degree ${degree} with t = ${t} needs n ≥ ${degree + 2 * t + 1}, got ${n}`);
  const missing: number[] = [];
  const y: (GrVector | undefined)[] = [undefined];
  for (let i = 1; i <= n; i++) {
    const s = shares.get(i);
    if (s === undefined || s.length !== count * R.limbs) {
      missing.push(i);
      y.push(undefined);
    } else y.push(s);
  }
  if (missing.length > t) throw new RobustOpenError('too-many-missing', missing, []);
  const bad = new Set<number>(missing);
  const cheaters = new Set<number>();
  const values = R.alloc(count);
  const dec = new Decoder(R, degree, y);
  let plan = dec.plan(aliveParties(n, bad));
  for (let v = 0; v < count; v++) {
    if (!dec.consistent(plan, v)) {
      const found = dec.locateErrors(plan.alive, v, t - bad.size, () => ({ missing, cheaters: [...cheaters, ...dec.flagged].sort((a, b) => a - b) }));
      for (const p of found) {
        bad.add(p);
        cheaters.add(p);
      }
      plan = dec.plan(aliveParties(n, bad));
    }
    dec.interpolateInto(values, v, plan);
  }
  return { values, cheaters: [...cheaters].sort((a, b) => a - b), missing };
}

function aliveParties(n: number, bad: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (!bad.has(i)) out.push(i);
  return out;
}

interface DecodePlan {
  alive: readonly number[];
  base: readonly number[];
  /** Per check party, the matrices of multiplication by its Lagrange coefficients on the base (`constMatrix`). */
  checks: { party: number; lambda: Uint32Array[] }[];
  secret: Uint32Array[];
}

/** Multiplication matrices of cached Lagrange coefficient vectors (`Decoder.plan`). */
const MATRICES = new WeakMap<GrVector, Uint32Array[]>();

/** Per-call decoding state and scratch space (internal). */
class Decoder {
  private readonly acc: GrVector;
  /** Parties flagged by the current `locateErrors` call (for error reports). */
  flagged: number[] = [];

  constructor(
    private readonly R: GaloisRing,
    private readonly degree: number,
    private readonly y: readonly (GrVector | undefined)[],
  ) {
    this.acc = R.alloc();
  }

  /**
   * Lagrange data for a set of alive parties: the base (first deg+1), the
   * coefficients giving every other alive share from the base, and those
   * giving the secret. Computed once per set, not per value.
   */
  plan(alive: readonly number[]): DecodePlan {
    const R = this.R;
    const base = alive.slice(0, this.degree + 1);
    const matrices = (target: number): Uint32Array[] => {
      // lagrangeCoefficients caches its vectors, so this caches per (ring, base, target).
      const lambda = lagrangeCoefficients(R, base, target);
      let m = MATRICES.get(lambda);
      if (!m) MATRICES.set(lambda, (m = base.map((_, b) => R.constMatrix(lambda, b))));
      return m;
    };
    const checks = alive.slice(this.degree + 1).map((j) => ({ party: j, lambda: matrices(j) }));
    return { alive, base, checks, secret: matrices(0) };
  }

  /** Do the shares of the plan's alive parties for value v lie on one polynomial of degree ≤ deg? */
  consistent(plan: DecodePlan, v: number): boolean {
    const R = this.R;
    const { base, checks } = plan;
    if (base.length < this.degree + 1) return false;
    const acc = this.acc;
    for (const { party, lambda } of checks) {
      acc.fill(0);
      for (let b = 0; b < base.length; b++) R.mulConstAddInto(acc, 0, lambda[b]!, this.y[base[b]!]!, v);
      if (!R.equals(acc, 0, this.y[party]!, v)) return false;
    }
    return true;
  }

  interpolateInto(out: GrVector, v: number, plan: DecodePlan): void {
    const R = this.R;
    const { base, secret } = plan;
    for (let b = 0; b < base.length; b++) R.mulConstAddInto(out, v, secret[b]!, this.y[base[b]!]!, v);
  }

  /**
   * Error location by 2-adic levels (module doc): returns the parties whose
   * share of value v is wrong, at most `budget` of them, or throws.
   */
  locateErrors(alive0: readonly number[], v: number, budget: number, blame: () => { missing: number[]; cheaters: number[] }): number[] {
    const R = this.R;
    const k = this.degree + 1;
    let alive = alive0.slice();
    this.flagged = [];
    const pos = new Map<number, number>(alive0.map((p, idx) => [p, idx]));
    const r = R.alloc(alive0.length);
    alive0.forEach((p, idx) => R.copyInto(r, idx, this.y[p]!, v));
    const fail = (): never => {
      const b = blame();
      throw new RobustOpenError('too-many-errors', b.missing, b.cheaters, { index: v });
    };
    // Each pass flags at least one party (the word at the lowest dirty level
    // vanishes on the t+1 base points but not everywhere, so it is no
    // codeword), hence at most budget + 1 passes.
    for (;;) {
      if (alive.length < k + 1) fail();
      // 1. Normalise: r ← r − P(α) with P interpolating r on the first k alive
      //    parties; r is now 0 there and δ_j = r_j − P(α_j) elsewhere.
      const base = alive.slice(0, k);
      let level = 64;
      for (let m = k; m < alive.length; m++) {
        const j = alive[m]!;
        const lambda = lagrangeCoefficients(R, base, j);
        this.acc.fill(0);
        for (let b = 0; b < k; b++) R.mulAddInto(this.acc, 0, lambda, b, r, pos.get(base[b]!)!);
        const at = pos.get(j)!;
        R.subInto(r, at, r, at, this.acc, 0);
        level = Math.min(level, valuation(r, at * R.limbs, R.limbs));
      }
      for (const b of base) r.fill(0, pos.get(b)! * R.limbs, (pos.get(b)! + 1) * R.limbs);
      // 2. All alive shares agree with one polynomial: every wrong share is flagged.
      if (level === 64) return this.flagged;
      // 3. Decode the lowest level that is not clean, in GF(2^d), at the points i = α_i mod 2.
      const ys = alive.map((p) => R.bitLevel(r, pos.get(p)!, level));
      const g = gaoDecode(R.field, alive, ys, k);
      if (g === undefined) fail();
      const wrong = alive.filter((p, idx) => polyEval(R.field, g!, p) !== ys[idx]);
      if (wrong.length === 0) fail(); // impossible when the bound holds; never loop
      this.flagged.push(...wrong);
      if (this.flagged.length > budget) fail();
      alive = alive.filter((p) => !wrong.includes(p));
    }
  }
}

/** The 2-adic valuation (min over coefficients, 64 for zero) of the element at limb offset `o`. */
function valuation(v: Uint32Array, o: number, limbs: number): number {
  let best = 64;
  for (let j = 0; j < limbs; j += 2) {
    const lo = v[o + j]!;
    const hi = v[o + j + 1]!;
    const z = lo !== 0 ? 31 - Math.clz32(lo & -lo) : hi !== 0 ? 63 - Math.clz32(hi & -hi) : 64;
    if (z < best) best = z;
  }
  return best;
}

/**
 * The honest opening protocol, split into its round so that adversaries
 * (`malicious/robustOpen.ts`) can replace a step.
 */
export class RealRobustOpen {
  /** Round 1, send: my shares to every other party. */
  sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    sendToAll(net, R.toBytes(myShares));
  }

  /** Round 1, receive: every other party's shares (undefined if silent or malformed). */
  async receiveShares(net: Network, R: GaloisRing, myShares: GrVector, count: number, timeoutMs?: number): Promise<Map<number, GrVector | undefined>> {
    const got = await receiveFromAll(net, timeoutMs);
    const shares = new Map<number, GrVector | undefined>();
    for (const [j, bytes] of got) shares.set(j, bytes && R.fromBytes(bytes, count));
    shares.set(net.self, myShares);
    return shares;
  }

  /** Opens `count` values shared with degree `degree` (default t) to every party. */
  async open(net: Network, R: GaloisRing, t: number, myShares: GrVector, count: number, options: { degree?: number; timeoutMs?: number } = {}): Promise<RobustOpenReturnType> {
    checkThresholdParameters(R, net.n, t, true);
    this.sendShares(net, R, myShares);
    const shares = await this.receiveShares(net, R, myShares, count, options.timeoutMs);
    net.nextRound();
    return robustReconstruct(R, { n: net.n, t, degree: options.degree ?? t }, shares, count);
  }
}

/**
 * Opens `count` shared values to all parties (one round): everyone sends its
 * shares to everyone and decodes robustly.
 *
 * @example
 * const { values, cheaters } = await robustOpen(net, R, t, myShares, 1);
 */
export function robustOpen(net: Network, R: GaloisRing, t: number, myShares: GrVector, count: number, options: { degree?: number; timeoutMs?: number } = {}): Promise<RobustOpenReturnType> {
  return new RealRobustOpen().open(net, R, t, myShares, count, options);
}
