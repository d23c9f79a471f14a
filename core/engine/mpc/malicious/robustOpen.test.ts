import { describe, expect, test } from '@jest/globals';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { RobustOpenError } from '../errors.js';
import { runParties, type PartyProgram } from '../network/runParties.js';
import { robustOpen, type RobustOpenReturnType, type RealRobustOpen } from '../sharing/robustOpen.js';
import { shamirShare } from '../sharing/shamir.js';
import { ConsistentLiarParty, DroppingParty, EquivocatingParty, MalformedMessageParty, RandomValuesParty, openProgram } from './robustOpen.js';

const COUNT = 8;
const TIMEOUT = 40;

type StrategyFactory = { name: string; make: (party: number, count: number) => RealRobustOpen; silent?: boolean };

function strategies(seed: number, R: ReturnType<typeof ringForParties>, t: number): StrategyFactory[] {
  const rng = seededRng(seed);
  // One lie polynomial h (degree t) shared by all liars of a run.
  const lie = Array.from({ length: t + 1 }, () => R.random(rng, COUNT));
  const offset = R.random(rng, COUNT);
  return [
    { name: 'DroppingParty', make: () => new DroppingParty(), silent: true },
    { name: 'MalformedMessageParty', make: () => new MalformedMessageParty(), silent: true },
    { name: 'RandomValuesParty', make: (p) => new RandomValuesParty(seededRng(seed * 100 + p)) },
    { name: 'ConsistentLiarParty (degree-t lie)', make: () => new ConsistentLiarParty(lie) },
    { name: 'ConsistentLiarParty (common offset)', make: () => new ConsistentLiarParty([offset]) },
  ];
}

async function runOpen(n: number, t: number, corrupt: readonly number[], strategy: StrategyFactory, seed: number) {
  const R = ringForParties(n);
  const rng = seededRng(seed);
  const secrets = R.random(rng, COUNT);
  const shares = shamirShare(R, secrets, COUNT, n, t, rng);
  const malicious = new Map<number, PartyProgram<unknown>>(corrupt.map((p) => [p, openProgram(strategy.make(p, COUNT), R, t, shares[p - 1]!, COUNT)]));
  const run = await runParties(n, t, (net) => robustOpen(net, R, t, shares[net.self - 1]!, COUNT), { malicious, timeoutMs: TIMEOUT });
  return { R, secrets, run };
}

describe('robust open over the network', () => {
  test('default: all honest parties open the same values, nobody blamed, n² − n messages', async () => {
    for (const [n, t] of [[4, 1], [7, 2]] as const) {
      const { secrets, run } = await runOpen(n, t, [], strategies(1, ringForParties(n), t)[0]!, 1);
      expect(run.failures.size).toBe(0);
      for (const out of run.outputs.values()) expect(out).toEqual({ values: secrets, cheaters: [], missing: [] });
      expect(run.stats.messages).toBe(n * (n - 1));
    }
  });

  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    const placements = n === 4 ? [[1], [2], [4]] : [[1, 2], [3, 7], [6, 7]];
    for (const strat of strategies(0, ringForParties(n), t)) {
      test(`malicious: (n,t) = (${n},${t}), t × ${strat.name}: values right, cheaters named`, async () => {
        let seed = 100;
        for (const corrupt of placements) {
          const { secrets, run } = await runOpen(n, t, corrupt, strategies(seed, ringForParties(n), t).find((s) => s.name === strat.name)!, seed++);
          expect(run.failures).toEqual(new Map());
          expect(run.outputs.size).toBe(n - t);
          for (const out of run.outputs.values()) {
            expect(out.values).toEqual(secrets);
            expect(strat.silent ? out.missing : out.cheaters).toEqual(corrupt);
            expect(strat.silent ? out.cheaters : out.missing).toEqual([]);
          }
        }
      });

      test(`malicious: (n,t) = (${n},${t}), t+1 × ${strat.name}: every honest party detects the failure`, async () => {
        let seed = 200;
        const placementsT1 = n === 4 ? [[1, 2], [2, 4], [3, 4]] : [[1, 2, 3], [2, 5, 7], [5, 6, 7]];
        for (const corrupt of placementsT1) {
          const { run } = await runOpen(n, t, corrupt, strategies(seed, ringForParties(n), t).find((s) => s.name === strat.name)!, seed++);
          expect(run.outputs.size).toBe(0);
          expect(run.failures.size).toBe(n - t - 1);
          for (const e of run.failures.values()) {
            expect(e).toBeInstanceOf(RobustOpenError);
            expect((e as RobustOpenError).code).toBe(strat.silent ? 'MPC_OPEN_TOO_MANY_MISSING' : 'MPC_OPEN_TOO_MANY_ERRORS');
          }
        }
      });
    }
  }

  test('malicious: an equivocating party (truth to some, lies to others) never makes an honest party open a wrong value', async () => {
    for (const [n, t] of [[4, 1], [7, 2]] as const) {
      const R = ringForParties(n);
      const rng = seededRng(300 + n);
      const secrets = R.random(rng, COUNT);
      const shares = shamirShare(R, secrets, COUNT, n, t, rng);
      const corrupt = n === 4 ? [3] : [2, 6];
      const lieTo = new Set([1, 4, 5]);
      const malicious = new Map(corrupt.map((p) => [p, openProgram(new EquivocatingParty(lieTo, R.random(rng, COUNT)), R, t, shares[p - 1]!, COUNT)]));
      const run = await runParties(n, t, (net) => robustOpen(net, R, t, shares[net.self - 1]!, COUNT), { malicious, timeoutMs: TIMEOUT });
      expect(run.failures.size).toBe(0);
      for (const [p, out] of run.outputs) {
        expect((out as RobustOpenReturnType).values).toEqual(secrets);
        expect((out as RobustOpenReturnType).cheaters).toEqual(lieTo.has(p) ? corrupt : []);
      }
    }
  });

  test('behavior: a silent party delays the others by about one timeout, not more', async () => {
    const n = 7;
    const t = 2;
    const R = ringForParties(n);
    const rng = seededRng(400);
    const shares = shamirShare(R, R.random(rng, 1), 1, n, t, rng);
    const malicious = new Map<number, PartyProgram<unknown>>([[4, openProgram(new DroppingParty(), R, t, shares[3]!, 1)], [5, openProgram(new DroppingParty(), R, t, shares[4]!, 1)]]);
    const start = Date.now();
    await runParties(n, t, (net) => robustOpen(net, R, t, shares[net.self - 1]!, 1), { malicious, timeoutMs: 200 });
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(600);
  });
});
