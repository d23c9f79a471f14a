/**
 * `tkms crsgen` and `tkms fetch-crs`: a CRS for ZK proofs of encryption,
 * generated through the KMS chain (2t+1 parties agree on its digest), then
 * downloaded from untrusted storage and accepted only when its digest matches
 * the one recorded on chain and signed by a quorum of parties.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { getRequest } from '../../chain/asc/actions.js';
import { getCrs, submitCrsGen, waitForSettled } from '../../chain/asc/userDecryptCrsActions.js';
import { verifyRequestResult } from '../../chain/asc/verify.js';
import { requestFunds } from '../../chain/config/queries.js';
import { TkmsError } from '../../common/errors.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { fetchVerifiedCrs, verifiedCrsRecord } from '../publicMaterial.js';
import { verifyCrsTranscript } from '../crsTranscript.js';
import { operatorSender } from '../operatorSender.js';

export function registerCrs(program: Command, ctx: () => CliContext): void {
  program
    .command('crsgen')
    .description('generate a CRS for ZK proofs of encryption (about 80 s at 2048 bits); prints its id, digest and URIs')
    .option('--max-bits <n>', 'largest number of plaintext bits one proven list may carry', '2048')
    .option('--timeout <seconds>', 'how long to wait for the parties', '900')
    .action(async (o: { maxBits: string; timeout: string }) => {
      const c = ctx();
      const bits = Number(o.maxBits);
      if (!Number.isInteger(bits) || bits < 1 || bits > 65536) throw new TkmsError('BAD_ARGUMENT', '--max-bits must be an integer in 1..65536');
      // crs_gen is restricted to governance and the Config operators (checked before any fee is spent).
      const sender = await operatorSender(c, await c.chain(false), ['crs_gen']);
      const client = sender.client;
      const asc = c.network().contracts.asc;
      const funds = await requestFunds(client, c.network().contracts.config, 'crs_gen');
      const { requestId, tx } = await submitCrsGen(client, asc, bits, funds);
      const p = progress(`crsgen ${requestId}: waiting for the parties (a CRS takes over a minute)`);
      // Progress: the parties' answers as they land.
      let seen = 0;
      const ticker = setInterval(() => {
        getRequest(client, asc, requestId)
          .then((r) => {
            if (r.responses.length !== seen) p.update(`${(seen = r.responses.length)} part${seen === 1 ? 'y has' : 'ies have'} answered`);
          })
          .catch(() => undefined);
      }, 5000);
      let request;
      try {
        request = await waitForSettled(client, asc, requestId, { fromHeight: tx.height, timeoutMs: Number(o.timeout) * 1000 });
      } finally {
        clearInterval(ticker);
      }
      if (request.status === 'expired') throw new TkmsError('CRSGEN_FAILED', `request ${requestId} expired without a result (fee refunded)`);
      if (request.status === 'failed') throw new TkmsError('CRSGEN_FAILED', `CRS generation failed: ${request.failure_reason}`);
      const { parties, threshold } = await c.parties(client);
      const { signers, dissenters } = verifyRequestResult(request, parties, threshold);
      p.done(`${signers.length} party signature(s)`);
      const crs = await getCrs(client, asc, requestId);
      const uris = request.responses.flatMap((r) => ('crs_gen' in r.response && signers.includes(r.party_id) ? [{ party: r.party_id, uri: r.response.crs_gen.crs_uri }] : []));
      printResult(c.opts, { crsId: requestId, digest: crs.crs_digest, maxNumBits: crs.max_num_bits, uris, signers, dissenters, txHash: tx.txHash, fee: funds, sentBy: sender.address }, () =>
        [`crs id:  ${requestId}`, `digest:  sha3-256 ${crs.crs_digest}`, `bits:    ${crs.max_num_bits}`, ...uris.map((u) => `party ${u.party}: ${u.uri}`), `signed by parties ${signers.join(', ')}${dissenters.length ? `; dissenting: ${dissenters.join(', ')}` : ''}`].join('\n'),
      );
    });

  program
    .command('verify-crs')
    .description('replay a threshold CRS ceremony from its public transcript: every contribution’s proof is checked (needs tkms-tfhe-zk, `make tfhe-zk`) and the result must be the CRS the parties signed')
    .option('--crs-id <id>', 'CRS id (default: the newest CRS on chain)')
    .action(async (o: { crsId?: string }) => {
      const c = ctx();
      const client = await c.chain(false);
      const { crsId, digest, maxNumBits, signers, uris } = await verifiedCrsRecord(c, client, o.crsId);
      const p = progress(`verify-crs ${crsId}: replaying the ceremony (a few seconds per contribution)`);
      const r = await verifyCrsTranscript({ crsId, digest, maxNumBits, crsUris: uris });
      p.done(`${r.contributors.length} contributions checked`);
      printResult(c.opts, { crsId, digest, maxNumBits, contributors: r.contributors, transcriptUri: r.uri, signers, verified: true }, () =>
        [
          `CRS ${crsId}: the ceremony transcript at ${r.uri} replays to sha3-256 ${digest}, the digest parties ${signers.join(', ')} signed`,
          `contributions, each with a verified proof: parties ${r.contributors.join(', ')}`,
          'its trapdoor is known only to a coalition of all of them',
        ].join('\n'),
      );
    });

  program
    .command('fetch-crs')
    .description('download a CRS (node-tfhe safe_serialize) and verify it against the digest 2t+1 parties signed on chain')
    .option('--crs-id <id>', 'CRS id (default: the newest CRS on chain)')
    .option('-o, --out <file>', 'write the verified bytes to this file')
    .action(async (o: { crsId?: string; out?: string }) => {
      const c = ctx();
      const client = await c.chain(false);
      const { crsId, uri, digest, bytes, maxNumBits, signers } = await fetchVerifiedCrs(c, client, o.crsId);
      if (o.out) writeFileSync(o.out, bytes);
      printResult(c.opts, { crsId, uri, digest, size: bytes.length, maxNumBits, signers, out: o.out ?? null }, () =>
        `CRS ${crsId}: ${bytes.length} bytes, sha3-256 ${digest} verified (signed by parties ${signers.join(', ')})${o.out ? `\nwritten to ${o.out}` : ''}`,
      );
    });
}
