/**
 * Threshold user decryption end to end (issue 5): wasmd (one validator), four
 * threshold cores as processes, four connectors, the CLI. Party 4 is the
 * adversary of test/adversary/lyingCore: it takes part in the MPC honestly,
 * then seals wrong decryption shares. The user still gets the right plaintexts
 * and the CLI names party 4. Uses the wasmd base port of wasmd.test.ts (29600):
 * jest runs the two files one after the other.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { tkmsOk, type CliEnv, fundedCli } from '../helpers/tkms.js';

let net: WasmdKmsNetwork;
let cli: CliEnv;

beforeAll(async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-threshold-ud-'));
  net = await startWasmdKmsNetwork({
    dir,
    // Decrypts plain uploads through the open "default" application: a dev network.
    devMode: true,
    validators: 1,
    parties: 4,
    basePort: 25400, // its own range, below the ephemeral ports (32768+) freePort() hands out
    faucetPort: await freePort(),
    // Below the ephemeral range, clear of the other suites' fixed ports (21100–21300, 22100–22700).
    ports: { kvStore: await freePort(), coreBase: 23100, publicBase: 23200, mpcBase: 23300 },
    coreScript: (p) => (p === 4 ? path.join(repoRoot(), 'dist', 'test', 'adversary', 'lyingCore.js') : undefined),
  });
  cli = await fundedCli(net.networkFile, 'th-ud');
  await tkmsOk(cli, ['keygen']);
}, 900_000);

afterAll(async () => {
  await net?.stop();
}, 120_000);

test('malicious: user-decrypt of a batch reconstructs from threshold shares, corrects the lying party and names it', async () => {
  const a = await tkmsOk(cli, ['encrypt', '200', '--type', 'euint8']);
  const b = await tkmsOk(cli, ['encrypt', '1234567890123', '--type', 'euint64']);
  const out = await tkmsOk(cli, ['user-decrypt', '--wait-all', String(a['handle']), String(b['handle'])]);
  expect(out).toMatchObject({ plaintexts: ['200', '1234567890123'], mode: 'share', parties: [1, 2, 3] });
  expect(out['misbehaving']).toEqual([{ partyId: 4, reason: 'decryption share is wrong (corrected)' }]);
}, 300_000);
