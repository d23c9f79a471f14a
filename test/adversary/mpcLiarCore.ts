#!/usr/bin/env node
/**
 * @module test/adversary/mpcLiarCore
 * A malicious threshold party for end-to-end tests: the real core, except that
 * in every MPC open it takes part in (triple check, random bits, Beaver
 * multiplications, masked and final opens) it adds a fixed offset to its
 * shares (`OffsetLiarParty`), and it signs wrong plaintexts (off by one). The
 * honest parties must correct its shares, name it, exclude it from the key's
 * later sessions, and outvote its answers.
 * `node dist/test/adversary/mpcLiarCore.js --config core.json`
 */
import { Command } from 'commander';
import { loadCoreConfig } from '../../core/service/config.js';
import { createCoreLogger, startCore } from '../../core/service/startCore.js';
import { galoisRing, ringForParties } from '../../core/engine/mpc/algebra/galoisRing.js';
import { OffsetLiarParty } from '../../core/engine/mpc/malicious/online.js';

const { config: file } = new Command('tkms-mpc-liar-core').requiredOption('-c, --config <file>').parse().opts<{ config: string }>();
const config = loadCoreConfig(file);
const logger = createCoreLogger(config);
logger.warn('ADVERSARY: this core lies in every MPC open and signs wrong plaintexts (test/adversary/mpcLiarCore)');
const n = config.threshold?.peers.length ?? 1;
const R = n > 1 ? ringForParties(n) : galoisRing(3);
const core = await startCore(config, {
  logger,
  mpcOpener: new OffsetLiarParty(R.constant(0x1234_5678n)),
  wrapKeyBackend: (honest) => ({
    ...honest,
    decrypt: async (requestId, ct, secret) => (await honest.decrypt(requestId, ct, secret)) + 1n,
  }),
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void core.close(5000).then(() => process.exit(0)));
