/** `tkms keygen`: asks the KMS for a new FHE key set and waits for a quorum of parties. */
import type { Command } from 'commander';
import { submitKeygen, waitForResult } from '../../chain/asc/actions.js';
import { verifyRequestResult } from '../../chain/asc/verify.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { TkmsError } from '../../common/errors.js';
import { requestFunds } from '../../chain/config/queries.js';

export function registerKeygen(program: Command, ctx: () => CliContext): void {
  program
    .command('keygen')
    .description('generate a new FHE key set (secret key stays in the KMS; public key and server key are published)')
    .option('--timeout <seconds>', 'how long to wait for the parties', '600')
    .action(async (o: { timeout: string }) => {
      const c = ctx();
      const client = await c.chain(true);
      const asc = c.network().contracts.asc;
      // The fee is read from the Config at submission time and sent with the tx.
      const funds = await requestFunds(client, c.network().contracts.config, 'keygen');
      const { requestId, tx } = await submitKeygen(client, asc, funds);
      const p = progress(`keygen ${requestId}: waiting for the parties (key sets take ~10–30 s)`);
      const request = await waitForResult(client, asc, requestId, { fromHeight: tx.height, timeoutMs: Number(o.timeout) * 1000 });
      if (request.status === 'expired') throw new TkmsError('KEYGEN_FAILED', `request ${requestId} expired without a result (fee refunded)`);
      if (request.status === 'failed') throw new TkmsError('KEYGEN_FAILED', `key generation failed: ${request.failure_reason}`);
      const { parties, threshold } = await c.parties(client);
      const { signers, dissenters } = verifyRequestResult(request, parties, threshold);
      p.done(`${signers.length} party signature(s)`);
      const result = request.result && 'keygen' in request.result ? request.result.keygen : undefined;
      if (!result) throw new TkmsError('KEYGEN_FAILED', 'keygen result has an unexpected shape');
      const state = c.state();
      state.lastKeyId[c.network().chainId] = requestId;
      c.saveState(state);
      printResult(
        c.opts,
        { keyId: requestId, txHash: tx.txHash, signers, dissenters, fee: funds, ...result },
        () =>
          [
            `key id:      ${requestId}`,
            `public key:  ${result.public_key_uri}`,
            `             sha3-256 ${result.public_key_digest}`,
            `server key:  ${result.server_key_uri}`,
            `             sha3-256 ${result.server_key_digest}`,
            `signed by parties ${signers.join(', ')}${dissenters.length ? `; dissenting: ${dissenters.join(', ')}` : ''}`,
          ].join('\n'),
      );
    });
}
