/**
 * Distributed key generation end to end, through four threshold core
 * processes (n = 4, t = 1) and their connectors on the embedded dev chain
 * (the same contract wasm as wasmd), driven by the CLI: `tkms keygen --params
 * test-insecure` sends a keygen_preproc for the set (PRSS keys, then the
 * DKG's random bits and triples in sealed chunks) and the keygen naming it;
 * no core deals (each logs its DKG, none a dealt key set), all four sign the
 * same key set, and a value encrypted under the published key decrypts by
 * MPC. The set is INSECURE: a dev network only (cores in dev mode).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork, type DevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import { getRequest } from '../../chain/asc/actions.js';
import type { KmsChainClient } from '../../chain/client.js';
import { cliAccountClient, fundedCli, tkmsOk, type CliEnv } from '../helpers/tkms.js';

describe('distributed key generation through four core processes (test-insecure, dev network)', () => {
  let net: DevNetwork;
  let cli: CliEnv;
  let user: KmsChainClient;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-dkg-'));
    const [chainPort, kvStore] = [await freePort(), await freePort()];
    // Fixed ports below the ephemeral range, clear of every other suite's.
    net = await startDevNetwork({ dir, chainPort, parties: 4, ports: { kvStore, coreBase: 26100, publicBase: 26200, mpcBase: 26300 } });
    cli = await fundedCli(net.networkFile, 'dkg');
    user = await cliAccountClient(cli, net.network);
  }, 900_000);

  afterAll(async () => {
    await user?.close();
    await net?.stop();
  }, 120_000);

  test('default: no dealer, four parties sign the same key set, node-tfhe encrypts under it and the parties decrypt', async () => {
    const kg = await tkmsOk(cli, ['keygen', '--params', 'test-insecure']);
    const keyId = String(kg['keyId']);
    const request = await getRequest(user, net.network.contracts.asc, keyId);
    expect(request.status).toBe('completed');
    const signed = request.responses.map((r) => ('keygen' in r.response ? `${r.response.keygen.public_key_digest}/${r.response.keygen.server_key_digest}` : 'other'));
    expect(signed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(signed).size).toBe(1);
    for (const p of [1, 2, 3, 4]) {
      const lines = readFileSync(net.processes.find((x) => x.name === `core-${p}`)!.logFile, 'utf8').split('\n');
      expect(lines.some((l) => l.includes(keyId) && l.includes('distributed key generation done'))).toBe(true);
      expect(lines.some((l) => l.includes('key set dealt'))).toBe(false);
      // Progress of the preprocessing, in percent, in every core's log.
      expect(lines.some((l) => l.includes('keygen preprocessing progress') && l.includes('"percent":100'))).toBe(true);
    }
    const enc = await tkmsOk(cli, ['encrypt', '173', '--type', 'euint8']);
    expect(enc).toMatchObject({ keyId });
    expect((await tkmsOk(cli, ['decrypt', String(enc['handle'])]))['plaintext']).toBe('173');
  }, 600_000);
});
