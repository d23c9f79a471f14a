import * as tfhe from 'node-tfhe';
import { FHE_TYPES, FHE_TYPE_INFO, type FheType } from '../../../common/fheTypes.js';
import { TkmsError } from '../../../common/errors.js';
import { CiphertextFormatError, FheTypeMismatchError } from '../errors.js';
import { ciphertextByteLength, detectFheType, LWE_DIMENSION, MAX_CIPHERTEXT_BYTES, parseCiphertext } from './ciphertext.js';
import { parseClientKey } from './clientKey.js';
import { decompressCiphertext, parseCompressedCiphertext } from './compressed.js';
import { decryptCiphertext } from './decrypt.js';
import { encryptWithPublicKey } from './encrypt.js';
import { encryptWithClientKey, makeTestKeys, tfheDecrypt, type TestKeys } from './_testUtils.js';

let keys: TestKeys;
const ct: Partial<Record<FheType, Uint8Array>> = {};
const bytesOf = (t: FheType): Uint8Array => ct[t]!;

beforeAll(() => {
  keys = makeTestKeys();
  for (const t of FHE_TYPES) ct[t] = encryptWithClientKey(keys.ck, t, 1n);
});

/** Asserts `fn` throws a TkmsError of class `cls` with `code`, message matching `re`. */
function expectError(fn: () => unknown, cls: new (...a: never[]) => TkmsError, code: string, re?: RegExp): TkmsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  const err = caught as TkmsError;
  expect(err.code).toBe(code);
  if (re) expect(err.message).toMatch(re);
  return err;
}

const malformed = (fn: () => unknown, re?: RegExp): TkmsError => expectError(fn, CiphertextFormatError, 'CIPHERTEXT_MALFORMED', re);

function u32At(b: Uint8Array, off: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(off, v, true);
  return out;
}

function u64At(b: Uint8Array, off: number, v: bigint): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setBigUint64(off, v, true);
  return out;
}

describe('parseCiphertext', () => {
  test('default: every type parses with the documented sizes and block fields', () => {
    for (const t of FHE_TYPES) {
      const b = bytesOf(t);
      expect(b.length).toBe(ciphertextByteLength(t));
      const p = parseCiphertext(b, t);
      expect(p.type).toBe(t);
      expect(p.blocks).toHaveLength(FHE_TYPE_INFO[t].blocks);
      expect(p.tag).toHaveLength(0);
      for (const blk of p.blocks) {
        expect(blk.mask).toHaveLength(LWE_DIMENSION);
        expect(blk.mask.byteOffset % 8).toBe(0);
        expect([blk.messageModulus, blk.carryModulus, blk.noiseLevel]).toEqual([4, 4, 1]);
        expect(blk.degree).toBe(t === 'ebool' ? 1 : 3);
      }
      expect(detectFheType(b)).toBe(t);
    }
    expect(ciphertextByteLength('euint8')).toBe(66_101);
    expect(ciphertextByteLength('ebool')).toBe(16_593);
  });

  test('default: public-key (compact list) encryptions have the same layout', () => {
    for (const t of ['ebool', 'euint8', 'euint64'] as const) {
      const b = encryptWithPublicKey(keys.compactPublicKeyBytes, t, t === 'ebool' ? true : 1n);
      expect(b.length).toBe(ciphertextByteLength(t));
      expect(parseCiphertext(b, t).blocks).toHaveLength(FHE_TYPE_INFO[t].blocks);
    }
  });

  test('behavior: accepts a non-empty tag, as node-tfhe does', () => {
    const b = bytesOf('euint8');
    const tagged = new Uint8Array(b.length + 3);
    tagged.set(b.subarray(0, b.length - 24));
    const dv = new DataView(tagged.buffer);
    let o = b.length - 24;
    dv.setUint32(o, 0, true);
    dv.setBigUint64(o + 4, 3n, true);
    tagged.set([0x61, 0x62, 0x63], o + 12);
    o += 15;
    dv.setUint32(o, 0, true);
    dv.setBigUint64(o + 4, 0n, true);
    const p = parseCiphertext(tagged, 'euint8');
    expect(new TextDecoder().decode(p.tag)).toBe('abc');
    expect(tfheDecrypt(keys.ck, 'euint8', tagged)).toBe(1n);
  });

  test('malicious: empty input', () => {
    malformed(() => parseCiphertext(new Uint8Array(0), 'euint8'), /empty/);
  });

  test('malicious: truncated input', () => {
    const b = bytesOf('euint8');
    malformed(() => parseCiphertext(b.subarray(0, b.length - 1), 'euint8'), /truncated/);
    malformed(() => parseCiphertext(b.subarray(0, 40), 'euint8'), /truncated/);
    malformed(() => parseCiphertext(b.subarray(0, 70), 'euint8'), /truncated/);
    malformed(() => parseCiphertext(b.subarray(0, 30_000), 'euint8'), /truncated/);
  });

  test('malicious: one byte appended', () => {
    const b = bytesOf('euint8');
    const longer = new Uint8Array(b.length + 1);
    longer.set(b);
    malformed(() => parseCiphertext(longer, 'euint8'), /1 trailing byte/);
    const ebool = bytesOf('ebool');
    const longerBool = new Uint8Array(ebool.length + 1);
    longerBool.set(ebool);
    malformed(() => parseCiphertext(longerBool, 'ebool'), /trailing/);
  });

  test('malicious: oversized input is refused before any parsing', () => {
    const huge = new Uint8Array(MAX_CIPHERTEXT_BYTES + 1);
    malformed(() => parseCiphertext(huge, 'euint256'), /exceeds/);
    malformed(() => detectFheType(huge), /exceeds/);
    // Within the cap but far too long for the declared type.
    const b = bytesOf('euint8');
    const padded = new Uint8Array(b.length + 10_000);
    padded.set(b);
    malformed(() => parseCiphertext(padded, 'euint8'), /too long/);
  });

  test('malicious: corrupted header', () => {
    const b = bytesOf('euint8');
    const badVersion = b.slice();
    badVersion[10] = 0x36; // "0.5" -> "0.6"
    malformed(() => parseCiphertext(badVersion, 'euint8'), /header version.*"0\.6"/);
    malformed(() => parseCiphertext(u32At(b, 11, 1), 'euint8'), /Unversioned/);
    const badName = b.slice();
    badName[56] = 0x78; // "FheUint" -> "FheUinx"
    malformed(() => parseCiphertext(badName, 'euint8'), /FheUinx/);
    malformed(() => parseCiphertext(u64At(b, 0, 1n << 40n), 'euint8'), /out of range|exceeds/);
    malformed(() => parseCiphertext(u32At(b, 57, 1), 'euint8'), /FheUintVersions.*expected 2, found 1/);
  });

  test('malicious: corrupted block fields are named', () => {
    const b = bytesOf('euint8');
    const block0 = 77;
    const trailer = block0 + 16 + 2049 * 8;
    malformed(() => parseCiphertext(u32At(b, block0, 0), 'euint8'), /block 0 CiphertextVersions/);
    malformed(() => parseCiphertext(u64At(b, block0 + 8, 2050n), 'euint8'), /LWE size 2050/);
    malformed(() => parseCiphertext(u64At(b, trailer + 4, 1n), 'euint8'), /ciphertext modulus/);
    malformed(() => parseCiphertext(u64At(b, trailer + 32, 16n), 'euint8'), /degree 16/);
    malformed(() => parseCiphertext(u64At(b, trailer + 44, 1000n), 'euint8'), /noise level 1000/);
    malformed(() => parseCiphertext(u64At(b, trailer + 56, 8n), 'euint8'), /message modulus 8/);
    malformed(() => parseCiphertext(u32At(b, trailer + 80, 1), 'euint8'), /atomic pattern/);
    malformed(() => parseCiphertext(u32At(b, trailer + 88, 1), 'euint8'), /PBS order 1/);
    // Same corruption in the last block is found too.
    const last = block0 + 3 * 16_500 + 16 + 2049 * 8;
    malformed(() => parseCiphertext(u64At(b, last + 56, 2n), 'euint8'), /block 3 has message modulus 2/);
  });

  test('malicious: wrong type declared', () => {
    const e1 = expectError(() => parseCiphertext(bytesOf('euint64'), 'euint8'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH');
    expect(e1.message).toMatch(/declared as euint8/);
    expect(e1.message).toMatch(/euint64 \(32 radix blocks\)/);
    const e2 = expectError(() => parseCiphertext(bytesOf('euint8'), 'euint64'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH');
    expect(e2.message).toMatch(/declared as euint64 but it encrypts euint8/);
    expectError(() => parseCiphertext(bytesOf('ebool'), 'euint4'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH', /euint4 but it encrypts ebool/);
    expectError(() => parseCiphertext(bytesOf('euint4'), 'ebool'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH', /ebool but it encrypts euint4/);
    expectError(() => parseCiphertext(bytesOf('euint160'), 'euint128'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH', /euint160/);
  });

  test('malicious: unsupported ciphertext kinds', () => {
    const signed = tfhe.FheInt8.encrypt_with_client_key(-3, keys.ck).safe_serialize(1n << 26n);
    malformed(() => parseCiphertext(signed, 'euint8'), /FheInt/);
    const compressed = tfhe.CompressedFheUint8.encrypt_with_client_key(7, keys.ck).safe_serialize(1n << 26n);
    malformed(() => parseCiphertext(compressed, 'euint8'), /decompress/);
    const odd = tfhe.FheUint2.encrypt_with_client_key(1, keys.ck).safe_serialize(1n << 26n);
    expectError(() => parseCiphertext(odd, 'euint8'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH', /1 radix blocks.*not a supported type/);
    malformed(() => detectFheType(odd), /not a supported type/);
  });

  test('malicious: random bytes never parse and never throw anything but a coded error', () => {
    let x = 0x9e3779b9;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (let i = 0; i < 200; i++) {
      const bytes = new Uint8Array(1 + (next() % 70_000));
      const words = new Uint32Array(bytes.buffer, 0, bytes.length >> 2);
      for (let j = 0; j < words.length; j++) words[j] = next();
      malformed(() => parseCiphertext(bytes, 'euint8'));
    }
  });

  test('malicious: single-byte corruptions of the framing give a coded error or a valid parse', () => {
    const b = bytesOf('euint4');
    const frame = [...Array(93).keys(), ...Array.from({ length: 92 }, (_, i) => 77 + 16 + 2049 * 8 + i), ...Array.from({ length: 24 }, (_, i) => b.length - 24 + i)];
    for (const off of frame) {
      const x = b.slice();
      x[off]! ^= 0x41;
      try {
        parseCiphertext(x, 'euint4');
      } catch (e) {
        expect(e).toBeInstanceOf(TkmsError);
        expect(['CIPHERTEXT_MALFORMED', 'FHE_TYPE_MISMATCH']).toContain((e as TkmsError).code);
      }
    }
  });
});

describe('compressed ciphertexts', () => {
  test('default: CompressedFheUint8 / CompressedFheUint64 / CompressedFheBool decompress and decrypt', () => {
    const { bigKey } = parseClientKey(keys.clientKeyBytes);
    const u8 = tfhe.CompressedFheUint8.encrypt_with_client_key(201, keys.ck).safe_serialize(1n << 26n);
    expect(u8.length).toBe(871);
    expect(decryptCiphertext(parseCompressedCiphertext(u8, 'euint8'), bigKey)).toBe(201n);
    const u64 = tfhe.CompressedFheUint64.encrypt_with_client_key(0xffff_0000_1234_5678n, keys.ck).safe_serialize(1n << 26n);
    expect(decryptCiphertext(parseCompressedCiphertext(u64, 'euint64'), bigKey)).toBe(0xffff_0000_1234_5678n);
    const b = tfhe.CompressedFheBool.encrypt_with_client_key(true, keys.ck).safe_serialize(1n << 26n);
    expect(decryptCiphertext(parseCompressedCiphertext(b, 'ebool'), bigKey)).toBe(1n);
  });

  test('malicious: wrong declared type and garbage', () => {
    const u64 = tfhe.CompressedFheUint64.encrypt_with_client_key(5n, keys.ck).safe_serialize(1n << 26n);
    expectError(() => parseCompressedCiphertext(u64, 'euint8'), FheTypeMismatchError, 'FHE_TYPE_MISMATCH', /euint64/);
    malformed(() => decompressCiphertext(new Uint8Array(0), 'euint8'), /empty/);
    malformed(() => decompressCiphertext(new Uint8Array(100_000), 'euint8'), /exceeds/);
    malformed(() => decompressCiphertext(bytesOf('euint8').subarray(0, 50_000), 'euint8'), /node-tfhe rejected/);
  });
});
