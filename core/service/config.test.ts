import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MAX_CIPHERTEXT_BYTES, loadCoreConfig, parseCoreConfig } from './config.js';

const valid = {
  partyId: 2,
  listen: { host: '127.0.0.1', port: 50102 },
  tls: { ca: 'tls/ca.crt', cert: 'tls/core-2.crt', key: 'tls/core-2.key' },
  storageDir: 'storage',
  publicStorage: { host: '127.0.0.1', port: 50202 },
  devMode: true,
};

test('default: relative paths resolve against the config file, defaults filled in', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-config-test-'));
  try {
    const file = path.join(dir, 'core.json');
    writeFileSync(file, JSON.stringify(valid));
    const c = loadCoreConfig(file);
    expect(c.tls).toEqual({
      ca: path.join(dir, 'tls/ca.crt'),
      cert: path.join(dir, 'tls/core-2.crt'),
      key: path.join(dir, 'tls/core-2.key'),
      requireClientCert: true,
    });
    expect(c.storageDir).toBe(path.join(dir, 'storage'));
    expect(c.logLevel).toBe('info');
    expect(c.maxCiphertextBytes).toBe(DEFAULT_MAX_CIPHERTEXT_BYTES);
    expect(c.publicStorage).toEqual({ host: '127.0.0.1', port: 50202 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('behavior: inline PEM passes through', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  expect(parseCoreConfig({ ...valid, tls: { ...valid.tls, ca: pem } }).tls.ca).toBe(pem);
});

test('behavior: each bad field is named', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ ...valid, partyId: 0 }, 'partyId'],
    [{ ...valid, partyId: '1' }, 'partyId'],
    [{ ...valid, listen: { port: 70000 } }, 'listen.port'],
    [{ ...valid, tls: { ...valid.tls, key: '' } }, 'tls.key'],
    [{ ...valid, tls: { ...valid.tls, requireClientCert: 'yes' } }, 'tls.requireClientCert'],
    [{ ...valid, devMode: 'true' }, 'devMode'],
    [{ ...valid, logLevel: 'loud' }, 'logLevel'],
    [{ ...valid, storageDir: undefined }, 'storageDir'],
    [{ ...valid, publicStorage: { port: 1, baseUrl: 'ftp://x' } }, 'publicStorage.baseUrl'],
    [{ ...valid, maxCiphertextBytes: -1 }, 'maxCiphertextBytes'],
  ];
  for (const [raw, field] of cases) {
    expect(() => parseCoreConfig(raw)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`"${field}"`) }));
  }
  expect(() => loadCoreConfig('/nonexistent/core.json')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
});

test('behavior: the INSECURE dealer is off unless a threshold config turns it on, with a boolean', () => {
  const threshold = { t: 1, peers: [1, 2, 3, 4].map((p) => ({ partyId: p, address: `127.0.0.1:${6000 + p}`, certFingerprint: 'ab'.repeat(32) })), listen: { port: 6002 } };
  expect(parseCoreConfig({ ...valid, threshold }).threshold?.insecureDealerKeygen).toBeUndefined();
  expect(parseCoreConfig({ ...valid, threshold: { ...threshold, insecureDealerKeygen: true } }).threshold?.insecureDealerKeygen).toBe(true);
  expect(() => parseCoreConfig({ ...valid, threshold: { ...threshold, insecureDealerKeygen: 'yes' } })).toThrow(expect.objectContaining({ message: expect.stringContaining('"threshold.insecureDealerKeygen"') }));
});
