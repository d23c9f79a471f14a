/**
 * The INSECURE `test-insecure` parameter set end to end on the embedded dev
 * network (Config in dev mode, core in dev mode): `tkms keygen --params
 * test-insecure` warns and makes the key in well under a second of core
 * time, the key on chain names the set, and `tkms encrypt` / `tkms decrypt`
 * round-trip under it; the preprocessing it runs first is for the same set,
 * and a preprocessing made alone (`tkms keygen-preproc --params`) serves only
 * a keygen of its set. Its refusal on a network not in dev mode is checked
 * by contracts/asc/keygenPreproc.test.ts (ASC) and
 * core/service/testInsecureParams.test.ts (core). Processes from `make
 * build`'s dist/.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork, type DevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import type { KeyInfo, RequestInfo } from '../../chain/asc/messages.js';
import type { KmsChainClient } from '../../chain/client.js';
import { cliAccountClient, fundedCli, runTkms, tkmsOk, type CliEnv } from '../helpers/tkms.js';

describe('test-insecure parameters on the embedded dev network', () => {
  let net: DevNetwork;
  let cli: CliEnv;
  let user: KmsChainClient;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-insecure-'));
    const [chainPort, kvStore, coreBase, publicBase] = [await freePort(), await freePort(), (await freePort()) - 1, (await freePort()) - 1];
    net = await startDevNetwork({ dir, chainPort, ports: { kvStore, coreBase, publicBase } });
    cli = await fundedCli(net.networkFile, 'insecure');
    user = await cliAccountClient(cli, net.network);
  }, 900_000);

  afterAll(async () => {
    await user?.close();
    await net?.stop();
  }, 120_000);

  test('default: keygen --params test-insecure, encrypt, decrypt', async () => {
    const kg = await runTkms(cli, ['keygen', '--params', 'test-insecure']);
    expect(kg.code).toBe(0);
    expect(kg.stderr).toMatch(/test-insecure is an INSECURE parameter set, for tests only/);
    const keyId = String(kg.json['keyId']);
    expect(kg.json['fheParameters']).toBe('test-insecure');
    expect(await user.queryContract<KeyInfo>(net.network.contracts.asc, { key: { key_id: keyId } })).toMatchObject({ fhe_parameters: 'test-insecure' });
    const preprocId = String(kg.json['preprocId']);
    expect(await user.queryContract<RequestInfo>(net.network.contracts.asc, { request: { request_id: preprocId } })).toMatchObject({
      kind: 'keygen_preproc',
      keygen_preproc: { fhe_parameters: 'test-insecure' },
      used_by: keyId,
    });
    const enc = await runTkms(cli, ['encrypt', '42', '--type', 'euint8']);
    expect(enc.code).toBe(0);
    expect(enc.stderr).toMatch(/INSECURE test-insecure parameter set/);
    expect(enc.json).toMatchObject({ keyId, fheType: 'euint8' });
    const dec = await tkmsOk(cli, ['decrypt', String(enc.json['handle'])]);
    expect(dec['plaintext']).toBe('42');
  }, 900_000);

  test('behavior: keygen-preproc --params makes a preprocessing only a keygen of the same set may use', async () => {
    const pre = await tkmsOk(cli, ['keygen-preproc', '--params', 'test-insecure']);
    expect(pre['fheParameters']).toBe('test-insecure');
    const preprocId = String(pre['preprocId']);
    const other = await runTkms(cli, ['keygen', '--preproc-id', preprocId]);
    expect(other.code).not.toBe(0);
    expect(JSON.stringify(other.json)).toContain(`keygen: preprocessing ${preprocId} was made for parameter set test-insecure, the keygen asks for default`);
    const kg = await tkmsOk(cli, ['keygen', '--preproc-id', preprocId, '--params', 'test-insecure']);
    expect(kg).toMatchObject({ preprocId, fheParameters: 'test-insecure' });
  }, 900_000);

  test('behavior: an unknown set is refused by the CLI before anything is sent', async () => {
    const r = await runTkms(cli, ['keygen', '--params', 'tiny']);
    expect(r.code).not.toBe(0);
    expect(JSON.stringify(r.json)).toMatch(/--params must be one of default, fhevm, test-insecure/);
  });
});
