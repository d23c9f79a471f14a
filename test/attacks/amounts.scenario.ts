/**
 * @module test/attacks/amounts.scenario
 * Attack (issue 10, "amounts are i64 below 10^18"): before issue 10 the contracts
 * parsed amounts as i64 and refused 19 digits, so a party's owed balance that
 * reached 10^18 no longer parsed and restarted from almost nothing at the next
 * credit (the party lost what it had earned), fees of 10^18 and more could not
 * be set, and an overpayment was kept silently. Amounts are now Uint128
 * (as-bignum), and a request must pay exactly its fee.
 * Shared by amounts.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import type { AttackChain } from './harness.js';
import { address, claimable, decryptAnswer, decryptMsg, deploy, fee, fulfill, getRequest, makeKey, requestIdOf, txFee } from './harness.js';

export function describeAmounts(suite: string, chainOf: () => AttackChain): void {
  describe(suite, () => {
    test('malicious: an owed balance passing 10^18 keeps adding up, and is claimed in full', async () => {
      const chain = chainOf();
      // One party (t = 0): each decrypt's fee goes to it. 9·10^17 is below the old limit, three of them are not.
      const each = 9n * 10n ** 17n;
      const d = await deploy(chain, { n: 1, fees: { denom: chain.denom, decrypt: each.toString() } });
      const keyId = await makeKey(chain, d);
      const p1 = d.parties[0]!;
      for (let i = 0; i < 3; i++) {
        const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, each)));
        await fulfill(d, p1, id, decryptAnswer(id, keyId, '42', p1));
        expect(await claimable(chain, d, address(p1.client))).toBe(each * BigInt(i + 1));
      }
      const before = await chain.balance(address(p1.client));
      const r = await p1.client.executeContract(d.asc, { claim: {} });
      expect(r.events.find((e) => e.type === 'wasm-tkms_claim')?.attributes['amount']).toBe(`${3n * each}${chain.denom}`);
      // The claimer paid the claim's gas (wasmd) out of what it received.
      expect(await chain.balance(address(p1.client))).toBe(before + 3n * each - txFee(chain, r));
      expect(await claimable(chain, d, address(p1.client))).toBe(0n);
    }, 180_000);

    test('default: fees of 10^18 and more (Uint128) are set and charged exactly', async () => {
      const chain = chainOf();
      const big = 10n ** 21n;
      const d = await deploy(chain, { n: 1, fees: { denom: chain.denom, decrypt: big.toString() } });
      const keyId = await makeKey(chain, d);
      const id = requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, big)));
      expect((await getRequest(chain, d, id)).fee).toEqual({ denom: chain.denom, amount: big.toString() });
      expect(await chain.balance(d.asc)).toBe(big);
      // The largest Uint128 is a valid fee; one more is not.
      const max = 2n ** 128n - 1n;
      await chain.clients.governance.executeContract(d.config, { update_fees: { fees: { denom: chain.denom, decrypt: max.toString() } } });
      await expect(chain.clients.governance.executeContract(d.config, { update_fees: { fees: { denom: chain.denom, decrypt: (max + 1n).toString() } } })).rejects.toThrow(
        'fees.decrypt must be a Uint128 decimal string',
      );
    }, 180_000);

    test('malicious: an overpayment is refused, not kept', async () => {
      const chain = chainOf();
      const d = await deploy(chain, { n: 1, fees: { denom: chain.denom, decrypt: '1000' } });
      const keyId = await makeKey(chain, d);
      const held = await chain.balance(d.asc);
      await expect(chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, 1001))).rejects.toThrow(
        `overpayment refused: decrypt costs 1000${chain.denom}, sent 1001${chain.denom}; send exactly the fee`,
      );
      await expect(chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, 999))).rejects.toThrow('fee too low');
      expect(await chain.balance(d.asc)).toBe(held);
      requestIdOf(await chain.clients.requester.executeContract(d.asc, decryptMsg(keyId), fee(chain, 1000)));
      expect(await chain.balance(d.asc)).toBe(held + 1000n);
    }, 180_000);
  });
}
