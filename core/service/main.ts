#!/usr/bin/env node
/**
 * @module core/service/main
 * `node dist/core/service/main.js --config core-1.json`: runs one centralized
 * KMS core until SIGTERM/SIGINT, then shuts down gracefully (running key
 * generations finish, up to the grace period).
 */
import { Command, InvalidArgumentError } from 'commander';
import { TkmsError } from '../../common/errors.js';
import { loadCoreConfig } from './config.js';
import { createCoreLogger, startCore } from './startCore.js';

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

const program = new Command()
  .name('tkms-core')
  .description('TKMS core (centralized backend): gRPC over mutual TLS, public storage over HTTP')
  .requiredOption('-c, --config <file>', 'core config file (JSON)')
  .option('--grace-ms <ms>', 'how long shutdown waits for running jobs', int, 30_000)
  .showHelpAfterError();

program.parse();
const opts = program.opts<{ config: string; graceMs: number }>();

try {
  const config = loadCoreConfig(opts.config);
  const logger = createCoreLogger(config);
  const core = await startCore(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received');
    core.close(opts.graceMs).then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: (e as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (e) {
  const code = e instanceof TkmsError ? e.code : 'STARTUP_FAILED';
  process.stderr.write(`tkms-core: ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
