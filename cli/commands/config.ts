/**
 * `tkms config`: what the Config contract says — governance, parties, threshold,
 * parameters, fees, applications — and the trust it implies, in words: whether
 * the network is a dev network (open applications decrypt anything anyone
 * uploads), whether its cores may deal keys (an INSECURE test network), who may start key and CRS generation (operators), and whose
 * submissions are decrypted without proof of origin (trusted submitters).
 */
import type { Command } from 'commander';
import { getParams, getParties, listApplications } from '../../chain/config/queries.js';
import type { ParamsResponse } from '../../chain/config/messages.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';

/** The dev-mode line: loud on a dev network, and a reminder of what that means. */
export function devModeLine(params: Pick<ParamsResponse, 'dev_mode'>): string {
  return params.dev_mode
    ? 'DEV NETWORK: open applications decrypt anything anyone uploads — never for real data'
    : 'production: no open application; ciphertexts need a proof of origin (proven input, an ISC, or a trusted submitter)';
}

export function registerConfig(program: Command, ctx: () => CliContext): void {
  program
    .command('config')
    .description('show the KMS configuration on chain: dev mode, governance, operators, trusted submitters, parties, threshold, FHE parameters, fees, applications')
    .action(async () => {
      const c = ctx();
      const client = await c.chain(false);
      const config = c.network().contracts.config;
      const [params, { parties }, applications] = await Promise.all([getParams(client, config), getParties(client, config), listApplications(client, config)]);
      const operators = params.operators ?? [];
      const submitters = params.trusted_submitters ?? [];
      const dealer = params.insecure_dealer_keys ?? false;
      printResult(c.opts, { ...params, dev_mode: params.dev_mode ?? false, insecure_dealer_keys: dealer, operators, trusted_submitters: submitters, parties, applications }, () =>
        [
          `mode:           ${devModeLine(params)}`,
          `key generation: ${
            dealer
              ? 'INSECURE TEST NETWORK: cores configured for it may deal default and fhevm keys from one process (Config insecure_dealer_keys) — never for real data'
              : 'distributed only: no core deals a key, whatever its configuration'
          }`,
          `governance:     ${params.governance}`,
          `operators:      ${operators.length ? operators.join(', ') : '(none: governance only)'}  — may start keygen, keygen_preproc and crs_gen`,
          `trusted submitters: ${submitters.length ? submitters.join(', ') : '(none)'}`,
          ...(submitters.length
            ? ['                a trust assumption: the KMS decrypts whatever these accounts submit without proof of origin']
            : []),
          `parties:        n=${params.n}, t=${params.threshold}`,
          ...parties.map((p) => `  ${p.id}: ${p.address}  signer ${p.evm_address ?? p.signer_pubkey}${p.grpc_endpoint ? `  ${p.grpc_endpoint}` : ''}`),
          `FHE parameters: ${params.fhe_parameters}`,
          `fees:           ${(['keygen_preproc', 'keygen', 'decrypt', 'crs_gen', 'user_decrypt'] as const).map((k) => `${k} ${params.fees[k] ?? '0'}${params.fees.denom}`).join(', ')}`,
          `request expiry: ${params.request_expiry_seconds} s`,
          `applications:   ${applications.map((a) => `${a.app_id} (${a.isc_type}${a.isc ? ` ${a.isc}` : ''})`).join(', ')}`,
          ...(applications.some((a) => a.isc_type === 'open') ? ['                open: no ISC and no provenance check — dev networks only'] : []),
        ].join('\n'),
      );
    });
}
