/**
 * `tkms decrypt <handle...>`: public decryption of 1..32 ciphertexts in one
 * request through the KMS chain, verified before printing (one plaintext per
 * line, in the order given). A key that is not active (compromised above all)
 * is named on stderr and in `keyState` (cli/keyStateNotice.ts).
 */
import type { Command } from 'commander';
import { submitDecrypt } from '../../chain/asc/actions.js';
import { waitForSettled } from '../../chain/asc/userDecryptCrsActions.js';
import { verifyRequestResult } from '../../chain/asc/verify.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { handleScope } from '../handleScope.js';
import { provenCrsOf } from '../provenInputs.js';
import { resolveHandle } from '../../connector/kvstore/client.js';
import { parseProofOption } from '../proofOption.js';
import { TkmsError } from '../../common/errors.js';
import { HEX64, REQUEST_ID } from '../../common/ciphertext.js';
import { requestFunds } from '../../chain/config/queries.js';
import { warnAboutKeyState } from '../keyStateNotice.js';

/** = the ASC's MAX_BATCH (contracts/asc/request.ts). */
const MAX_BATCH = 32;

export function registerDecrypt(program: Command, ctx: () => CliContext): void {
  program
    .command('decrypt <handle...>')
    .description('request a public decryption of 1..32 stored ciphertexts (one request, all or nothing) and print the verified plaintexts, one per line')
    .option('--key-id <id>', 'key id (default: the key the handles are bound to)')
    .option('--timeout <seconds>', 'how long to wait for the parties', '120')
    .option('--app <appId>', 'registered application the request is made for (default: the one the handles are bound to)')
    .option('--proof <json>', "the application's proof of permission, a JSON object passed verbatim to its ISC (fhEVM: {header, signatures, handles: [{acl_proof}]}, one eth_getProof per handle in the order given, of its allowedForDecryption flag and its ciphertextDigest)")
    .option('--crs-id <id>', 'the ciphertexts are proven inputs (`tkms encrypt --prove`): the parties verify each proof against this CRS before decrypting (default for handles this CLI proved: their CRS)')
    .action(async (handleArgs: string[], o: { keyId?: string; timeout: string; app?: string; proof?: string; crsId?: string }) => {
      const c = ctx();
      if (handleArgs.length > MAX_BATCH) throw new TkmsError('TOO_MANY_HANDLES', `one decryption takes at most ${MAX_BATCH} handles, got ${handleArgs.length}`);
      const handles = handleArgs.map((handle) => {
        const h = handle.toLowerCase().replace(/^0x/, '');
        if (!HEX64.test(h)) throw new TkmsError('BAD_HANDLE', `"${handle}" is not a 32-byte hex handle`);
        return h;
      });
      const metas = await Promise.all(handles.map((h) => resolveHandle(c.network().kvStoreUrl, h)));
      const crsId = o.crsId ?? provenCrsOf(c, handles);
      if (crsId !== undefined && !REQUEST_ID.test(crsId)) throw new TkmsError('BAD_ARGUMENT', `--crs-id must be a CRS id (40 lower-case hex chars), got "${crsId.slice(0, 80)}"`);
      const { keyId, appId } = handleScope(handles, metas, { ...(o.keyId ? { keyId: o.keyId } : {}), ...(o.app ? { appId: o.app } : {}) });
      const client = await c.chain(true);
      const asc = c.network().contracts.asc;
      const proof = parseProofOption(o.proof, handles.length);
      // The fee is read from the Config at submission time and sent with the tx.
      const funds = await requestFunds(client, c.network().contracts.config, 'decrypt');
      const { requestId, tx } = await submitDecrypt(
        client,
        asc,
        {
          key_id: keyId,
          ciphertexts: handles.map((h, i) => ({ ciphertext_handle: h, ciphertext_digest: metas[i]!.digest, fhe_type: metas[i]!.fhe_type })),
          app_id: appId,
          ...(proof ? { proof } : {}),
          ...(crsId ? { crs_id: crsId } : {}),
        },
        funds,
      );
      const p = progress(`decrypt ${requestId}`);
      // Settled, not just signalled: on several validators the result event can come from one ahead of the queried one.
      const request = await waitForSettled(client, asc, requestId, { fromHeight: tx.height, timeoutMs: Number(o.timeout) * 1000 });
      if (request.status === 'expired') {
        throw new TkmsError('DECRYPT_FAILED', `request ${requestId} expired without a result`, { details: 'its fee was refunded' });
      }
      const { parties, threshold } = await c.parties(client);
      const { signers, dissenters } = verifyRequestResult(request, parties, threshold);
      p.done();
      if (request.status === 'failed') {
        throw new TkmsError('DECRYPT_FAILED', `decryption failed: ${request.failure_reason}`, { details: `request ${requestId}, signed by parties ${signers.join(', ')}` });
      }
      const plaintexts = request.result && 'decrypt' in request.result ? request.result.decrypt.plaintexts : undefined;
      if (plaintexts === undefined || plaintexts.length !== handles.length) throw new TkmsError('DECRYPT_FAILED', 'decrypt result has an unexpected shape');
      const results = handles.map((h, i) => {
        const type = metas[i]!.fhe_type;
        const p = plaintexts[i]!;
        return { handle: h, fheType: type, plaintext: type === 'ebool' ? (p === '1' ? 'true' : 'false') : p };
      });
      const { keyState } = await warnAboutKeyState(client, asc, keyId);
      // `plaintext`/`fheType` at the top level: the first (or only) ciphertext's, for single-handle callers.
      printResult(
        c.opts,
        { requestId, plaintext: results[0]!.plaintext, fheType: results[0]!.fheType, results, keyId, keyState, signers, dissenters, txHash: tx.txHash, fee: funds },
        () => results.map((r) => r.plaintext).join('\n'),
      );
    });
}
