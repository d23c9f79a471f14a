import { describe, expect, test } from '@jest/globals';
import { GaloisRing, IRREDUCIBLE_TAPS, galoisRing, ringForParties } from './galoisRing.js';
import { gf2d, gaoDecode, polyEval, polyInterpolate } from './gf2d.js';
import { seededRng } from './random.js';
import { fromU64s, mul64, add64, sub64, toU64s, mulAdd64 } from './z64.js';
import { MpcParameterError } from '../errors.js';

const M64 = (1n << 64n) - 1n;

/** Reference GR multiplication with bigints (schoolbook then reduction by the taps). */
function refMul(R: GaloisRing, a: bigint[], b: bigint[]): bigint[] {
  const d = R.d;
  const acc = new Array<bigint>(2 * d - 1).fill(0n);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) acc[i + j] = (acc[i + j]! + a[i]! * b[j]!) & M64;
  for (let k = 2 * d - 2; k >= d; k--) for (const e of R.taps) acc[k - d + e] = (acc[k - d + e]! - acc[k]!) & M64;
  return acc.slice(0, d);
}

function randomU64(rng: ReturnType<typeof seededRng>): bigint {
  return (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
}

describe('z64', () => {
  test('default: add, sub, mul, mulAdd agree with bigint arithmetic mod 2^64', () => {
    const rng = seededRng(1);
    const edge = [0n, 1n, 2n, 0xffffffffn, 0x100000000n, M64, M64 - 1n, 1n << 63n, 0xdeadbeefcafebaben];
    const xs = [...edge, ...Array.from({ length: 200 }, () => randomU64(rng))];
    for (let i = 0; i < xs.length; i++) {
      const a = xs[i]!;
      const b = xs[(i * 7 + 3) % xs.length]!;
      const va = fromU64s([a]);
      const vb = fromU64s([b]);
      const out = new Uint32Array(2);
      mul64(out, 0, va, 0, vb, 0);
      expect(toU64s(out)[0]).toBe((a * b) & M64);
      add64(out, 0, va, 0, vb, 0);
      expect(toU64s(out)[0]).toBe((a + b) & M64);
      sub64(out, 0, va, 0, vb, 0);
      expect(toU64s(out)[0]).toBe((a - b) & M64);
      const acc = fromU64s([a]);
      mulAdd64(acc, 0, va, 0, vb, 0);
      expect(toU64s(acc)[0]).toBe((a + a * b) & M64);
    }
  });
});

describe('GF(2^d)', () => {
  test('default: every tabulated F is irreducible (every non-zero element has an inverse)', () => {
    for (const d of [3, 4, 5, 6, 7, 8]) {
      const F = galoisRing(d).field;
      for (let a = 1; a < F.size; a++) expect(F.mulTable[a * F.size + F.invTable[a]!]).toBe(1);
    }
  });

  test('behavior: a reducible modulus is rejected', () => {
    expect(() => gf2d(4, 0b10101)).toThrow(/reducible/); // X^4+X^2+1 = (X^2+X+1)^2
  });

  test('behavior: Gao decodes up to ⌊(N−k)/2⌋ errors at every position', () => {
    const F = galoisRing(4).field;
    const rng = seededRng(2);
    const xs = [1, 2, 3, 4, 5, 6, 7];
    for (let trial = 0; trial < 50; trial++) {
      const f = [rng.below(16), rng.below(16), rng.below(16) || 1];
      const ys = xs.map((x) => polyEval(F, f, x));
      expect(polyInterpolate(F, xs, ys)).toEqual(f);
      const e1 = rng.below(7);
      const e2 = (e1 + 1 + rng.below(6)) % 7;
      const bad = ys.slice();
      bad[e1] = bad[e1]! ^ (1 + rng.below(15));
      bad[e2] = bad[e2]! ^ (1 + rng.below(15));
      expect(gaoDecode(F, xs, bad, 3)).toEqual(f);
    }
  });
});

describe('GaloisRing', () => {
  test('default: mul matches a bigint reference for d = 3..8', () => {
    const rng = seededRng(3);
    for (const d of Object.keys(IRREDUCIBLE_TAPS).map(Number)) {
      const R = galoisRing(d);
      for (let trial = 0; trial < 30; trial++) {
        const a = Array.from({ length: d }, () => randomU64(rng));
        const b = Array.from({ length: d }, () => randomU64(rng));
        expect(R.toBigints(R.mul(R.fromBigints(a), R.fromBigints(b)))).toEqual(refMul(R, a, b));
      }
    }
  });

  test('default: multiplying by a constant through its matrix (constMatrix, mulConstAddInto) equals mulAddInto for d = 3..8', () => {
    const rng = seededRng(5);
    for (const d of Object.keys(IRREDUCIBLE_TAPS).map(Number)) {
      const R = galoisRing(d);
      for (let trial = 0; trial < 20; trial++) {
        const c = R.random(rng, 2);
        const x = R.random(rng, 3);
        const acc = R.random(rng, 2);
        const want = acc.slice();
        R.mulAddInto(want, 1, c, 1, x, 2);
        R.mulConstAddInto(acc, 1, R.constMatrix(c, 1), x, 2);
        expect(acc).toEqual(want);
      }
    }
  });

  test('default: ring axioms on random elements (commutative, associative, distributive)', () => {
    const rng = seededRng(4);
    const R = galoisRing(4);
    for (let trial = 0; trial < 50; trial++) {
      const [a, b, c] = [R.random(rng), R.random(rng), R.random(rng)];
      expect(R.mul(a, b)).toEqual(R.mul(b, a));
      expect(R.mul(R.mul(a, b), c)).toEqual(R.mul(a, R.mul(b, c)));
      expect(R.mul(a, R.add(b, c))).toEqual(R.add(R.mul(a, b), R.mul(a, c)));
      expect(R.add(R.sub(a, b), b)).toEqual(a);
      expect(R.mul(a, R.one())).toEqual(a);
    }
  });

  test('default: inverse of random units for d = 3..8; non-units are refused', () => {
    const rng = seededRng(5);
    for (const d of [3, 4, 5, 6, 7, 8]) {
      const R = galoisRing(d);
      for (let trial = 0; trial < 30; trial++) {
        const a = R.random(rng);
        if (!R.isUnit(a)) continue;
        expect(R.mul(a, R.inv(a))).toEqual(R.one());
      }
      const nonUnit = R.mul(R.constant(2n), R.random(rng));
      expect(R.isUnit(nonUnit)).toBe(false);
      expect(() => R.inv(nonUnit)).toThrow(MpcParameterError);
    }
  });

  test('default: differences of distinct exceptional points are units (all d, all pairs)', () => {
    for (const d of [3, 4, 5, 6, 7, 8]) {
      const R = galoisRing(d);
      let nonUnits = 0;
      for (let i = 0; i <= R.maxParties; i++) {
        for (let j = 0; j <= R.maxParties; j++) {
          if (i === j) continue;
          const diff = R.sub(R.embedParty(i), R.embedParty(j));
          if (!R.isUnit(diff)) nonUnits++;
          else if (d <= 4 && !R.equals(R.mul(diff, R.inv(diff)), 0, R.one(), 0)) nonUnits++;
        }
      }
      expect(nonUnits).toBe(0);
    }
  });

  test('behavior: ringForParties picks the smallest d with 2^d > n', () => {
    expect(ringForParties(4).d).toBe(3);
    expect(ringForParties(7).d).toBe(3);
    expect(ringForParties(8).d).toBe(4);
    expect(ringForParties(13).d).toBe(4);
    expect(ringForParties(255).d).toBe(8);
    expect(() => ringForParties(256)).toThrow(MpcParameterError);
  });

  test('behavior: bad inputs are refused with a named error', () => {
    expect(() => galoisRing(2)).toThrow(MpcParameterError);
    expect(() => galoisRing(9)).toThrow(MpcParameterError);
    const R = galoisRing(3);
    expect(() => R.embedParty(8)).toThrow(/exceptional set/);
    expect(() => R.embedParty(-1)).toThrow(MpcParameterError);
    expect(() => R.fromBigints([1n, 2n, 3n, 4n])).toThrow(MpcParameterError);
    expect(R.fromBytes(new Uint8Array(23), 1)).toBeUndefined();
  });

  test('behavior: bytes round-trip; constants embed Z/2^64', () => {
    const R = galoisRing(4);
    const v = R.random(seededRng(6), 5);
    expect(R.fromBytes(R.toBytes(v), 5)).toEqual(v);
    const a = R.constant(M64);
    const b = R.constant(3n);
    expect(R.toBigints(R.mul(a, b))).toEqual([(M64 * 3n) & M64, 0n, 0n, 0n]);
  });
});
