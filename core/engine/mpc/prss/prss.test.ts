import { describe, expect, test } from '@jest/globals';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { subsets } from '../_testUtils.js';
import { runParties } from '../network/runParties.js';
import { robustOpen } from '../sharing/robustOpen.js';
import { interpolate } from '../sharing/shamir.js';
import { Prss, prssSets, prssSetup, type PrssKeys } from './prss.js';

async function setupAll(n: number, t: number, seed: number): Promise<Map<number, PrssKeys>> {
  const run = await runParties(n, t, (net) => prssSetup(net, t, seededRng(seed * 31 + net.self)), { timeoutMs: 50 });
  expect(run.failures.size).toBe(0);
  return run.outputs;
}

describe('PRSS / PRZS', () => {
  test('default: prssSets lists the C(n, n−t) sets', () => {
    expect(prssSets(4, 1)).toEqual([[1, 2, 3], [1, 2, 4], [1, 3, 4], [2, 3, 4]]);
    expect(prssSets(7, 2)).toHaveLength(21);
  });

  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    test(`default: (n,t) = (${n},${t}) setup agrees on one key per set`, async () => {
      const keys = await setupAll(n, t, n);
      for (const A of prssSets(n, t)) {
        const views = A.map((p) => keys.get(p)!.sets.find((s) => s.members.join() === A.join())!.key);
        for (const v of views) expect(v).toEqual(views[0]);
      }
      // Different sets get different keys.
      const all = new Set([...keys.values()].flatMap((k) => k.sets.map((s) => Buffer.from(s.key).toString('hex'))));
      expect(all.size).toBe(prssSets(n, t).length);
    });

    test(`default: (n,t) = (${n},${t}) PRSS shares: every t+1 subset reconstructs the same value`, async () => {
      const R = ringForParties(n);
      const keys = await setupAll(n, t, n + 1);
      const count = 16;
      const shares = [...Array(n).keys()].map((i) => new Prss(R, keys.get(i + 1)!).random('session/7', count));
      const values = subsets(n, t + 1).map((S) => interpolate(R, S, S.map((p) => shares[p - 1]!), count));
      for (const v of values) expect(v).toEqual(values[0]);
      // Not degenerate: values differ from each other and from another tag's.
      const other = [...Array(n).keys()].map((i) => new Prss(R, keys.get(i + 1)!).random('session/8', count));
      expect(interpolate(R, [1, 2, 3].slice(0, t + 1), other.slice(0, t + 1), count)).not.toEqual(values[0]);
      expect(R.equals(values[0]!, 0, values[0]!, 1)).toBe(false);
    });

    test(`default: (n,t) = (${n},${t}) PRZS shares: every 2t+1 subset reconstructs zero`, async () => {
      const R = ringForParties(n);
      const keys = await setupAll(n, t, n + 2);
      const count = 8;
      const shares = [...Array(n).keys()].map((i) => new Prss(R, keys.get(i + 1)!).zero('session/9', count));
      for (const S of subsets(n, 2 * t + 1)) expect(interpolate(R, S, S.map((p) => shares[p - 1]!), count)).toEqual(R.alloc(count));
      expect(shares[0]).not.toEqual(R.alloc(count));
      // Degree exactly 2t in general: t+1 shares do not interpolate to zero.
      expect(interpolate(R, subsets(n, t + 1)[0]!, shares.slice(0, t + 1), count)).not.toEqual(R.alloc(count));
    });

    test(`default: (n,t) = (${n},${t}) PRSS values open robustly with no blame`, async () => {
      const R = ringForParties(n);
      const keys = await setupAll(n, t, n + 3);
      const run = await runParties(n, t, (net) => robustOpen(net, R, t, new Prss(R, keys.get(net.self)!).random('open', 4), 4));
      const outs = [...run.outputs.values()];
      expect(outs).toHaveLength(n);
      for (const o of outs) expect(o).toEqual({ ...outs[0]!, cheaters: [], missing: [] });
    });
  }
});

describe('PRSS stream', () => {
  test('behavior: ψ through node:crypto equals @noble/hashes SHAKE256', async () => {
    const { createHash } = await import('node:crypto');
    const { shake256 } = await import('@noble/hashes/sha3');
    const msg = new Uint8Array(77).map((_, i) => i * 7);
    for (const len of [0, 1, 24, 136, 137, 1000]) {
      expect(new Uint8Array(createHash('shake256', { outputLength: len }).update(msg).digest())).toEqual(shake256(msg, { dkLen: len }));
    }
  });
});
