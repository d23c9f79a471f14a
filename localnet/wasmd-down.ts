/**
 * @module localnet/wasmd-down
 * `make localnet-down`: stops the validators `wasmd-up` started in a folder.
 *
 * @example
 * npx tsx localnet/wasmd-down.ts
 */
import { Command } from 'commander';
import { stateDir } from '../common/paths.js';
import { stopWasmdNet } from './wasmdNet.js';

const program = new Command()
  .name('wasmd-down')
  .description('stop a local wasmd validator network')
  .option('-d, --dir <dir>', 'state folder', stateDir('wasmd'))
  .parse();
const { dir } = program.opts<{ dir: string }>();
const killed = await stopWasmdNet(dir);
console.error(`stopped ${killed} wasmd validator(s) in ${dir}`);
