/**
 * @module test/attacks/keygenAuthorization.scenario
 * Attack (issue 10, "anyone may start keygen, keygen_preproc and crs_gen"): each
 * makes every core run minutes of MPC and grows the key and CRS lists every
 * connector re-reads; before issue 10 any account could send them (paying the
 * fee, or nothing on a free network). Now only Config governance and the Config
 * `operators` may; a refused request takes no fee.
 * Shared by keygenAuthorization.test.ts (embedded chain) and .wasmd.test.ts.
 */
import type { RequestsResponse } from '../../chain/asc/messages.js';
import type { AttackChain, Deployed } from './harness.js';
import { address, deploy, fee, requestIdOf } from './harness.js';

const FEES = { keygen: '300', keygen_preproc: '50', crs_gen: '70' } as const;
const MESSAGES = [
  ['keygen', { keygen: {} }],
  ['keygen_preproc', { keygen_preproc: {} }],
  ['crs_gen', { crs_gen: { max_num_bits: 64 } }],
] as const;

export function describeKeygenAuthorization(suite: string, start: () => Promise<AttackChain>): void {
  describe(suite, () => {
    let chain: AttackChain;
    let d: Deployed;

    beforeAll(async () => {
      chain = await start();
      d = await deploy(chain, { fees: { denom: chain.denom, ...FEES } });
    }, 600_000);
    afterAll(async () => {
      await chain?.stop();
    }, 120_000);

    const requestsBy = async (who: string): Promise<number> =>
      (await chain.clients.governance.queryContract<RequestsResponse>(d.asc, { requests: { limit: 100 } })).requests.filter((r) => r.sender === who).length;

    test('malicious: a stranger cannot start keygen, keygen_preproc or crs_gen, and pays nothing', async () => {
      const stranger = chain.clients.stranger;
      for (const [kind, msg] of MESSAGES) {
        const held = await chain.balance(d.asc);
        await expect(stranger.executeContract(d.asc, msg, fee(chain, FEES[kind]))).rejects.toThrow(
          `unauthorized: ${kind} is restricted to governance and the Config operators`,
        );
        expect(await chain.balance(d.asc)).toBe(held);
      }
      // Without funds too (a free network).
      await expect(stranger.executeContract(d.asc, { keygen: {} })).rejects.toThrow('unauthorized: keygen');
      expect(await requestsBy(address(stranger))).toBe(0);
    }, 180_000);

    test('default: governance and the operators start them, each paying its fee', async () => {
      for (const who of [chain.clients.operator, chain.clients.governance]) {
        for (const [kind, msg] of MESSAGES) {
          const held = await chain.balance(d.asc);
          const r = await who.executeContract(d.asc, msg, fee(chain, FEES[kind]));
          expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind, sender: address(who), fee: `${FEES[kind]}${chain.denom}` });
          expect(requestIdOf(r)).toMatch(/^[0-9a-f]{40}$/);
          expect(await chain.balance(d.asc)).toBe(held + BigInt(FEES[kind]));
        }
      }
    }, 180_000);

    test('behavior: governance adds and removes operators with update_params', async () => {
      const gov = chain.clients.governance;
      const stranger = chain.clients.stranger;
      await gov.executeContract(d.config, { update_params: { operators: [address(chain.clients.operator), address(stranger)] } });
      await stranger.executeContract(d.asc, { keygen: {} }, fee(chain, FEES.keygen));
      await gov.executeContract(d.config, { update_params: { operators: [] } });
      await expect(chain.clients.operator.executeContract(d.asc, { keygen_preproc: {} }, fee(chain, FEES.keygen_preproc))).rejects.toThrow(
        'unauthorized: keygen_preproc is restricted to governance and the Config operators',
      );
      await expect(stranger.executeContract(d.asc, { keygen: {} }, fee(chain, FEES.keygen))).rejects.toThrow('unauthorized');
    }, 180_000);
  });
}
