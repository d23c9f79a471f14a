/** `tkms keys create|import|show`: the account that signs this CLI's transactions. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { accountFromMnemonic, generateMnemonic } from '../../chain/wallet.js';
import { saveKey, type KeyringBackend } from '../keyring.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';
import { TkmsError } from '../../common/errors.js';

type Ctx = () => CliContext;

function backend(value: string): KeyringBackend {
  if (value !== 'file' && value !== 'test') throw new TkmsError('BAD_KEYRING', `unknown keyring "${value}": use file or test`);
  return value;
}

export function registerKeys(program: Command, ctx: Ctx): void {
  const keys = program.command('keys').description('create, import and show the account key');
  keys
    .command('create')
    .description('create a new account key (BIP-39 mnemonic)')
    .option('--keyring <backend>', 'file (encrypted under TKMS_PASSPHRASE) or test (clear, development only)', 'file')
    .option('--force', 'replace an existing key of the same name')
    .action(async (o: { keyring: string; force?: boolean }) => {
      const c = ctx();
      const mnemonic = generateMnemonic();
      saveKey(c.home, c.opts.key, mnemonic, backend(o.keyring), o.force);
      const { address } = await accountFromMnemonic(mnemonic, prefix(c));
      printResult(c.opts, { name: c.opts.key, address, keyring: o.keyring }, () =>
        `created key "${c.opts.key}" (${o.keyring} keyring)\naddress: ${address}${o.keyring === 'test' ? '\nwarning: the test keyring keeps the mnemonic in clear on disk' : ''}`,
      );
    });
  keys
    .command('import')
    .description('import an account from a mnemonic (read from --mnemonic-file or stdin)')
    .option('--mnemonic-file <file>', 'file holding the mnemonic')
    .option('--keyring <backend>', 'file or test', 'file')
    .option('--force', 'replace an existing key of the same name')
    .action(async (o: { mnemonicFile?: string; keyring: string; force?: boolean }) => {
      const c = ctx();
      const mnemonic = readFileSync(o.mnemonicFile ?? 0, 'utf8').trim();
      const { address } = await accountFromMnemonic(mnemonic, prefix(c));
      saveKey(c.home, c.opts.key, mnemonic, backend(o.keyring), o.force);
      printResult(c.opts, { name: c.opts.key, address }, () => `imported key "${c.opts.key}"\naddress: ${address}`);
    });
  keys
    .command('show')
    .description('show the account address')
    .action(async () => {
      const c = ctx();
      const { address } = await c.account();
      printResult(c.opts, { name: c.opts.key, address }, () => address);
    });
}

function prefix(c: CliContext): string {
  try {
    return c.network().bech32Prefix;
  } catch {
    return 'wasm';
  }
}
