/**
 * @module cli/keyring
 * The CLI wallet's key file. Backend `file` keeps the mnemonic encrypted
 * (scrypt → AES-256-GCM) under TKMS_PASSPHRASE; backend `test` keeps it in
 * clear and exists only for local development, like Cosmos' test keyring.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TkmsError } from '../common/errors.js';

export type KeyringBackend = 'file' | 'test';

interface KeyFile {
  backend: KeyringBackend;
  address_hint?: string;
  mnemonic?: string;
  encrypted?: { salt: string; iv: string; tag: string; data: string };
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function keyPath(home: string, name: string): string {
  return path.join(home, 'keys', `${name}.json`);
}

function passphrase(): string {
  const p = process.env['TKMS_PASSPHRASE'];
  if (!p) {
    throw new TkmsError('NO_PASSPHRASE', 'the file keyring needs TKMS_PASSPHRASE', {
      details: 'set TKMS_PASSPHRASE, or use --keyring test for a local development key kept in clear',
    });
  }
  return p;
}

export function saveKey(home: string, name: string, mnemonic: string, backend: KeyringBackend, overwrite = false): void {
  const file = keyPath(home, name);
  if (existsSync(file) && !overwrite) throw new TkmsError('KEY_EXISTS', `a key named "${name}" already exists at ${file}`, { details: 'pass --force to replace it' });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let content: KeyFile;
  if (backend === 'test') {
    content = { backend, mnemonic };
  } else {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = scryptSync(passphrase(), salt, 32, SCRYPT);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(mnemonic, 'utf8'), cipher.final()]);
    content = { backend, encrypted: { salt: salt.toString('hex'), iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex'), data: data.toString('hex') } };
  }
  writeFileSync(file, JSON.stringify(content, null, 2), { mode: 0o600 });
}

export function loadMnemonic(home: string, name: string): string {
  const file = keyPath(home, name);
  if (!existsSync(file)) {
    throw new TkmsError('NO_KEY', `no key named "${name}" in ${path.join(home, 'keys')}`, {
      details: 'create one with `tkms keys create --keyring test` (development) or import one with `tkms keys import`',
    });
  }
  const k = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  if (k.backend === 'test' && k.mnemonic) return k.mnemonic;
  if (!k.encrypted) throw new TkmsError('BAD_KEY_FILE', `key file ${file} is malformed`);
  try {
    const key = scryptSync(passphrase(), Buffer.from(k.encrypted.salt, 'hex'), 32, SCRYPT);
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(k.encrypted.iv, 'hex'));
    d.setAuthTag(Buffer.from(k.encrypted.tag, 'hex'));
    return Buffer.concat([d.update(Buffer.from(k.encrypted.data, 'hex')), d.final()]).toString('utf8');
  } catch (e) {
    if (e instanceof TkmsError) throw e;
    throw new TkmsError('BAD_PASSPHRASE', `cannot decrypt key "${name}": wrong TKMS_PASSPHRASE`, { cause: e });
  }
}
