import { FHE_TYPES, maxPlaintext } from '../../../common/fheTypes.js';
import { PlaintextRangeError } from '../errors.js';
import { detectFheType } from './ciphertext.js';
import { checkPlaintext, encryptWithPublicKey } from './encrypt.js';
import { makeTestKeys, tfheDecrypt, type TestKeys } from './_testUtils.js';

let keys: TestKeys;
beforeAll(() => {
  keys = makeTestKeys();
});

function expectRange(fn: () => unknown, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PlaintextRangeError);
  expect((caught as PlaintextRangeError).code).toBe('PLAINTEXT_OUT_OF_RANGE');
  expect((caught as Error).message).toMatch(re);
}

describe('encryptWithPublicKey', () => {
  test('default: produces the declared type, decryptable by node-tfhe', () => {
    for (const type of FHE_TYPES) {
      const v = type === 'ebool' ? true : maxPlaintext(type) - 1n;
      const ct = encryptWithPublicKey(keys.compactPublicKeyBytes, type, v);
      expect(detectFheType(ct)).toBe(type);
      expect(tfheDecrypt(keys.ck, type, ct)).toBe(typeof v === 'boolean' ? 1n : v);
    }
  });

  test('malicious: values out of range are refused before encrypting (node-tfhe would truncate)', () => {
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'euint8', 256n), /256 does not fit euint8 \(0\.\.255/);
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'euint4', 16n), /euint4/);
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'euint64', -1n), /-1 does not fit/);
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'euint256', 1n << 256n), /euint256/);
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'ebool', 2n), /ebool/);
    expectRange(() => encryptWithPublicKey(keys.compactPublicKeyBytes, 'euint8', true), /boolean cannot be encrypted as euint8/);
    expectRange(() => checkPlaintext('euint8', 5 as unknown as bigint), /bigint or boolean/);
    expectRange(() => checkPlaintext('euint7' as never, 5n), /unknown FHE type/);
  });

  test('default: checkPlaintext maps booleans and accepts 0n/1n for ebool', () => {
    expect(checkPlaintext('ebool', false)).toBe(0n);
    expect(checkPlaintext('ebool', 1n)).toBe(1n);
    expect(checkPlaintext('euint160', maxPlaintext('euint160'))).toBe(maxPlaintext('euint160'));
  });

  test('malicious: a garbage public key is rejected', () => {
    expect(() => encryptWithPublicKey(new Uint8Array(100), 'euint8', 1n)).toThrow();
  });
});
