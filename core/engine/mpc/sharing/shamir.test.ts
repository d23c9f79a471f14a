import { describe, expect, test } from '@jest/globals';
import { galoisRing, ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { MpcParameterError } from '../errors.js';
import { subsets } from '../_testUtils.js';
import { interpolate, lagrangeCoefficients, reconstruct, shamirShare } from './shamir.js';

describe('shamir', () => {
  test('default: every subset of t+1 parties reconstructs the secrets (property, fixed seed)', () => {
    const rng = seededRng(10);
    for (const [n, t] of [[4, 1], [7, 2], [5, 1], [10, 3], [13, 4]] as const) {
      const R = ringForParties(n);
      const count = 5;
      const secrets = R.random(rng, count);
      const shares = shamirShare(R, secrets, count, n, t, rng);
      for (const S of subsets(n, t + 1)) {
        const got = reconstruct(R, t, new Map(S.map((p) => [p, shares[p - 1]!])), count);
        expect(got).toEqual(secrets);
      }
    }
  });

  test('default: any t+1 shares also interpolate every other share (shares lie on one degree-t polynomial)', () => {
    const rng = seededRng(11);
    const R = galoisRing(4);
    const [n, t] = [7, 2];
    const shares = shamirShare(R, R.random(rng, 3), 3, n, t, rng);
    for (const S of subsets(n, t + 1)) {
      for (let j = 1; j <= n; j++) {
        if (S.includes(j)) continue;
        const at = interpolate(R, S, S.map((p) => shares[p - 1]!), 3, j);
        expect(at).toEqual(shares[j - 1]);
      }
    }
  });

  test('behavior: Z/2^64 values shared as constants reconstruct as constants', () => {
    const R = ringForParties(4);
    const rng = seededRng(12);
    const secret = R.constant(0xfedcba9876543210n);
    const shares = shamirShare(R, secret, 1, 4, 1, rng);
    expect(R.toBigints(reconstruct(R, 1, new Map([[2, shares[1]!], [4, shares[3]!]]), 1))).toEqual([0xfedcba9876543210n, 0n, 0n]);
  });

  test('behavior: Lagrange coefficients at 0 sum to 1 (they interpolate the constant polynomial)', () => {
    const R = galoisRing(5);
    const lambda = lagrangeCoefficients(R, [1, 5, 9, 30]);
    let sum = R.zero();
    for (let k = 0; k < 4; k++) sum = R.add(sum, R.get(lambda, k));
    expect(sum).toEqual(R.one());
  });

  test('behavior: bad parameters are refused', () => {
    const R = galoisRing(3);
    const rng = seededRng(13);
    expect(() => shamirShare(R, R.zero(), 1, 8, 1, rng)).toThrow(/room for 7 parties/);
    expect(() => shamirShare(R, R.zero(), 1, 3, 3, rng)).toThrow(MpcParameterError);
    expect(() => shamirShare(R, R.zero(), 2, 4, 1, rng)).toThrow(/expected 2/);
    expect(() => reconstruct(R, 2, new Map([[1, R.zero()]]), 1)).toThrow(/t\+1 = 3/);
  });
});
