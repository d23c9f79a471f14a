import { describe, expect, test } from '@jest/globals';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { PrssSetupError } from '../errors.js';
import { runParties, type PartyProgram } from '../network/runParties.js';
import { Prss, prssSets, prssSetupDetailed, type PrssKeys, type PrssSetupOutcome } from '../prss/prss.js';
import { robustOpen, robustReconstruct } from '../sharing/robustOpen.js';
import { droppingSetupParty, equivocatingDigestSetupParty, lyingDigestSetupParty, overclaimingSetupParty, randomValuesSetupParty } from './prss.js';
import { ConsistentLiarParty, openProgram } from './robustOpen.js';

const CASES = [
  [4, 1, [2]],
  [7, 2, [3, 6]],
] as const;

async function setupWith(n: number, t: number, malicious: Map<number, PartyProgram<unknown>>, seed: number) {
  const run = await runParties(n, t, (net) => prssSetupDetailed(net, t, seededRng(seed * 31 + net.self)), { malicious, timeoutMs: 40 });
  return { ...run, outputs: new Map([...run.outputs].map(([p, o]) => [p, o.keys])), outcomes: run.outputs };
}

/**
 * The setup completed at every honest party with keys that agree and a PRSS
 * that is a consistent degree-t sharing; the disclosed sets are the same
 * everywhere, each has a corrupt member, and the all-honest set is private.
 */
function expectResolved(n: number, t: number, corrupt: readonly number[], run: { failures: Map<number, unknown>; outputs: Map<number, PrssKeys>; outcomes: Map<number, PrssSetupOutcome> }): PrssSetupOutcome['disclosed'] {
  expect(run.failures).toEqual(new Map());
  expect(run.outputs.size).toBe(n - t);
  expect(keysAgree(run.outputs)).toBe(true);
  const R = ringForParties(n);
  const shares = new Map([...run.outputs].map(([p, k]) => [p, new Prss(R, k).random('x', 4)]));
  const res = robustReconstruct(R, { n, t }, shares, 4);
  expect(res.cheaters).toEqual([]);
  const disclosed = [...run.outcomes.values()][0]!.disclosed;
  for (const o of run.outcomes.values()) expect(o.disclosed).toEqual(disclosed);
  for (const d of disclosed) expect(d.set.some((m) => corrupt.includes(m))).toBe(true);
  const honestSet = prssSets(n, t).find((A) => !A.some((m) => (corrupt as readonly number[]).includes(m)))!;
  expect(disclosed.map((d) => d.set.join())).not.toContain(honestSet.join());
  // Its key is the members' secret, not the public one every disclosed set gets.
  const honestKeys = [...run.outputs.values()].map((k) => Buffer.from(k.sets.find((s) => s.members.join() === honestSet.join())!.key).toString('hex'));
  expect(new Set(honestKeys).size).toBe(1);
  return disclosed;
}

function keysAgree(outputs: Map<number, PrssKeys>): boolean {
  const seen = new Map<string, string>();
  for (const k of outputs.values()) {
    for (const s of k.sets) {
      const id = s.members.join();
      const hex = Buffer.from(s.key).toString('hex');
      if (seen.has(id) && seen.get(id) !== hex) return false;
      seen.set(id, hex);
    }
  }
  return true;
}

describe('PRSS setup against malicious parties', () => {
  for (const [n, t, corrupt] of CASES) {
    test(`malicious: (n,t) = (${n},${t}), t × dropping: setup completes and PRSS stays a consistent degree-t sharing`, async () => {
      const R = ringForParties(n);
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, droppingSetupParty()])), 1);
      expect(run.failures.size).toBe(0);
      expect(keysAgree(run.outputs)).toBe(true);
      const shares = new Map([...run.outputs].map(([p, k]) => [p, new Prss(R, k).random('x', 4)]));
      const res = robustReconstruct(R, { n, t }, shares, 4);
      expect(res.cheaters).toEqual([]);
      expect(res.missing).toEqual([...corrupt]);
    });

    test(`malicious: (n,t) = (${n},${t}), t × random values (different contributions to each peer): setup completes, the liars' sets disclosed, the honest set private`, async () => {
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, randomValuesSetupParty(t, seededRng(p))])), 2);
      const disclosed = expectResolved(n, t, corrupt, run);
      // Every set with a liar saw mismatches; their honest members named them.
      expect(disclosed.length).toBe(prssSets(n, t).filter((A) => A.some((m) => (corrupt as readonly number[]).includes(m))).length);
      for (const d of disclosed) for (const m of d.claimedBy) expect(corrupt).not.toContain(m);
    });

    test(`malicious: (n,t) = (${n},${t}), t × equivocating (wrong digest to one honest party only): setup completes everywhere with the same disclosed sets, named by the victim`, async () => {
      const victim = n; // honest
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, equivocatingDigestSetupParty(t, seededRng(p), victim)])), 5);
      const disclosed = expectResolved(n, t, corrupt, run);
      expect(disclosed.length).toBeGreaterThan(0);
      for (const d of disclosed) {
        expect(d.claimedBy).toEqual([victim]);
        expect(d.set).toContain(victim);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), t × lying digests: setup completes, exactly the liars' sets disclosed`, async () => {
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, lyingDigestSetupParty(t, seededRng(p))])), 3);
      const disclosed = expectResolved(n, t, corrupt, run);
      expect(disclosed.map((d) => d.set.join()).sort()).toEqual(prssSets(n, t).filter((A) => A.some((m) => (corrupt as readonly number[]).includes(m))).map((A) => A.join()).sort());
    });

    test(`malicious: (n,t) = (${n},${t}), t parties claiming a mismatch in every set: only their own sets are disclosed, the honest set stays private`, async () => {
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, overclaimingSetupParty(t, seededRng(p))])), 6);
      const disclosed = expectResolved(n, t, corrupt, run);
      expect(disclosed.map((d) => d.set.join()).sort()).toEqual(prssSets(n, t).filter((A) => A.some((m) => (corrupt as readonly number[]).includes(m))).map((A) => A.join()).sort());
      for (const d of disclosed) expect(d.claimedBy).toEqual(d.set.filter((m) => (corrupt as readonly number[]).includes(m)));
    });

    test(`malicious: (n,t) = (${n},${t}), t consistent liars opening PRSS values: value right, liars named`, async () => {
      const R = ringForParties(n);
      const setup = await setupWith(n, t, new Map(), 4);
      const shares = new Map([...setup.outputs].map(([p, k]) => [p, new Prss(R, k).random('open', 3)]));
      const truth = robustReconstruct(R, { n, t }, shares, 3).values;
      const malicious = new Map(corrupt.map((p) => [p, openProgram(new ConsistentLiarParty([R.random(seededRng(9), 3)]), R, t, shares.get(p)!, 3)]));
      const run = await runParties(n, t, (net) => robustOpen(net, R, t, shares.get(net.self)!, 3), { malicious, timeoutMs: 40 });
      for (const o of run.outputs.values()) expect(o).toEqual({ values: truth, cheaters: [...corrupt], missing: [] });
    });
  }
});
