/**
 * @module core/service/storage
 * File-system storage with the KMS path layout `{prefix}/{data_type}/{id}`
 * (prefix `PRIV-p{id}` for private material, `PUB-p{id}` for public). Writes are
 * atomic (temp file, fsync, rename) so a crash never leaves half a key behind.
 *
 * @example
 * const pub = new FileStorage(root, publicPrefix(1));
 * await pub.write('PublicKey', keyId, bytes); // root/PUB-p1/PublicKey/<keyId>
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Data types and ids are path segments: a strict alphabet makes traversal impossible. */
export const STORAGE_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export const privatePrefix = (partyId: number) => `PRIV-p${partyId}`;
export const publicPrefix = (partyId: number) => `PUB-p${partyId}`;

/** Data types the core stores (named as in Zama's KMS). */
export const DataType = {
  PublicKey: 'PublicKey',
  ServerKey: 'ServerKey',
  VerfKey: 'VerfKey',
  ClientKey: 'ClientKey',
  SigningKey: 'SigningKey',
  KeyInfo: 'KeyInfo',
  DecryptResult: 'DecryptResult',
  CRS: 'CRS',
  CrsInfo: 'CrsInfo',
  /** The CRS ceremony's public transcript (threshold), next to the CRS: anyone replays it (`tkms verify-crs`). */
  CrsTranscript: 'CrsTranscript',
  /** A key's lifecycle state mirrored from the ASC (JSON `KeyStateRecord`). */
  KeyState: 'KeyState',
  /** Key generation preprocessing material (threshold: PRSS keys); private, wiped once a key used it. */
  KeyGenPreproc: 'KeyGenPreproc',
  /** The signed outcome of a key generation preprocessing (JSON `KeyGenPreprocOutcome`), written last. */
  KeyGenPreprocInfo: 'KeyGenPreprocInfo',
} as const;

function checkSegment(what: string, s: string): void {
  if (!STORAGE_SEGMENT.test(s)) throw new RangeError(`invalid storage ${what} "${s}"`);
}

/** SHA3-256 hex of bytes (same value as `common/ciphertext.ts` `ciphertextDigest`, native speed for 60 MB keys). */
export function sha3Hex(bytes: Uint8Array): string {
  return createHash('sha3-256').update(bytes).digest('hex');
}

/**
 * Writes `data` to `file` atomically: temp file in the same directory, fsync
 * (unless `durable` is false), rename.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, mode = 0o600, durable = true): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Where public material goes: the filesystem (served over HTTP) or S3. Untrusted by design. */
export interface PublicStorage {
  readonly prefix: string;
  write(dataType: string, id: string, data: Uint8Array | string, mode?: number): Promise<void>;
  read(dataType: string, id: string): Promise<Uint8Array | undefined>;
}

/** What the core needs from a private storage: FileStorage in clear (dev mode), VaultStorage sealed. */
export interface ObjectStorage {
  readonly prefix: string;
  path(dataType: string, id: string): string;
  write(dataType: string, id: string, data: Uint8Array | string, mode?: number, durable?: boolean): Promise<void>;
  has(dataType: string, id: string): boolean;
  read(dataType: string, id: string): Promise<Uint8Array | undefined>;
  list(dataType: string): Promise<string[]>;
  /** Deletes an object for good (overwritten with zeros, synced, then unlinked); no-op when absent. */
  wipe(dataType: string, id: string): Promise<void>;
}

export class FileStorage implements ObjectStorage {
  readonly dir: string;

  constructor(
    readonly root: string,
    readonly prefix: string,
  ) {
    checkSegment('prefix', prefix);
    this.dir = path.join(root, prefix);
  }

  path(dataType: string, id: string): string {
    checkSegment('data type', dataType);
    checkSegment('id', id);
    return path.join(this.dir, dataType, id);
  }

  async write(dataType: string, id: string, data: Uint8Array | string, mode = 0o600, durable = true): Promise<void> {
    await writeFileAtomic(this.path(dataType, id), data, mode, durable);
  }

  has(dataType: string, id: string): boolean {
    return existsSync(this.path(dataType, id));
  }

  /** The stored bytes, or undefined when absent. */
  async read(dataType: string, id: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(dataType, id)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * Overwrites the file with zeros (synced) before unlinking it, so the bytes do
   * not linger in the file's blocks on a plain filesystem. (Copy-on-write
   * filesystems, SSD wear levelling and backups can keep old blocks: a vault key
   * that is destroyed with the material is the stronger guarantee.)
   */
  async wipe(dataType: string, id: string): Promise<void> {
    const file = this.path(dataType, id);
    let fh;
    try {
      fh = await open(file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      const { size } = await fh.stat();
      await fh.write(new Uint8Array(size), 0, size, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rm(file, { force: true });
  }

  /** Ids stored under a data type (temp files skipped). */
  async list(dataType: string): Promise<string[]> {
    checkSegment('data type', dataType);
    try {
      return (await readdir(path.join(this.dir, dataType))).filter((n) => STORAGE_SEGMENT.test(n)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}
