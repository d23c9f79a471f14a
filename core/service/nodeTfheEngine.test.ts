/**
 * The node-tfhe fallback engine on real ciphertexts (client key and compact
 * public key only: no server key, so this is fast).
 */
import tfhe from 'node-tfhe';
import { nodeTfheEngine } from './nodeTfheEngine.js';

const LIMIT = BigInt(1 << 30);
let clientKeyBytes: Uint8Array;
let pk: tfhe.TfheCompactPublicKey;

beforeAll(() => {
  const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  clientKeyBytes = ck.safe_serialize(LIMIT);
  pk = tfhe.TfheCompactPublicKey.new(ck);
});

function enc(push: (b: tfhe.CompactCiphertextListBuilder) => void, get: (e: tfhe.CompactCiphertextListExpander) => { safe_serialize(l: bigint): Uint8Array }) {
  const b = tfhe.CompactCiphertextList.builder(pk);
  push(b);
  return get(b.build().expand()).safe_serialize(LIMIT);
}

test('default: decrypts euint8, ebool, euint64', () => {
  const sk = nodeTfheEngine.parseClientKey(clientKeyBytes);
  const dec = (bytes: Uint8Array, t: 'euint8' | 'ebool' | 'euint64') => nodeTfheEngine.decryptCiphertext(nodeTfheEngine.parseCiphertext(bytes, t), sk);
  expect(dec(enc((b) => b.push_u8(42), (e) => e.get_uint8(0)), 'euint8')).toBe(42n);
  expect(dec(enc((b) => b.push_boolean(true), (e) => e.get_bool(0)), 'ebool')).toBe(1n);
  expect(dec(enc((b) => b.push_u64(2n ** 64n - 1n), (e) => e.get_uint64(0)), 'euint64')).toBe(2n ** 64n - 1n);
});

test('behavior: malformed and mistyped ciphertexts carry stable codes', () => {
  const ct = enc((b) => b.push_u8(1), (e) => e.get_uint8(0));
  expect(() => nodeTfheEngine.parseCiphertext(ct.slice(0, 50), 'euint8')).toThrow(expect.objectContaining({ code: 'CIPHERTEXT_MALFORMED' }));
  expect(() => nodeTfheEngine.parseCiphertext(ct, 'ebool')).toThrow(expect.objectContaining({ code: 'FHE_TYPE_MISMATCH' }));
});
