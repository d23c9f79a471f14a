/**
 * @module test/e2e/scenario
 * The walking-skeleton flow, run end to end against a network whose every
 * component is a real process: CLI wallet → KMS chain → connector → core →
 * chain. Shared by the embedded-chain and the wasmd end-to-end suites.
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tfhe from 'node-tfhe';
import type { KmsChainClient, NetworkDescriptor } from '../../chain/client.js';
import { connectChain } from '../../chain/connect.js';
import { accountFromMnemonic } from '../../chain/wallet.js';
import { fulfill, getRequest, submitDecrypt, waitForResult } from '../../chain/asc/actions.js';
import type { KmsNetwork } from '../../localnet/kms.js';
import { spawnManaged } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { runTkms, tkmsOk, type CliEnv } from '../helpers/tkms.js';

export interface StartedNetwork extends KmsNetwork {
  dir: string;
}

const SIZE_LIMIT = BigInt(1 << 30);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export function describeDecryptFlow(suite: string, start: () => Promise<StartedNetwork>): void {
  describe(suite, () => {
    let net: StartedNetwork;
    let cli: CliEnv;
    let network: NetworkDescriptor;
    let user: KmsChainClient;
    let keyId: string;
    let publicKeyFile: string;

    beforeAll(async () => {
      net = await start();
      network = net.network;
      cli = { network: net.networkFile, home: mkdtempSync(path.join(os.tmpdir(), 'tkms-cli-')) };
      await tkmsOk(cli, ['keys', 'create', '--keyring', 'test']);
      await tkmsOk(cli, ['faucet']);
      const keyFile = JSON.parse(readFileSync(path.join(cli.home, 'keys', 'default.json'), 'utf8')) as { mnemonic: string };
      user = await connectChain(network, await accountFromMnemonic(keyFile.mnemonic, network.bech32Prefix));
    }, 900_000);

    afterAll(async () => {
      await user?.close();
      await net?.stop();
    }, 120_000);

    test('default: keygen publishes a verified public key', async () => {
      const out = await tkmsOk(cli, ['keygen']);
      keyId = String(out['keyId']);
      expect(keyId).toMatch(/^[0-9a-f]{40}$/);
      expect(out['signers']).toEqual([1]);
      publicKeyFile = path.join(cli.home, 'pk.bin');
      const fetched = await tkmsOk(cli, ['fetch-key', '-o', publicKeyFile]);
      expect(fetched['digest']).toBe(out['public_key_digest']);
      // The download is node-tfhe's own serialization: any tfhe-rs client can load it.
      expect(() => tfhe.TfheCompactPublicKey.safe_deserialize(readFileSync(publicKeyFile), SIZE_LIMIT)).not.toThrow();
    });

    test('default: encrypt 42 as euint8, decrypt prints 42', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '42', '--type', 'euint8']);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      expect(dec['plaintext']).toBe('42');
      expect(dec['signers']).toEqual([1]);
    });

    test.each([
      ['ebool', 'true'],
      ['euint4', '9'],
      ['euint16', '65535'],
      ['euint32', '3000000000'],
      ['euint64', '18446744073709551615'],
    ])('behavior: round trip of %s %s', async (type, value) => {
      const enc = await tkmsOk(cli, ['encrypt', value, '--type', type]);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      expect(dec['plaintext']).toBe(value);
    });

    test('behavior: a ciphertext made by another tfhe-rs client is uploaded and decrypted', async () => {
      const pk = tfhe.TfheCompactPublicKey.safe_deserialize(readFileSync(publicKeyFile), SIZE_LIMIT);
      const builder = tfhe.CompactCiphertextList.builder(pk);
      builder.push_u32(1234567);
      const ct = builder.build().expand().get_uint32(0).safe_serialize(SIZE_LIMIT);
      const file = path.join(cli.home, 'client.ct');
      writeFileSync(file, ct);
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint32']);
      const dec = await tkmsOk(cli, ['decrypt', String(up['handle'])]);
      expect(dec['plaintext']).toBe('1234567');
    });

    async function failedDecrypt(handle: string, expectedCode: string): Promise<void> {
      const r = await runTkms(cli, ['decrypt', handle]);
      expect(r.code).toBe(1);
      const err = r.json['error'] as { code: string; message: string; details: string };
      expect(err.code).toBe('DECRYPT_FAILED');
      expect(err.message).toContain(expectedCode);
      // The request stays queryable on chain with its failure reason.
      const requestId = /request ([0-9a-f]{40})/.exec(err.details)?.[1];
      expect(requestId).toBeDefined();
      const shown = await tkmsOk(cli, ['request', requestId!]);
      expect(shown['status']).toBe('failed');
      expect(String(shown['failure_reason'])).toContain(expectedCode);
    }

    test('behavior: malformed ciphertext bytes fail with a recorded reason', async () => {
      const file = path.join(cli.home, 'garbage.ct');
      writeFileSync(file, randomBytes(5000));
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint8']);
      await failedDecrypt(String(up['handle']), 'CIPHERTEXT_MALFORMED');
    });

    test('behavior: a euint64 ciphertext declared as euint8 fails with FHE_TYPE_MISMATCH', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '7', '--type', 'euint64']);
      const file = path.join(cli.home, 'u64.ct');
      const kvDir = path.join(net.dir, 'kvstore');
      const stored = walk(kvDir).find((f) => readFileSync(f).length > 100_000 && f.includes(String(enc['digest'])));
      expect(stored).toBeDefined();
      writeFileSync(file, readFileSync(stored!));
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint8']);
      await failedDecrypt(String(up['handle']), 'FHE_TYPE_MISMATCH');
    });

    test('behavior: the core refuses a ciphertext whose digest does not match', async () => {
      const a = await tkmsOk(cli, ['encrypt', '1', '--type', 'euint8']);
      const b = await tkmsOk(cli, ['encrypt', '2', '--type', 'euint8']);
      // Storage is untrusted: swap A's stored bytes for B's behind the KV-store's back.
      const files = walk(path.join(net.dir, 'kvstore'));
      const fileA = files.find((f) => f.includes(String(a['digest'])) && !f.endsWith('.json'));
      const fileB = files.find((f) => f.includes(String(b['digest'])) && !f.endsWith('.json'));
      expect(fileA && fileB).toBeTruthy();
      writeFileSync(fileA!, readFileSync(fileB!));
      await failedDecrypt(String(a['handle']), 'DIGEST_MISMATCH');
    });

    test('behavior: a ciphertext missing from the KV-store fails with CIPHERTEXT_UNAVAILABLE', async () => {
      const s = await submitDecrypt(user, network.contracts.asc, {
        key_id: keyId,
        ciphertext_handle: randomBytes(32).toString('hex'),
        ciphertext_digest: randomBytes(32).toString('hex'),
        fhe_type: 'euint8',
      });
      const done = await waitForResult(user, network.contracts.asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 120_000 });
      expect(done.status).toBe('failed');
      expect(done.failure_reason).toContain('CIPHERTEXT_UNAVAILABLE');
    });

    test('behavior: unknown key id and unknown FHE type are rejected by the ASC', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '5', '--type', 'euint8']);
      const r = await runTkms(cli, ['decrypt', String(enc['handle']), '--key-id', '00'.repeat(20)]);
      expect(r.code).toBe(1);
      expect(JSON.stringify(r.json)).toContain('unknown key id');
      await expect(
        submitDecrypt(user, network.contracts.asc, {
          key_id: keyId,
          ciphertext_handle: String(enc['handle']),
          ciphertext_digest: String(enc['digest']),
          fhe_type: 'euint7' as never,
        }),
      ).rejects.toThrow(/fhe_type/);
    });

    test('behavior: a fulfill from a non-party is rejected and the request is unchanged', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '77', '--type', 'euint8']);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      const requestId = String(dec['requestId']);
      await expect(fulfill(user, network.contracts.asc, requestId, { decrypt: { plaintext: '78', signature: '00'.repeat(64) } })).rejects.toThrow(
        /not a registered party/,
      );
      const after = await getRequest(user, network.contracts.asc, requestId);
      expect(after.status).toBe('completed');
      expect(after.responses.map((r) => r.party_id)).toEqual([1]);
      expect(after.result).toEqual(expect.objectContaining({ decrypt: expect.objectContaining({ plaintext: '77' }) }));
    });

    test('behavior: a connector restart loses no request and fulfills none twice', async () => {
      const connector = net.processes.find((p) => p.name === 'connector-1')!;
      await connector.stop();
      const enc = await tkmsOk(cli, ['encrypt', '99', '--type', 'euint16']);
      const submitted = await submitDecrypt(user, network.contracts.asc, {
        key_id: keyId,
        ciphertext_handle: String(enc['handle']),
        ciphertext_digest: String(enc['digest']),
        fhe_type: 'euint16',
      });
      expect((await getRequest(user, network.contracts.asc, submitted.requestId)).status).toBe('pending');
      const restarted = spawnManaged({
        name: 'connector-1',
        dir: net.dir,
        command: process.execPath,
        args: [path.join(repoRoot(), 'dist/connector/kms-connector/main.js'), '--config', path.join(net.dir, 'party-1', 'connector.json')],
      });
      net.processes.splice(net.processes.indexOf(connector), 1, restarted);
      const done = await waitForResult(user, network.contracts.asc, submitted.requestId, { fromHeight: submitted.tx.height, timeoutMs: 120_000 });
      expect(done.status).toBe('completed');
      expect(done.result).toEqual(expect.objectContaining({ decrypt: expect.objectContaining({ plaintext: '99' }) }));
      // Earlier requests replayed from the checkpoint were recognised as answered.
      expect(done.responses).toHaveLength(1);
    });
  });
}
