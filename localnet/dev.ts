#!/usr/bin/env node
/**
 * @module localnet/dev
 * `make start`: the whole system on one machine with the embedded chain —
 * embedded chain node, KV-store, core and connector as separate processes,
 * real gRPC over mutual TLS, real tfhe-rs keys. Runs in the foreground until
 * Ctrl-C; state survives restarts (`--fresh` starts over).
 */
import path from 'node:path';
import { Command } from 'commander';
import { stateDir } from '../common/paths.js';
import { markCurrent } from './kms.js';
import { startDevNetwork } from './devNetwork.js';

const program = new Command('tkms-start')
  .description('run TKMS locally on the embedded chain (every component real, one process each)')
  .option('--dir <dir>', 'state folder', stateDir('dev'))
  .option('--chain-port <port>', 'embedded chain HTTP port', '26757')
  .option('--kv-port <port>', 'KV-store port', '8090')
  .option('--core-base-port <port>', 'core p listens on base+p', '50050')
  .option('--public-base-port <port>', "core p's public storage listens on base+p", '8100')
  .option('--fresh', 'delete the previous state first', false)
  .option('--detach', 'start and exit, leaving the processes running (stop with `make stop`)', false)
  .parse();

const o = program.opts<{ dir: string; chainPort: string; kvPort: string; coreBasePort: string; publicBasePort: string; fresh: boolean; detach: boolean }>();
const say = (l: string): void => void process.stdout.write(`[tkms] ${l}\n`);
const dir = path.resolve(o.dir);

try {
  const net = await startDevNetwork({
    dir,
    chainPort: Number(o.chainPort),
    ports: { kvStore: Number(o.kvPort), coreBase: Number(o.coreBasePort), publicBase: Number(o.publicBasePort) },
    fresh: o.fresh,
    detached: o.detach,
    log: say,
    // The development network: its "default" application is open (decrypts whatever anyone uploads).
    devMode: true,
  });
  markCurrent(dir);
  say(`ready. network: ${net.networkFile}`);
  say('DEV NETWORK: the "default" application is open — it decrypts whatever anyone uploads. Never put real data on it.');
  say(`logs: ${path.join(dir, 'logs')}`);
  say('in another shell:');
  say('  export PATH="$PWD/bin:$PATH"');
  say('  tkms keys create --keyring test && tkms faucet');
  say('  tkms keygen && tkms encrypt 42 --type euint8 && tkms decrypt <handle>');
  if (o.detach) {
    say('running in the background; `make stop` stops it');
    process.exit(0);
  }
  say('Ctrl-C stops everything');
  const shutdown = async (): Promise<void> => {
    say('stopping');
    await net.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
} catch (e) {
  process.stderr.write(`[tkms] start failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
