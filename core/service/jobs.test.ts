/**
 * Job semantics of the core over gRPC with a scripted engine (no FHE, fast):
 * waiting, UNAVAILABLE while running, serialized key generations, signed
 * keygen failures, shutdown refusing new work.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ciphertextDigest, ciphertextHandle } from '../../common/ciphertext.js';
import { TkmsError } from '../../common/errors.js';
import { verifyResponse } from '../../common/signing.js';
import { generateRecipientKeys } from '../../common/signcryption.js';
import { createCa, issueCert } from '../../common/tls.js';
import { connectCore, decryptSignedResponse, keyGenSignedResponse, type CoreClient } from '../client/coreClient.js';
import { parseCoreConfig } from './config.js';
import type { CoreEngine, KeySet } from './engine.js';
import { startCore, type RunningCore } from './startCore.js';

const newId = () => randomBytes(20).toString('hex');

/** Key generation takes `delayMs` (asynchronously) and fails when `failNext` is set. */
class ScriptedEngine implements CoreEngine {
  readonly name = 'scripted';
  delayMs = 0;
  failNext = false;
  running = 0;
  maxRunning = 0;
  async generateKeySet({ onProgress }: { onProgress?: (s: string) => void }): Promise<KeySet> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      onProgress?.('start');
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failNext) {
        this.failNext = false;
        throw new TkmsError('ENTROPY_EXHAUSTED', 'scripted failure');
      }
      const ck = new Uint8Array(randomBytes(32));
      return { clientKey: ck, compactPublicKey: new Uint8Array(randomBytes(64)), compressedServerKey: new Uint8Array(randomBytes(128)), parameters: 'scripted' };
    } finally {
      this.running--;
    }
  }
  async generateCrs(maxNumBits: number): Promise<{ crs: Uint8Array; maxNumBits: number; parameters: string }> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    return { crs: new Uint8Array(randomBytes(256)), maxNumBits, parameters: 'scripted' };
  }
  parseCiphertext(bytes: Uint8Array): unknown {
    // "Ciphertext" = one byte holding the plaintext.
    if (bytes.length !== 1) throw new TkmsError('CIPHERTEXT_MALFORMED', `expected 1 byte, got ${bytes.length}`);
    return bytes[0];
  }
  parseClientKey(bytes: Uint8Array): unknown {
    return bytes;
  }
  decryptCiphertext(ct: unknown): bigint {
    return BigInt(ct as number);
  }
}

let dir: string;
let engine: ScriptedEngine;
let core: RunningCore;
let client: CoreClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tkms-core-jobs-'));
  const ca = await createCa('jobs-ca');
  const server = await issueCert(ca, { commonName: 'core-1' });
  const conn = await issueCert(ca, { commonName: 'connector-1' });
  engine = new ScriptedEngine();
  core = await startCore(
    parseCoreConfig({
      partyId: 3,
      listen: { host: '127.0.0.1', port: 0 },
      tls: { ca: ca.certPem, cert: server.certPem, key: server.keyPem },
      storageDir: path.join(dir, 'storage'),
      publicStorage: { host: '127.0.0.1', port: 0, baseUrl: 'https://pub.example/kms/' },
      devMode: true,
      logLevel: 'silent',
    }),
    { engine, logger: pino({ level: 'silent' }) },
  );
  client = connectCore(`grpcs://${core.grpcAddress}`, { ca: ca.certPem, cert: conn.certPem, key: conn.keyPem });
});

afterAll(async () => {
  client?.close();
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('default: URIs use the configured public base URL; party id reported', async () => {
  const id = newId();
  await client.keyGen(id);
  const r = await client.getKeyGenResult(id);
  expect(r.publicKeyUri).toBe(`https://pub.example/kms/PUB-p3/PublicKey/${id}`);
  expect(r.partyId).toBe(3);
  const pub = (await client.health()).signerPubkey;
  expect(verifyResponse(keyGenSignedResponse(r), r.signature, pub)).toBe(true);
  const digest = ciphertextDigest(Uint8Array.of(200));
  const p = { requestId: newId(), keyId: id, fheType: 'euint8', ciphertextHandle: ciphertextHandle(digest, 'euint8', { keyId: id, appId: 'default' }), ciphertextDigest: digest, ciphertext: Uint8Array.of(200), appId: 'default' };
  await client.decrypt(p);
  const d = await client.getDecryptResult(p.requestId);
  expect(d.plaintext).toBe('200');
  expect(verifyResponse(decryptSignedResponse(d, p), d.signature, pub)).toBe(true);
  // A signature does not verify for another plaintext.
  expect(verifyResponse(decryptSignedResponse({ ...d, plaintext: '201' }, p), d.signature, pub)).toBe(false);
});

test('behavior: a running key generation answers UNAVAILABLE (retryable) until done', async () => {
  engine.delayMs = 2500;
  const id = newId();
  await client.keyGen(id);
  const started = Date.now();
  await expect(client.getKeyGenResult(id, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  const r = await client.getKeyGenResult(id, { timeoutMs: 10_000 });
  expect(r.failure).toBeUndefined();
  engine.delayMs = 0;
});

test('behavior: key generations run one at a time', async () => {
  engine.delayMs = 300;
  engine.maxRunning = 0;
  const ids = [newId(), newId(), newId()];
  for (const id of ids) await client.keyGen(id);
  const rs = await Promise.all(ids.map((id) => client.getKeyGenResult(id, { timeoutMs: 10_000 })));
  expect(rs.map((r) => r.keyId)).toEqual(ids);
  expect(engine.maxRunning).toBe(1);
  engine.delayMs = 0;
});

test('behavior: an engine failure is a signed failure with the engine code; the id stays used', async () => {
  engine.failNext = true;
  const id = newId();
  await client.keyGen(id);
  const r = await client.getKeyGenResult(id);
  expect(r.failure).toEqual({ code: 'ENTROPY_EXHAUSTED', reason: 'ENTROPY_EXHAUSTED: scripted failure' });
  expect(r.publicKeyUri).toBe('');
  expect(verifyResponse({ kind: 'failure', requestId: id, reason: r.failure!.reason }, r.signature, core.signerPubkey)).toBe(true);
  await expect(client.keyGen(id)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  await expect(client.getPublicKeyInfo(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  expect((await client.health()).keyIds).not.toContain(id);
});

test('behavior: digest must be exact lower-case hex', async () => {
  const id = (await client.health()).keyIds[0]!;
  const ct = Uint8Array.of(5);
  const p = { requestId: newId(), keyId: id, fheType: 'euint8', ciphertextDigest: ciphertextDigest(ct).toUpperCase(), ciphertext: ct, appId: 'default' };
  await client.decrypt(p);
  expect((await client.getDecryptResult(p.requestId)).failure?.code).toBe('DIGEST_MISMATCH');
});

test('default: a CRS generation publishes the CRS and signs its digest and URI; the id cannot be reused', async () => {
  const id = newId();
  await client.crsGen(id, 2048);
  const r = await client.getCrsGenResult(id);
  expect(r.failure).toBeUndefined();
  expect(r).toMatchObject({ requestId: id, crsId: id, maxNumBits: 2048, partyId: 3, crsUri: `https://pub.example/kms/PUB-p3/CRS/${id}` });
  const stored = readFileSync(path.join(dir, 'storage', 'PUB-p3', 'CRS', id));
  expect(createHash('sha3-256').update(stored).digest('hex')).toBe(r.crsDigest);
  const signed = { kind: 'crs_gen' as const, requestId: id, maxNumBits: '2048', crsDigest: r.crsDigest, crsUri: r.crsUri };
  expect(verifyResponse(signed, r.signature, core.signerPubkey)).toBe(true);
  await expect(client.crsGen(id, 2048)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  await expect(client.crsGen(newId(), 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
});

test('behavior: past the rate limit a job start is RESOURCE_EXHAUSTED (retryable), results still answer', async () => {
  const ca = await createCa('rl-ca');
  const server = await issueCert(ca, { commonName: 'core-9' });
  const conn = await issueCert(ca, { commonName: 'connector-9' });
  const limited = await startCore(
    parseCoreConfig({
      partyId: 9,
      listen: { host: '127.0.0.1', port: 0 },
      tls: { ca: ca.certPem, cert: server.certPem, key: server.keyPem },
      storageDir: path.join(dir, 'storage-rl'),
      publicStorage: { host: '127.0.0.1', port: 0 },
      devMode: true,
      logLevel: 'silent',
      rateLimit: { jobsPerSecond: 0.01, burst: 2 },
    }),
    { engine: new ScriptedEngine(), logger: pino({ level: 'silent' }) },
  );
  const c = connectCore(limited.grpcAddress, { ca: ca.certPem, cert: conn.certPem, key: conn.keyPem }, { serverName: 'localhost' });
  try {
    const first = newId();
    await c.keyGen(first);
    await c.keyGen(newId());
    const refused = await c.keyGen(newId()).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: 'RESOURCE_EXHAUSTED', retryable: true });
    expect((await c.getKeyGenResult(first)).failure).toBeUndefined();
  } finally {
    c.close();
    await limited.close();
  }
});

test('behavior: logs at trace level contain no key material and no user-decrypted plaintext', async () => {
  const ca = await createCa('log-ca');
  const server = await issueCert(ca, { commonName: 'core-8' });
  const conn = await issueCert(ca, { commonName: 'connector-8' });
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
  const storageDir = path.join(dir, 'storage-logs');
  const logged = await startCore(
    parseCoreConfig({ partyId: 8, listen: { host: '127.0.0.1', port: 0 }, tls: { ca: ca.certPem, cert: server.certPem, key: server.keyPem }, storageDir, publicStorage: { host: '127.0.0.1', port: 0 }, devMode: true, logLevel: 'trace' }),
    { engine: new ScriptedEngine(), logger },
  );
  const c = connectCore(logged.grpcAddress, { ca: ca.certPem, cert: conn.certPem, key: conn.keyPem }, { serverName: 'localhost' });
  try {
    const keyId = newId();
    await c.keyGen(keyId);
    await c.getKeyGenResult(keyId);
    const user = generateRecipientKeys();
    const ct = Uint8Array.of(171);
    const requestId = newId();
    const digest = ciphertextDigest(ct);
    await c.userDecrypt({ requestId, keyId, ciphertexts: [{ handle: ciphertextHandle(digest, 'euint8', { keyId, appId: 'default' }), digest, fheType: 'euint8', ciphertext: ct }], userPublicKey: user.publicKey, clientAddress: '0x' + '12'.repeat(20), appId: 'default' });
    const r = await c.getUserDecryptResult(requestId);
    expect(r.failure).toBeUndefined();
    expect(r.signcryption.length).toBeGreaterThan(0);
    const secrets = [
      readFileSync(path.join(storageDir, 'PRIV-p8', 'SigningKey', 'signer')),
      readFileSync(path.join(storageDir, 'PRIV-p8', 'ClientKey', keyId)),
    ];
    const all = lines.join('');
    expect(all).toContain(keyId); // the logs do talk about the work…
    for (const secret of secrets) {
      expect(all).not.toContain(Buffer.from(secret).toString('hex'));
      expect(all).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(all).not.toMatch(/"plaintext":"171"/); // …but never about what the user alone may read
  } finally {
    c.close();
    await logged.close();
  }
});

test('behavior: a closing core refuses new jobs with UNAVAILABLE', async () => {
  const c = core.core;
  await c.close();
  expect(() => c.startKeyGen(newId())).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  expect((await client.health()).status).toBe('SHUTTING_DOWN');
});
