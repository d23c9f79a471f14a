/** `tkms decrypt`: public decryption through the KMS chain, verified before printing. */
import type { Command } from 'commander';
import { submitDecrypt, waitForResult } from '../../chain/asc/actions.js';
import { verifyRequestResult } from '../../chain/asc/verify.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { resolveKeyId } from '../publicMaterial.js';
import { resolveHandle } from '../../connector/kvstore/client.js';
import { TkmsError } from '../../common/errors.js';
import { HEX64 } from '../../common/ciphertext.js';
import { requestFunds } from '../../chain/config/queries.js';

export function registerDecrypt(program: Command, ctx: () => CliContext): void {
  program
    .command('decrypt <handle>')
    .description('request a public decryption of a stored ciphertext and print the verified plaintext')
    .option('--key-id <id>', 'key id (default: the last generated key)')
    .option('--timeout <seconds>', 'how long to wait for the parties', '120')
    .option('--app <appId>', 'registered application the request is made for (Config `applications`)')
    .option('--proof <json>', "the application's proof of permission, a JSON object passed to its ISC")
    .action(async (handle: string, o: { keyId?: string; timeout: string; app?: string; proof?: string }) => {
      const c = ctx();
      const h = handle.toLowerCase().replace(/^0x/, '');
      if (!HEX64.test(h)) throw new TkmsError('BAD_HANDLE', `"${handle}" is not a 32-byte hex handle`);
      const meta = await resolveHandle(c.network().kvStoreUrl, h);
      const client = await c.chain(true);
      const keyId = await resolveKeyId(c, client, o.keyId);
      const asc = c.network().contracts.asc;
      let proof: Record<string, unknown> | undefined;
      if (o.proof !== undefined) {
        try {
          proof = JSON.parse(o.proof) as Record<string, unknown>;
        } catch (e) {
          throw new TkmsError('BAD_PROOF', '--proof must be a JSON object', { cause: e });
        }
      }
      // The fee is read from the Config at submission time and sent with the tx.
      const funds = await requestFunds(client, c.network().contracts.config, 'decrypt');
      const { requestId, tx } = await submitDecrypt(
        client,
        asc,
        {
          key_id: keyId,
          ciphertext_handle: h,
          ciphertext_digest: meta.digest,
          fhe_type: meta.fhe_type,
          ...(o.app ? { app_id: o.app } : {}),
          ...(proof ? { proof } : {}),
        },
        funds,
      );
      const p = progress(`decrypt ${requestId}`);
      const request = await waitForResult(client, asc, requestId, { fromHeight: tx.height, timeoutMs: Number(o.timeout) * 1000 });
      if (request.status === 'expired') {
        throw new TkmsError('DECRYPT_FAILED', `request ${requestId} expired without a result`, { details: 'its fee was refunded' });
      }
      const { parties, threshold } = await c.parties(client);
      const { signers, dissenters } = verifyRequestResult(request, parties, threshold);
      p.done();
      if (request.status === 'failed') {
        throw new TkmsError('DECRYPT_FAILED', `decryption failed: ${request.failure_reason}`, { details: `request ${requestId}, signed by parties ${signers.join(', ')}` });
      }
      const plaintext = request.result && 'decrypt' in request.result ? request.result.decrypt.plaintext : undefined;
      if (plaintext === undefined) throw new TkmsError('DECRYPT_FAILED', 'decrypt result has an unexpected shape');
      const shown = meta.fhe_type === 'ebool' ? (plaintext === '1' ? 'true' : 'false') : plaintext;
      printResult(c.opts, { requestId, plaintext: shown, fheType: meta.fhe_type, keyId, signers, dissenters, txHash: tx.txHash, fee: funds }, () => shown);
    });
}
