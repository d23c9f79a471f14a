/**
 * @module core/service/vault
 * Private material encrypted at rest. Every object is sealed with AES-256-GCM
 * under the operator's vault key; the additional data is the object's own path
 * (`PRIV-p1/ClientKey/<id>`), so a sealed object moved to another path — say,
 * an attacker swapping two keys' files — no longer opens. A check object
 * written at creation tells a wrong vault key apart from a tampered object.
 *
 * Object format: "TKMSV1" ‖ iv (12) ‖ tag (16) ‖ ciphertext.
 *
 * @example
 * const key = loadVaultKey({ keyFile: '/etc/tkms/vault.key' });
 * const priv = await openVault(new FileStorage(root, privatePrefix(1)), key);
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TkmsError } from '../../common/errors.js';
import type { FileStorage, ObjectStorage } from './storage.js';

const MAGIC = Buffer.from('TKMSV1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_TYPE = 'Vault';
const CHECK_ID = 'check';
const CHECK_PLAINTEXT = Buffer.from('TKMS-VAULT-CHECK-V1');

export class VaultError extends TkmsError {
  override name = 'VaultError';
}

export interface VaultKeySource {
  /** File holding the 32-byte key as 64 hex chars (or raw 32 bytes). */
  keyFile?: string;
  /** Environment variable holding the key as 64 hex chars. */
  keyEnv?: string;
}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  throw new VaultError('VAULT_KEY_INVALID', `vault key from ${where} must be 32 bytes as 64 hex characters`);
}

/** Reads the operator's vault key; never logs or echoes it. */
export function loadVaultKey(source: VaultKeySource): Buffer {
  if (source.keyEnv) {
    const v = process.env[source.keyEnv];
    if (!v) throw new VaultError('VAULT_KEY_MISSING', `environment variable ${source.keyEnv} (vault key) is not set`);
    return parseKey(v, `$${source.keyEnv}`);
  }
  if (source.keyFile) {
    let raw: Buffer;
    try {
      raw = readFileSync(source.keyFile);
    } catch (e) {
      throw new VaultError('VAULT_KEY_MISSING', `cannot read the vault key file ${source.keyFile}`, { cause: e });
    }
    return raw.length === 32 ? raw : parseKey(raw.toString('utf8'), source.keyFile);
  }
  throw new VaultError('VAULT_KEY_MISSING', 'no vault key configured (vault.keyFile or vault.keyEnv)');
}

export function generateVaultKeyHex(): string {
  return randomBytes(32).toString('hex');
}

function seal(key: Buffer, aad: string, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
}

/** Undefined when the object does not open (wrong key, wrong path, tampered). */
function open(key: Buffer, aad: string, sealed: Uint8Array): Uint8Array | undefined {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < MAGIC.length + IV_BYTES + TAG_BYTES || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const iv = b.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = b.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([d.update(b.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), d.final()]));
  } catch {
    return undefined;
  }
}

/** Private storage whose objects are sealed under the vault key. */
export class VaultStorage implements ObjectStorage {
  private constructor(
    private readonly inner: FileStorage,
    private readonly key: Buffer,
  ) {}

  get prefix(): string {
    return this.inner.prefix;
  }

  private aad(dataType: string, id: string): string {
    return `${this.inner.prefix}/${dataType}/${id}`;
  }

  path(dataType: string, id: string): string {
    return this.inner.path(dataType, id);
  }

  has(dataType: string, id: string): boolean {
    return this.inner.has(dataType, id);
  }

  list(dataType: string): Promise<string[]> {
    return this.inner.list(dataType);
  }

  wipe(dataType: string, id: string): Promise<void> {
    return this.inner.wipe(dataType, id);
  }

  async write(dataType: string, id: string, data: Uint8Array | string, mode = 0o600, durable = true): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.inner.write(dataType, id, seal(this.key, this.aad(dataType, id), bytes), mode, durable);
  }

  async read(dataType: string, id: string): Promise<Uint8Array | undefined> {
    const sealed = await this.inner.read(dataType, id);
    if (sealed === undefined) return undefined;
    const plain = open(this.key, this.aad(dataType, id), sealed);
    if (!plain) {
      throw new VaultError('VAULT_OBJECT_TAMPERED', `private object ${this.aad(dataType, id)} does not open under the vault key`, {
        details: 'it was modified, moved from another path, or not written by this vault',
      });
    }
    return plain;
  }

  /**
   * Opens the vault in `inner`'s folder, creating it on first use. A vault
   * created under another key is refused with VAULT_WRONG_KEY; clear objects
   * left by a dev-mode run are refused too (mixing would be silent).
   */
  static async open(inner: FileStorage, key: Buffer): Promise<VaultStorage> {
    if (key.length !== 32) throw new VaultError('VAULT_KEY_INVALID', 'vault key must be 32 bytes');
    const vault = new VaultStorage(inner, key);
    const check = await inner.read(CHECK_TYPE, CHECK_ID);
    if (check === undefined) {
      const existing = (await inner.list('ClientKey')).length + (await inner.list('SigningKey')).length;
      if (existing > 0) {
        throw new VaultError('VAULT_MISSING', `private storage ${inner.dir} holds material written without a vault (dev mode)`, {
          details: 'move it away or keep running this party in dev mode',
        });
      }
      await inner.write(CHECK_TYPE, CHECK_ID, seal(key, vault.aad(CHECK_TYPE, CHECK_ID), CHECK_PLAINTEXT));
      return vault;
    }
    const plain = open(key, vault.aad(CHECK_TYPE, CHECK_ID), check);
    if (!plain || !Buffer.from(plain).equals(CHECK_PLAINTEXT)) {
      throw new VaultError('VAULT_WRONG_KEY', `the vault in ${inner.dir} does not open with the configured key`, {
        details: 'wrong vault key file or environment variable; nothing was read or changed',
      });
    }
    return vault;
  }
}
