/**
 * Proven inputs end to end on the embedded chain (issue 5): a key made with
 * the `fhevm` parameter set, a CRS made through the chain, `tkms encrypt
 * --prove` (node-tfhe proves, as an fhEVM client does), and a decryption
 * whose request names the CRS: the core verifies the proof with the tfhe-zk
 * tool, expands the input with the key's server key and only then decrypts.
 * Every refusal is recorded on chain with its reason. Chain node, KV-store,
 * core and connector run as separate processes from `make build`'s dist/,
 * the tool from `make tfhe-zk`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork, type DevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import type { KmsChainClient } from '../../chain/client.js';
import { getRequest, submitDecrypt } from '../../chain/asc/actions.js';
import { waitForSettled } from '../../chain/asc/userDecryptCrsActions.js';
import { requestFunds } from '../../chain/config/queries.js';
import type { KeyInfo } from '../../chain/asc/messages.js';
import { getCiphertext, putCiphertext, resolveHandle } from '../../connector/kvstore/client.js';
import { runTkms, tkmsOk, type CliEnv, cliAccountClient, fundedCli } from '../helpers/tkms.js';

describe('proven inputs on the embedded chain', () => {
  let net: DevNetwork;
  let cli: CliEnv;
  let user: KmsChainClient;
  let fhevmKey: string;
  let crsId: string;
  let proven: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-proven-'));
    const [chainPort, kvStore, coreBase, publicBase] = [await freePort(), await freePort(), (await freePort()) - 1, (await freePort()) - 1];
    net = await startDevNetwork({ dir, chainPort, ports: { kvStore, coreBase, publicBase } });
    cli = await fundedCli(net.networkFile, 'proven');
    user = await cliAccountClient(cli, net.network);
  }, 900_000);

  afterAll(async () => {
    await user?.close();
    await net?.stop();
  }, 120_000);

  /** Submits a decryption of `handle` as the user would, without the CLI's defaults; the settled request. */
  async function decryptRequest(handle: string, keyId: string, crs?: string): Promise<{ status: string; failure_reason?: string; plaintexts?: string[] }> {
    const meta = await resolveHandle(net.network.kvStoreUrl, handle);
    const funds = await requestFunds(user, net.network.contracts.config, 'decrypt');
    const { requestId, tx } = await submitDecrypt(
      user,
      net.network.contracts.asc,
      { key_id: keyId, ciphertexts: [{ ciphertext_handle: handle, ciphertext_digest: meta.digest, fhe_type: meta.fhe_type }], ...(crs ? { crs_id: crs } : {}) },
      funds,
    );
    const r = await waitForSettled(user, net.network.contracts.asc, requestId, { fromHeight: tx.height, timeoutMs: 300_000 });
    const plaintexts = r.result && 'decrypt' in r.result ? r.result.decrypt.plaintexts : undefined;
    return { status: r.status, ...(r.failure_reason ? { failure_reason: r.failure_reason } : {}), ...(plaintexts ? { plaintexts } : {}) };
  }

  test('default: an fhevm key and a CRS; encrypt --prove, and decrypt verifies the proof before it prints 42', async () => {
    const kg = await tkmsOk(cli, ['keygen', '--params', 'fhevm']);
    fhevmKey = String(kg['keyId']);
    expect(kg['fheParameters']).toBe('fhevm');
    expect(await user.queryContract<KeyInfo>(net.network.contracts.asc, { key: { key_id: fhevmKey } })).toMatchObject({ fhe_parameters: 'fhevm' });
    const crs = await tkmsOk(cli, ['crsgen', '--max-bits', '64']);
    crsId = String(crs['crsId']);
    const enc = await tkmsOk(cli, ['encrypt', '42', '--type', 'euint8', '--prove']);
    expect(enc).toMatchObject({ proven: true, crsId, keyId: fhevmKey, fheType: 'euint8' });
    proven = String(enc['handle']);
    const dec = await tkmsOk(cli, ['decrypt', proven]);
    expect(dec['plaintext']).toBe('42');
    // The request on chain names the CRS: the parties were asked to verify.
    const requestId = String(dec['requestId']);
    expect((await getRequest(user, net.network.contracts.asc, requestId)).decrypt).toMatchObject({ crs_id: crsId });
  }, 900_000);

  /** Uploads the proven input with one byte XORed and returns the new handle. */
  async function tamperedCopy(offset: (length: number) => number, mask: number): Promise<string> {
    const meta = await resolveHandle(net.network.kvStoreUrl, proven);
    const bytes = new Uint8Array(await getCiphertext(net.network.kvStoreUrl, meta.digest));
    bytes[offset(bytes.length)]! ^= mask;
    const file = path.join(cli.home, 'tampered.ct');
    writeFileSync(file, bytes);
    return String((await tkmsOk(cli, ['upload', file, '--type', 'euint8']))['handle']);
  }

  test('malicious: an input edited under its proof is refused with PROOF_INVALID; an edited proof is refused too', async () => {
    // A bit of the packed ciphertext (right after the safe-serialization header): the proof no longer matches it.
    const edited = await decryptRequest(await tamperedCopy(() => 200, 1), fhevmKey, crsId);
    expect(edited).toMatchObject({ status: 'failed', failure_reason: expect.stringContaining('PROOF_INVALID') });
    expect(edited.plaintexts ?? []).toEqual([]);
    // A bit inside the proof usually breaks a group element (malformed) before verification can even run.
    const forged = await decryptRequest(await tamperedCopy((n) => n - 200, 0x10), fhevmKey, crsId);
    expect(forged.status).toBe('failed');
    expect(forged.failure_reason).toMatch(/PROOF_INVALID|CIPHERTEXT_MALFORMED/);
  }, 600_000);

  test('malicious: a proven input is bound to the account that proved it: another account replaying it is refused with PROOF_INVALID', async () => {
    // Mallory copies Alice's handle (everything in the KV-store is public) and asks for its decryption.
    const mallory = await fundedCli(net.networkFile, 'mallory');
    const replay = await runTkms(mallory, ['decrypt', proven, '--crs-id', crsId, '--timeout', '300']);
    expect(replay.code).toBe(1);
    expect((replay.json['error'] as { message: string }).message).toMatch(/PROOF_INVALID/);
    const sealed = await runTkms(mallory, ['user-decrypt', proven, '--crs-id', crsId, '--timeout', '300']);
    expect(sealed.code).toBe(1);
    expect((sealed.json['error'] as { message: string }).message).toMatch(/PROOF_INVALID/);
    // Alice herself still can, publicly and for herself.
    expect((await tkmsOk(cli, ['user-decrypt', proven]))['plaintexts']).toEqual(['42']);
  }, 600_000);

  test('behavior: a proof checked against another CRS, or a request without the CRS, is refused with the reason', async () => {
    const other = String((await tkmsOk(cli, ['crsgen', '--max-bits', '64']))['crsId']);
    const wrongCrs = await decryptRequest(proven, fhevmKey, other);
    expect(wrongCrs.status).toBe('failed');
    expect(wrongCrs.failure_reason).toContain('PROOF_INVALID');
    const noCrs = await decryptRequest(proven, fhevmKey);
    expect(noCrs.status).toBe('failed');
    expect(noCrs.failure_reason).toContain('CIPHERTEXT_MALFORMED');
    expect(noCrs.failure_reason).toContain('proven input');
    // A CRS nobody made is refused by the ASC before any fee is taken.
    await expect(decryptRequest(proven, fhevmKey, 'ab'.repeat(20))).rejects.toThrow(`crs_id ${'ab'.repeat(20)} is not a CRS the parties made`);
  }, 900_000);

  test('behavior: the CLI refuses plain inputs under an fhevm key and proofs under a default key; the core refuses to verify under a default key', async () => {
    const plain = await runTkms(cli, ['encrypt', '7', '--type', 'euint8', '--key-id', fhevmKey]);
    expect(plain.code).toBe(1);
    expect((plain.json['error'] as { code: string }).code).toBe('PROOF_REQUIRED');
    const defaultKey = String((await tkmsOk(cli, ['keygen']))['keyId']);
    const prove = await runTkms(cli, ['encrypt', '7', '--type', 'euint8', '--prove', '--key-id', defaultKey]);
    expect(prove.code).toBe(1);
    expect((prove.json['error'] as { code: string }).code).toBe('PROOF_UNSUPPORTED');
    // The proven handle names the fhevm key: under the default key the ASC refuses it outright.
    await expect(decryptRequest(proven, defaultKey, crsId)).rejects.toThrow(/not the handle of ciphertext_digest under key/);
    // The same bytes stored for the default key reach the core, which refuses to verify under it.
    const meta = await resolveHandle(net.network.kvStoreUrl, proven);
    const rescoped = await putCiphertext(net.network.kvStoreUrl, await getCiphertext(net.network.kvStoreUrl, meta.digest), meta.fhe_type, { keyId: defaultKey, appId: 'default' });
    const r = await decryptRequest(rescoped.handle, defaultKey, crsId);
    expect(r.status).toBe('failed');
    expect(r.failure_reason).toContain('PROOF_UNSUPPORTED');
    // A plain input under the default key still decrypts as before.
    const enc = await tkmsOk(cli, ['encrypt', '9', '--type', 'euint8', '--key-id', defaultKey]);
    expect((await tkmsOk(cli, ['decrypt', String(enc['handle']), '--key-id', defaultKey]))['plaintext']).toBe('9');
  }, 900_000);
});
