import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMnemonic, saveKey } from './keyring.js';
import { generateMnemonic } from '../chain/wallet.js';

describe('cli keyring', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'tkms-keyring-'));
  afterEach(() => delete process.env['TKMS_PASSPHRASE']);

  test('default: the file keyring keeps the mnemonic encrypted and opens with the passphrase', () => {
    const mnemonic = generateMnemonic();
    process.env['TKMS_PASSPHRASE'] = 'correct horse';
    saveKey(home, 'alice', mnemonic, 'file');
    expect(readFileSync(path.join(home, 'keys', 'alice.json'), 'utf8')).not.toContain(mnemonic.split(' ')[0]! + ' ' + mnemonic.split(' ')[1]!);
    expect(loadMnemonic(home, 'alice')).toBe(mnemonic);
  });

  test('behavior: a wrong passphrase is refused with a clear code', () => {
    process.env['TKMS_PASSPHRASE'] = 'one';
    saveKey(home, 'bob', generateMnemonic(), 'file');
    process.env['TKMS_PASSPHRASE'] = 'two';
    expect(() => loadMnemonic(home, 'bob')).toThrow(expect.objectContaining({ code: 'BAD_PASSPHRASE' }));
  });

  test('behavior: the file keyring without a passphrase refuses instead of writing in clear', () => {
    expect(() => saveKey(home, 'carol', generateMnemonic(), 'file')).toThrow(expect.objectContaining({ code: 'NO_PASSPHRASE' }));
  });

  test('behavior: an existing key is not overwritten without force', () => {
    saveKey(home, 'dave', generateMnemonic(), 'test');
    expect(() => saveKey(home, 'dave', generateMnemonic(), 'test')).toThrow(expect.objectContaining({ code: 'KEY_EXISTS' }));
  });
});
