/** `tkms request <id>`: the state of any request, as the ASC records it. */
import type { Command } from 'commander';
import { getRequest } from '../../chain/asc/actions.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';

export function registerRequest(program: Command, ctx: () => CliContext): void {
  program
    .command('request <requestId>')
    .description('show a request, its party responses and its result or failure reason')
    .action(async (requestId: string) => {
      const c = ctx();
      const client = await c.chain(false);
      const r = await getRequest(client, c.network().contracts.asc, requestId);
      printResult(c.opts, { ...r }, () =>
        [
          `request ${r.request_id} (${r.kind}) from ${r.sender} at height ${r.height}`,
          `status: ${r.status}${r.failure_reason ? ` — ${r.failure_reason}` : ''}`,
          ...r.responses.map((x) => `  party ${x.party_id} at ${x.height}: ${JSON.stringify(x.response, (k, v: unknown) => (k === 'signature' ? undefined : v))}`),
        ].join('\n'),
      );
    });
}
