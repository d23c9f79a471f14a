/**
 * Attack (issue 10): one decrypt request of crafted ciphertexts hands out the
 * whole FHE key. A block with mask 2^59·e_j and body 0 decrypts to key bit
 * s_j (test/attacks/_craft.ts); sixteen crafted euint256 read all 2048 bits.
 *
 * - On a dev network (an `open` application: the Config is instantiated in dev
 *   mode) the attack is run for real: the attacker uploads sixteen crafted
 *   ciphertexts with `tkms upload`, decrypts them with one `tkms decrypt`,
 *   rebuilds the big key and decrypts a ciphertext the KMS never saw.
 * - On a production-shaped network (no open application) the same uploads are
 *   refused: by the ASC when nothing vouches for their origin (public and
 *   user decryption, with a clear error and no fee spent), and by the cores
 *   when the request names a CRS (the crafted bytes carry no valid proof).
 * - The carry digit (issue 10 "only the plaintext is opened"): a block whose
 *   degree admits carries is refused; a carry hidden under a lying degree is
 *   not revealed (the old decryption opened it and counted it into the next block).
 * Every component is a real process on the embedded chain (`make build`'s dist/).
 * The threshold backend on wasmd: keyExtraction.wasmd.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDevNetwork, type DevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import { decryptCiphertextBytes, encryptWithPublicKey } from '../../core/engine/index.js';
import type { RequestsResponse } from '../../chain/asc/messages.js';
import { connectChain } from '../../chain/connect.js';
import { runTkms, tkmsOk, fundedCli, type CliEnv } from '../helpers/tkms.js';
import { CIPHERTEXTS_FOR_THE_KEY, BITS_PER_CIPHERTEXT, craftKeyBitReader, recoverKey, withCarry } from './_craft.js';

async function startNetwork(label: string, devMode: boolean): Promise<{ net: DevNetwork; cli: CliEnv; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tkms-attack-${label}-`));
  const [chainPort, kvStore, coreBase, publicBase] = [await freePort(), await freePort(), (await freePort()) - 1, (await freePort()) - 1];
  const net = await startDevNetwork({ dir, chainPort, ports: { kvStore, coreBase, publicBase }, devMode });
  const cli = await fundedCli(net.networkFile, label);
  return { net, cli, dir };
}

/** Writes the crafted readers of the whole key (from a genuine euint256 under `publicKey`) and uploads them; their handles. */
async function uploadReaders(cli: CliEnv, dir: string, publicKey: Uint8Array, keyId: string, count = CIPHERTEXTS_FOR_THE_KEY): Promise<string[]> {
  const template = encryptWithPublicKey(publicKey, 'euint256', 0n);
  const handles: string[] = [];
  for (let k = 0; k < count; k++) {
    const file = path.join(dir, `reader-${k}.bin`);
    writeFileSync(file, craftKeyBitReader(template, k * BITS_PER_CIPHERTEXT));
    handles.push(String((await tkmsOk(cli, ['upload', file, '--type', 'euint256', '--key-id', keyId]))['handle']));
  }
  return handles;
}

/** How many requests the ASC holds (up to 100: enough here). */
async function requestCount(net: DevNetwork): Promise<number> {
  const client = await connectChain(net.network);
  try {
    return (await client.queryContract<RequestsResponse>(net.network.contracts.asc, { requests: { limit: 100 } })).requests.length;
  } finally {
    await client.close();
  }
}

describe('attack: key extraction through crafted ciphertexts', () => {
  describe('dev network (open application): the attack is real', () => {
    let net: DevNetwork;
    let cli: CliEnv;
    let dir: string;

    beforeAll(async () => {
      ({ net, cli, dir } = await startNetwork('dev', true));
    }, 900_000);

    afterAll(async () => {
      await net?.stop();
    }, 120_000);

    test('malicious: one decrypt of sixteen crafted euint256 gives the 2048 key bits; the key decrypts a ciphertext the KMS never saw', async () => {
      const config = await tkmsOk(cli, ['config']);
      expect(config['dev_mode']).toBe(true);
      expect(config['applications']).toEqual([{ app_id: 'default', isc_type: 'open' }]);
      const keyId = String((await tkmsOk(cli, ['keygen']))['keyId']);
      const pkFile = path.join(dir, 'pk.bin');
      await tkmsOk(cli, ['fetch-key', '--key-id', keyId, '-o', pkFile]);
      const publicKey = new Uint8Array(readFileSync(pkFile));

      const handles = await uploadReaders(cli, dir, publicKey, keyId);
      const out = await tkmsOk(cli, ['decrypt', ...handles, '--timeout', '600']);
      const plaintexts = (out['results'] as { plaintext: string }[]).map((r) => BigInt(r.plaintext));
      expect(plaintexts).toHaveLength(CIPHERTEXTS_FOR_THE_KEY);
      const key = recoverKey(plaintexts);
      // A binary key of the right shape: about half its bits set.
      expect(key.ones.length).toBeGreaterThan(800);
      expect(key.ones.length).toBeLessThan(1250);

      // What the attacker gains: any ciphertext under the key, decrypted offline.
      const secret = BigInt('0x' + randomBytes(8).toString('hex'));
      const neverSeen = encryptWithPublicKey(publicKey, 'euint64', secret);
      expect(decryptCiphertextBytes(neverSeen, 'euint64', key)).toBe(secret);
      const flag = encryptWithPublicKey(publicKey, 'ebool', true);
      expect(decryptCiphertextBytes(flag, 'ebool', key)).toBe(1n);
    }, 900_000);

    test('malicious: even an open application opens only message bits: a block whose degree admits carries is refused, a hidden carry is not revealed', async () => {
      const pkFile = path.join(dir, 'pk.bin');
      const keyId = String((await tkmsOk(cli, ['fetch-key', '-o', pkFile]))['keyId']);
      const value = 0b10_01_11_10n;
      const genuine = encryptWithPublicKey(new Uint8Array(readFileSync(pkFile)), 'euint8', value);
      const upload = async (bytes: Uint8Array, name: string): Promise<string> => {
        writeFileSync(path.join(dir, name), bytes);
        return String((await tkmsOk(cli, ['upload', path.join(dir, name), '--type', 'euint8', '--key-id', keyId]))['handle']);
      };
      const dirty = await runTkms(cli, ['decrypt', await upload(withCarry(genuine, 1, 15n), 'dirty.bin')]);
      expect(dirty.code).toBe(1);
      expect((dirty.json['error'] as { message: string }).message).toMatch(/CIPHERTEXT_CARRIES: .*block 1 of the euint8 has degree 15 > 3/);
      // Lying about the degree: the digit's carry bit stays in the MPC/the core; the old code printed value + 16.
      const hidden = await tkmsOk(cli, ['decrypt', await upload(withCarry(genuine, 1, 3n), 'hidden.bin')]);
      expect(hidden['plaintext']).toBe(value.toString());
    }, 300_000);
  });

  describe('production-shaped network: every crafted request is refused', () => {
    let net: DevNetwork;
    let cli: CliEnv;
    let dir: string;
    let keyId: string;
    let publicKey: Uint8Array;
    let readers: string[];

    beforeAll(async () => {
      ({ net, cli, dir } = await startNetwork('prod', false));
      keyId = String((await tkmsOk(cli, ['keygen']))['keyId']);
      const pkFile = path.join(dir, 'pk.bin');
      await tkmsOk(cli, ['fetch-key', '--key-id', keyId, '-o', pkFile]);
      publicKey = new Uint8Array(readFileSync(pkFile));
      readers = await uploadReaders(cli, dir, publicKey, keyId, 2);
    }, 900_000);

    afterAll(async () => {
      await net?.stop();
    }, 120_000);

    test('malicious: the Config has no open application and says it is not a dev network', async () => {
      const config = await tkmsOk(cli, ['config']);
      expect(config['dev_mode']).toBe(false);
      expect(config['applications']).toEqual([{ app_id: 'default', isc_type: 'proven' }]);
    });

    test('malicious: a public decryption of crafted ciphertexts is refused by the ASC (provenance), no request is made, no fee spent', async () => {
      const before = await requestCount(net);
      const r = await runTkms(cli, ['decrypt', ...readers]);
      expect(r.code).not.toBe(0);
      const err = (r.json['error'] ?? {}) as { message?: string };
      expect(err.message).toMatch(/provenance/);
      expect(err.message).toMatch(/proven inputs only|crs_id/);
      expect(await requestCount(net)).toBe(before);
    }, 300_000);

    test('malicious: a user decryption of crafted ciphertexts is refused by the ASC (provenance)', async () => {
      const r = await runTkms(cli, ['user-decrypt', readers[0]!]);
      expect(r.code).not.toBe(0);
      expect(JSON.stringify(r.json)).toMatch(/provenance/);
    }, 300_000);

    test('malicious: naming a CRS does not help: the cores find no valid proof in the crafted bytes and sign the refusal', async () => {
      const fhevmKey = String((await tkmsOk(cli, ['keygen', '--params', 'fhevm']))['keyId']);
      const crsId = String((await tkmsOk(cli, ['crsgen', '--max-bits', '64']))['crsId']);
      const pkFile = path.join(dir, 'pk-fhevm.bin');
      await tkmsOk(cli, ['fetch-key', '--key-id', fhevmKey, '-o', pkFile]);
      // Crafted bytes under the fhevm key's handle scope, sent as if they were proven.
      const template = encryptWithPublicKey(publicKey, 'euint256', 0n);
      const file = path.join(dir, 'reader-crs.bin');
      writeFileSync(file, craftKeyBitReader(template, 0));
      const handle = String((await tkmsOk(cli, ['upload', file, '--type', 'euint256', '--key-id', fhevmKey]))['handle']);
      const r = await runTkms(cli, ['decrypt', handle, '--crs-id', crsId, '--timeout', '300']);
      expect(r.code).not.toBe(0);
      const err = (r.json['error'] ?? {}) as { message?: string; code?: string };
      expect(err.code).toBe('DECRYPT_FAILED');
      expect(err.message).toMatch(/CIPHERTEXT_MALFORMED|PROOF_INVALID/);
      expect(err.message).not.toMatch(/^decryption failed: [0-9]/);
    }, 900_000);
  });
});
