import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha3_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { downloadFirstMatching } from './publicMaterial.js';

describe('downloadFirstMatching: any signer’s copy will do, the digest decides', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-copies-'));
  const good = Uint8Array.from([1, 2, 3, 4]);
  const digest = bytesToHex(sha3_256(good));
  const uri = (name: string, bytes?: Uint8Array): string => {
    const file = path.join(dir, name);
    if (bytes) writeFileSync(file, bytes);
    return pathToFileURL(file).href;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('behavior: a party that is down and one that serves other bytes are skipped; the matching copy is returned', async () => {
    const down = uri('down');
    const swapped = uri('swapped', Uint8Array.from([9, 9]));
    const right = uri('right', good);
    await expect(downloadFirstMatching([down, swapped, right], digest, 'PublicKey')).resolves.toEqual({ bytes: good, uri: right });
  });

  test('behavior: no copy reachable is DOWNLOAD_FAILED, naming every copy tried', async () => {
    const err = await downloadFirstMatching([uri('a'), uri('b')], digest, 'PublicKey').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect((err as { details: string }).details).toContain('/a');
    expect((err as { details: string }).details).toContain('/b');
  });

  test('behavior: copies that all differ from the signed digest are DIGEST_MISMATCH', async () => {
    await expect(downloadFirstMatching([uri('down2'), uri('other', Uint8Array.from([7]))], digest, 'PublicKey')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });
});
