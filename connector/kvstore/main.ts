#!/usr/bin/env node
/**
 * @module connector/kvstore/main
 * `node dist/connector/kvstore/main.js --port 8100 --dir .state/kvstore`
 */
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { DEFAULT_MAX_CIPHERTEXT_BYTES, startKvStore } from './server.js';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const opts = new Command()
  .name('tkms-kvstore')
  .description('TKMS ciphertext KV-store (content-addressed by SHA3-256)')
  .requiredOption('-p, --port <port>', 'listen port (0: any free port)', int)
  .requiredOption('-d, --dir <dir>', 'storage directory')
  .option('--host <host>', 'listen address', '127.0.0.1')
  .option('--max-bytes <n>', 'largest ciphertext accepted', int, DEFAULT_MAX_CIPHERTEXT_BYTES)
  .option('--log-level <level>', 'pino log level', 'info')
  .showHelpAfterError()
  .parse()
  .opts<{ port: number; dir: string; host: string; maxBytes: number; logLevel: string }>();

const logger = pino({ level: opts.logLevel, base: { service: 'tkms-kvstore' } });
const kv = await startKvStore({ dir: opts.dir, host: opts.host, port: opts.port, maxBytes: opts.maxBytes, logger });
logger.info({ url: kv.url, dir: opts.dir, maxBytes: opts.maxBytes }, 'kvstore listening');
const stop = (signal: string) => {
  logger.info({ signal }, 'kvstore shutting down');
  kv.close().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
