/**
 * The DKG's algebra at toy shapes, in memory: after `distributedKeygen` the
 * opened bodies satisfy tfhe-rs's relations (module doc of keygen.ts) for the
 * keys the shares reconstruct to, with noise inside the TUniform bound; the
 * same with a malicious party (lying opens, silent), whose presence changes
 * nothing and who is named. The tfhe-rs side (that these bodies make keys
 * tfhe-rs computes with) is tested with the native tool in
 * core/service/threshold/dkg.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { ringForParties, type GaloisRing, type GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { getU64 } from '../algebra/z64.js';
import { DroppingParty, RandomValuesParty } from '../malicious/robustOpen.js';
import { OffsetLiarParty, runSessions } from '../malicious/online.js';
import type { RealRobustOpen } from '../sharing/robustOpen.js';
import { distributedKeygen, keygenLayout } from './keygen.js';
import { tUniformFromBits } from './tuniform.js';
import { ChunkedRandomness, decodeChunk, encodeChunk, generateChunk, keygenPreprocessingPlan } from './preprocessing.js';

import { PKE_SHAPE, SHAPE, expectWithin, noiseOf, randomMasks, secretsOf, signed } from './_testUtils.js';

describe('distributed key generation (engine)', () => {
  test('TUniform from bits covers [−2^B, 2^B] with the ends at half weight', () => {
    const R = ringForParties(4);
    const B = 2;
    const per = B + 2;
    // All 2^(B+2) bit patterns, one sample each: counts must be 1,2,2,…,2,1 over −4..4.
    const patterns = 1 << per;
    const bits = R.alloc(patterns * per);
    for (let v = 0; v < patterns; v++) for (let i = 0; i < per; i++) if ((v >> i) & 1) R.copyInto(bits, v * per + i, R.one(), 0);
    const noise = tUniformFromBits(R, bits, patterns, B);
    const counts = new Map<bigint, number>();
    for (let v = 0; v < patterns; v++) {
      const e = signed(getU64(noise, v * R.d));
      counts.set(e, (counts.get(e) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => Number(a - b))).toEqual([-4n, -3n, -2n, -1n, 0n, 1n, 2n, 3n, 4n]);
    expect([...counts.entries()].sort((a, b) => Number(a[0] - b[0])).map(([, c]) => c)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 1]);
  });

  const ADVERSARIES: Array<{ name: string; make: (R: GaloisRing) => RealRobustOpen; silent?: boolean }> = [
    { name: 'none', make: () => undefined as unknown as RealRobustOpen },
    { name: 'RandomValuesParty (garbage in every open)', make: () => new RandomValuesParty(seededRng(91)) },
    { name: 'OffsetLiarParty (one consistent lie)', make: (R) => new OffsetLiarParty(R.random(seededRng(5))) },
    { name: 'DroppingParty (silent)', make: () => new DroppingParty(), silent: true },
  ];
  for (const adv of ADVERSARIES) {
    test(`(4,1), malicious party: ${adv.name} — bodies satisfy the tfhe-rs relations, keys are bits, noise within bounds`, async () => {
      const R = ringForParties(4);
      const L = keygenLayout(SHAPE);
      const masks = randomMasks(L.maskWords, 7);
      const malicious = adv.name === 'none' ? undefined : new Map([[3, adv.make(R)]]);
      const run = await runSessions(R, 4, 1, async (session) => ({ ...(await distributedKeygen(session, SHAPE, masks, { keepSmallKeyShare: true, batch: 50, localWorkTimeoutMs: 1000 })), excluded: [...session.excluded] }), malicious ? { malicious } : {});
      expect(run.failures.size).toBe(0);
      const honest = [...run.outputs].filter(([p]) => p !== 3 || !malicious);
      expect(honest.length).toBeGreaterThanOrEqual(3);
      const bodies = honest[0]![1].bodies;
      for (const [, o] of honest) expect(o.bodies).toEqual(bodies); // byte-identical public output
      if (malicious) for (const [p, o] of honest) if (p !== 3) expect(o.excluded).toEqual([3]);
      const shares = (f: (o: (typeof honest)[number][1]) => GrVector): Map<number, GrVector> => new Map(honest.filter(([p]) => p !== 3).map(([p, o]) => [p, f(o)]));
      const S = secretsOf(R, 1, shares((o) => o.bigKeyShare), L.bigDimension);
      const s = secretsOf(R, 1, shares((o) => o.smallKeyShare!), SHAPE.lweDimension);
      for (const b of [...S, ...s]) expect(b === 0n || b === 1n).toBe(true);
      expect(S.some((b) => b === 1n) && S.some((b) => b === 0n)).toBe(true);
      const noise = noiseOf(SHAPE, masks, bodies, S, s);
      expectWithin(noise.cpk, SHAPE.cpkNoiseBoundLog2);
      expectWithin(noise.ksk, SHAPE.lweNoiseBoundLog2);
      expectWithin(noise.bsk, SHAPE.glweNoiseBoundLog2);
    }, 120_000);
  }

  test('(4,1), dedicated compact public key (the fhevm layout) with a garbage-sending party: the compact key is under a third secret Z, the casting key switches Z → s', async () => {
    const R = ringForParties(4);
    const L = keygenLayout(PKE_SHAPE);
    const pke = PKE_SHAPE.pke!;
    expect(L.cpk.samples).toBe(pke.dimension);
    expect(L.cksk).toEqual({ maskAt: L.bsk.maskAt + L.bsk.rows * SHAPE.glweDimension * SHAPE.polynomialSize, bodyAt: L.bsk.bodyAt + L.bsk.samples, rows: pke.dimension * pke.castingLevel });
    expect(L.bits).toBe(keygenLayout(SHAPE).bits - L.bigDimension * (SHAPE.cpkNoiseBoundLog2 + 2) + pke.dimension * (1 + PKE_SHAPE.cpkNoiseBoundLog2 + 2) + L.cksk!.rows * (pke.castingNoiseBoundLog2 + 2));
    const masks = randomMasks(L.maskWords, 17);
    const malicious = new Map([[2, new RandomValuesParty(seededRng(93)) as RealRobustOpen]]);
    const run = await runSessions(R, 4, 1, async (session) => ({ ...(await distributedKeygen(session, PKE_SHAPE, masks, { keepSmallKeyShare: true, batch: 64, localWorkTimeoutMs: 1000 })), excluded: [...session.excluded] }), { malicious });
    expect(run.failures.size).toBe(0);
    const honest = [...run.outputs].filter(([p]) => p !== 2);
    for (const [, o] of honest) {
      expect(o.bodies).toEqual(honest[0]![1].bodies);
      expect(o.excluded).toEqual([2]);
    }
    const shares = (f: (o: (typeof honest)[number][1]) => GrVector): Map<number, GrVector> => new Map(honest.map(([p, o]) => [p, f(o)]));
    const S = secretsOf(R, 1, shares((o) => o.bigKeyShare), L.bigDimension);
    const s = secretsOf(R, 1, shares((o) => o.smallKeyShare!), SHAPE.lweDimension);
    const Z = secretsOf(R, 1, shares((o) => o.pkeKeyShare!), pke.dimension);
    for (const b of [...S, ...s, ...Z]) expect(b === 0n || b === 1n).toBe(true);
    expect(Z.some((b) => b === 1n) && Z.some((b) => b === 0n)).toBe(true);
    const bodies = honest[0]![1].bodies;
    const noise = noiseOf(PKE_SHAPE, masks, bodies, S, s, Z);
    expectWithin(noise.cpk, PKE_SHAPE.cpkNoiseBoundLog2);
    expectWithin(noise.ksk, SHAPE.lweNoiseBoundLog2);
    expectWithin(noise.bsk, SHAPE.glweNoiseBoundLog2);
    expectWithin(noise.cksk, pke.castingNoiseBoundLog2);
    expect(noise.cksk).toHaveLength(pke.dimension * pke.castingLevel);
    // The checker sees the difference: the compact key is not under S, the casting key not under S.
    const zAsS = [...S.slice(0, pke.dimension)];
    expect(() => expectWithin(noiseOf(PKE_SHAPE, masks, bodies, S, s, zAsS).cpk, PKE_SHAPE.cpkNoiseBoundLog2)).toThrow();
    expect(() => expectWithin(noiseOf(PKE_SHAPE, masks, bodies, S, s, zAsS).cksk, pke.castingNoiseBoundLog2)).toThrow();
  }, 120_000);

  test('a wrong relation is caught by the checker (the test can fail)', async () => {
    const R = ringForParties(4);
    const L = keygenLayout(SHAPE);
    const masks = randomMasks(L.maskWords, 8);
    const run = await runSessions(R, 4, 1, (session) => distributedKeygen(session, SHAPE, masks, { keepSmallKeyShare: true, localWorkTimeoutMs: 1000 }));
    const outs = new Map([...run.outputs].slice(0, 2));
    const S = secretsOf(R, 1, new Map([...outs].map(([p, o]) => [p, o.bigKeyShare])), L.bigDimension);
    const s = secretsOf(R, 1, new Map([...outs].map(([p, o]) => [p, o.smallKeyShare!])), SHAPE.lweDimension);
    const bodies = run.outputs.get(1)!.bodies.slice();
    bodies[L.bsk.bodyAt + 3] = bodies[L.bsk.bodyAt + 3]! + (1n << 40n);
    expect(() => expectWithin(noiseOf(SHAPE, masks, bodies, S, s).bsk, SHAPE.glweNoiseBoundLog2)).toThrow();
    const flipped = [...S];
    flipped[0] = 1n - flipped[0]!;
    expect(() => expectWithin(noiseOf(SHAPE, masks, run.outputs.get(1)!.bodies, flipped, s).cpk, SHAPE.cpkNoiseBoundLog2)).toThrow();
  }, 120_000);

  test('from stored chunks: preprocessing in sealed-size chunks, then the keygen streams them — same relations, and a chunk cannot be swapped', async () => {
    const R = ringForParties(4);
    const L = keygenLayout(SHAPE);
    const plan = keygenPreprocessingPlan(L, 97);
    expect(plan.chunks.filter((c) => c.kind === 'bits').reduce((a, c) => a + c.count, 0)).toBe(L.bits);
    expect(plan.chunks.filter((c) => c.kind === 'triples').reduce((a, c) => a + c.count, 0)).toBe(L.products);
    const masks = randomMasks(L.maskWords, 9);
    const run = await runSessions(R, 4, 1, async (session) => {
      const stored = new Map<number, Uint8Array>();
      for (const c of plan.chunks) stored.set(c.index, encodeChunk(R, c, await generateChunk(session, c)));
      // A chunk stored under another index is refused (it would pair with other parties' chunk).
      const [c0, c1] = plan.chunks;
      expect(() => decodeChunk(R, c1!, stored.get(c0!.index)!)).toThrow(/not the expected one/);
      const randomness = new ChunkedRandomness(R, plan, async (spec) => decodeChunk(R, spec, stored.get(spec.index)!));
      return distributedKeygen(session, SHAPE, masks, { keepSmallKeyShare: true, batch: 50, randomness, localWorkTimeoutMs: 1000 });
    });
    expect(run.failures.size).toBe(0);
    const outs = [...run.outputs];
    const S = secretsOf(R, 1, new Map(outs.map(([p, o]) => [p, o.bigKeyShare])), L.bigDimension);
    const s = secretsOf(R, 1, new Map(outs.map(([p, o]) => [p, o.smallKeyShare!])), SHAPE.lweDimension);
    const noise = noiseOf(SHAPE, masks, outs[0]![1].bodies, S, s);
    expectWithin(noise.cpk, SHAPE.cpkNoiseBoundLog2);
    expectWithin(noise.ksk, SHAPE.lweNoiseBoundLog2);
    expectWithin(noise.bsk, SHAPE.glweNoiseBoundLog2);
  }, 120_000);
});
