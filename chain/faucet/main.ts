/**
 * @module chain/faucet/main
 * Runs the faucet for a wasmd localnet in the foreground, with the faucet key
 * that `startWasmdNet` wrote to `<dir>/net.json`. `localnet/wasmd-up.ts`
 * starts it in the background.
 *
 * @example
 * npx tsx chain/faucet/main.ts --net-dir .state/wasmd --port 26690
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { stateDir } from '../../common/paths.js';
import { startFaucet } from './faucet.js';

const program = new Command()
  .name('tkms-faucet')
  .description('test-token faucet for a wasmd localnet')
  .option('-d, --net-dir <dir>', 'localnet state folder', stateDir('wasmd'))
  .option('-p, --port <port>', 'port', '26690')
  .option('-a, --amount <amount>', 'base units per credit', '1000000000')
  .parse();
const o = program.opts<{ netDir: string; port: string; amount: string }>();
// The shape localnet/wasmdNet.ts writes (read directly: chain/ does not import localnet/).
const net = JSON.parse(readFileSync(path.join(o.netDir, 'net.json'), 'utf8')) as {
  rpcUrls: string[];
  bech32Prefix: string;
  gasPrice: string;
  denom: string;
  faucet: { mnemonic: string };
};
const faucet = await startFaucet({
  mnemonic: net.faucet.mnemonic,
  rpcUrl: net.rpcUrls[0]!,
  prefix: net.bech32Prefix,
  gasPrice: net.gasPrice,
  denom: net.denom,
  port: Number(o.port),
  amount: o.amount,
  log: (m) => console.log(`${new Date().toISOString()} ${m}`),
});
const shutdown = () => void faucet.close().finally(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
