#!/usr/bin/env node
/**
 * @module test/adversary/stallingCore
 * An honest core that can be made to stall, for "a party dies in the middle of
 * a request" tests: once the file `stall-decryptions` exists next to its config,
 * every public decryption it starts logs `ADVERSARY: stalling` and waits a minute
 * before taking part in the MPC. A test that kills it on that line kills it
 * deterministically after it took the request and before it answered — with
 * pooled preprocessing an honest decryption is over in milliseconds, too fast
 * to kill reliably mid-way. The other parties must finish without it.
 * `node dist/test/adversary/stallingCore.js --config core.json`
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadCoreConfig } from '../../core/service/config.js';
import { createCoreLogger, startCore } from '../../core/service/startCore.js';

const STALL_MS = 60_000;
const { config: file } = new Command('tkms-stalling-core').requiredOption('-c, --config <file>').parse().opts<{ config: string }>();
const trigger = path.join(path.dirname(path.resolve(file)), 'stall-decryptions');
const config = loadCoreConfig(file);
const logger = createCoreLogger(config);
logger.warn({ trigger }, 'ADVERSARY: this core stalls its decryptions once the trigger file exists (test/adversary/stallingCore)');
const core = await startCore(config, {
  logger,
  wrapKeyBackend: (honest) => ({
    ...honest,
    decrypt: async (requestId, ct, secret) => {
      if (existsSync(trigger)) {
        logger.warn({ requestId }, 'ADVERSARY: stalling');
        await new Promise((r) => setTimeout(r, STALL_MS));
      }
      return honest.decrypt(requestId, ct, secret);
    },
  }),
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void core.close(5000).then(() => process.exit(0)));
