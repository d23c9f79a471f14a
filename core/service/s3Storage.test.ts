/**
 * Public material on a real S3-compatible server (MinIO, built by
 * `make minio`): a core publishes its keys there, anyone downloads them with a
 * plain GET, an attacker who swaps an object is caught by the digest, and the
 * core itself reports DEGRADED at its next boot. In CI a missing MinIO fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { minioAvailable, startMinio, type MinioServer } from '../../localnet/minio.js';
import { KmsCore } from './kmsCore.js';
import { defaultEngine, type CoreEngine } from './engine.js';
import { S3PublicStorage } from './s3Storage.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from './storage.js';
import { loadOrCreateSigner } from './signer.js';

const silent = pino({ level: 'silent' });
const sha3 = (b: Uint8Array): string => createHash('sha3-256').update(b).digest('hex');
// The server key (~8 s) plays no part in storage; skip it.
const engine: CoreEngine = { ...defaultEngine, generateKeySet: (o) => defaultEngine.generateKeySet({ ...o, withoutServerKey: true } as never) };

let minio: MinioServer;
let dir: string;

beforeAll(async () => {
  if (!minioAvailable()) throw new Error('MinIO is not built: run `make minio` (the S3 tests never skip)');
  dir = mkdtempSync(path.join(tmpdir(), 'tkms-s3-'));
  minio = await startMinio(path.join(dir, 'minio'));
  await minio.createPublicBucket('tkms-public');
}, 90_000);

afterAll(async () => {
  await minio?.stop();
});

async function openCore(): Promise<{ core: KmsCore; pub: S3PublicStorage }> {
  const pub = new S3PublicStorage({ endpoint: minio.endpoint, bucket: 'tkms-public', prefix: publicPrefix(1), credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  const priv = new FileStorage(path.join(dir, 'storage'), privatePrefix(1));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const core = await KmsCore.open({ partyId: 1, engine, privateStorage: priv, publicStorage: pub, signer, logger: silent, publicUri: (t, id) => pub.uri(t, id) });
  return { core, pub };
}

test('default: keys published to S3 download with a plain GET and match the signed digests; a swapped object is caught', async () => {
  const { core, pub } = await openCore();
  const keyId = randomBytes(20).toString('hex');
  core.startKeyGen(keyId);
  const kg = await core.getKeyGenResult(keyId, Date.now() + 60_000);
  expect(kg.failure).toBeUndefined();
  expect(kg.publicKeyUri).toBe(`${minio.endpoint}/tkms-public/PUB-p1/PublicKey/${keyId}`);
  const res = await fetch(kg.publicKeyUri);
  expect(res.status).toBe(200);
  expect(sha3(new Uint8Array(await res.arrayBuffer()))).toBe(kg.publicKeyDigest);
  expect(await pub.list(DataType.PublicKey)).toEqual([keyId]);
  await core.close();

  // An attacker with write access to the bucket swaps the public key.
  const attacker = new S3Client({ endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
  await attacker.send(new PutObjectCommand({ Bucket: 'tkms-public', Key: `PUB-p1/PublicKey/${keyId}`, Body: randomBytes(1000) }));
  attacker.destroy();
  const swapped = new Uint8Array(await (await fetch(kg.publicKeyUri)).arrayBuffer());
  expect(sha3(swapped)).not.toBe(kg.publicKeyDigest);

  // The core notices at boot: public storage no longer matches its private digests.
  const again = await openCore();
  expect(again.core.health().status).toBe('DEGRADED');
  await again.core.close();
  again.pub.close();
  pub.close();
}, 120_000);

test('behavior: a missing object reads as absent, not as an error', async () => {
  const { core, pub } = await openCore();
  expect(await pub.read(DataType.PublicKey, 'ff'.repeat(20))).toBeUndefined();
  expect(await pub.exists(DataType.PublicKey, 'ff'.repeat(20))).toBe(false);
  await core.close();
  pub.close();
});
