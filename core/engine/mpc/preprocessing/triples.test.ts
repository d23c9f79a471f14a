import { describe, expect, test } from '@jest/globals';
import { ringForParties, type GaloisRing, type GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { PreprocessingError } from '../errors.js';
import { DroppingParty, RandomValuesParty } from '../malicious/robustOpen.js';
import { OffsetLiarParty, TargetedLiarParty, runSessions } from '../malicious/online.js';
import { agreementRounds } from '../agreement/agreement.js';
import { beaverMultiply } from '../online/multiply.js';
import type { RealRobustOpen } from '../sharing/robustOpen.js';
import { reconstruct } from '../sharing/shamir.js';
import { generateRandomBits, solveArtinSchreier } from './randomBits.js';
import { CountingTripleGeneration, CryingWolfTriples, RotatingTargetTriples, StatusLiarTriples } from '../malicious/triples.js';
import { RealTripleGeneration, decodeClaim, encodeClaim, generateTriples, sliceTriples, type Triples } from './triples.js';

const COUNT = 24;

/** Reconstructs from the honest parties' shares (the first t+1 of them). */
function open(R: GaloisRing, t: number, shares: Map<number, GrVector>, count: number): GrVector {
  return reconstruct(R, t, shares, count);
}

function pick<T>(outputs: Map<number, T>, f: (o: T) => GrVector): Map<number, GrVector> {
  return new Map([...outputs].map(([p, o]) => [p, f(o)]));
}

function expectTriplesCorrect(R: GaloisRing, t: number, outputs: Map<number, Triples>): void {
  const a = open(R, t, pick(outputs, (o) => o.a), COUNT);
  const b = open(R, t, pick(outputs, (o) => o.b), COUNT);
  const c = open(R, t, pick(outputs, (o) => o.c), COUNT);
  for (let v = 0; v < COUNT; v++) expect(R.toBigints(R.mul(R.get(a, v), R.get(b, v)))).toEqual(R.toBigints(c, v));
  // Every honest subset of t+1 agrees (the sharings are of degree t).
  const parties = [...outputs.keys()];
  const other = new Map(parties.slice(-(t + 1)).map((p) => [p, outputs.get(p)!.c]));
  expect(open(R, t, other, COUNT)).toEqual(c);
}

type Strategy = { name: string; make: (R: GaloisRing, p: number) => RealRobustOpen; silent?: boolean };
const STRATEGIES: Strategy[] = [
  { name: 'DroppingParty', make: () => new DroppingParty(), silent: true },
  { name: 'RandomValuesParty', make: (_R, p) => new RandomValuesParty(seededRng(77 + p)) },
  { name: 'OffsetLiarParty (consistent lie)', make: (R) => new OffsetLiarParty(R.random(seededRng(5))) },
];

describe('Beaver triples from PRSS/PRZS', () => {
  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    test(`default: (n,t) = (${n},${t}) c = a·b, 2 + 3(t+1) rounds after setup (round 1, status, agreement), nobody blamed`, async () => {
      const R = ringForParties(n);
      const run = await runSessions(R, n, t, async (s) => ({ tr: await generateTriples(s, COUNT), excluded: [...s.excluded], round: s.net.round }));
      expect(run.failures.size).toBe(0);
      expectTriplesCorrect(R, t, pick(run.outputs, (o) => o.tr.a).size ? new Map([...run.outputs].map(([p, o]) => [p, o.tr])) : new Map());
      for (const o of run.outputs.values()) {
        expect(o.excluded).toEqual([]);
        // Setup: 2 rounds + agreed outcome; the batch: round 1 + agreed status.
        expect(o.round).toBe(2 + 1 + agreementRounds(t) + 1 + 1 + agreementRounds(t));
      }
    });

    for (const strat of STRATEGIES) {
      test(`malicious: (n,t) = (${n},${t}), t × ${strat.name}: triples right, cheaters named`, async () => {
        const R = ringForParties(n);
        const corrupt = n === 4 ? [3] : [2, 6];
        const malicious = new Map(corrupt.map((p) => [p, strat.make(R, p)]));
        const run = await runSessions(R, n, t, async (s) => ({ tr: await generateTriples(s, COUNT), excluded: [...s.excluded].sort() }), { malicious });
        expect(run.failures).toEqual(new Map());
        expectTriplesCorrect(R, t, new Map([...run.outputs].map(([p, o]) => [p, o.tr])));
        for (const o of run.outputs.values()) expect(o.excluded).toEqual(corrupt);
      });
    }

    test(`malicious: (n,t) = (${n},${t}), t × equivocating (wrong shares to one honest party only): every honest party discards the same batch, then all keep the same triples`, async () => {
      const R = ringForParties(n);
      const corrupt = n === 4 ? [3] : [2, 6];
      const victim = n === 4 ? 1 : 7;
      const malicious = new Map(corrupt.map((p) => [p, new TargetedLiarParty(victim, R.random(seededRng(p))) as RealRobustOpen]));
      const run = await runSessions(
        R,
        n,
        t,
        async (s) => {
          const failures: number[][] = [];
          for (;;) {
            try {
              return { tr: await new RealTripleGeneration().batch(s, COUNT), failures, excluded: [...s.excluded].sort() };
            } catch (e) {
              if (!(e instanceof PreprocessingError) || failures.length >= 3) throw e;
              failures.push([...e.cheaters]);
            }
          }
        },
        { malicious },
      );
      expect(run.failures).toEqual(new Map());
      expect(run.outputs.size).toBe(n - t);
      expectTriplesCorrect(R, t, new Map([...run.outputs].map(([p, o]) => [p, o.tr])));
      // Same decisions everywhere: one discarded batch, with the same (agreed) blame — nobody convicted,
      // as only the victim saw the lie; the victim alone excludes the liars (its own proof).
      for (const [p, o] of run.outputs) {
        expect(o.failures).toEqual([[]]);
        expect(o.excluded).toEqual(p === victim ? corrupt : []);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), t+1 random or lying parties: detected, no triples`, async () => {
      const R = ringForParties(n);
      const corrupt = n === 4 ? [1, 3] : [2, 4, 6];
      for (const strat of STRATEGIES.slice(1)) {
        const malicious = new Map(corrupt.map((p) => [p, strat.make(R, p)]));
        const run = await runSessions(R, n, t, (s) => generateTriples(s, COUNT), { malicious });
        expect(run.outputs.size).toBe(0);
        for (const e of run.failures.values()) expect(e).toBeInstanceOf(PreprocessingError);
      }
    });
  }
});

interface DisputeRun {
  /** Honest parties' triples, convictions and batch counts. */
  honest: Map<number, { tr: Triples; excluded: number[]; proven: number[]; batches: number }>;
  failures: Map<number, unknown>;
}

/** Runs generateTriples on every party, the corrupt ones with their generation protocol. */
async function runWithGenerations(n: number, t: number, adversaries: ReadonlyMap<number, () => RealTripleGeneration>): Promise<DisputeRun> {
  const R = ringForParties(n);
  const run = await runSessions(R, n, t, async (s) => {
    const gen = adversaries.get(s.net.self)?.() ?? new CountingTripleGeneration();
    const tr = await generateTriples(s, COUNT, { generation: gen });
    const sorted = (x: Set<number>) => [...x].sort((a, b) => a - b);
    return { tr, excluded: sorted(s.excluded), proven: sorted(s.proven), batches: gen instanceof CountingTripleGeneration ? gen.batches : -1 };
  });
  const honest = new Map([...run.outputs].filter(([p]) => !adversaries.has(p)));
  const failures = new Map([...run.failures].filter(([p]) => !adversaries.has(p)));
  return { honest, failures };
}

/** Every honest party kept correct triples after the same number of batches, with the same convictions. */
function expectSettled(n: number, t: number, run: DisputeRun, o: { batches: number; excluded: number[]; proven: number[] }): void {
  const R = ringForParties(n);
  expect(run.failures).toEqual(new Map());
  expect(run.honest.size).toBe(n - t);
  expectTriplesCorrect(R, t, new Map([...run.honest].map(([p, x]) => [p, x.tr])));
  for (const x of run.honest.values()) {
    expect(x.batches).toBe(o.batches);
    expect(x.excluded).toEqual(o.excluded);
    expect(x.proven).toEqual(o.proven);
  }
}

/**
 * Right triples at every honest party, after the same number of batches (at
 * most t+2) and with the same convictions, all of corrupt parties.
 */
function expectConsistent(n: number, t: number, run: DisputeRun, corrupt: readonly number[], maxBatches = t + 2): { batches: number; proven: number[] } {
  expect(run.failures).toEqual(new Map());
  expect(run.honest.size).toBe(n - t);
  expectTriplesCorrect(ringForParties(n), t, new Map([...run.honest].map(([p, x]) => [p, x.tr])));
  const views = [...run.honest.values()];
  for (const x of views) {
    expect(x.batches).toBe(views[0]!.batches);
    expect(x.proven).toEqual(views[0]!.proven);
    expect(x.batches).toBeLessThanOrEqual(maxBatches);
    for (const p of x.proven) expect(corrupt).toContain(p);
  }
  return views[0]!;
}

describe('triples: dispute control (attacks on the check itself)', () => {
  test('default: a blame claim survives encoding; malformed claims are rejected', () => {
    const claim = { ok: false, heard: new Map([[1, true], [3, false]]), accused: [{ party: 2, kind: 'deviation' as const }, { party: 4, kind: 'silence' as const }] };
    expect(decodeClaim(4, encodeClaim(4, claim))).toEqual(claim);
    const bytes = encodeClaim(4, claim);
    for (const bad of [bytes.subarray(0, 4), Uint8Array.of(...bytes, 1), Uint8Array.from(bytes).fill(9, 1, 2), Uint8Array.from(bytes).fill(5, 5, 6), Uint8Array.from(bytes).fill(2, 6, 7)]) {
      expect(decodeClaim(4, bad)).toBeUndefined();
    }
    expect(decodeClaim(4, undefined)).toBeUndefined();
  });

  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    const corrupt = n === 4 ? [3] : [2, 6];
    const honestIds = Array.from({ length: n }, (_, i) => i + 1).filter((p) => !corrupt.includes(p));
    /** A different honest victim in each batch. */
    const rotating = (k: number) => [honestIds[k % honestIds.length]!];
    const each = (make: () => RealTripleGeneration) => new Map(corrupt.map((p) => [p, make]));
    const delta = ringForParties(n).random(seededRng(41));

    test(`malicious: (n,t) = (${n},${t}), t parties crying wolf (say "failed" with consistent shares): convicted after one discarded batch`, async () => {
      const run = await runWithGenerations(n, t, each(() => new CryingWolfTriples()));
      expectSettled(n, t, run, { batches: 2, excluded: corrupt, proven: corrupt });
    });

    test(`malicious: (n,t) = (${n},${t}), t parties crying wolf and denying it in the broadcast: convicted by the status disputes`, async () => {
      const run = await runWithGenerations(n, t, each(() => new CryingWolfTriples({ claimOk: true })));
      expectSettled(n, t, run, { batches: 2, excluded: corrupt, proven: corrupt });
    });

    test(`malicious: (n,t) = (${n},${t}), t parties crying wolf and accusing a different honest party each time: convicted at t+1 disputes, no honest party convicted`, async () => {
      const run = await runWithGenerations(n, t, each(() => new CryingWolfTriples({ accuse: rotating })));
      expectSettled(n, t, run, { batches: t + 2, excluded: corrupt, proven: corrupt });
    });

    test(`malicious: (n,t) = (${n},${t}), t parties sending wrong shares to a different single honest party each batch: convicted at t+1 disputes (the old blame alone never convicted them and gave up)`, async () => {
      const run = await runWithGenerations(n, t, each(() => new RotatingTargetTriples({ victims: rotating, delta })));
      expectSettled(n, t, run, { batches: t + 2, excluded: corrupt, proven: corrupt });
      // Without dispute control every batch would be discarded: the same attack with t+1 attempts fails.
      const capped = await runSessions(ringForParties(n), n, t, (s) => generateTriples(s, COUNT, { generation: corrupt.includes(s.net.self) ? new RotatingTargetTriples({ victims: rotating, delta }) : new RealTripleGeneration(), maxAttempts: t + 1 }));
      for (const p of honestIds) expect(capped.failures.get(p)).toBeInstanceOf(PreprocessingError);
    });

    test(`malicious: (n,t) = (${n},${t}), t parties silent towards a different honest party each batch and crying wolf: right triples within t+2 batches, silence never counted as a proven lie`, async () => {
      const run = await runWithGenerations(n, t, each(() => new RotatingTargetTriples({ victims: rotating, delta, silent: true, cryWolf: () => true })));
      // Once the first victim ignores them, the agreement may keep a batch only some honest parties objected to.
      expectConsistent(n, t, run, corrupt);
      for (const x of run.honest.values()) expect(x.proven).toEqual([]);
    });

    test(`malicious: (n,t) = (${n},${t}), t parties telling "failed" to a different single honest party each batch: right triples, same decisions everywhere, no honest party convicted`, async () => {
      const run = await runWithGenerations(n, t, each(() => new StatusLiarTriples(rotating)));
      // The agreement may keep a batch only one honest party objected to; whatever it decides, it decides it everywhere.
      const first = expectConsistent(n, t, run, corrupt);
      if (first.batches === t + 2) expect(first.proven).toEqual(corrupt);
    });

    if (t >= 2) {
      test(`malicious: (n,t) = (${n},${t}), one party eliminated for silence then silent to all, another lying to one honest party per batch afterwards: the honest witnesses still prove the liar, no honest party convicted`, async () => {
        const [silentOne, liar] = corrupt as readonly number[];
        // Batches 0..t: `silentOne` is silent to one honest party each and `liar` cries wolf, so each of
        // these batches is discarded and `silentOne` is eliminated (silence only: not proven). From
        // batch t+1 on it is silent to everyone, and `liar` sends a wrong share to one honest party per
        // batch. If eliminated parties counted towards "full", no honest party would reveal any more,
        // the witness could prove nothing and would be convicted as a crying wolf.
        const early = (k: number) => k <= t;
        const everyoneBut = (p: number) => Array.from({ length: n }, (_, i) => i + 1).filter((j) => j !== p);
        const run = await runWithGenerations(
          n,
          t,
          new Map<number, () => RealTripleGeneration>([
            [silentOne!, () => new RotatingTargetTriples({ victims: (k) => (early(k) ? [honestIds[k]!] : everyoneBut(silentOne!)), delta, silent: true })],
            [liar!, () => new RotatingTargetTriples({ victims: (k) => (early(k) ? [] : rotating(k)), delta, cryWolf: early })],
          ]),
        );
        const first = expectConsistent(n, t, run, corrupt, t * (t + 1) + 2);
        for (const x of run.honest.values()) expect(x.excluded).toEqual(corrupt);
        // t+1 discards eliminate `silentOne`, t+1 proven lies convict `liar`, then a batch is kept.
        expect({ batches: first.batches, proven: first.proven }).toEqual({ batches: 2 * (t + 1) + 1, proven: [liar] });
      });
    }

    if (t >= 2) {
      test(`malicious: (n,t) = (${n},${t}), one party silent to a victim and another telling only that victim "failed": every honest party takes the same decision (no local keep/discard split)`, async () => {
        const [silentOne, statusLiar] = corrupt as readonly number[];
        const victim = honestIds[honestIds.length - 1]!;
        const run = await runWithGenerations(
          n,
          t,
          new Map<number, () => RealTripleGeneration>([
            [silentOne!, () => new RotatingTargetTriples({ victims: (k) => (k === 0 ? [victim] : []), delta, silent: true })],
            [statusLiar!, () => new StatusLiarTriples((k) => (k === 0 ? [victim] : []))],
          ]),
        );
        // The victim is not full, so it says "no" itself: the batch is discarded everywhere (a local
        // "keep unless I heard no" rule once let the others keep it while the victim discarded alone).
        const first = expectConsistent(n, t, run, corrupt);
        expect(first.batches).toBe(2);
        for (const x of run.honest.values()) expect(x.proven).toEqual([]);
      });
    }

    test(`malicious: (n,t) = (${n},${t}), t+1 parties crying wolf: every honest party fails (detected), nobody honest convicted`, async () => {
      const many = n === 4 ? [1, 3] : [2, 4, 6];
      const R = ringForParties(n);
      const run = await runSessions(R, n, t, async (s) => {
        try {
          return await generateTriples(s, COUNT, { generation: many.includes(s.net.self) ? new CryingWolfTriples() : new RealTripleGeneration() });
        } finally {
          for (const p of s.proven) if (!many.includes(s.net.self)) expect(many).toContain(p);
        }
      });
      for (let p = 1; p <= n; p++) if (!many.includes(p)) expect(run.failures.get(p)).toBeInstanceOf(PreprocessingError);
    });
  }
});

describe('Beaver multiplication', () => {
  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    test(`default and malicious: (n,t) = (${n},${t}) x·y right with t random-value parties in every open`, async () => {
      const R = ringForParties(n);
      const rng = seededRng(9);
      const x = R.random(rng, COUNT);
      const y = R.random(rng, COUNT);
      const { shamirShare } = await import('../sharing/shamir.js');
      const xs = shamirShare(R, x, COUNT, n, t, rng);
      const ys = shamirShare(R, y, COUNT, n, t, rng);
      const corrupt = n === 4 ? [2] : [1, 7];
      for (const malicious of [new Map(), new Map(corrupt.map((p) => [p, new RandomValuesParty(seededRng(p)) as RealRobustOpen]))]) {
        const run = await runSessions(
          R,
          n,
          t,
          async (s) => {
            const tr = await generateTriples(s, COUNT);
            return { z: await beaverMultiply(s, xs[s.net.self - 1]!, ys[s.net.self - 1]!, sliceTriples(R, tr, 0, COUNT), COUNT), excluded: [...s.excluded].sort() };
          },
          { malicious },
        );
        expect(run.failures.size).toBe(0);
        const z = open(R, t, pick(run.outputs, (o) => o.z), COUNT);
        for (let v = 0; v < COUNT; v++) expect(R.toBigints(z, v)).toEqual(R.toBigints(R.mul(R.get(x, v), R.get(y, v))));
        for (const o of run.outputs.values()) expect(o.excluded).toEqual([...malicious.keys()]);
      }
    });
  }
});

describe('random bits (x² + x = a + a², eprint 2025/699)', () => {
  test('default: solveArtinSchreier returns a or −a−1 for random a, each about half the time', () => {
    for (const d of [3, 4, 5, 8]) {
      const R = ringForParties((1 << d) - 1);
      const rng = seededRng(d);
      let same = 0;
      for (let k = 0; k < 200; k++) {
        const a = R.random(rng);
        const v = R.add(R.mul(a, a), a);
        const r = solveArtinSchreier(R, v);
        expect(R.toBigints(R.add(R.mul(r, r), r))).toEqual(R.toBigints(v));
        const other = R.sub(R.neg(a), R.one());
        if (R.equals(r, 0, a, 0)) same++;
        else expect(R.toBigints(r)).toEqual(R.toBigints(other));
      }
      expect(same).toBeGreaterThan(60);
      expect(same).toBeLessThan(140);
    }
  });

  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    test(`default and malicious: (n,t) = (${n},${t}) bits are 0/1, balanced, with t liars`, async () => {
      const R = ringForParties(n);
      const corrupt = n === 4 ? [4] : [3, 5];
      const N = 200;
      for (const malicious of [new Map<number, RealRobustOpen>(), new Map(corrupt.map((p) => [p, new OffsetLiarParty(R.random(seededRng(3))) as RealRobustOpen]))]) {
        const run = await runSessions(R, n, t, async (s) => ({ bits: await generateRandomBits(s, N, await generateTriples(s, N)), excluded: [...s.excluded].sort() }), { malicious });
        expect(run.failures.size).toBe(0);
        const bits = open(R, t, pick(run.outputs, (o) => o.bits), N);
        let ones = 0;
        for (let k = 0; k < N; k++) {
          const b = R.toBigints(bits, k);
          expect(b.slice(1)).toEqual(Array(R.d - 1).fill(0n));
          expect([0n, 1n]).toContain(b[0]);
          if (b[0] === 1n) ones++;
        }
        expect(ones).toBeGreaterThan(70);
        expect(ones).toBeLessThan(130);
        for (const o of run.outputs.values()) expect(o.excluded).toEqual([...malicious.keys()]);
      }
    });
  }
});
