/**
 * `tkms keygen` and `tkms keygen-preproc`: a key set is two ASC requests, as in
 * Zama's KMS: a `keygen_preproc` (threshold cores agree on the PRSS keys the
 * key's decryption sessions need; 2t+1 parties sign it) whose id the `keygen`
 * request then names. `tkms keygen` runs both and prints both ids;
 * `--preproc-id <id>` uses an existing preprocessing instead; `--no-preproc`
 * sends a bare keygen (the cores preprocess inline). A preprocessing is made
 * for one parameter set (`--params`) and only a keygen asking for the same set
 * may use it, so `tkms keygen --params X` preprocesses for X. Both requests are
 * restricted to governance and the Config operators (cli/operatorSender.ts):
 * the user's own key when it is one, else the network's operator key.
 */
import type { Command } from 'commander';
import { submitKeygen, submitKeygenPreproc, waitForResult } from '../../chain/asc/actions.js';
import { verifyRequestResult } from '../../chain/asc/verify.js';
import type { KmsChainClient } from '../../chain/client.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { TkmsError } from '../../common/errors.js';
import { requestFunds } from '../../chain/config/queries.js';
import { operatorSender } from '../operatorSender.js';
import { watchPartyProgress } from '../partyProgress.js';
import { FHE_PARAMETER_SETS, isFheParameterSet, isInsecureParameterSet, type FheParameterSet } from '../../core/engine/tfhe/parameters.js';

const REQUEST_ID = /^[0-9a-f]{40}$/;

/** What to expect while waiting (README "How a threshold network makes its key"). */
const REAL_SET_DURATION = 'seconds centralized or dealt on a test network; about an hour for a distributed keygen at (4,1) on 2 cores';
const KEYGEN_DURATION: Record<FheParameterSet, string> = { default: REAL_SET_DURATION, fhevm: REAL_SET_DURATION, 'test-insecure': 'seconds to a minute' };

/** `--params` help; the insecure set says so in capitals (core/engine/tfhe/parameters.ts). */
const PARAMS_HELP =
  'FHE parameter set: default; fhevm (dedicated compact-public-key parameters: inputs can carry ZK proofs, `tkms encrypt --prove`); ' +
  'or test-insecure: INSECURE, for tests only (toy dimensions LWE 64, GLWE 1 x 512: a key in well under a second, protecting nothing; ' +
  'refused unless the network was instantiated in dev mode)';

/** `--params`: a known set, with a warning on stderr for the insecure one (the ASC refuses it outside dev networks anyway). */
function parameterSetOption(params: string): FheParameterSet {
  if (!isFheParameterSet(params)) throw new TkmsError('BAD_ARGUMENT', `--params must be one of ${FHE_PARAMETER_SETS.join(', ')}, got "${params.slice(0, 40)}"`);
  if (isInsecureParameterSet(params)) {
    process.stderr.write(`warning: ${params} is an INSECURE parameter set, for tests only: the key protects nothing (the ASC refuses it outside dev networks)\n`);
  }
  return params;
}

/** Runs `wait` while showing each party's progress on the job (cores that serve public storage over HTTP; cli/partyProgress.ts). */
async function withPartyProgress<T>(c: CliContext, requestId: string, p: { update(note?: string): void }, wait: () => Promise<T>): Promise<T> {
  // A terminal redraws one line; a log gets a line per 10 % step.
  const watch = watchPartyProgress(c.network().cores ?? [], requestId, (line) => p.update(line), { stepPercent: process.stderr.isTTY ? 1 : 10 });
  try {
    return await wait();
  } finally {
    watch.stop();
  }
}

/** Submits a keygen_preproc for `fheParameters` and waits until 2t+1 parties signed it; its id and signers. */
async function runPreproc(
  c: CliContext,
  client: KmsChainClient,
  timeoutMs: number,
  fheParameters: FheParameterSet,
): Promise<{ preprocId: string; fheParameters: FheParameterSet; txHash: string; signers: number[] }> {
  const asc = c.network().contracts.asc;
  const funds = await requestFunds(client, c.network().contracts.config, 'keygen_preproc');
  // `default` is sent as no name: the request an older ASC also accepts.
  const { requestId, tx } = await submitKeygenPreproc(client, asc, funds, fheParameters === 'default' ? undefined : fheParameters);
  const p = progress(`keygen preprocessing ${requestId}: waiting for the parties`);
  const request = await withPartyProgress(c, requestId, p, () => waitForResult(client, asc, requestId, { fromHeight: tx.height, timeoutMs }));
  if (request.status === 'expired') throw new TkmsError('KEYGEN_FAILED', `keygen preprocessing ${requestId} expired without a result (fee refunded)`);
  if (request.status === 'failed') throw new TkmsError('KEYGEN_FAILED', `keygen preprocessing ${requestId} failed: ${request.failure_reason}`);
  const { parties, threshold } = await c.parties(client);
  const { signers } = verifyRequestResult(request, parties, threshold);
  p.done(`${signers.length} party signature(s)`);
  return { preprocId: requestId, fheParameters, txHash: tx.txHash, signers };
}

export function registerKeygen(program: Command, ctx: () => CliContext): void {
  program
    .command('keygen-preproc')
    .description('run a key generation preprocessing alone (prints its id, for `tkms keygen --preproc-id <id> --params <same set>`)')
    .option('--params <set>', `${PARAMS_HELP}. The keygen that uses the preprocessing must name the same set`, 'default')
    .option('--timeout <seconds>', 'how long to wait for the parties', '600')
    .action(async (o: { timeout: string; params: string }) => {
      const c = ctx();
      const fheParameters = parameterSetOption(o.params);
      const sender = await operatorSender(c, await c.chain(false), ['keygen_preproc']);
      const client = sender.client;
      const r = await runPreproc(c, client, Number(o.timeout) * 1000, fheParameters);
      printResult(c.opts, r, () => [`preproc id:  ${r.preprocId}`, `parameters:  ${r.fheParameters}`, `signed by parties ${r.signers.join(', ')}`].join('\n'));
    });

  program
    .command('keygen')
    .description('generate a new FHE key set: a keygen preprocessing, then the keygen naming it (secret key stays in the KMS; public key and server key are published)')
    .option('--preproc-id <id>', 'use this completed keygen preprocessing (from `tkms keygen-preproc`) instead of running one')
    .option('--no-preproc', 'send a keygen without preprocessing request (the cores preprocess inline)')
    .option('--params <set>', PARAMS_HELP, 'default')
    .option('--timeout <seconds>', 'how long to wait for the parties (each step)', '600')
    .action(async (o: { timeout: string; preprocId?: string; preproc: boolean; params: string }) => {
      const c = ctx();
      const asc = c.network().contracts.asc;
      const timeoutMs = Number(o.timeout) * 1000;
      if (o.preprocId !== undefined && !REQUEST_ID.test(o.preprocId)) throw new TkmsError('BAD_ARGUMENT', `--preproc-id must be a request id (40 lower-case hex chars), got "${o.preprocId}"`);
      if (o.preprocId !== undefined && !o.preproc) throw new TkmsError('BAD_ARGUMENT', '--preproc-id and --no-preproc exclude each other');
      const fheParameters = parameterSetOption(o.params);
      // Checked before anything is sent: a refused sender spends no fee.
      const sender = await operatorSender(c, await c.chain(false), o.preproc && o.preprocId === undefined ? ['keygen_preproc', 'keygen'] : ['keygen']);
      const client = sender.client;
      // The preprocessing this keygen makes is for the same set: the ASC refuses a keygen on one made for another.
      const preprocId = o.preprocId ?? (o.preproc ? (await runPreproc(c, client, timeoutMs, fheParameters)).preprocId : undefined);
      // The fee is read from the Config at submission time and sent with the tx.
      const funds = await requestFunds(client, c.network().contracts.config, 'keygen');
      const { requestId, tx } = await submitKeygen(client, asc, funds, preprocId, fheParameters === 'default' ? undefined : fheParameters);
      const p = progress(`keygen ${requestId}: waiting for the parties (${KEYGEN_DURATION[fheParameters]})`);
      const request = await withPartyProgress(c, requestId, p, () => waitForResult(client, asc, requestId, { fromHeight: tx.height, timeoutMs }));
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
        { keyId: requestId, ...(preprocId ? { preprocId } : {}), fheParameters, txHash: tx.txHash, signers, dissenters, fee: funds, sentBy: sender.address, ...result },
        () =>
          [
            ...(preprocId ? [`preproc id:  ${preprocId}`] : []),
            `key id:      ${requestId}`,
            `parameters:  ${fheParameters}`,
            `public key:  ${result.public_key_uri}`,
            `             sha3-256 ${result.public_key_digest}`,
            `server key:  ${result.server_key_uri}`,
            `             sha3-256 ${result.server_key_digest}`,
            `signed by parties ${signers.join(', ')}${dissenters.length ? `; dissenting: ${dissenters.join(', ')}` : ''}`,
            ...(request.keygen?.insecure_dealer_keys ? ['INSECURE: made on a test network whose cores may deal keys (Config insecure_dealer_keys): one process may have held the whole key'] : []),
          ].join('\n'),
      );
    });
}
