/**
 * @module connector/kvstore/store
 * On-disk, content-addressed ciphertext store. Layout under `dir`:
 *   `ciphertexts/<digest>`     the raw bytes (digest = SHA3-256 hex)
 *   `handles/<handle>.json`    `{ digest, fhe_type, size, key_id, app_id }`
 * A handle names the key and the application too (common/ciphertext.ts), so
 * the same bytes stored for two applications have two handles.
 * Writes go to a temp file then rename, so readers never see partial files.
 * The store is untrusted by design: readers re-check digests (`client.ts`).
 *
 * @example
 * const store = new CiphertextStore('.state/kvstore');
 * const rec = await store.put(bytes, 'euint8', { keyId, appId: 'default' }); // { digest, handle, fhe_type, size, key_id, app_id }
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ciphertextHandle, HEX64, type HandleScope } from '../../common/ciphertext.js';
import type { FheType } from '../../common/fheTypes.js';

export interface HandleRecord {
  digest: string;
  fhe_type: FheType;
  size: number;
  /** The key and application the handle binds (what the uploader declared; the ASC and the cores recompute the handle). */
  key_id: string;
  app_id: string;
}

export interface StoredCiphertext extends HandleRecord {
  handle: string;
}

async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export class CiphertextStore {
  private readonly ctDir: string;
  private readonly handleDir: string;
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {
    this.ctDir = path.join(dir, 'ciphertexts');
    this.handleDir = path.join(dir, 'handles');
  }

  private init(): Promise<void> {
    this.ready ??= Promise.all([mkdir(this.ctDir, { recursive: true }), mkdir(this.handleDir, { recursive: true })]).then(() => undefined);
    return this.ready;
  }

  /** Where the bytes of `digest` live (for tests that tamper with them). */
  ciphertextPath(digest: string): string {
    if (!HEX64.test(digest)) throw new RangeError(`invalid digest "${digest.slice(0, 80)}"`);
    return path.join(this.ctDir, digest);
  }

  /** Stores `bytes` under its digest and records its handle; storing the same thing again changes nothing. */
  async put(bytes: Uint8Array, type: FheType, scope: HandleScope): Promise<StoredCiphertext> {
    await this.init();
    // Same value as common/ciphertext.ts ciphertextDigest (SHA3-256), at native speed.
    const digest = createHash('sha3-256').update(bytes).digest('hex');
    const handle = ciphertextHandle(digest, type, scope);
    const file = this.ciphertextPath(digest);
    if (!(await exists(file))) await writeAtomic(file, bytes);
    const record: HandleRecord = { digest, fhe_type: type, size: bytes.length, key_id: scope.keyId, app_id: scope.appId };
    const handleFile = path.join(this.handleDir, `${handle}.json`);
    if (!(await exists(handleFile))) await writeAtomic(handleFile, JSON.stringify(record));
    return { ...record, handle };
  }

  /** The stored bytes (as on disk, unchecked), or undefined. */
  async get(digest: string): Promise<Uint8Array | undefined> {
    const b = await readIfExists(this.ciphertextPath(digest));
    return b && new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  async resolveHandle(handle: string): Promise<HandleRecord | undefined> {
    if (!HEX64.test(handle)) throw new RangeError(`invalid handle "${handle.slice(0, 80)}"`);
    const b = await readIfExists(path.join(this.handleDir, `${handle}.json`));
    return b && (JSON.parse(b.toString('utf8')) as HandleRecord);
  }
}
