import { FHE_TYPES } from '../../../common/fheTypes.js';
import { parseCiphertext } from './ciphertext.js';
import { parseClientKey, type LweSecretKey } from './clientKey.js';
import { blockPhaseBig, decodePhase, decryptCiphertext, decryptCiphertextBytes } from './decrypt.js';
import { CiphertextCarriesError } from '../errors.js';
import { encryptWithPublicKey } from './encrypt.js';
import { encryptWithClientKey, makeTestKeys, sampleValues, seededRandom, tfheDecrypt, type TestKeys } from './_testUtils.js';

let keys: TestKeys;
let bigKey: LweSecretKey;
const rand = seededRandom(0x7e57_dec0_de01n);

beforeAll(() => {
  keys = makeTestKeys();
  bigKey = parseClientKey(keys.clientKeyBytes).bigKey;
});

describe('decryptCiphertext', () => {
  for (const type of FHE_TYPES) {
    test(`default: ${type}, client-key and public-key encryptions match the value and node-tfhe`, () => {
      const values = sampleValues(type, rand, type === 'euint256' || type === 'euint160' ? 1 : 3);
      for (const value of values) {
        for (const [how, bytes] of [
          ['client key', encryptWithClientKey(keys.ck, type, value)],
          ['public key', encryptWithPublicKey(keys.compactPublicKeyBytes, type, type === 'ebool' ? value === 1n : value)],
        ] as const) {
          const ours = decryptCiphertextBytes(bytes, type, bigKey);
          expect({ how, value: ours }).toEqual({ how, value });
          expect(ours).toBe(tfheDecrypt(keys.ck, type, bytes));
        }
      }
    });
  }

  test('behavior: the phase is Δ·m plus small noise', () => {
    const ct = parseCiphertext(encryptWithClientKey(keys.ck, 'euint8', 0b10_01_11_00n), 'euint8');
    const expected = [0n, 3n, 1n, 2n];
    ct.blocks.forEach((block, i) => {
      const phase = blockPhaseBig(block, bigKey);
      let noise = phase - expected[i]! * (1n << 59n);
      if (noise >= 1n << 63n) noise -= 1n << 64n;
      expect(noise < 0n ? -noise : noise).toBeLessThan(1n << 40n);
    });
  });

  test('behavior: decodePhase rounds to the nearest multiple of Δ and drops the padding bit', () => {
    expect(decodePhase({ lo: 0, hi: 0 }, 4, 4)).toBe(0);
    expect(decodePhase({ lo: 0, hi: 3 << 27 }, 4, 4)).toBe(3);
    // Just below Δ/2 rounds down, at Δ/2 rounds up.
    expect(decodePhase({ lo: 0xffffffff, hi: (1 << 26) - 1 }, 4, 4)).toBe(0);
    expect(decodePhase({ lo: 0, hi: 1 << 26 }, 4, 4)).toBe(1);
    // A slightly negative phase (noise below zero) is 0, not 15.
    expect(decodePhase({ lo: 0xfffff000, hi: 0xffffffff }, 4, 4)).toBe(0);
    // Top of the range wraps through the padding bit.
    expect(decodePhase({ lo: 0, hi: 0x80000000 }, 4, 4)).toBe(0);
  });

  test('malicious: a block that may hold carries is refused; only message bits are ever decrypted', () => {
    // Un-propagated carries: add 4Δ to a block's body (value v -> v + 4) and raise its degree.
    // tfhe-rs would count the carry into the result; we refuse, so a decryption never
    // tells more than the message digits (issue 10: the opened digit carried the carry bits).
    const withCarry = (bytes: Uint8Array, block: number, degree: bigint): Uint8Array => {
      const out = bytes.slice();
      const dv = new DataView(out.buffer);
      const start = 77 + block * 16_500;
      const body = start + 16 + 2048 * 8;
      dv.setBigUint64(body, (dv.getBigUint64(body, true) + (1n << 61n)) & ((1n << 64n) - 1n), true);
      dv.setBigUint64(body + 8 + 28 + 4, degree, true);
      return out;
    };
    const bytes = withCarry(encryptWithClientKey(keys.ck, 'euint8', 3n), 0, 15n);
    expect(parseCiphertext(bytes, 'euint8').blocks[0]!.degree).toBe(15);
    expect(() => decryptCiphertextBytes(bytes, 'euint8', bigKey)).toThrow(CiphertextCarriesError);
    expect(() => decryptCiphertextBytes(bytes, 'euint8', bigKey)).toThrow(/block 0 of the euint8 has degree 15 > 3/);
    // A block that lies about its degree (3) but holds a carry: only the message digit comes out.
    const lying = withCarry(encryptWithClientKey(keys.ck, 'euint8', 0b10_01_11_10n), 1, 3n);
    expect(decryptCiphertextBytes(lying, 'euint8', bigKey)).toBe(0b10_01_11_10n); // block 1: (3 + 4) mod 4 = 3, the carry dropped
  });

  test('behavior: a wrong key gives a wrong value, not an error', () => {
    const other = parseClientKey(makeTestKeys().clientKeyBytes).bigKey;
    const ct = parseCiphertext(encryptWithClientKey(keys.ck, 'euint64', 0xdead_beef_cafe_f00dn), 'euint64');
    expect(decryptCiphertext(ct, other)).not.toBe(0xdead_beef_cafe_f00dn);
  });

  test('behavior: rejects a key of the wrong dimension', () => {
    const ct = parseCiphertext(encryptWithClientKey(keys.ck, 'ebool', 1n), 'ebool');
    const small = parseClientKey(keys.clientKeyBytes).smallKey;
    expect(() => decryptCiphertext(ct, small)).toThrow(/dimension/);
  });
});
