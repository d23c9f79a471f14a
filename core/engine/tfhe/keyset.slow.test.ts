import * as tfhe from 'node-tfhe';
import { parseCiphertext } from './ciphertext.js';
import { parseClientKey } from './clientKey.js';
import { decryptCiphertext } from './decrypt.js';
import { encryptWithPublicKey } from './encrypt.js';
import { DEFAULT_PARAMETERS, generateKeySet, MAX_COMPRESSED_SERVER_KEY_BYTES, MAX_COMPACT_PUBLIC_KEY_BYTES } from './keyset.js';

describe('generateKeySet', () => {
  test('default: a full key set; public key and client key belong together; server key deserializes', () => {
    const stages: string[] = [];
    const ks = generateKeySet({ onProgress: (stage) => stages.push(stage) });
    expect(stages).toEqual(['client_key', 'compact_public_key', 'compressed_server_key', 'done']);
    expect(ks.parameters).toBe(DEFAULT_PARAMETERS);
    expect(ks.clientKey.length).toBe(31_458);
    expect(ks.compactPublicKey.length).toBeLessThan(MAX_COMPACT_PUBLIC_KEY_BYTES);
    expect(ks.compressedServerKey.length).toBeGreaterThan(10_000_000);
    expect(ks.compressedServerKey.length).toBeLessThan(MAX_COMPRESSED_SERVER_KEY_BYTES);

    const { bigKey } = parseClientKey(ks.clientKey);
    const ct = parseCiphertext(encryptWithPublicKey(ks.compactPublicKey, 'euint64', 0x0123_4567_89ab_cdefn), 'euint64');
    expect(decryptCiphertext(ct, bigKey)).toBe(0x0123_4567_89ab_cdefn);
    // node-tfhe exposes no homomorphic operation to prove the server key matches;
    // checking that it deserializes under our limit is what we can do here.
    tfhe.TfheCompressedServerKey.safe_deserialize(ks.compressedServerKey, BigInt(MAX_COMPRESSED_SERVER_KEY_BYTES)).free();
  }, 300_000);

  test('behavior: withoutServerKey skips the expensive stage', () => {
    const stages: string[] = [];
    const ks = generateKeySet({ withoutServerKey: true, onProgress: (s) => stages.push(s) });
    expect(stages).toEqual(['client_key', 'compact_public_key', 'done']);
    expect(ks.compressedServerKey.length).toBe(0);
  });
});
