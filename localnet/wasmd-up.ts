/**
 * @module localnet/wasmd-up
 * `make localnet`: starts N wasmd validators in the background (state and logs in
 * `.state/wasmd/` unless --dir) and the faucet, prints where they listen, and
 * exits; they keep running until `localnet/wasmd-down.ts` stops them.
 *
 * @example
 * npx tsx localnet/wasmd-up.ts --validators 4
 */
import { Command } from 'commander';
import { stateDir } from '../common/paths.js';
import { spawnFaucet, startWasmdNet, stopWasmdNet } from './wasmdNet.js';

const program = new Command()
  .name('wasmd-up')
  .description('start a local wasmd validator network in the background')
  .option('-v, --validators <n>', 'number of validators', '4')
  .option('-d, --dir <dir>', 'state folder (wiped)', stateDir('wasmd'))
  .option('-p, --base-port <port>', 'first port (10 per validator)', '26600')
  .option('--chain-id <id>', 'chain id', 'tkms-local')
  .option('-f, --faucet-port <port>', 'faucet port (0: no faucet)', '26690')
  .parse();
const o = program.opts<{ validators: string; dir: string; basePort: string; chainId: string; faucetPort: string }>();

const t0 = Date.now();
const net = await startWasmdNet({
  validators: Number(o.validators),
  dir: o.dir,
  basePort: Number(o.basePort),
  chainId: o.chainId,
  detached: true,
  log: (m) => console.error(m),
});
let faucetUrl: string | undefined;
if (Number(o.faucetPort) > 0) {
  try {
    faucetUrl = (await spawnFaucet(net.dir, Number(o.faucetPort))).url;
  } catch (e) {
    await stopWasmdNet(net.dir);
    throw e;
  }
}
console.error(`started in ${Date.now() - t0} ms; descriptor: ${net.dir}/net.json; logs: ${net.dir}/*.log`);
console.log(
  JSON.stringify(
    { chainId: net.chainId, rpcUrls: net.rpcUrls, denom: net.denom, gasPrice: net.gasPrice, bech32Prefix: net.bech32Prefix, faucetUrl, govAuthority: net.govAuthority },
    null,
    2,
  ),
);
process.exit(0);
