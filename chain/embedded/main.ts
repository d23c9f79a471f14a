#!/usr/bin/env node
/**
 * @module chain/embedded/main
 * The embedded chain as a process: `node dist/chain/embedded/main.js --port 26757 --state .state/dev/chain`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { EmbeddedChain } from './embeddedChain.js';
import { startEmbeddedServer } from './server.js';
import { createLogger } from '../../common/logger.js';

const program = new Command('tkms-embedded-chain')
  .description('run the embedded KMS chain (contracts executed in process by cw-simulate) behind an HTTP API')
  .option('--port <port>', 'HTTP port on 127.0.0.1', '26757')
  .option('--state <path>', 'state file prefix; state survives restarts (omit for an in-memory chain)')
  .option('--chain-id <id>', 'chain id', 'tkms-embedded-1')
  .option('--faucet-amount <amount>', 'amount one faucet credit gives', '1000000000')
  .parse();

const o = program.opts<{ port: string; state?: string; chainId: string; faucetAmount: string }>();
const log = createLogger('embedded-chain');
if (o.state) mkdirSync(path.dirname(o.state), { recursive: true });
const chain = await EmbeddedChain.create({ chainId: o.chainId, ...(o.state ? { persistPath: o.state } : {}) });
const server = await startEmbeddedServer(chain, { port: Number(o.port), faucetAmount: o.faucetAmount, logger: log });
log.info({ url: server.url, chainId: chain.chainId, height: chain.height }, 'embedded chain serving');
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log.info('embedded chain stopping');
    void server.close().then(() => process.exit(0));
  });
}
