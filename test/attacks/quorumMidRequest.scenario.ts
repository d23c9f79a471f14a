/**
 * @module test/attacks/quorumMidRequest.scenario
 * Attack (issue 10, "the quorum fixed when the request is made"): before issue 10
 * each fulfillment read the Config's current threshold, so a party-set change
 * while a request was pending changed what that request needed — lowering t let
 * a single (lying) answer decide it — and a party answered once per party id,
 * so an account renumbered by a party-set change could answer twice and be
 * counted twice. The request now stores its quorum, and a party answers once by
 * id and once by address.
 * Shared by quorumMidRequest.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import type { AttackChain, Deployed, Party } from './harness.js';
import { decryptAnswer, decryptMsg, deploy, fulfill, getRequest, makeKey, requestIdOf } from './harness.js';

export function describeQuorumMidRequest(suite: string, chainOf: () => AttackChain): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;
    let keyId: string;

    // Fresh contracts for each test: each changes the party set.
    beforeEach(async () => {
      chain = chainOf();
      d = await deploy(chain); // n = 4, t = 1: a decrypt needs 2 identical answers
      keyId = await makeKey(chain, d);
    }, 180_000);

    const setParties = (threshold: number, infos = d.parties.map((p) => p.info)) =>
      chain.clients.governance.executeContract(d.config, { update_parties: { parties: infos, threshold } });

    test('malicious: lowering the threshold while a request is pending does not let one lying answer decide it', async () => {
      const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId)));
      await setParties(0); // governance (or a captured proposal): t = 0, one answer would do
      const [liar, p2, p3] = d.parties as [Party, Party, Party];
      await fulfill(d, liar, id, decryptAnswer(id, keyId, '7', liar));
      const after = await getRequest(chain, d, id);
      expect(after.status).toBe('pending');
      // What the request needs was fixed when it was made.
      expect(after.quorum).toEqual({ threshold: 1, result: 2, failure: 2 });
      await fulfill(d, p2, id, decryptAnswer(id, keyId, '42', p2));
      await fulfill(d, p3, id, decryptAnswer(id, keyId, '42', p3));
      const done = await getRequest(chain, d, id);
      expect(done).toMatchObject({ status: 'completed', dissent: [1], payees: [2, 3] });
      expect(done.result).toMatchObject({ decrypt: { plaintexts: ['42'] } });
      // A request made after the change uses the new threshold.
      const later = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId)));
      expect((await getRequest(chain, d, later)).quorum).toEqual({ threshold: 0, result: 1, failure: 1 });
    }, 120_000);

    test('malicious: a party renumbered mid-request cannot answer again under its new id', async () => {
      const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId)));
      const liar = d.parties[0]!;
      await fulfill(d, liar, id, decryptAnswer(id, keyId, '7', liar));
      // The same account (and key) becomes party 5.
      await setParties(1, d.parties.map((p, i) => (i === 0 ? { ...p.info, id: 5 } : p.info)));
      await expect(fulfill(d, liar, id, decryptAnswer(id, keyId, '7', liar))).rejects.toThrow(
        `address ${liar.info.address} already responded to request ${id} (as party 1)`,
      );
      const info = await getRequest(chain, d, id);
      expect(info.status).toBe('pending');
      expect(info.responses.map((r) => r.party_id)).toEqual([1]);
    }, 120_000);
  });
}
