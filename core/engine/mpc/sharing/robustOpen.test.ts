import { describe, expect, test } from '@jest/globals';
import { type GaloisRing, type GrVector, galoisRing, ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { RobustOpenError, MpcParameterError } from '../errors.js';
import { robustReconstruct } from './robustOpen.js';
import { evaluateShares, interpolate, shamirShare } from './shamir.js';
import { subsets } from '../_testUtils.js';

const CASES = [
  [4, 1],
  [7, 2],
  [10, 3],
] as const;

function shareMap(shares: readonly GrVector[], drop: readonly number[] = []): Map<number, GrVector | undefined> {
  return new Map(shares.map((s, i) => [i + 1, drop.includes(i + 1) ? undefined : s]));
}

/** Adds `e` (a ring element) to value v of party p's shares, in a copy. */
function corrupt(R: GaloisRing, shares: readonly GrVector[], p: number, v: number, e: GrVector): GrVector[] {
  const out = shares.map((s) => s.slice());
  R.addInto(out[p - 1]!, v, out[p - 1]!, v, e, 0);
  return out;
}

describe('robustReconstruct', () => {
  test('default: honest shares open with no blame', () => {
    const rng = seededRng(20);
    for (const [n, t] of CASES) {
      const R = ringForParties(n);
      const secrets = R.random(rng, 10);
      const res = robustReconstruct(R, { n, t }, shareMap(shamirShare(R, secrets, 10, n, t, rng)), 10);
      expect(res).toEqual({ values: secrets, cheaters: [], missing: [] });
    }
  });

  test('default: errors at every set of ≤ t positions are corrected and named (property, fixed seed)', () => {
    const rng = seededRng(21);
    for (const [n, t] of CASES) {
      const R = ringForParties(n);
      for (let e = 1; e <= t; e++) {
        for (const bad of subsets(n, e)) {
          const secrets = R.random(rng, 2);
          let shares = shamirShare(R, secrets, 2, n, t, rng);
          for (const p of bad) {
            // An error of random 2-adic valuation 0..63 (a unit times 2^k, never zero).
            const unit = R.random(rng);
            unit[0] = unit[0]! | 1;
            shares = corrupt(R, shares, p, 1, R.mul(R.constant(1n << BigInt(rng.below(64))), unit));
          }
          const res = robustReconstruct(R, { n, t }, shareMap(shares), 2);
          expect(res.values).toEqual(secrets);
          expect(res.cheaters).toEqual(bad);
        }
      }
    }
  });

  test('default: errors hidden in high bits (2-adic valuation 1..63) are found at their level', () => {
    const rng = seededRng(22);
    const [n, t] = [7, 2];
    const R = ringForParties(n);
    for (const level of [1, 2, 17, 31, 32, 33, 50, 63]) {
      const secrets = R.random(rng, 1);
      let shares = shamirShare(R, secrets, 1, n, t, rng);
      // e = 2^level · (random), so it vanishes mod 2^level; a second error one level up.
      const pow = R.constant(1n << BigInt(level));
      const unit = R.random(rng);
      unit[0] = unit[0]! | 1; // odd constant coefficient: a unit, so e has valuation exactly `level`
      shares = corrupt(R, shares, 3, 0, R.mul(pow, unit));
      shares = corrupt(R, shares, 6, 0, R.mul(R.constant(1n << BigInt(Math.min(63, level + 1))), unit));
      const res = robustReconstruct(R, { n, t }, shareMap(shares), 1);
      expect(res.values).toEqual(secrets);
      expect(res.cheaters).toEqual([3, 6]);
    }
  });

  test('default: missing shares are erasures; missing + errors within budget are corrected', () => {
    const rng = seededRng(23);
    const [n, t] = [7, 2];
    const R = ringForParties(n);
    const secrets = R.random(rng, 3);
    const shares = shamirShare(R, secrets, 3, n, t, rng);
    for (let m = 1; m <= n; m++) {
      for (let b = 1; b <= n; b++) {
        if (b === m) continue;
        const res = robustReconstruct(R, { n, t }, shareMap(corrupt(R, shares, b, 2, R.random(rng)), [m]), 3);
        expect(res.values).toEqual(secrets);
        expect(res.missing).toEqual([m]);
        expect(res.cheaters).toEqual([b]);
      }
    }
  });

  test('behavior: once a party is proven wrong its later shares are ignored', () => {
    const rng = seededRng(24);
    const [n, t] = [4, 1];
    const R = ringForParties(n);
    const secrets = R.random(rng, 4);
    let shares = shamirShare(R, secrets, 4, n, t, rng);
    for (let v = 0; v < 4; v++) shares = corrupt(R, shares, 2, v, R.random(rng));
    expect(robustReconstruct(R, { n, t }, shareMap(shares), 4)).toEqual({ values: secrets, cheaters: [2], missing: [] });
  });

  test('behavior: degree-2t sharings open robustly when n ≥ 4t+1', () => {
    const rng = seededRng(25);
    const [n, t] = [5, 1];
    const R = ringForParties(n);
    const secret = R.random(rng);
    let shares = evaluateShares(R, secret, [R.random(rng), R.random(rng)], 1, n);
    shares = corrupt(R, shares, 4, 0, R.random(rng));
    expect(robustReconstruct(R, { n, t, degree: 2 }, shareMap(shares), 1)).toEqual({ values: secret, cheaters: [4], missing: [] });
    expect(() => robustReconstruct(R, { n: 4, t, degree: 2 }, shareMap(shares.slice(0, 4)), 1)).toThrow(MpcParameterError);
  });

  describe('beyond the bound (t+1 faults)', () => {
    test('malicious: t+1 missing shares are refused (too-many-missing)', () => {
      const rng = seededRng(26);
      for (const [n, t] of CASES) {
        const R = ringForParties(n);
        const shares = shamirShare(R, R.random(rng), 1, n, t, rng);
        for (const drop of subsets(n, t + 1)) {
          const err = catchError(() => robustReconstruct(R, { n, t }, shareMap(shares, drop), 1));
          expect(err).toBeInstanceOf(RobustOpenError);
          expect((err as RobustOpenError).reason).toBe('too-many-missing');
          expect((err as RobustOpenError).missing).toEqual(drop);
        }
      }
    });

    test('malicious: t+1 random shares at every position set are detected, never a wrong value', () => {
      const rng = seededRng(27);
      for (const [n, t] of CASES) {
        const R = ringForParties(n);
        for (const bad of subsets(n, t + 1)) {
          let shares = shamirShare(R, R.random(rng), 1, n, t, rng);
          for (const p of bad) shares = corrupt(R, shares, p, 0, R.random(rng));
          const err = catchError(() => robustReconstruct(R, { n, t }, shareMap(shares), 1));
          expect(err).toBeInstanceOf(RobustOpenError);
          expect((err as RobustOpenError).code).toBe('MPC_OPEN_TOO_MANY_ERRORS');
        }
      }
    });

    test('malicious: t+1 shares shifted by one common offset (any valuation) are detected', () => {
      const rng = seededRng(28);
      for (const [n, t] of CASES) {
        const R = ringForParties(n);
        for (const bad of subsets(n, t + 1)) {
          for (const offset of [R.random(rng), R.constant(1n), R.constant(1n << 40n), R.constant(1n << 63n)]) {
            let shares = shamirShare(R, R.random(rng), 1, n, t, rng);
            for (const p of bad) shares = corrupt(R, shares, p, 0, offset);
            expect(() => robustReconstruct(R, { n, t }, shareMap(shares), 1)).toThrow(RobustOpenError);
          }
        }
      }
    });

    test('malicious: t+1 liars sharing their own degree-t polynomial (chosen blind) are detected', () => {
      const rng = seededRng(29);
      for (const [n, t] of CASES) {
        const R = ringForParties(n);
        for (const bad of subsets(n, t + 1)) {
          const shares = shamirShare(R, R.random(rng), 1, n, t, rng);
          const lie = shamirShare(R, R.random(rng), 1, n, t, rng);
          const mixed = shares.map((s, i) => (bad.includes(i + 1) ? lie[i]! : s));
          expect(() => robustReconstruct(R, { n, t }, shareMap(mixed), 1)).toThrow(RobustOpenError);
        }
      }
    });

    test('behavior: the theoretical limit — t+1 rushing liars who saw the honest shares can force a value', () => {
      // Documents why the bound is t: the adversary fits g ≠ f through t honest
      // shares and sends g at its t+1 positions. The word is then at distance t
      // from g's codeword, indistinguishable from t errors; no decoder can help.
      const rng = seededRng(30);
      const [n, t] = [4, 1];
      const R = ringForParties(n);
      const secret = R.random(rng);
      const shares = shamirShare(R, secret, 1, n, t, rng);
      const fake = R.add(secret, R.one());
      // g of degree 1 through (0, fake) and party 1's honest share; liars are parties 3 and 4.
      const g = (p: number): GrVector => interpolate(R, [0, 1], [fake, shares[0]!], 1, p);
      const lied = shares.map((s, i) => (i + 1 >= 3 ? g(i + 1) : s));
      const res = robustReconstruct(R, { n, t }, shareMap(lied), 1);
      expect(res.values).toEqual(fake);
      expect(res.cheaters).toEqual([2]); // an honest party blamed: beyond the bound, blame is meaningless too
    });
  });

  test('behavior: parameters are checked (n ≥ deg + 2t + 1, ring large enough)', () => {
    const R = galoisRing(3);
    expect(() => robustReconstruct(R, { n: 3, t: 1 }, new Map(), 1)).toThrow(/n ≥ 4/);
    expect(() => robustReconstruct(R, { n: 8, t: 1 }, new Map(), 1)).toThrow(/room for 7/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
