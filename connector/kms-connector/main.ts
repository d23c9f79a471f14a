#!/usr/bin/env node
/**
 * @module connector/kms-connector/main
 * `node dist/connector/kms-connector/main.js --config <file>`: one party's connector.
 *
 * Health: `GET /health` on loopback (health.ts), on `health.port` or a free
 * port; the URL is written to `<stateDir>/connector-p<id>.health.json` either
 * way, so tools find it without a fixed port.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { connectChain } from '../../chain/connect.js';
import type { NetworkDescriptor } from '../../chain/client.js';
import { accountFromMnemonic } from '../../chain/wallet.js';
import { connectCore } from '../../core/client/coreClient.js';
import { KmsConnector } from './connector.js';
import { serveHealth } from './health.js';
import { corePort } from './corePort.js';
import { fileCheckpoint } from './checkpoint.js';
import { createLogger } from '../../common/logger.js';

export interface ConnectorConfig {
  partyId: number;
  /** Path of the network description (network.json). */
  network: string;
  /** File holding the party's chain account mnemonic. */
  mnemonicFile: string;
  /** serverName: the name the core's certificate is checked against (default localhost: local certs carry it). */
  core: { url: string; tls: { ca: string; cert: string; key: string }; serverName?: string };
  /** Where the replay checkpoint lives. */
  stateDir: string;
  concurrency?: number;
  /** How often to collect earned fees (`claim`), ms; 0 never (default 60000). */
  claimIntervalMs?: number;
  /** How often to mirror the ASC's key states into the core, ms; 0 never (default 2000). */
  keyStateIntervalMs?: number;
  /** Failed jobs: first wait before a retry, ms (default 2000), doubling up to `retryMaxMs` (default 60000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * The ASC event subscription: a lost one is opened again from the checkpoint
   * after reconnectBaseMs (default 1000) doubling up to reconnectMaxMs (default
   * 30000); one with no successful read for stallMs (default 30000) counts as
   * lost. exitAfterMs > 0: exit with code 1 after that long without a working
   * subscription, for a supervisor to restart the process (default 0: never).
   */
  watch?: { reconnectBaseMs?: number; reconnectMaxMs?: number; stallMs?: number; exitAfterMs?: number };
  /** The health endpoint (default: 127.0.0.1, a free port); false: none. */
  health?: { host?: string; port?: number } | false;
}

const program = new Command('tkms-connector')
  .description("run one party's KMS connector: ASC events → core → fulfillment transactions")
  .requiredOption('--config <file>', 'connector config (JSON)')
  .parse();

const file = program.opts<{ config: string }>().config;
const base = path.dirname(path.resolve(file));
const cfg = JSON.parse(readFileSync(file, 'utf8')) as ConnectorConfig;
const rel = (p: string): string => path.resolve(base, p);
const log = createLogger(`connector-p${cfg.partyId}`);

const network = JSON.parse(readFileSync(rel(cfg.network), 'utf8')) as NetworkDescriptor;
const account = await accountFromMnemonic(readFileSync(rel(cfg.mnemonicFile), 'utf8'), network.bech32Prefix);
// Fulfillments are simulated against the state before the block; several
// parties' answers land in one block and the one completing the quorum does
// more work than simulated, so leave room.
const chain = await connectChain(network, account, { gasMultiplier: 3 });
const core = connectCore(cfg.core.url, {
  ca: readFileSync(rel(cfg.core.tls.ca)),
  cert: readFileSync(rel(cfg.core.tls.cert)),
  key: readFileSync(rel(cfg.core.tls.key)),
}, { serverName: cfg.core.serverName ?? 'localhost' });

const kvStore = network.kvStoreUrl;
const connector = new KmsConnector({
  partyId: cfg.partyId,
  chain,
  asc: network.contracts.asc,
  core: corePort(core),
  ciphertexts: async (digest) => {
    const res = await fetch(`${kvStore}/v1/ciphertexts/${digest}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`KV-store answered HTTP ${res.status} for ${digest}`);
    return new Uint8Array(await res.arrayBuffer());
  },
  checkpoint: fileCheckpoint(path.join(rel(cfg.stateDir), `connector-p${cfg.partyId}.checkpoint.json`)),
  logger: log,
  ...(cfg.concurrency ? { concurrency: cfg.concurrency } : {}),
  ...(cfg.claimIntervalMs !== undefined ? { claimIntervalMs: cfg.claimIntervalMs } : {}),
  ...(cfg.keyStateIntervalMs !== undefined ? { keyStateIntervalMs: cfg.keyStateIntervalMs } : {}),
  ...(cfg.retryBaseMs !== undefined ? { retryBaseMs: cfg.retryBaseMs } : {}),
  ...(cfg.retryMaxMs !== undefined ? { retryMaxMs: cfg.retryMaxMs } : {}),
  watch: {
    ...(cfg.watch?.reconnectBaseMs !== undefined ? { reconnectBaseMs: cfg.watch.reconnectBaseMs } : {}),
    ...(cfg.watch?.reconnectMaxMs !== undefined ? { reconnectMaxMs: cfg.watch.reconnectMaxMs } : {}),
    ...(cfg.watch?.stallMs !== undefined ? { stallMs: cfg.watch.stallMs } : {}),
    ...(cfg.watch?.exitAfterMs !== undefined ? { giveUpAfterMs: cfg.watch.exitAfterMs } : {}),
  },
  // Only with watch.exitAfterMs: the process ends so that its supervisor starts a fresh one.
  onFatal: (err) => {
    log.fatal({ err }, 'no ASC event subscription for too long; exiting for the supervisor to restart the connector');
    process.exit(1);
  },
});
await connector.start();
log.info({ address: account.address, asc: network.contracts.asc, core: cfg.core.url }, 'connector started');

const health = cfg.health === false ? undefined : await serveHealth(() => connector.status(), { port: cfg.health?.port ?? 0, ...(cfg.health?.host ? { host: cfg.health.host } : {}) });
if (health) {
  const file = path.join(rel(cfg.stateDir), `connector-p${cfg.partyId}.health.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify({ url: `${health.url}/health` }));
  renameSync(`${file}.tmp`, file);
  log.info({ url: `${health.url}/health` }, 'health endpoint serving');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log.info({ handled: connector.handled }, 'connector stopping');
    void connector.stop().then(async () => {
      await health?.close();
      core.close();
      await chain.close();
      process.exit(0);
    });
  });
}
