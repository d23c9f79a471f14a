/** `tkms key-state <keyId>`: a key's lifecycle state (NIST SP 800-57) and what it allows. */
import type { Command } from 'commander';
import { getKey } from '../../chain/asc/actions.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';
import { resolveKeyId } from '../publicMaterial.js';
import { TkmsError } from '../../common/errors.js';

const ALLOWS: Record<string, { encrypt: boolean; decrypt: boolean }> = {
  pre_activation: { encrypt: false, decrypt: false },
  active: { encrypt: true, decrypt: true },
  suspended: { encrypt: false, decrypt: true },
  deactivated: { encrypt: false, decrypt: true },
  compromised: { encrypt: false, decrypt: true },
  destroyed: { encrypt: false, decrypt: false },
};

export function registerKeyState(program: Command, ctx: () => CliContext): void {
  program
    .command('key-state [keyId]')
    .description('show the lifecycle state of a key (default: the last generated key) and the operations it allows')
    .action(async (keyIdArg?: string) => {
      const c = ctx();
      const client = await c.chain(false);
      const keyId = await resolveKeyId(c, client, keyIdArg);
      const key = await getKey(client, c.network().contracts.asc, keyId).catch((e: unknown) => {
        throw new TkmsError('UNKNOWN_KEY', `key ${keyId} is not known to the ASC`, { cause: e });
      });
      const state = key.state ?? 'active';
      const allows = ALLOWS[state] ?? { encrypt: false, decrypt: false };
      printResult(c.opts, { keyId, state, since: key.state_height ?? null, ...allows }, () =>
        [
          `key ${keyId}: ${state}${key.state_height ? ` since height ${key.state_height}` : ''}`,
          `encrypt: ${allows.encrypt ? 'yes' : 'no'}   decrypt: ${allows.decrypt ? 'yes' : 'no'}`,
        ].join('\n'),
      );
    });
}
