/**
 * Threshold end to end at n = 7, t = 2 through a real wasmd chain: seven cores
 * as separate processes running the MPC over pinned mutual TLS, seven
 * connectors, the CLI. Party 7 lies in every MPC open and signs wrong
 * plaintexts (test/adversary/mpcLiarCore); party 6 is killed after key
 * generation. Decryptions must still give the right plaintext (five honest
 * parties = n − t). One key generation only: dealing a key set to six parties
 * is the slow part.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KmsChainClient } from '../../chain/client.js';
import { getRequest } from '../../chain/asc/actions.js';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { tkmsOk, type CliEnv, cliAccountClient, fundedCli } from '../helpers/tkms.js';
import { readFileSync } from 'node:fs';

let net: WasmdKmsNetwork;
let cli: CliEnv;
let user: KmsChainClient;
let keyId: string;

beforeAll(async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-threshold7-'));
  net = await startWasmdKmsNetwork({
    dir,
    // Decrypts plain uploads through the open "default" application: a dev network.
    devMode: true,
    validators: 1,
    parties: 7,
    basePort: 31200,
    faucetPort: await freePort(),
    ports: { kvStore: await freePort(), coreBase: 31300, publicBase: 31400, mpcBase: 31500 },
    coreScript: (p) => (p === 7 ? path.join(repoRoot(), 'dist', 'test', 'adversary', 'mpcLiarCore.js') : undefined),
  });
  cli = await fundedCli(net.networkFile, 'th7');
  user = await cliAccountClient(cli, net.network);
  keyId = String((await tkmsOk(cli, ['keygen']))['keyId']);
}, 1_200_000);

afterAll(async () => {
  await user?.close();
  await net?.stop();
}, 120_000);

test('malicious: at (7, 2) with party 7 lying in the MPC and party 6 killed, decryptions give the right plaintext', async () => {
  expect(keyId).toMatch(/^[0-9a-f]{40}$/);
  const core6 = net.processes.find((p) => p.name === 'core-6')!;
  core6.child.kill('SIGKILL');
  await core6.stop();
  for (const [value, type] of [
    ['true', 'ebool'],
    ['201', 'euint8'],
    ['18446744073709551557', 'euint64'],
  ] as const) {
    const enc = await tkmsOk(cli, ['encrypt', value, '--type', type]);
    const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
    expect(dec['plaintext']).toBe(value);
    const r = await getRequest(user, net.network.contracts.asc, String(dec['requestId']));
    expect(r.payees).not.toContain(7);
    expect(r.payees).not.toContain(6);
  }
  // The honest cores proved party 7 wrong in the MPC and logged it.
  const core1 = net.processes.find((p) => p.name === 'core-1')!;
  expect(readFileSync(core1.logFile, 'utf8')).toMatch(/"cheaters":\[7\][^\n]*parties proven to deviate/);
}, 900_000);
