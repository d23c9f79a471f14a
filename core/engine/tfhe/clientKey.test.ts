import * as tfhe from 'node-tfhe';
import { ClientKeyFormatError } from '../errors.js';
import { parseCiphertext } from './ciphertext.js';
import { lweSecretKeyFromBits, MAX_CLIENT_KEY_BYTES, parseClientKey, SMALL_LWE_DIMENSION } from './clientKey.js';
import { decryptCiphertext } from './decrypt.js';
import { tfheConfig } from './keyset.js';
import { encryptWithClientKey } from './_testUtils.js';

function expectMalformed(fn: () => unknown, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ClientKeyFormatError);
  expect((caught as ClientKeyFormatError).code).toBe('CLIENT_KEY_MALFORMED');
  expect((caught as Error).message).toMatch(re);
}

describe('parseClientKey', () => {
  let ck: tfhe.TfheClientKey;
  let bytes: Uint8Array;
  beforeAll(() => {
    ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
    bytes = ck.safe_serialize(1n << 20n);
  });

  test('default: extracts a binary big key (2048) and small key (918) that decrypt', () => {
    expect(bytes.length).toBe(31_458);
    const { bigKey, smallKey } = parseClientKey(bytes);
    expect(bigKey.dimension).toBe(2048);
    expect(smallKey.dimension).toBe(SMALL_LWE_DIMENSION);
    expect(bigKey.bits.every((b) => b === 0 || b === 1)).toBe(true);
    // A uniform binary key has about n/2 ones.
    expect(bigKey.ones.length).toBeGreaterThan(850);
    expect(bigKey.ones.length).toBeLessThan(1200);
    expect(Array.from(bigKey.ones).every((i) => bigKey.bits[i] === 1)).toBe(true);
    const ct = parseCiphertext(encryptWithClientKey(ck, 'euint32', 0xc0ffee42n), 'euint32');
    expect(decryptCiphertext(ct, bigKey)).toBe(0xc0ffee42n);
  });

  test('default: the fhEVM-style config (dedicated compact public key parameters) parses too', () => {
    const fck = tfhe.TfheClientKey.generate(tfheConfig('fhevm'));
    const fbytes = fck.safe_serialize(1n << 20n);
    expect(fbytes.length).toBe(47_998);
    const { bigKey } = parseClientKey(fbytes);
    expect(decryptCiphertext(parseCiphertext(encryptWithClientKey(fck, 'euint8', 77n), 'euint8'), bigKey)).toBe(77n);
  });

  test('malicious: empty, oversized, truncated, wrong type, non-binary', () => {
    expectMalformed(() => parseClientKey(new Uint8Array(0)), /empty/);
    expectMalformed(() => parseClientKey(new Uint8Array(MAX_CLIENT_KEY_BYTES + 1)), /exceeds/);
    expectMalformed(() => parseClientKey(bytes.subarray(0, 5000)), /truncated/);
    const ctBytes = encryptWithClientKey(ck, 'ebool', 1n);
    expectMalformed(() => parseClientKey(ctBytes), /FheBool.*is not high_level_api::ClientKey/);
    const nonBinary = bytes.slice();
    nonBinary[99 + 8 * 5] = 2; // coefficient 5 of the GLWE key
    expectMalformed(() => parseClientKey(nonBinary), /coefficient 5 is 2, not binary/);
    const wrongVersion = bytes.slice();
    wrongVersion[63] = 7;
    expectMalformed(() => parseClientKey(wrongVersion), /IntegerClientKeyVersions.*expected 8, found 7/);
  });
});

describe('lweSecretKeyFromBits', () => {
  test('default: indexes the ones', () => {
    const bits = Array.from({ length: 2048 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const k = lweSecretKeyFromBits(bits);
    expect(k.ones.length).toBe(683);
    expect(k.ones[1]).toBe(3);
  });

  test('malicious: wrong length or non-binary', () => {
    expectMalformed(() => lweSecretKeyFromBits(new Uint8Array(2047)), /2047 coefficients, expected 2048/);
    expectMalformed(() => lweSecretKeyFromBits([...new Array(2047).fill(0), -1]), /coefficient 2047 is -1/);
  });
});
