#!/usr/bin/env node
/**
 * @module localnet/dev
 * `make start`: the whole system on one machine with the embedded chain —
 * embedded chain node, KV-store, core and connector as separate processes,
 * real gRPC over mutual TLS, real tfhe-rs keys. Runs in the foreground until
 * Ctrl-C; state survives restarts (`--fresh` starts over).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { EmbeddedRemoteClient } from '../chain/embedded/remoteClient.js';
import { accountFromMnemonic, generateMnemonic } from '../chain/wallet.js';
import { repoRoot, stateDir } from '../common/paths.js';
import { httpOk, killFromPidFiles, spawnManaged, waitReady } from './processes.js';
import { markCurrent, startKms } from './kms.js';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';

export interface DevOptions {
  dir: string;
  chainPort: number;
  kvStorePort: number;
  coreBasePort: number;
  publicBasePort: number;
  fresh: boolean;
}

const program = new Command('tkms-start')
  .description('run TKMS locally on the embedded chain (every component real, one process each)')
  .option('--dir <dir>', 'state folder', stateDir('dev'))
  .option('--chain-port <port>', 'embedded chain HTTP port', '26757')
  .option('--kv-port <port>', 'KV-store port', '8090')
  .option('--core-base-port <port>', 'core p listens on base+p', '50050')
  .option('--public-base-port <port>', "core p's public storage listens on base+p", '8100')
  .option('--fresh', 'delete the previous state first', false)
  .option('--detach', 'start and exit, leaving the processes running (stop with `make stop`)', false);

program.parse();
const o = program.opts<{ dir: string; chainPort: string; kvPort: string; coreBasePort: string; publicBasePort: string; fresh: boolean; detach: boolean }>();
const dir = path.resolve(o.dir);
const say = (l: string): void => void process.stdout.write(`[tkms] ${l}\n`);

const leftovers = killFromPidFiles(dir);
if (leftovers.length) say(`stopped leftovers of a previous run: ${leftovers.join(', ')}`);
if (o.fresh) rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const chainUrl = `http://127.0.0.1:${o.chainPort}`;
say(`starting the embedded chain on ${chainUrl}`);
const chainProc = spawnManaged({
  name: 'embedded-chain',
  dir,
  command: process.execPath,
  args: [path.join(repoRoot(), 'dist/chain/embedded/main.js'), '--port', o.chainPort, '--state', path.join(dir, 'chain', 'chain')],
});
await waitReady(chainProc, () => httpOk(`${chainUrl}/health`));

const deployerFile = path.join(dir, 'deployer.mnemonic');
if (!existsSync(deployerFile)) writeFileSync(deployerFile, generateMnemonic(), { mode: 0o600 });
const deployerAccount = await accountFromMnemonic(readFileSync(deployerFile, 'utf8'), 'wasm');
const deployer = await EmbeddedRemoteClient.connect(chainUrl, deployerAccount);
const fund = async (address: string): Promise<void> => {
  const res = await fetch(`${chainUrl}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address }) });
  if (!res.ok) throw new Error(`faucet failed for ${address}: HTTP ${res.status}`);
};
await fund(deployerAccount.address);

try {
  const kms = await startKms({
    dir,
    chain: { kind: 'embedded', chainId: deployer.chainId, rpcUrl: chainUrl, denom: 'ustake', bech32Prefix: 'wasm', faucetUrl: chainUrl },
    deployer,
    fund,
    ports: { kvStore: Number(o.kvPort), coreBase: Number(o.coreBasePort), publicBase: Number(o.publicBasePort) },
    log: say,
  });
  markCurrent(dir);
  say(`ready. network: ${kms.networkFile}`);
  say(`logs: ${path.join(dir, 'logs')}`);
  say('in another shell:');
  say('  export PATH="$PWD/bin:$PATH"');
  say('  tkms keys create --keyring test && tkms faucet');
  say('  tkms keygen && tkms encrypt 42 --type euint8 && tkms decrypt <handle>');
  if (o.detach) process.exit(0);
  say('Ctrl-C stops everything');
  const shutdown = async (): Promise<void> => {
    say('stopping');
    await kms.stop();
    await chainProc.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
} catch (e) {
  await chainProc.stop();
  process.stderr.write(`[tkms] start failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
