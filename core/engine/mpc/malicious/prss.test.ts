import { describe, expect, test } from '@jest/globals';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { overrideNetwork } from '../network/network.js';
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
 * that is a consistent degree-t sharing; the dropped contributions are the
 * same everywhere and all lie in sets with a corrupt member, so the
 * all-honest set keeps every contribution (its key stays secret).
 */
function expectResolved(n: number, t: number, corrupt: readonly number[], run: { failures: Map<number, unknown>; outputs: Map<number, PrssKeys>; outcomes: Map<number, PrssSetupOutcome> }): PrssSetupOutcome {
  expect(run.failures).toEqual(new Map());
  expect(run.outputs.size).toBe(n - t);
  expect(keysAgree(run.outputs)).toBe(true);
  const R = ringForParties(n);
  const shares = new Map([...run.outputs].map(([p, k]) => [p, new Prss(R, k).random('x', 4)]));
  const res = robustReconstruct(R, { n, t }, shares, 4);
  expect(res.cheaters).toEqual([]);
  const first = [...run.outcomes.values()][0]!;
  for (const o of run.outcomes.values()) {
    expect(o.dropped).toEqual(first.dropped);
    expect(o.publicSets).toEqual(first.publicSets);
  }
  for (const d of first.dropped) expect(d.set.some((m) => corrupt.includes(m))).toBe(true);
  const honestSet = prssSets(n, t).find((A) => !A.some((m) => corrupt.includes(m)))!;
  expect(first.dropped.filter((d) => d.set.join() === honestSet.join())).toEqual([]);
  expect(first.publicSets.map((A) => A.join())).not.toContain(honestSet.join());
  return first;
}

/** Sets containing one of `parties`, as "1,2,3" strings. */
function setsWith(n: number, t: number, parties: readonly number[]): string[] {
  return prssSets(n, t).filter((A) => A.some((m) => parties.includes(m))).map((A) => A.join());
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
    const bad: readonly number[] = corrupt;

    test(`malicious: (n,t) = (${n},${t}), t × dropping: setup completes, their (missing) contributions left out everywhere`, async () => {
      const run = await setupWith(n, t, new Map(bad.map((p) => [p, droppingSetupParty()])), 1);
      const o = expectResolved(n, t, bad, run);
      expect(o.dropped.length).toBeGreaterThan(0);
      for (const d of o.dropped) expect(bad).toContain(d.member);
    });

    test(`malicious: (n,t) = (${n},${t}), t × random values (different contributions to each peer): setup completes, exactly their contributions left out`, async () => {
      const run = await setupWith(n, t, new Map(bad.map((p) => [p, randomValuesSetupParty(t, seededRng(p))])), 2);
      const o = expectResolved(n, t, bad, run);
      const expected = prssSets(n, t).flatMap((A) => A.filter((m) => bad.includes(m)).map((m) => `${A.join()}|${m}`)).sort();
      expect(o.dropped.map((d) => `${d.set.join()}|${d.member}`).sort()).toEqual(expected);
      for (const d of o.dropped) for (const m of d.claimedBy) expect(bad).not.toContain(m);
    });

    test(`malicious: (n,t) = (${n},${t}), t × equivocating (wrong fingerprints to one honest party only): setup completes everywhere, the same contributions left out, reported by the victim`, async () => {
      const victim = n; // honest
      const run = await setupWith(n, t, new Map(bad.map((p) => [p, equivocatingDigestSetupParty(t, seededRng(p), victim)])), 5);
      const o = expectResolved(n, t, bad, run);
      expect(o.dropped.length).toBeGreaterThan(0);
      for (const d of o.dropped) expect(d.claimedBy).toEqual([victim]);
    });

    test(`malicious: (n,t) = (${n},${t}), t × lying fingerprints: setup completes, only sets with a liar touched`, async () => {
      const run = await setupWith(n, t, new Map(bad.map((p) => [p, lyingDigestSetupParty(t, seededRng(p))])), 3);
      const o = expectResolved(n, t, bad, run);
      expect([...new Set(o.dropped.map((d) => d.set.join()))].sort()).toEqual(setsWith(n, t, bad).sort());
    });

    test(`malicious: (n,t) = (${n},${t}), t parties reporting every contribution of every set: only their own sets lose contributions, the honest set keeps all`, async () => {
      const run = await setupWith(n, t, new Map(bad.map((p) => [p, overclaimingSetupParty(t, seededRng(p))])), 6);
      const o = expectResolved(n, t, bad, run);
      expect(o.publicSets.map((A) => A.join()).sort()).toEqual(setsWith(n, t, bad).sort());
      for (const d of o.dropped) expect(d.claimedBy).toEqual(d.set.filter((m) => bad.includes(m)));
    });

    test(`behavior: (n,t) = (${n},${t}), one honest contribution lost on one link (a network fault): setup completes, that contribution alone is left out, no set becomes public`, async () => {
      const [from, to] = [n, 1];
      const run = await runParties(n, t, (net) => {
        const lossy = net.self === from ? overrideNetwork(net, { send: (j, p) => (net.round === 0 && j === to ? undefined : net.send(j, p)) }) : net;
        return prssSetupDetailed(lossy, t, seededRng(7 * net.self), { timeoutMs: 40 });
      }, { timeoutMs: 40 });
      expect(run.failures).toEqual(new Map());
      const outputs = new Map([...run.outputs].map(([p, o]) => [p, o.keys]));
      expect(keysAgree(outputs)).toBe(true);
      for (const o of run.outputs.values()) {
        expect(o.publicSets).toEqual([]);
        expect(o.dropped.map((d) => d.member)).toEqual(o.dropped.map(() => from));
        expect(o.dropped.map((d) => d.set.join()).sort()).toEqual(prssSets(n, t).filter((A) => A.includes(from) && A.includes(to)).map((A) => A.join()).sort());
      }
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
