/**
 * The vault keeps private material sealed at rest; these tests open it with
 * the wrong key, swap sealed objects, and restart a core on top of it.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { FileStorage, privatePrefix, publicPrefix, DataType } from './storage.js';
import { VaultStorage, generateVaultKeyHex, loadVaultKey } from './vault.js';
import { KmsCore } from './kmsCore.js';
import { defaultEngine, type CoreEngine } from './engine.js';
import { loadOrCreateSigner } from './signer.js';
import { createCoreMetrics } from './metrics.js';

const silent = pino({ level: 'silent' });
const key = (): Buffer => randomBytes(32);

describe('vault storage', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'tkms-vault-'));
  });

  test('default: objects round-trip and are not in clear on disk', async () => {
    const k = key();
    const vault = await VaultStorage.open(new FileStorage(root, privatePrefix(1)), k);
    const secret = new TextEncoder().encode('the client key bytes: do not leak');
    await vault.write(DataType.ClientKey, 'abc', secret);
    expect(await vault.read(DataType.ClientKey, 'abc')).toEqual(secret);
    const onDisk = readFileSync(vault.path(DataType.ClientKey, 'abc'));
    expect(onDisk.includes(Buffer.from('do not leak'))).toBe(false);
    // Reopening with the same key works.
    const again = await VaultStorage.open(new FileStorage(root, privatePrefix(1)), k);
    expect(await again.read(DataType.ClientKey, 'abc')).toEqual(secret);
  });

  test('behavior: the vault opened with the wrong key is refused before anything is read', async () => {
    await VaultStorage.open(new FileStorage(root, privatePrefix(1)), key());
    await expect(VaultStorage.open(new FileStorage(root, privatePrefix(1)), key())).rejects.toMatchObject({ code: 'VAULT_WRONG_KEY' });
  });

  test('behavior: a sealed object moved to another path does not open', async () => {
    const vault = await VaultStorage.open(new FileStorage(root, privatePrefix(1)), key());
    await vault.write(DataType.ClientKey, 'key-a', new Uint8Array([1, 2, 3]));
    await vault.write(DataType.ClientKey, 'key-b', new Uint8Array([4, 5, 6]));
    // An attacker with disk access swaps two keys' files.
    writeFileSync(vault.path(DataType.ClientKey, 'key-a'), readFileSync(vault.path(DataType.ClientKey, 'key-b')));
    await expect(vault.read(DataType.ClientKey, 'key-a')).rejects.toMatchObject({ code: 'VAULT_OBJECT_TAMPERED' });
  });

  test('behavior: a flipped byte is detected', async () => {
    const vault = await VaultStorage.open(new FileStorage(root, privatePrefix(1)), key());
    await vault.write(DataType.SigningKey, 'signer', randomBytes(32));
    const file = vault.path(DataType.SigningKey, 'signer');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, bytes);
    await expect(vault.read(DataType.SigningKey, 'signer')).rejects.toMatchObject({ code: 'VAULT_OBJECT_TAMPERED' });
  });

  test('behavior: clear material from a dev-mode run is not silently mixed into a vault', async () => {
    await new FileStorage(root, privatePrefix(1)).write(DataType.SigningKey, 'signer', randomBytes(32));
    await expect(VaultStorage.open(new FileStorage(root, privatePrefix(1)), key())).rejects.toMatchObject({ code: 'VAULT_MISSING' });
  });

  test('behavior: vault keys come from a file or an environment variable, 32 bytes only', () => {
    const hex = generateVaultKeyHex();
    const file = path.join(root, 'vault.key');
    writeFileSync(file, `${hex}\n`);
    expect(loadVaultKey({ keyFile: file }).toString('hex')).toBe(hex);
    process.env['TKMS_TEST_VAULT_KEY'] = hex;
    expect(loadVaultKey({ keyEnv: 'TKMS_TEST_VAULT_KEY' }).toString('hex')).toBe(hex);
    process.env['TKMS_TEST_VAULT_KEY'] = 'abcd';
    expect(() => loadVaultKey({ keyEnv: 'TKMS_TEST_VAULT_KEY' })).toThrow(expect.objectContaining({ code: 'VAULT_KEY_INVALID' }));
    delete process.env['TKMS_TEST_VAULT_KEY'];
    expect(() => loadVaultKey({ keyEnv: 'TKMS_TEST_VAULT_KEY' })).toThrow(expect.objectContaining({ code: 'VAULT_KEY_MISSING' }));
    expect(() => loadVaultKey({})).toThrow(expect.objectContaining({ code: 'VAULT_KEY_MISSING' }));
  });
});

describe('core on a vault', () => {
  test('behavior: keys and keygen preprocessings survive a restart sealed, and swapped public material marks the core DEGRADED', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tkms-vault-core-'));
    const vaultKey = key();
    const base = defaultEngine;
    // Only the server key is skipped (it takes ~8 s and plays no part here).
    const engine: CoreEngine = { ...base, name: base.name, generateKeySet: (o) => base.generateKeySet({ ...o, withoutServerKey: true } as never) };
    const open = async () => {
      const priv = await VaultStorage.open(new FileStorage(root, privatePrefix(1)), vaultKey);
      const pub = new FileStorage(root, publicPrefix(1));
      const { signer } = await loadOrCreateSigner(priv, pub);
      return KmsCore.open({
        partyId: 1,
        engine,
        privateStorage: priv,
        publicStorage: pub,
        signer,
        logger: silent,
        metrics: createCoreMetrics(1, false),
        maxCiphertextBytes: 1 << 25,
        publicUri: (t, id) => `http://127.0.0.1/${t}/${id}`,
      });
    };
    const first = await open();
    const preprocId = randomBytes(20).toString('hex');
    first.startKeyGenPreproc(preprocId);
    const preproc = await first.getKeyGenPreprocResult(preprocId, Date.now() + 60_000);
    expect(preproc.failure).toBeUndefined();
    // The preprocessing material is private: sealed like key material.
    const clear = new FileStorage(root, privatePrefix(1));
    expect(readFileSync(clear.path(DataType.KeyGenPreproc, preprocId)).subarray(0, 6).toString()).toBe('TKMSV1');
    expect(readFileSync(clear.path(DataType.KeyGenPreprocInfo, preprocId)).subarray(0, 6).toString()).toBe('TKMSV1');
    const keyId = randomBytes(20).toString('hex');
    first.startKeyGen(keyId, preprocId);
    const outcome = await first.getKeyGenResult(keyId, Date.now() + 60_000);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.preprocId).toBe(preprocId);
    // Consumed by the key.
    expect(clear.has(DataType.KeyGenPreproc, preprocId)).toBe(false);
    const signer = first.health().signerPubkey;
    await first.close();

    // Nothing private is in clear on disk.
    const clientKeyFile = new FileStorage(root, privatePrefix(1)).path(DataType.ClientKey, keyId);
    expect(readFileSync(clientKeyFile).subarray(0, 6).toString()).toBe('TKMSV1');

    const second = await open();
    expect(second.keyIds()).toEqual([keyId]);
    expect(second.health()).toMatchObject({ status: 'SERVING', signerPubkey: signer });
    // The signed preprocessing outcome is read back (a connector asking again after a restart).
    expect(await second.getKeyGenPreprocResult(preprocId)).toEqual(preproc);
    await second.close();

    // Untrusted public storage serves other bytes: detected at boot.
    const pubDir = path.join(root, publicPrefix(1), DataType.PublicKey);
    writeFileSync(path.join(pubDir, readdirSync(pubDir)[0]!), randomBytes(100));
    const third = await open();
    expect(third.health().status).toBe('DEGRADED');
    await third.close();
  }, 120_000);
});
