/**
 * Byzantine agreement at (4,1) and (7,2) with silent, random and equivocating
 * parties (the corrupt parties are the first kings, the worst case for phase
 * king): honest parties always decide the same, and decide the honest value
 * when they all started with it.
 */
import { describe, expect, test } from '@jest/globals';
import { seededRng } from '../algebra/random.js';
import { MpcParameterError } from '../errors.js';
import { equivocatingAgreementParty, randomAgreementParty, scriptedAgreementParty, silentAgreementParty } from '../malicious/agreement.js';
import type { Network } from '../network/network.js';
import { runParties, type PartyProgram } from '../network/runParties.js';
import { agreeAll, agreeAllEarly, agreeValues, agreementRounds, broadcastFromAll, encodeAgreementRound, type AgreedValue } from './agreement.js';

const CASES = [
  [4, 1, [1]],
  [7, 2, [1, 2]],
] as const;

const A = Uint8Array.of(0xaa);
const B = Uint8Array.of(0xbb, 0x01);
const hex = (v: AgreedValue): string => (v === undefined ? '-' : Buffer.from(v).toString('hex'));

type Adversary = (rounds: number, k: number, p: number) => PartyProgram<unknown>;
const ADVERSARIES: [string, Adversary][] = [
  ['silent', () => silentAgreementParty()],
  ['random', (rounds, k, p) => randomAgreementParty(rounds, k, seededRng(p * 7))],
  ['equivocating', (rounds, k) => equivocatingAgreementParty(rounds, k, A, B, false)],
];

describe('agreeValues (phase king)', () => {
  for (const [n, t, corrupt] of CASES) {
    for (const [name, adversary] of ADVERSARIES) {
      const malicious = (k: number, extra = 0) => new Map(corrupt.map((p) => [p, adversary(agreementRounds(t) + extra, k, p)]));

      test(`malicious: (n,t) = (${n},${t}), ${name}: unanimous honest input is decided (validity)`, async () => {
        const run = await runParties(n, t, (net) => agreeValues(net, t, [A, undefined], { timeoutMs: 30 }), { malicious: malicious(2), timeoutMs: 30 });
        expect(run.failures.size).toBe(0);
        expect(run.outputs.size).toBe(n - t);
        for (const o of run.outputs.values()) expect(o.map(hex)).toEqual([hex(A), '-']);
      });

      test(`malicious: (n,t) = (${n},${t}), ${name}: split honest inputs end in one decision (agreement)`, async () => {
        // Three instances with different splits of the honest parties between A, B and "nothing".
        const input = (p: number): AgreedValue[] => [p % 2 === 0 ? A : B, p <= n / 2 ? undefined : A, [A, B, undefined][p % 3]];
        const run = await runParties(n, t, (net) => agreeValues(net, t, input(net.self), { timeoutMs: 30 }), { malicious: malicious(3), timeoutMs: 30 });
        expect(run.failures.size).toBe(0);
        const decisions = new Set([...run.outputs.values()].map((o) => o.map(hex).join('|')));
        expect(decisions.size).toBe(1);
        // Each decision is some party's input or what the adversary pushed (A/B; the random adversary's
        // values may win through a corrupt king's phase, which is allowed when honest inputs differ).
        if (name !== 'random') for (const d of [...decisions][0]!.split('|')) expect(['aa', 'bb01', '-']).toContain(d);
      });
    }
  }

  test('parameters: n < 3t+1 is refused', async () => {
    const run = await runParties(3, 1, (net) => agreeValues(net, 1, [A]));
    for (const e of run.failures.values()) expect(e).toBeInstanceOf(MpcParameterError);
    expect(run.failures.size).toBe(3);
  });
});

describe('broadcastFromAll', () => {
  for (const [n, t, corrupt] of CASES) {
    for (const [name, adversary] of ADVERSARIES) {
      test(`malicious: (n,t) = (${n},${t}), ${name}: honest values delivered exactly, corrupt slots agreed`, async () => {
        const rounds = 1 + agreementRounds(t);
        const malicious = new Map(
          corrupt.map((p) => [p, name === 'equivocating' ? equivocatingAgreementParty(rounds, n, A, B, true) : adversary(rounds, n, p)]),
        );
        const run = await runParties(n, t, (net) => broadcastFromAll(net, t, Uint8Array.of(net.self, 42), { timeoutMs: 30 }), { malicious, timeoutMs: 30 });
        expect(run.failures.size).toBe(0);
        const views = [...run.outputs.values()];
        expect(views.length).toBe(n - t);
        for (const view of views) {
          for (let j = 1; j <= n; j++) {
            if (corrupt.includes(j as never)) expect(hex(view.get(j))).toBe(hex(views[0]!.get(j)));
            else expect(hex(view.get(j))).toBe(hex(Uint8Array.of(j, 42)));
          }
        }
      });
    }
  }
});

describe('agreeAll', () => {
  for (const [n, t, corrupt] of CASES) {
    for (const [name, adversary] of ADVERSARIES) {
      const rounds = 1 + agreementRounds(t);
      const malicious = () =>
        new Map(corrupt.map((p) => [p, name === 'equivocating' ? equivocatingAgreementParty(rounds, 1, Uint8Array.of(1), Uint8Array.of(0), true) : adversary(rounds, 1, p)]));

      test(`malicious: (n,t) = (${n},${t}), ${name}: one honest "no" makes every honest party return false`, async () => {
        const no = n; // an honest party
        const run = await runParties(n, t, (net) => agreeAll(net, t, net.self !== no, { timeoutMs: 30 }), { malicious: malicious(), timeoutMs: 30 });
        expect(run.failures.size).toBe(0);
        expect([...run.outputs.values()]).toEqual(Array(n - t).fill(false));
      });

      test(`malicious: (n,t) = (${n},${t}), ${name}: all honest "yes": one agreed answer (true unless the adversary said no to someone)`, async () => {
        const run = await runParties(n, t, (net) => agreeAll(net, t, true, { timeoutMs: 30 }), { malicious: malicious(), timeoutMs: 30 });
        expect(run.failures.size).toBe(0);
        const answers = new Set(run.outputs.values());
        expect(answers.size).toBe(1);
        if (name === 'silent') expect([...answers]).toEqual([true]);
      });
    }
  }

  test('default: everyone honest and yes → true with 1 + 3(t+1) rounds of n(n−1) messages (king rounds n−1)', async () => {
    const run = await runParties(4, 1, (net) => agreeAll(net, 1, true));
    expect([...run.outputs.values()]).toEqual([true, true, true, true]);
    expect(run.stats.messages).toBe(12 + 2 * (12 + 12 + 3));
  });
});

describe('agreeAllEarly (early decision)', () => {
  const YES = Uint8Array.of(1);
  const NO = Uint8Array.of(0);
  /** What each honest party saw: its decision, and how its full run ended. */
  const program = (t: number, mine: (p: number) => boolean) => async (net: Network) => {
    const a = agreeAllEarly(net, t, mine(net.self), { timeoutMs: 30 });
    const decision = await a.decided;
    const end = await a.done;
    return { decision, end };
  };
  type Seen = Awaited<ReturnType<ReturnType<typeof program>>>;
  const ended = (s: Seen): boolean | string => ('agreed' in s.end ? s.end.agreed : s.end.error.message);

  for (const [n, t, corrupt] of CASES) {
    const full = 1 + agreementRounds(t);

    test(`default: (n,t) = (${n},${t}), all honest and yes: everyone decides true after 2 rounds, sends "decided" in the third and stops`, async () => {
      const run = await runParties(n, t, program(t, () => true), { timeoutMs: 30 });
      expect(run.outputs.size).toBe(n);
      for (const s of run.outputs.values()) {
        expect(s.decision).toEqual({ agreed: true, heardNo: false, early: true, rounds: 2 });
        expect(s.end).toEqual({ agreed: true, rounds: 3 });
      }
      // Status, R1, "decided": 3n(n−1) instead of the full run's n(n−1)(1 + 2(t+1)) + (t+1)(n−1).
      expect(run.stats.messages).toBe(3 * n * (n - 1));
    });

    test(`default: (n,t) = (${n},${t}), one honest no: everyone decides false early`, async () => {
      const run = await runParties(n, t, program(t, (p) => p !== n), { timeoutMs: 30 });
      for (const s of run.outputs.values()) {
        expect(s.decision.agreed).toBe(false);
        expect(s.decision.early).toBe(true);
        expect(ended(s)).toBe(false);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), corrupt parties equivocate in R1 (yes to odd, no to even): odd honest parties decide early, even ones run the full agreement, all decide true`, async () => {
      // Honest in the status round (yes to all), then split in every later round (as kings too).
      const say = (r: number, to: number): Uint8Array => (r === 0 ? YES : encodeAgreementRound([to % 2 === 1 ? YES : NO]));
      const malicious = new Map(corrupt.map((p) => [p, scriptedAgreementParty(full, say)]));
      const run = await runParties(n, t, program(t, () => true), { malicious, timeoutMs: 30 });
      expect(run.failures.size).toBe(0);
      expect(run.outputs.size).toBe(n - t);
      for (const [p, s] of run.outputs) {
        expect(s.decision.agreed).toBe(true);
        expect(s.decision.early).toBe(p % 2 === 1);
        expect(s.decision.rounds).toBe(p % 2 === 1 ? 2 : full);
        expect(s.end.rounds).toBe(p % 2 === 1 ? 3 : full);
        expect(ended(s)).toBe(true);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), corrupt parties split R1 and then claim "decided no" to the even parties: the late parties still decide true`, async () => {
      const decidedNo = (() => {
        const body = encodeAgreementRound([NO]);
        const out = new Uint8Array(4 + body.length).fill(0xff, 0, 4);
        out.set(body, 4);
        return out;
      })();
      const say = (r: number, to: number): Uint8Array => (r === 0 ? YES : r === 1 ? encodeAgreementRound([to % 2 === 1 ? YES : NO]) : to % 2 === 1 ? encodeAgreementRound([YES]) : decidedNo);
      const malicious = new Map(corrupt.map((p) => [p, scriptedAgreementParty(full, say)]));
      const run = await runParties(n, t, program(t, () => true), { malicious, timeoutMs: 30 });
      expect(run.failures.size).toBe(0);
      expect(run.outputs.size).toBe(n - t);
      for (const [p, s] of run.outputs) {
        expect(s.decision.early).toBe(p % 2 === 1);
        expect(s.decision.agreed).toBe(true);
        expect(ended(s)).toBe(true);
      }
    });

    test(`malicious: (n,t) = (${n},${t}), corrupt parties equivocate in the status round: no early decision where inputs differ, one agreed answer`, async () => {
      // "no" status to even parties (their input becomes no), yes to odd ones; then split as above.
      const say = (r: number, to: number): Uint8Array => (r === 0 ? (to % 2 === 1 ? YES : NO) : encodeAgreementRound([to % 2 === 1 ? YES : NO]));
      const malicious = new Map(corrupt.map((p) => [p, scriptedAgreementParty(full, say)]));
      const run = await runParties(n, t, program(t, () => true), { malicious, timeoutMs: 30 });
      expect(run.failures.size).toBe(0);
      expect(run.outputs.size).toBe(n - t);
      const answers = new Set<boolean | string>();
      for (const s of run.outputs.values()) {
        // Honest inputs differ (odd yes, even no), so nobody sees n equal R1 values.
        expect(s.decision.early).toBe(false);
        expect(s.decision.rounds).toBe(full);
        answers.add(s.decision.agreed);
        answers.add(ended(s));
      }
      expect(answers.size).toBe(1);
    });

    test(`malicious: (n,t) = (${n},${t}), corrupt parties silent from R1 on: nobody decides early, all decide true`, async () => {
      const malicious = new Map(corrupt.map((p) => [p, scriptedAgreementParty(1, () => YES)]));
      const run = await runParties(n, t, program(t, () => true), { malicious, timeoutMs: 30 });
      expect(run.failures.size).toBe(0);
      expect(run.outputs.size).toBe(n - t);
      for (const s of run.outputs.values()) {
        expect(s.decision).toEqual({ agreed: true, heardNo: false, early: false, rounds: full });
        expect(ended(s)).toBe(true);
      }
    });
  }

  test('malicious: a party ignored (known faulty) prevents early decision even if it sends the right value', async () => {
    const run = await runParties(4, 1, async (net) => {
      const a = agreeAllEarly(net, 1, true, { timeoutMs: 30, ignore: new Set([4]) });
      const d = await a.decided;
      await a.done;
      return d;
    }, { timeoutMs: 30 });
    for (const [p, d] of run.outputs) {
      expect(d.agreed).toBe(true);
      // Party 4 ignores nobody; the others ignore it, so only party 4 sees all n.
      expect(d.early).toBe(p === 4);
    }
  });
});
