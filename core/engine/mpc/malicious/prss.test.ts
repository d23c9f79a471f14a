import { describe, expect, test } from '@jest/globals';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { PrssSetupError } from '../errors.js';
import { runParties, type PartyProgram } from '../network/runParties.js';
import { Prss, prssSetup, type PrssKeys } from '../prss/prss.js';
import { robustOpen, robustReconstruct } from '../sharing/robustOpen.js';
import { droppingSetupParty, equivocatingDigestSetupParty, lyingDigestSetupParty, randomValuesSetupParty } from './prss.js';
import { ConsistentLiarParty, openProgram } from './robustOpen.js';

const CASES = [
  [4, 1, [2]],
  [7, 2, [3, 6]],
] as const;

async function setupWith(n: number, t: number, malicious: Map<number, PartyProgram<unknown>>, seed: number) {
  return runParties(n, t, (net) => prssSetup(net, t, seededRng(seed * 31 + net.self)), { malicious, timeoutMs: 40 });
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

    test(`malicious: (n,t) = (${n},${t}), t × random values (different contributions to each peer): detected by every honest party (agreed)`, async () => {
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, randomValuesSetupParty(t, seededRng(p))])), 2);
      expect(run.outputs.size).toBe(0);
      expect(run.failures.size).toBe(n - t);
      for (const e of run.failures.values()) {
        expect(e).toBeInstanceOf(PrssSetupError);
        const parties = (e as PrssSetupError).disputes.flatMap((d) => d.parties);
        if (parties.length > 0) expect(corrupt.some((c) => parties.includes(c))).toBe(true);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), t × equivocating (wrong digest to one honest party only): every honest party fails together, none keeps keys`, async () => {
      const victim = n; // honest
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, equivocatingDigestSetupParty(t, seededRng(p), victim)])), 5);
      expect(run.outputs.size).toBe(0);
      expect(run.failures.size).toBe(n - t);
      for (const [p, e] of run.failures) {
        expect(e).toBeInstanceOf(PrssSetupError);
        const parties = [...new Set((e as PrssSetupError).disputes.flatMap((d) => d.parties))].sort();
        // Only the victim saw the lie; the others fail because the outcome is agreed.
        expect(parties).toEqual(p === victim ? [...corrupt] : []);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), t × lying digests: every honest party stops and blames exactly the liars`, async () => {
      const run = await setupWith(n, t, new Map(corrupt.map((p) => [p, lyingDigestSetupParty(t, seededRng(p))])), 3);
      expect(run.outputs.size).toBe(0);
      for (const e of run.failures.values()) {
        expect(e).toBeInstanceOf(PrssSetupError);
        expect([...new Set((e as PrssSetupError).disputes.flatMap((d) => d.parties))].sort()).toEqual([...corrupt]);
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
