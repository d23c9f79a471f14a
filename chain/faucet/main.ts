/**
 * @module chain/faucet/main
 * Runs the faucet for a wasmd localnet in the foreground, with the faucet key
 * that `startWasmdNet` wrote to `<dir>/net.json`. `localnet/wasmd-up.ts`
 * starts it in the background.
 *
 * @example
 * npx tsx chain/faucet/main.ts --net-dir .state/wasmd --port 36690
 */
import { Command } from 'commander';
import { stateDir } from '../../common/paths.js';
import { readWasmdNet } from '../../localnet/wasmdNet.js';
import { startFaucet } from './faucet.js';

const program = new Command()
  .name('tkms-faucet')
  .description('test-token faucet for a wasmd localnet')
  .option('-d, --net-dir <dir>', 'localnet state folder', stateDir('wasmd'))
  .option('-p, --port <port>', 'port', '36690')
  .option('-a, --amount <amount>', 'base units per credit', '1000000000')
  .parse();
const o = program.opts<{ netDir: string; port: string; amount: string }>();
const net = readWasmdNet(o.netDir);
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
