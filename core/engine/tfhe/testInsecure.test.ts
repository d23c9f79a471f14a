/**
 * The INSECURE `test-insecure` parameter set through the engine: a key set
 * made with it, its client key parsed to its own dimensions, public-key
 * encryptions of every type parsed and decrypted under it, and a ciphertext
 * of another parameter set refused with a clear error in both directions
 * (never a wrong plaintext). Computing with its server key is checked in
 * core/service/zk/tfheZkToolCompute.test.ts (node-tfhe cannot compute).
 */
import { FHE_TYPES, FHE_TYPE_INFO } from '../../../common/fheTypes.js';
import { CiphertextParametersError } from '../errors.js';
import { ciphertextByteLength, parseCiphertext } from './ciphertext.js';
import { parseClientKey } from './clientKey.js';
import { decryptCiphertext } from './decrypt.js';
import { encryptWithPublicKey } from './encrypt.js';
import { generateKeySet, type KeySet } from './keyset.js';
import { INSECURE_TEST_PARAMETERS, isInsecureParameterSet, parameterProfile } from './parameters.js';
import { encryptWithClientKey, makeTestKeys, seededRandom, type TestKeys } from './_testUtils.js';

let insecure: KeySet;
let defaults: TestKeys;
beforeAll(() => {
  insecure = generateKeySet({ parameters: 'test-insecure' });
  defaults = makeTestKeys();
});
afterAll(() => {
  defaults.ck.free();
  defaults.pk.free();
});

describe('test-insecure parameter set', () => {
  test('default: is named insecure everywhere it is described', () => {
    const p = parameterProfile('test-insecure');
    expect(p.insecure).toBe(true);
    expect(isInsecureParameterSet('test-insecure')).toBe(true);
    expect(isInsecureParameterSet('default')).toBe(false);
    expect(p.description).toMatch(/INSECURE/);
    expect(p.names).toMatch(/INSECURE/);
    expect([p.lweDimension, p.glweDimension, p.polynomialSize, p.smallLweDimension]).toEqual([512, 1, 512, 64]);
  });

  test('default: a key set parses to its own dimensions', () => {
    expect(insecure.parameters).toBe(INSECURE_TEST_PARAMETERS);
    const { bigKey, smallKey, parameterSets } = parseClientKey(insecure.clientKey.slice());
    expect(bigKey.dimension).toBe(512);
    expect(smallKey.dimension).toBe(64);
    expect(parameterSets).toEqual(['test-insecure']);
    expect(parseClientKey(defaults.clientKeyBytes).parameterSets).toEqual(['default', 'fhevm']);
    // Far smaller than the default set's ~60 MB: what makes a CI DKG possible.
    expect(insecure.compressedServerKey.length).toBeLessThan(2 << 20);
  });

  test('default: public-key encryptions of every type decrypt under the key', () => {
    const { bigKey } = parseClientKey(insecure.clientKey.slice());
    const rand = seededRandom(11n);
    for (const type of FHE_TYPES) {
      const bits = FHE_TYPE_INFO[type].bits;
      for (const value of [0n, (1n << BigInt(bits)) - 1n, rand(bits)]) {
        const bytes = encryptWithPublicKey(insecure.compactPublicKey, type, value);
        expect(bytes.length).toBe(ciphertextByteLength(type, 512));
        const ct = parseCiphertext(bytes, type, 512);
        expect(ct.lweDimension).toBe(512);
        expect(decryptCiphertext(ct, bigKey)).toBe(value);
      }
    }
  });

  test('behavior: a ciphertext of another parameter set is refused, naming both sets', () => {
    const small = encryptWithPublicKey(insecure.compactPublicKey, 'euint8', 42n);
    const big = encryptWithClientKey(defaults.ck, 'euint8', 42n);
    const refused = (f: () => unknown, re: RegExp): void => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CiphertextParametersError);
      expect((err as CiphertextParametersError).code).toBe('CIPHERTEXT_PARAMETERS_MISMATCH');
      expect((err as Error).message).toMatch(re);
    };
    // Under a default key (the parser's default dimension, or given explicitly).
    refused(() => parseCiphertext(small, 'euint8'), /dimension 512, parameter set test-insecure \(INSECURE\).*dimension 2048, parameter set default or fhevm/);
    refused(() => parseCiphertext(small, 'euint8', 2048), /test-insecure \(INSECURE\)/);
    // A default-set ciphertext under a test-insecure key.
    refused(() => parseCiphertext(big, 'euint8', 512), /dimension 2048.*but the key.*dimension 512/);
    refused(() => parseCiphertext(encryptWithClientKey(defaults.ck, 'ebool', 1n), 'ebool', 512), /dimension 2048/);
    refused(() => parseCiphertext(small, 'euint8', 1000), /no TKMS parameter set/);
    // Parsed for its own key, it still cannot be decrypted with another key's dimension.
    const other = parseClientKey(defaults.clientKeyBytes).bigKey;
    expect(() => decryptCiphertext(parseCiphertext(small, 'euint8', 512), other)).toThrow(/dimension 512 but the key has dimension 2048/);
  });
});
