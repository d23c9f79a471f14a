/**
 * @module localnet/minio
 * A real S3-compatible server (MinIO, built from Go modules by
 * `make minio`) on loopback, for the S3 public-storage tests and localnets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { repoRoot } from '../common/paths.js';
import { freePort } from './processes.js';

export interface MinioServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Creates a bucket anyone may read (public material), writable with the credentials. */
  createPublicBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function minioBinary(): string {
  return process.env['MINIO_BIN'] ?? path.join(repoRoot(), '.cache', 'minio', 'bin', 'minio');
}

export function minioAvailable(): boolean {
  return existsSync(minioBinary());
}

export async function startMinio(dir: string): Promise<MinioServer> {
  if (!minioAvailable()) throw new Error(`minio not found at ${minioBinary()}: run \`make minio\``);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const consolePort = await freePort();
  const accessKeyId = 'tkms-test';
  const secretAccessKey = 'tkms-test-secret-key';
  const log = openSync(path.join(dir, 'minio.log'), 'a');
  const child: ChildProcess = spawn(minioBinary(), ['server', path.join(dir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'], {
    env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`minio exited with code ${child.exitCode}; see ${path.join(dir, 'minio.log')}`);
    const ok = await fetch(`${endpoint}/minio/health/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('minio did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    async createPublicBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      const policy = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${name}/*`] }],
      };
      await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }));
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => child.once('exit', () => r()));
      }
    },
  };
}
