/** `tkms config`: what the Config contract says — governance, parties, threshold, parameters, fees, applications. */
import type { Command } from 'commander';
import { getParams, getParties, listApplications } from '../../chain/config/queries.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';

export function registerConfig(program: Command, ctx: () => CliContext): void {
  program
    .command('config')
    .description('show the KMS configuration on chain: governance, parties, threshold, FHE parameters, fees, applications')
    .action(async () => {
      const c = ctx();
      const client = await c.chain(false);
      const config = c.network().contracts.config;
      const [params, { parties }, applications] = await Promise.all([getParams(client, config), getParties(client, config), listApplications(client, config)]);
      printResult(c.opts, { ...params, parties, applications }, () =>
        [
          `governance:     ${params.governance}`,
          `parties:        n=${params.n}, t=${params.threshold}`,
          ...parties.map((p) => `  ${p.id}: ${p.address}  signer ${p.evm_address ?? p.signer_pubkey}${p.grpc_endpoint ? `  ${p.grpc_endpoint}` : ''}`),
          `FHE parameters: ${params.fhe_parameters}`,
          `fees:           ${(['keygen', 'decrypt', 'crs_gen', 'user_decrypt'] as const).map((k) => `${k} ${params.fees[k]}${params.fees.denom}`).join(', ')}`,
          `request expiry: ${params.request_expiry_seconds} s`,
          `applications:   ${applications.map((a) => `${a.app_id} (${a.isc_type}${a.isc ? ` ${a.isc}` : ''})`).join(', ')}`,
        ].join('\n'),
      );
    });
}
