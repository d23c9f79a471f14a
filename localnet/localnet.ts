#!/usr/bin/env node
/**
 * @module localnet/localnet
 * `make localnet`: N real wasmd validators on loopback (fast blocks, short gov
 * periods, funded accounts, a faucet), the contracts deployed, and the KMS
 * components started in the background. `make localnet-down` stops it all.
 */
import path from 'node:path';
import { Command } from 'commander';
import { wasmdAvailable } from './wasmdNet.js';
import { stateDir } from '../common/paths.js';
import { markCurrent } from './kms.js';
import { startWasmdKmsNetwork, stopWasmdKmsNetwork } from './wasmdKmsNetwork.js';

const program = new Command('tkms-localnet')
  .description('run TKMS on real wasmd validators in the background')
  .option('--validators <n>', 'number of validators', '4')
  .option('--parties <n>', 'KMS parties: 1 = centralized core, n ≥ 4 = threshold cores (t = ⌊(n−1)/3⌋)', '4')
  .option('--dir <dir>', 'state folder', stateDir('localnet'))
  .option('--base-port <port>', 'first validator port', '26600')
  .option('--faucet-port <port>', 'faucet port', '8200')
  .option('--kv-port <port>', 'KV-store port', '8190')
  .option('--core-base-port <port>', 'core p listens on base+p', '50150')
  .option('--public-base-port <port>', "core p's public storage listens on base+p", '8300')
  .option('--down', 'stop everything a previous `make localnet` started')
  .parse();

const o = program.opts<{ parties: string; validators: string; dir: string; basePort: string; faucetPort: string; kvPort: string; coreBasePort: string; publicBasePort: string; down?: boolean }>();
const dir = path.resolve(o.dir);
const say = (l: string): void => void process.stdout.write(`[localnet] ${l}\n`);

if (o.down) {
  const { kms, chain } = await stopWasmdKmsNetwork(dir);
  say(`stopped ${kms.length} KMS process(es) and ${chain} chain process(es)`);
  process.exit(0);
}
if (!wasmdAvailable()) {
  process.stderr.write('[localnet] wasmd is not built: run `make wasmd` first\n');
  process.exit(1);
}
const started = Date.now();
try {
  const net = await startWasmdKmsNetwork({
    dir,
    validators: Number(o.validators),
    parties: Number(o.parties),
    basePort: Number(o.basePort),
    faucetPort: Number(o.faucetPort),
    ports: { kvStore: Number(o.kvPort), coreBase: Number(o.coreBasePort), publicBase: Number(o.publicBasePort) },
    detached: true,
    log: say,
    // Production-shaped: no open application; decryptions need proven inputs (or an ISC).
    devMode: false,
  });
  markCurrent(dir);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${net.chain.rpcUrls.length} validators (RPC ${net.chain.rpcUrls.join(', ')}), faucet ${net.faucetUrl}`);
  say(`network: ${net.networkFile}; logs: ${path.join(dir, 'logs')} and ${path.join(dir, 'wasmd')}`);
  say('production-shaped: no dev mode, the "default" application decrypts proven inputs only');
  say('use it: export PATH="$PWD/bin:$PATH"; tkms keys create --keyring test; tkms faucet;');
  say('        tkms keygen --params fhevm; tkms crsgen --max-bits 64; tkms encrypt 42 --type euint8 --prove; tkms decrypt <handle>');
  say('stop it: make localnet-down');
  process.exit(0);
} catch (e) {
  process.stderr.write(`[localnet] start failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  await stopWasmdKmsNetwork(dir);
  process.exit(1);
}
