#!/usr/bin/env node
/**
 * @module localnet/localnet
 * `make localnet`: N real wasmd validators on loopback (fast blocks, short gov
 * periods, funded accounts, a faucet), the contracts deployed, and the KMS
 * components started in the background. `make localnet-down` stops it all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { startWasmdNet, stopWasmdNet, spawnFaucet, wasmdAvailable } from './wasmdNet.js';
import { WasmdClient } from '../chain/wasmd/wasmdClient.js';
import { stateDir } from '../common/paths.js';
import { killFromPidFiles } from './processes.js';
import { markCurrent, startKms } from './kms.js';

const program = new Command('tkms-localnet')
  .description('run TKMS on real wasmd validators in the background')
  .option('--validators <n>', 'number of validators', '4')
  .option('--dir <dir>', 'state folder', stateDir('localnet'))
  .option('--base-port <port>', 'first validator port', '26600')
  .option('--faucet-port <port>', 'faucet port', '8200')
  .option('--kv-port <port>', 'KV-store port', '8190')
  .option('--core-base-port <port>', 'core p listens on base+p', '50150')
  .option('--public-base-port <port>', "core p's public storage listens on base+p", '8300')
  .option('--down', 'stop everything a previous `make localnet` started')
  .parse();

const o = program.opts<{ validators: string; dir: string; basePort: string; faucetPort: string; kvPort: string; coreBasePort: string; publicBasePort: string; down?: boolean }>();
const dir = path.resolve(o.dir);
const wasmdDir = path.join(dir, 'wasmd');
const say = (l: string): void => void process.stdout.write(`[localnet] ${l}\n`);

async function down(): Promise<void> {
  const kms = killFromPidFiles(dir);
  const validators = await stopWasmdNet(wasmdDir);
  say(`stopped ${kms.length} KMS process(es) and ${validators} chain process(es)`);
}

if (o.down) {
  await down();
  process.exit(0);
}
if (!wasmdAvailable()) {
  process.stderr.write('[localnet] wasmd is not built: run `make wasmd` first\n');
  process.exit(1);
}
await down();
const started = Date.now();
say(`starting ${o.validators} wasmd validators`);
const net = await startWasmdNet({ dir: wasmdDir, validators: Number(o.validators), basePort: Number(o.basePort), detached: true, log: say });
const faucet = await spawnFaucet(wasmdDir, Number(o.faucetPort));
const rpcUrl = net.rpcUrls[0]!;
const deployerAccount = net.accounts[0]!;
const deployer = await WasmdClient.connect(rpcUrl, { mnemonic: deployerAccount.mnemonic, prefix: net.bech32Prefix, gasPrice: net.gasPrice, chainId: net.chainId });
const fund = async (address: string): Promise<void> => {
  const res = await fetch(`${faucet.url}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address }) });
  if (!res.ok) throw new Error(`faucet failed for ${address}: HTTP ${res.status} ${await res.text()}`);
};
try {
  const kms = await startKms({
    dir,
    chain: { kind: 'wasmd', chainId: net.chainId, rpcUrl, denom: net.denom, gasPrice: net.gasPrice, bech32Prefix: net.bech32Prefix, faucetUrl: faucet.url },
    deployer,
    fund,
    ports: { kvStore: Number(o.kvPort), coreBase: Number(o.coreBasePort), publicBase: Number(o.publicBasePort) },
    detached: true,
    log: say,
  });
  await deployer.close();
  markCurrent(dir);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${net.rpcUrls.length} validators (RPC ${net.rpcUrls.join(', ')}), faucet ${faucet.url}`);
  say(`network: ${kms.networkFile}; logs: ${path.join(dir, 'logs')} and ${wasmdDir}`);
  say('use it: export PATH="$PWD/bin:$PATH"; tkms keys create --keyring test; tkms faucet; tkms keygen; …');
  say('stop it: make localnet-down');
  process.exit(0);
} catch (e) {
  process.stderr.write(`[localnet] start failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  if (existsSync(dir)) await down();
  process.exit(1);
}
