/**
 * @module test/attacks/answerAfterExpiry.scenario
 * Attack (issue 10, "answers after expiry"): before issue 10 `fulfill` took
 * answers after `expires_at`, so a request could be answered — its plaintext
 * published — at the moment its requester refunded it, and late answers kept
 * landing on expired requests. Now no answer is accepted after expiry, decided
 * or not (a refund pays the parties that answered before it).
 * Shared by answerAfterExpiry.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import type { AttackChain, Deployed, Party } from './harness.js';
import { decryptAnswer, decryptMsg, deploy, fee, fulfill, getRequest, makeKey, requestIdOf } from './harness.js';

/** `expirySeconds` must leave time for a request and three answers before the expiry (a few seconds on wasmd). */
export function describeAnswerAfterExpiry(suite: string, chainOf: () => AttackChain, expirySeconds: number): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;
    let keyId: string;

    beforeAll(async () => {
      chain = chainOf();
      d = await deploy(chain, { fees: { denom: chain.denom, decrypt: '100' }, expirySeconds });
      keyId = await makeKey(chain, d);
    }, 180_000);

    // Block time lags the wall clock by up to a block: wait well past it.
    const pastExpiry = async (expiresAt: string): Promise<void> => {
      await new Promise((r) => setTimeout(r, Math.max(0, Number(expiresAt) * 1000 + 2000 - Date.now())));
    };

    test('malicious: a pending request takes no answer once expired', async () => {
      const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, 100)));
      const [p1, p2] = d.parties as [Party, Party];
      await fulfill(d, p1, id, decryptAnswer(id, keyId, '42', p1));
      await pastExpiry((await getRequest(chain, d, id)).expires_at);
      await expect(fulfill(d, p2, id, decryptAnswer(id, keyId, '42', p2))).rejects.toThrow(/expired at time \d+ \(now \d+, Unix seconds\): answers are no longer accepted/);
      const info = await getRequest(chain, d, id);
      expect(info.status).toBe('pending');
      expect(info.responses.map((r) => r.party_id)).toEqual([1]);
    }, 120_000);

    test('malicious: a decided request takes no late answer once expired either', async () => {
      const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, 100)));
      for (const p of d.parties.slice(0, 2)) await fulfill(d, p, id, decryptAnswer(id, keyId, '42', p));
      expect((await getRequest(chain, d, id)).status).toBe('completed');
      // Before expiry a late answer is still recorded (a dissent is named, extra user-decrypt shares help the client)…
      await fulfill(d, d.parties[2]!, id, decryptAnswer(id, keyId, '42', d.parties[2]!));
      await pastExpiry((await getRequest(chain, d, id)).expires_at);
      // …after it, none.
      const p4 = d.parties[3]!;
      await expect(fulfill(d, p4, id, decryptAnswer(id, keyId, '7', p4))).rejects.toThrow('answers are no longer accepted');
      expect((await getRequest(chain, d, id)).responses.map((r) => r.party_id)).toEqual([1, 2, 3]);
    }, 120_000);
  });
}
