/**
 * @module test/attacks/refundAfterAnswer.scenario
 * Attack (issue 10, "refund after the answer"): every party's decrypt answer is
 * public — it carries the plaintext. A requester reads the first answer, lets the
 * request expire short of a quorum, refunds, and got the plaintext for free while
 * the party that did the work is paid nothing. Before issue 10 `refund` returned
 * the whole fee whatever had been answered. Now the parties that answered before
 * expiry are paid as if the quorum had formed (fee / quorum size each) and only
 * the rest goes back; a decided request is never refunded.
 * Shared by refundAfterAnswer.test.ts (embedded chain) and .wasmd.test.ts.
 */
import type { AttackChain, Deployed } from './harness.js';
import { address, afterExpiry, claimable, decryptAnswer, decryptMsg, deploy, fee, fulfill, getRequest, makeKey, requestIdOf } from './harness.js';

const DECRYPT_FEE = 1000n;

export function describeRefundAfterAnswer(suite: string, start: () => Promise<AttackChain>, expirySeconds: number): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;
    let keyId: string;

    beforeAll(async () => {
      chain = await start();
      d = await deploy(chain, { fees: { denom: chain.denom, decrypt: DECRYPT_FEE.toString() }, expirySeconds });
      keyId = await makeKey(chain, d);
    }, 600_000);
    afterAll(async () => {
      await chain?.stop();
    }, 120_000);

    test('malicious: a requester who read one answer cannot take the whole fee back; the answering party is paid', async () => {
      const requester = chain.clients.requester;
      const id = requestIdOf(await requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, DECRYPT_FEE)));
      const p1 = d.parties[0]!;
      await fulfill(d, p1, id, decryptAnswer(id, keyId, '42', p1));
      // The answer is on chain for anyone to read: the requester has its plaintext.
      const seen = await getRequest(chain, d, id);
      expect(seen.responses[0]!.response).toMatchObject({ decrypt: { plaintexts: ['42'] } });
      expect(seen.status).toBe('pending');
      const owedBefore = await claimable(chain, d, address(p1.client));
      const heldBefore = await chain.balance(d.asc);

      const r = await afterExpiry(Number(seen.expires_at), () => requester.executeContract(d.asc, { refund: { request_id: id } }));
      // t+1 = 2 answers decide a decrypt at n = 4: party 1 earns 1000 / 2, the requester gets the other half back.
      expect(r.events.find((e) => e.type === 'wasm-tkms_refund')?.attributes).toMatchObject({
        request_id: id,
        to: address(requester),
        amount: `500${chain.denom}`,
        paid_parties: '1',
        fee_share: `500${chain.denom}`,
      });
      expect(await claimable(chain, d, address(p1.client))).toBe(owedBefore + 500n);
      expect(await chain.balance(d.asc)).toBe(heldBefore - 500n);
      expect(await getRequest(chain, d, id)).toMatchObject({ status: 'expired', refunded: true, payees: [1] });
      await expect(requester.executeContract(d.asc, { refund: { request_id: id } })).rejects.toThrow('already refunded');
    }, 180_000);

    test('behavior: a decided request is never refunded, even after its expiry', async () => {
      const requester = chain.clients.requester;
      const id = requestIdOf(await requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, DECRYPT_FEE)));
      for (const p of d.parties.slice(0, 2)) await fulfill(d, p, id, decryptAnswer(id, keyId, '42', p));
      const done = await getRequest(chain, d, id);
      expect(done.status).toBe('completed');
      await new Promise((r) => setTimeout(r, Math.max(0, Number(done.expires_at) * 1000 + 2000 - Date.now())));
      await expect(requester.executeContract(d.asc, { refund: { request_id: id } })).rejects.toThrow(`request ${id} is completed: its fee went to the parties`);
    }, 180_000);
  });
}
