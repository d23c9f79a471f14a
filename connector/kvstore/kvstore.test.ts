import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ciphertextDigest, ciphertextHandle } from '../../common/ciphertext.js';
import { CiphertextDigestMismatchError, getCiphertext, KvStoreError, putCiphertext, resolveHandle } from './client.js';
import { startKvStore, type RunningKvStore } from './server.js';

const MAX = 64 * 1024;
const SCOPE = { keyId: 'ab'.repeat(20), appId: 'default' };
let dir: string;
let kv: RunningKvStore;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tkms-kvstore-test-'));
  kv = await startKvStore({ dir, port: 0, maxBytes: MAX });
});

afterAll(async () => {
  await kv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('default: put, get, resolve handle', async () => {
  const bytes = new Uint8Array(randomBytes(5000));
  const put = await putCiphertext(kv.url, bytes, 'euint8', SCOPE);
  const digest = ciphertextDigest(bytes);
  const record = { digest, fhe_type: 'euint8', size: 5000, key_id: SCOPE.keyId, app_id: 'default' };
  expect(put).toEqual({ ...record, handle: ciphertextHandle(digest, 'euint8', SCOPE) });
  expect(await getCiphertext(kv.url, digest)).toEqual(bytes);
  expect(await resolveHandle(kv.url, put.handle)).toEqual(record);
  expect(readFileSync(path.join(dir, 'ciphertexts', digest))).toEqual(Buffer.from(bytes));
  const health = await fetch(`${kv.url}/health`);
  expect(health.status).toBe(200);
});

test('behavior: put is idempotent; same bytes under another type get another handle', async () => {
  const bytes = new Uint8Array(randomBytes(100));
  const a = await putCiphertext(kv.url, bytes, 'euint64', SCOPE);
  const b = await putCiphertext(kv.url, bytes, 'euint64', SCOPE);
  expect(b).toEqual(a);
  const c = await putCiphertext(kv.url, bytes, 'ebool', SCOPE);
  expect(c.digest).toBe(a.digest);
  expect(c.handle).not.toBe(a.handle);
  expect((await resolveHandle(kv.url, a.handle)).fhe_type).toBe('euint64');
  expect((await resolveHandle(kv.url, c.handle)).fhe_type).toBe('ebool');
  // Another application or key: another handle for the same bytes.
  const d = await putCiphertext(kv.url, bytes, 'euint64', { ...SCOPE, appId: 'fhevm-1' });
  const e = await putCiphertext(kv.url, bytes, 'euint64', { ...SCOPE, keyId: 'cd'.repeat(20) });
  expect(new Set([a.handle, d.handle, e.handle]).size).toBe(3);
  expect((await resolveHandle(kv.url, d.handle)).app_id).toBe('fhevm-1');
});

test('behavior: a put without key id or application is 400 (a handle names both)', async () => {
  for (const q of ['type=euint8', 'type=euint8&key_id=abc&app_id=default', `type=euint8&key_id=${SCOPE.keyId}`, `type=euint8&key_id=${SCOPE.keyId}&app_id=${'x'.repeat(65)}`]) {
    const res = await fetch(`${kv.url}/v1/ciphertexts?${q}`, { method: 'PUT', body: new Uint8Array(10) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toMatch(/INVALID_(KEY|APP)_ID/);
  }
});

test('behavior: oversize body is 413 with a JSON error', async () => {
  const res = await fetch(`${kv.url}/v1/ciphertexts?type=euint8&key_id=${SCOPE.keyId}&app_id=default`, { method: 'PUT', body: new Uint8Array(MAX + 1) });
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ code: 'CIPHERTEXT_TOO_LARGE' });
  await expect(putCiphertext(kv.url, new Uint8Array(MAX * 2), 'euint8', SCOPE)).rejects.toMatchObject({ code: 'CIPHERTEXT_TOO_LARGE', status: 413 });
  // Far beyond the limit: answered from the declared length, without buffering the body.
  await expect(putCiphertext(kv.url, new Uint8Array(MAX * 20), 'euint8', SCOPE)).rejects.toMatchObject({ code: 'CIPHERTEXT_TOO_LARGE' });
  // Exactly at the limit is fine.
  expect((await putCiphertext(kv.url, new Uint8Array(MAX).fill(1), 'euint8', SCOPE)).size).toBe(MAX);
});

test('behavior: bad digest or handle is 400, unknown is 404, bad type 400', async () => {
  for (const bad of ['abc', 'G'.repeat(64), 'A'.repeat(64), '0'.repeat(63), '..%2F..%2Fetc']) {
    const res = await fetch(`${kv.url}/v1/ciphertexts/${bad}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_DIGEST' });
  }
  expect((await fetch(`${kv.url}/v1/handles/xyz`)).status).toBe(400);
  const unknown = '0'.repeat(64);
  const res = await fetch(`${kv.url}/v1/ciphertexts/${unknown}`);
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  await expect(getCiphertext(kv.url, unknown)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  await expect(resolveHandle(kv.url, unknown)).rejects.toBeInstanceOf(KvStoreError);
  const badType = await fetch(`${kv.url}/v1/ciphertexts?type=euint7`, { method: 'PUT', body: new Uint8Array(3) });
  expect(badType.status).toBe(400);
  expect((await fetch(`${kv.url}/v1/ciphertexts?type=euint8&key_id=${SCOPE.keyId}&app_id=default`, { method: "PUT", body: new Uint8Array(0) })).status).toBe(400);
  expect((await fetch(`${kv.url}/v1/ciphertexts`, { method: 'POST', body: 'x' })).status).toBe(405);
});

test('behavior: a tampered file on disk is detected by the client', async () => {
  const bytes = new Uint8Array(randomBytes(2000));
  const { digest } = await putCiphertext(kv.url, bytes, 'euint16', SCOPE);
  const file = kv.store.ciphertextPath(digest);
  const tampered = Buffer.from(bytes);
  tampered[1000] = tampered[1000]! ^ 1;
  writeFileSync(file, tampered);
  const err = await getCiphertext(kv.url, digest).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CiphertextDigestMismatchError);
  expect(err).toMatchObject({ code: 'DIGEST_MISMATCH', expected: digest, actual: ciphertextDigest(tampered) });
});

test('behavior: the store survives a restart', async () => {
  const bytes = new Uint8Array(randomBytes(300));
  const put = await putCiphertext(kv.url, bytes, 'euint32', SCOPE);
  await kv.close();
  kv = await startKvStore({ dir, port: 0, maxBytes: MAX });
  expect(await getCiphertext(kv.url, put.digest)).toEqual(bytes);
  expect((await resolveHandle(kv.url, put.handle)).digest).toBe(put.digest);
});
