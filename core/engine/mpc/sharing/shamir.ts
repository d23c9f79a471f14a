/**
 * @module core/engine/mpc/sharing/shamir
 * Shamir sharing of degree t over GR(2^64, d) among parties 1..n, each party
 * i holding f(α_i) where α_i = `R.embedParty(i)` and f(0) is the secret.
 * Because the α_i (and 0) form an exceptional set, every difference α_i − α_j
 * is a unit and the Lagrange coefficients λ_i = Π_{j≠i} (x − α_j)/(α_i − α_j)
 * exist: any t+1 shares determine f, t shares say nothing about f(0).
 *
 * Vectors: sharing `count` secrets at once gives each party one GrVector of
 * `count` elements; all functions here are batched that way.
 */
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Rng } from '../algebra/random.js';

/** Validates (n, t, ring) for Shamir sharing; `robust` also requires n ≥ 3t+1. */
export function checkThresholdParameters(R: GaloisRing, n: number, t: number, robust = false): void {
  if (!Number.isInteger(n) || !Number.isInteger(t) || t < 0 || n < 1) throw new MpcParameterError(`bad (n, t) = (${n}, ${t})`);
  if (n > R.maxParties) throw new MpcParameterError(`GR(2^64, ${R.d}) has room for ${R.maxParties} parties, got n = ${n}; use d with 2^d > n`);
  if (t + 1 > n) throw new MpcParameterError(`threshold t = ${t} needs at least t+1 = ${t + 1} parties, got n = ${n}`);
  if (robust && n < 3 * t + 1) throw new MpcParameterError(`robust opening needs n ≥ 3t+1, got (n, t) = (${n}, ${t})`);
}

/**
 * Shares `count` secrets with random polynomials of degree t; returns the
 * shares of parties 1..n at indices 0..n−1.
 *
 * @example
 * const R = ringForParties(4);
 * const shares = shamirShare(R, R.constant(42n), 1, 4, 1, cryptoRng);
 * reconstruct(R, 1, new Map([[1, shares[0]!], [3, shares[2]!]]), 1); // 42
 */
export function shamirShare(R: GaloisRing, secrets: GrVector, count: number, n: number, t: number, rng: Rng): GrVector[] {
  checkThresholdParameters(R, n, t);
  if (secrets.length !== count * R.limbs) throw new MpcParameterError(`secrets hold ${secrets.length / R.limbs} elements, expected ${count}`);
  // coeffs[c] holds coefficient c+1 of every polynomial.
  const coeffs: GrVector[] = [];
  for (let c = 0; c < t; c++) coeffs.push(R.random(rng, count));
  return evaluateShares(R, secrets, coeffs, count, n);
}

/**
 * Shares of the polynomials Σ_c coeffs[c-1] X^c + constant at α_1..α_n (Horner).
 * Exposed for tests and adversaries that need a sharing of a chosen polynomial.
 */
export function evaluateShares(R: GaloisRing, constant: GrVector, coeffs: readonly GrVector[], count: number, n: number): GrVector[] {
  const out: GrVector[] = [];
  for (let i = 1; i <= n; i++) {
    const x = R.embedParty(i);
    const s = R.alloc(count);
    for (let k = 0; k < count; k++) {
      if (coeffs.length === 0) {
        R.copyInto(s, k, constant, k);
        continue;
      }
      R.copyInto(s, k, coeffs[coeffs.length - 1]!, k);
      for (let c = coeffs.length - 2; c >= -1; c--) {
        R.mulInto(s, k, s, k, x, 0);
        R.addInto(s, k, s, k, c >= 0 ? coeffs[c]! : constant, k);
      }
    }
    out.push(s);
  }
  return out;
}

const LAGRANGE = new WeakMap<GaloisRing, Map<string, GrVector>>();

/**
 * λ with f(α_target) = Σ_k λ_k · f(α_{parties[k]}) for every f of degree
 * < parties.length (target 0 is the secret). Cached per ring, parties, target.
 */
export function lagrangeCoefficients(R: GaloisRing, parties: readonly number[], target = 0): GrVector {
  let cache = LAGRANGE.get(R);
  if (!cache) LAGRANGE.set(R, (cache = new Map()));
  const key = `${parties.join(',')}>${target}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const x = R.embedParty(target);
  const out = R.alloc(parties.length);
  const num = R.alloc();
  const den = R.alloc();
  const tmp = R.alloc();
  parties.forEach((pi, k) => {
    num.set(R.one());
    den.set(R.one());
    const xi = R.embedParty(pi);
    for (const pj of parties) {
      if (pj === pi) continue;
      const xj = R.embedParty(pj);
      R.subInto(tmp, 0, x, 0, xj, 0);
      R.mulInto(num, 0, num, 0, tmp, 0);
      R.subInto(tmp, 0, xi, 0, xj, 0);
      R.mulInto(den, 0, den, 0, tmp, 0);
    }
    R.mulInto(out, k, num, 0, R.inv(den), 0);
  });
  cache.set(key, out);
  return out;
}

/** Σ_k λ_k · shares_k[v] for each of `count` values: the interpolation at `target`. */
export function interpolate(R: GaloisRing, parties: readonly number[], shares: readonly GrVector[], count: number, target = 0): GrVector {
  const lambda = lagrangeCoefficients(R, parties, target);
  const out = R.alloc(count);
  for (let k = 0; k < parties.length; k++) {
    const s = shares[k]!;
    for (let v = 0; v < count; v++) R.mulAddInto(out, v, lambda, k, s, v);
  }
  return out;
}

/**
 * Lagrange reconstruction of `count` secrets from the first t+1 shares (by
 * party id) of `shares`. No error detection: use `robustOpen` on shares that
 * may come from malicious parties.
 */
export function reconstruct(R: GaloisRing, t: number, shares: ReadonlyMap<number, GrVector>, count: number): GrVector {
  const parties = [...shares.keys()].sort((a, b) => a - b).slice(0, t + 1);
  if (parties.length < t + 1) throw new MpcParameterError(`reconstruction needs t+1 = ${t + 1} shares, got ${parties.length}`);
  return interpolate(
    R,
    parties,
    parties.map((p) => shares.get(p)!),
    count,
  );
}
