#!/usr/bin/env node
/**
 * @module test/adversary/lyingCore
 * A malicious party for end-to-end tests: the real core, except that every
 * decryption it answers is off by one — and properly signed, so only the
 * quorum rule (t+1 identical answers) and the client's check keep it out —
 * and every user-decryption share it seals is off by one (the client's robust
 * reconstruction corrects it and names the party).
 * `node dist/test/adversary/lyingCore.js --config core.json`
 */
import { Command } from 'commander';
import { loadCoreConfig } from '../../core/service/config.js';
import { createCoreLogger, startCore } from '../../core/service/startCore.js';

const { config: file } = new Command('tkms-lying-core').requiredOption('-c, --config <file>').parse().opts<{ config: string }>();
const config = loadCoreConfig(file);
const logger = createCoreLogger(config);
logger.warn('ADVERSARY: this core signs wrong plaintexts (test/adversary/lyingCore)');
const core = await startCore(config, {
  logger,
  wrapKeyBackend: (honest) => ({
    ...honest,
    // It still takes part in the MPC honestly (so the others can decrypt), then lies about the result.
    decrypt: async (requestId, ct, secret) => (await honest.decrypt(requestId, ct, secret)) + 1n,
    // User decryption: honest MPC, then every digit share it seals is off by one (mod 2^W).
    ...(honest.decryptShare
      ? {
          decryptShare: async (requestId: string, cts: readonly unknown[], secret: unknown) => {
            const r = await honest.decryptShare!(requestId, cts, secret);
            const mask = (1 << r.digitBits) - 1;
            return { ...r, ciphertexts: r.ciphertexts.map((c) => ({ ...c, shares: c.shares.map((b) => (b + 1) & mask) })) };
          },
        }
      : {}),
  }),
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void core.close(5000).then(() => process.exit(0)));
