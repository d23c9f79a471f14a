/**
 * The INSECURE `test-insecure` parameter set still computes correctly: a key
 * set made by the engine, FheUint8 inputs encrypted with its client key, then
 * add, mul and lt computed natively with the compressed server key alone
 * (tkms-tfhe-zk `compute`: node-tfhe has no homomorphic operation). Every
 * result has been through programmable bootstrapping, and decrypts to the
 * right value with the engine's parser and big key and with node-tfhe.
 * Under a second each; needs `make tfhe-zk` (never skips).
 */
import * as tfhe from 'node-tfhe';
import { parseCiphertext } from '../../engine/tfhe/ciphertext.js';
import { parseClientKey } from '../../engine/tfhe/clientKey.js';
import { decryptCiphertext } from '../../engine/tfhe/decrypt.js';
import { generateKeySet, MAX_CLIENT_KEY_SERIALIZED_BYTES, type KeySet } from '../../engine/tfhe/keyset.js';
import { parameterProfile } from '../../engine/tfhe/parameters.js';
import { encryptWithClientKey, seededRandom, tfheDecrypt } from '../../engine/tfhe/_testUtils.js';
import { compute, tfheZkToolPath, type ComputeOp } from './tfheZkTool.js';

let keySet: KeySet;
let ck: tfhe.TfheClientKey;
beforeAll(() => {
  tfheZkToolPath(); // a missing tool fails here, with how to build it
  keySet = generateKeySet({ parameters: 'test-insecure' });
  ck = tfhe.TfheClientKey.safe_deserialize(keySet.clientKey, BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES));
});
afterAll(() => ck.free());

const expected: Record<Exclude<ComputeOp, 'select'>, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => (a + b) & 0xffn,
  mul: (a, b) => (a * b) & 0xffn,
  lt: (a, b) => (a < b ? 1n : 0n),
};

test('default: add, mul and lt on FheUint8 with the test-insecure server key decrypt correctly', async () => {
  const dim = parameterProfile('test-insecure').lweDimension;
  const { bigKey } = parseClientKey(keySet.clientKey.slice());
  const rand = seededRandom(2026n);
  const pairs: [bigint, bigint][] = [[0n, 0n], [255n, 255n], [200n, 100n], [3n, 250n], ...Array.from({ length: 4 }, (): [bigint, bigint] => [rand(8), rand(8)])];
  for (const [a, b] of pairs) {
    const lhs = encryptWithClientKey(ck, 'euint8', a);
    const rhs = encryptWithClientKey(ck, 'euint8', b);
    for (const op of ['add', 'mul', 'lt'] as const) {
      const r = await compute({ compressedServerKey: keySet.compressedServerKey, op, lhs, rhs });
      const want = expected[op](a, b);
      const parsed = parseCiphertext(r.ciphertext, r.fheType, dim);
      expect({ op, a, b, engine: decryptCiphertext(parsed, bigKey) }).toEqual({ op, a, b, engine: want });
      expect(tfheDecrypt(ck, r.fheType, r.ciphertext)).toBe(want);
    }
  }
});
