/**
 * The INSECURE `test-insecure` parameter set on a centralized core, in
 * process: a dev core makes a key with it and decrypts public-key encryptions
 * under it; a ciphertext of the default set sent to that key is a signed
 * CIPHERTEXT_PARAMETERS_MISMATCH failure (never a wrong plaintext); a core
 * that is not in dev mode refuses to make such a key, or a keygen
 * preprocessing for it, at all. A preprocessing serves only keygens of its set.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { ciphertextDigest, ciphertextHandle } from '../../common/ciphertext.js';
import type { FheType } from '../../common/fheTypes.js';
import { verifyResponse } from '../../common/signing.js';
import { encryptWithPublicKey, INSECURE_TEST_PARAMETERS } from '../engine/index.js';
import { encryptWithClientKey, makeTestKeys } from '../engine/tfhe/_testUtils.js';
import { defaultEngine } from './engine.js';
import { KmsCore, type DecryptOutcome, type KeyGenOutcome } from './kmsCore.js';
import { loadOrCreateSigner } from './signer.js';
import { DataType, FileStorage, privatePrefix, publicPrefix } from './storage.js';

const silent = pino({ level: 'silent' });
const newId = (): string => randomBytes(20).toString('hex');

async function openCore(devMode: boolean | undefined): Promise<{ core: KmsCore; priv: FileStorage; pub: FileStorage; signerPubkey: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-test-insecure-'));
  const priv = new FileStorage(dir, privatePrefix(1));
  const pub = new FileStorage(dir, publicPrefix(1));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const core = await KmsCore.open({
    partyId: 1,
    engine: defaultEngine,
    privateStorage: priv,
    publicStorage: pub,
    signer,
    logger: silent,
    publicUri: (t, id) => `file://${pub.path(t, id)}`,
    ...(devMode === undefined ? {} : { devMode }),
  });
  return { core, priv, pub, signerPubkey: signer.publicKeyHex };
}

let dev: Awaited<ReturnType<typeof openCore>>;
let keyGen: KeyGenOutcome;
beforeAll(async () => {
  dev = await openCore(true);
  const keyId = newId();
  dev.core.startKeyGen(keyId, '', 'test-insecure');
  keyGen = await dev.core.getKeyGenResult(keyId, Date.now() + 60_000);
});
afterAll(async () => {
  await dev?.core.close();
});

async function decrypt(ct: Uint8Array, type: FheType): Promise<DecryptOutcome> {
  const digest = ciphertextDigest(ct);
  const requestId = newId();
  dev.core.startDecrypt({
    requestId,
    keyId: keyGen.keyId,
    fheType: type,
    ciphertextHandle: ciphertextHandle(digest, type, { keyId: keyGen.keyId, appId: 'default' }),
    ciphertextDigest: digest,
    ciphertext: ct,
    appId: 'default',
  });
  const r = await dev.core.getDecryptResult(requestId, Date.now() + 60_000);
  if (!r.failure) {
    const signed = { kind: 'decrypt' as const, requestId, keyId: keyGen.keyId, ciphertexts: [{ ciphertextDigest: digest, fheType: type, plaintext: r.plaintext }] };
    expect(verifyResponse(signed, r.signature, dev.signerPubkey)).toBe(true);
  }
  return r;
}

test('default: a dev core makes a test-insecure key and decrypts under it', async () => {
  expect(keyGen.failure).toBeUndefined();
  expect(keyGen.parameters).toBe(INSECURE_TEST_PARAMETERS);
  const pk = (await dev.pub.read(DataType.PublicKey, keyGen.keyId))!;
  for (const [type, value] of [
    ['euint8', 173n],
    ['ebool', 1n],
    ['euint64', 0xdead_beef_0bad_f00dn],
    ['euint256', (1n << 255n) + 12345n],
  ] as const) {
    const r = await decrypt(encryptWithPublicKey(pk, type, value), type);
    expect(r.failure).toBeUndefined();
    expect(r.plaintext).toBe(value.toString(10));
  }
});

test('behavior: a ciphertext of the default set under a test-insecure key is a signed CIPHERTEXT_PARAMETERS_MISMATCH failure', async () => {
  const other = makeTestKeys();
  try {
    const r = await decrypt(encryptWithClientKey(other.ck, 'euint8', 7n), 'euint8');
    expect(r.failure?.code).toBe('CIPHERTEXT_PARAMETERS_MISMATCH');
    expect(r.failure?.reason).toMatch(/LWE dimension 2048.*key.*LWE dimension 512, parameter set test-insecure \(INSECURE\)/);
    expect(r.plaintext).toBe('');
  } finally {
    other.ck.free();
    other.pk.free();
  }
});

test('behavior: a core not in dev mode refuses to make a test-insecure key or preprocessing', async () => {
  for (const devMode of [undefined, false]) {
    const prod = await openCore(devMode);
    try {
      expect(() => prod.core.startKeyGen(newId(), '', 'test-insecure')).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/"test-insecure" is INSECURE.*not in dev mode/) }),
      );
      expect(() => prod.core.startKeyGenPreproc(newId(), 'test-insecure')).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: 'FHE parameter set "test-insecure" is INSECURE (for tests only): this core is not in dev mode and refuses to make a keygen preprocessing with it',
        }),
      );
    } finally {
      await prod.core.close();
    }
  }
});

test('default: a test-insecure preprocessing records its set and makes a test-insecure key', async () => {
  const preprocId = newId();
  dev.core.startKeyGenPreproc(preprocId, 'test-insecure');
  const pre = await dev.core.getKeyGenPreprocResult(preprocId, Date.now() + 60_000);
  expect(pre).toMatchObject({ requestId: preprocId, fheParameters: 'test-insecure' });
  expect(pre.failure).toBeUndefined();
  const stored = JSON.parse(new TextDecoder().decode((await dev.priv.read(DataType.KeyGenPreprocInfo, preprocId))!)) as Record<string, unknown>;
  expect(stored['fheParameters']).toBe('test-insecure');
  const keyId = newId();
  dev.core.startKeyGen(keyId, preprocId, 'test-insecure');
  const kg = await dev.core.getKeyGenResult(keyId, Date.now() + 60_000);
  expect(kg.failure).toBeUndefined();
  expect(kg).toMatchObject({ preprocId, parameters: INSECURE_TEST_PARAMETERS });
});

test('behavior: a preprocessing stored before sets were recorded is for default: a test-insecure keygen on it fails signed PREPROC_MISMATCH', async () => {
  const preprocId = newId();
  // What a core wrote before the set was recorded: the outcome without fheParameters.
  await dev.priv.write(DataType.KeyGenPreproc, preprocId, new TextEncoder().encode('{}'));
  await dev.priv.write(DataType.KeyGenPreprocInfo, preprocId, JSON.stringify({ requestId: preprocId, signature: 'old' }));
  const keyId = newId();
  dev.core.startKeyGen(keyId, preprocId, 'test-insecure');
  const kg = await dev.core.getKeyGenResult(keyId, Date.now() + 60_000);
  expect(kg.failure).toEqual({
    code: 'PREPROC_MISMATCH',
    reason: `PREPROC_MISMATCH: keygen preprocessing ${preprocId} was made for parameter set default, the keygen asks for test-insecure`,
  });
  expect(verifyResponse({ kind: 'failure', requestId: keyId, reason: kg.failure!.reason }, kg.signature, dev.signerPubkey)).toBe(true);
  // Refused before anything was consumed.
  expect(await dev.priv.read(DataType.KeyGenPreproc, preprocId)).toBeDefined();
});

test('behavior: an unknown parameter set for a preprocessing is INVALID_ARGUMENT', () => {
  expect(() => dev.core.startKeyGenPreproc(newId(), 'tiny')).toThrow(
    expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'unknown FHE parameter set "tiny" (expected default, fhevm, test-insecure)' }),
  );
});
