#!/usr/bin/env node
/**
 * @module cli/main
 * `tkms`: the KMS wallet. Keys, faucet, key generation, encryption, decryption,
 * public material download and governance (wasmd), against the network `make start` or
 * `make localnet` describes (or `--network <file>`).
 */
import { Command } from 'commander';
import { CliContext, type GlobalOptions } from './context.js';
import { reportError } from './output.js';
import { registerKeys } from './commands/keys.js';
import { registerFaucet } from './commands/faucet.js';
import { registerKeygen } from './commands/keygen.js';
import { registerFetchKey } from './commands/fetchKey.js';
import { registerEncrypt } from './commands/encrypt.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerRequest } from './commands/request.js';
import { registerFees } from './commands/fees.js';
import { registerKeyState } from './commands/keyState.js';
import { registerConfig } from './commands/config.js';
import { registerGov } from './commands/gov.js';
import { registerUserDecrypt } from './commands/userDecrypt.js';
import { registerCrs } from './commands/crs.js';

const program = new Command('tkms')
  .description('TKMS wallet: threshold key management for FHE')
  .option('--json', 'machine-readable output on stdout', false)
  .option('--home <dir>', 'wallet directory (default $TKMS_HOME or ~/.tkms)')
  .option('--network <file>', 'network description (default: the one `make start` / `make localnet` wrote)')
  .option('--key <name>', 'account key name', 'default')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const ctx = (): CliContext => new CliContext(program.opts<GlobalOptions>());
registerKeys(program, ctx);
registerFaucet(program, ctx);
registerKeygen(program, ctx);
registerFetchKey(program, ctx);
registerEncrypt(program, ctx);
registerDecrypt(program, ctx);
registerRequest(program, ctx);
registerFees(program, ctx);
registerKeyState(program, ctx);
registerConfig(program, ctx);
registerGov(program, ctx);
registerUserDecrypt(program, ctx);
registerCrs(program, ctx);

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (e) {
  process.exit(reportError(e, program.opts<GlobalOptions>()));
}
