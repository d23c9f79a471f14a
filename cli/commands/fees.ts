/**
 * `tkms fees`, `tkms claim`, `tkms refund <requestId>`: the fee schedule, a
 * party's earned fees, and the refund of an expired request.
 */
import type { Command } from 'commander';
import { claimFees, getClaimable, refundRequest } from '../../chain/asc/actions.js';
import { getFees } from '../../chain/config/queries.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';

export function registerFees(program: Command, ctx: () => CliContext): void {
  program
    .command('fees')
    .description('show the fee per operation (Config) and what this account can claim')
    .action(async () => {
      const c = ctx();
      const client = await c.chain(false);
      const fees = await getFees(client, c.network().contracts.config);
      let claimable: { denom: string; amount: string }[] = [];
      try {
        const address = (await c.account()).address;
        claimable = (await getClaimable(client, c.network().contracts.asc, address)).amounts;
      } catch {
        // No local key: the schedule alone.
      }
      printResult(c.opts, { fees, claimable }, () =>
        [
          ...(['keygen_preproc', 'keygen', 'decrypt', 'crs_gen', 'user_decrypt'] as const).map((k) => `${k.padEnd(14)} ${fees[k] ?? '0'}${fees.denom}`),
          ...(claimable.length ? [`claimable:    ${claimable.map((x) => x.amount + x.denom).join(', ')}`] : []),
        ].join('\n'),
      );
    });
  program
    .command('claim')
    .description('collect the fee shares this account earned by fulfilling requests (parties)')
    .action(async () => {
      const c = ctx();
      const client = await c.chain(true);
      const asc = c.network().contracts.asc;
      const owed = await getClaimable(client, asc, client.senderAddress!);
      const tx = await claimFees(client, asc);
      printResult(c.opts, { claimed: owed.amounts, txHash: tx.txHash }, () => `claimed ${owed.amounts.map((x) => x.amount + x.denom).join(', ')}`);
    });
  program
    .command('refund <requestId>')
    .description("return the fee of a request still pending past its expiry time to its sender")
    .action(async (requestId: string) => {
      const c = ctx();
      const client = await c.chain(true);
      const tx = await refundRequest(client, c.network().contracts.asc, requestId);
      const ev = tx.events.find((e) => e.type === 'wasm-tkms_refund');
      printResult(c.opts, { requestId, refunded: ev?.attributes['amount'], to: ev?.attributes['to'], txHash: tx.txHash }, () =>
        `refunded ${ev?.attributes['amount'] ?? ''} to ${ev?.attributes['to'] ?? ''}`,
      );
    });
}
