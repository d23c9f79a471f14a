/**
 * @module test/attacks/duplicatePartyKeys.scenario
 * Attack (issue 10, "party signer keys and EVM addresses unique"): a party set in
 * which two parties share one signer key (or one EVM address) lets one key
 * holder, with two chain accounts, give two "independent" answers: at n = 4,
 * t = 1 that alone is the t+1 quorum that decides a decrypt, and an EIP-712
 * verifier counting distinct signers sees one where the ASC counted two.
 * Before issue 10 the Config accepted such a set; it now refuses it, at
 * instantiation and in `update_parties`.
 * Shared by duplicatePartyKeys.test.ts (embedded chain) and contractAttacks.wasmd.test.ts.
 */
import type { PartyInfo } from '../../chain/config/messages.js';
import type { AttackChain } from './harness.js';
import { deploy } from './harness.js';

export function describeDuplicatePartyKeys(suite: string, chainOf: () => AttackChain): void {
  describe(suite, () => {
    test('malicious: two parties with one signer key are refused at instantiation', async () => {
      await expect(
        deploy(chainOf(), { partyInfos: (ps) => ps.map((p, i) => (i === 1 ? { ...p.info, signer_pubkey: ps[0]!.info.signer_pubkey } : p.info)) }),
      ).rejects.toThrow(/party 2: duplicate signer_pubkey [0-9a-f]{66} \(party 1 has it\)/);
    }, 120_000);

    test('malicious: two parties with one EVM address are refused at instantiation', async () => {
      const evm = '0x' + 'ab'.repeat(20);
      await expect(deploy(chainOf(), { partyInfos: (ps) => ps.map((p, i): PartyInfo => (i < 2 ? { ...p.info, evm_address: evm } : p.info)) })).rejects.toThrow(
        `party 2: duplicate evm_address ${evm}`,
      );
    }, 120_000);

    test('malicious: governance cannot bring a shared key in with update_parties', async () => {
      const chain = chainOf();
      const d = await deploy(chain);
      const infos = d.parties.map((p) => p.info);
      await expect(
        chain.clients.governance.executeContract(d.config, { update_parties: { parties: infos.map((p, i) => (i === 3 ? { ...p, signer_pubkey: infos[2]!.signer_pubkey } : p)), threshold: 1 } }),
      ).rejects.toThrow('party 4: duplicate signer_pubkey');
      const { parties } = await chain.clients.governance.queryContract<{ parties: PartyInfo[] }>(d.config, { parties: {} });
      expect(parties.map((p) => p.signer_pubkey)).toEqual(infos.map((p) => p.signer_pubkey));
    }, 120_000);
  });
}
