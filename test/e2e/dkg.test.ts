/**
 * Distributed key generation end to end, through four threshold core
 * processes (n = 4, t = 1) and their connectors on the embedded dev chain
 * (the same contract wasm as wasmd), driven by the CLI: `tkms keygen --params
 * test-insecure` sends a keygen_preproc for the set (PRSS keys, then the
 * DKG's random bits and triples in sealed chunks) and the keygen naming it;
 * no core deals (each logs its DKG, none a dealt key set), the honest parties
 * sign the same key set, and a value encrypted under the published key
 * decrypts by MPC. Party 3 is malicious, a separate process
 * (test/adversary/mpcLiarCore): it lies in every open of the preprocessing and
 * of the DKG, and signs wrong plaintexts; the honest parties correct it, name
 * it, and outvote it. The network is not one that lets cores deal keys (Config
 * without insecure_dealer_keys, cores without the dealer flag). The set is
 * INSECURE: a dev network only (cores in dev mode).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork, type DevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import { getRequest } from '../../chain/asc/actions.js';
import type { KmsChainClient } from '../../chain/client.js';
import { cliAccountClient, fundedCli, runTkms, tkmsOk, type CliEnv } from '../helpers/tkms.js';
import { repoRoot } from '../../common/paths.js';

const LIAR = 3;

describe('distributed key generation through four core processes (test-insecure, dev network)', () => {
  let net: DevNetwork;
  let cli: CliEnv;
  let user: KmsChainClient;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-dkg-'));
    const [chainPort, kvStore] = [await freePort(), await freePort()];
    // Fixed ports below the ephemeral range, clear of every other suite's.
    net = await startDevNetwork({
      dir,
      chainPort,
      parties: 4,
      ports: { kvStore, coreBase: 26100, publicBase: 26200, mpcBase: 26300 },
      insecureDealerKeys: false,
      coreScript: (p) => (p === LIAR ? path.join(repoRoot(), 'dist', 'test', 'adversary', 'mpcLiarCore.js') : undefined),
    });
    for (const p of [1, 2, 3, 4]) {
      const config = JSON.parse(readFileSync(path.join(dir, `party-${p}`, 'core.json'), 'utf8')) as { threshold?: { insecureDealerKeygen?: boolean } };
      expect(config.threshold?.insecureDealerKeygen).toBeUndefined();
    }
    cli = await fundedCli(net.networkFile, 'dkg');
    user = await cliAccountClient(cli, net.network);
  }, 900_000);

  afterAll(async () => {
    await user?.close();
    await net?.stop();
  }, 120_000);

  test('malicious: no dealer; with party 3 lying in every open, the honest parties sign the same key set, name party 3, and decrypt right', async () => {
    const run = await runTkms(cli, ['keygen', '--params', 'test-insecure']);
    expect(run.code).toBe(0);
    const keyId = String(run.json['keyId']);
    // While it waited, the CLI showed every party's own progress (each core's GET /progress/<id>).
    expect(run.stderr).toMatch(/party 1 \d+%, party 2 \d+%, party 3 \d+%, party 4 \d+%/);
    const request = await getRequest(user, net.network.contracts.asc, keyId);
    expect(request.status).toBe('completed');
    const signed = new Map(request.responses.map((r) => [r.party_id, 'keygen' in r.response ? `${r.response.keygen.public_key_digest}/${r.response.keygen.server_key_digest}` : 'other']));
    const honest = [1, 2, 4].filter((p) => signed.has(p));
    expect(honest.length).toBeGreaterThanOrEqual(2);
    expect(new Set(honest.map((p) => signed.get(p))).size).toBe(1);
    for (const p of [1, 2, 3, 4]) {
      const lines = readFileSync(net.processes.find((x) => x.name === `core-${p}`)!.logFile, 'utf8').split('\n');
      expect(lines.some((l) => l.includes('key set dealt'))).toBe(false);
      if (p === LIAR) continue;
      expect(lines.some((l) => l.includes(keyId) && l.includes('distributed key generation done'))).toBe(true);
      // The liar corrected and named by every honest party.
      expect(lines.some((l) => l.includes(keyId) && l.includes('parties deviated') && l.includes(`"cheaters":[${LIAR}]`))).toBe(true);
      // Progress of the preprocessing, in percent, in every honest core's log.
      expect(lines.some((l) => l.includes('keygen preprocessing progress') && l.includes('"percent":100'))).toBe(true);
    }
    const enc = await tkmsOk(cli, ['encrypt', '173', '--type', 'euint8']);
    expect(enc).toMatchObject({ keyId });
    expect((await tkmsOk(cli, ['decrypt', String(enc['handle'])]))['plaintext']).toBe('173');
  }, 600_000);
});
