import { secp256k1 } from '@noble/curves/secp256k1';
import { generateRecipientKeys, signcrypt, unsigncrypt } from './signcryption.js';

const party = secp256k1.utils.randomPrivateKey();
const partyPub = secp256k1.getPublicKey(party, true);
const user = generateRecipientKeys();
const context = new TextEncoder().encode('request 0123456789abcdef0123456789abcdef01234567');
const payload = new TextEncoder().encode('share: 42');

function open(blob: Uint8Array, over: Partial<Parameters<typeof unsigncrypt>[1]> = {}): Uint8Array {
  return unsigncrypt(blob, { recipientPublicKey: user.publicKey, recipientSecretKey: user.secretKey, signerPublicKey: partyPub, context, ...over });
}

describe('signcryption', () => {
  const blob = signcrypt(payload, { recipientPublicKey: user.publicKey, signerSecretKey: party, context });

  test('default: the user opens what the party signcrypted', () => {
    expect(open(blob)).toEqual(payload);
    expect(user.publicKey).toHaveLength(800);
  });

  test('behavior: any flipped byte is refused', () => {
    for (const i of [0, 1, 400, 770, 785, blob.length - 70, blob.length - 1]) {
      const t = blob.slice();
      t[i]! ^= 0x01;
      expect(() => open(t)).toThrow(expect.objectContaining({ code: 'SIGNCRYPTION_INVALID' }));
    }
  });

  test('behavior: another recipient key cannot open it', () => {
    const other = generateRecipientKeys();
    expect(() => open(blob, { recipientPublicKey: other.publicKey, recipientSecretKey: other.secretKey })).toThrow(/does not open/);
  });

  test('behavior: it does not open for another request', () => {
    expect(() => open(blob, { context: new TextEncoder().encode('another request') })).toThrow(/does not open/);
  });

  test('behavior: a result signcrypted by another party is not accepted as this party', () => {
    const other = secp256k1.utils.randomPrivateKey();
    const forged = signcrypt(payload, { recipientPublicKey: user.publicKey, signerSecretKey: other, context });
    expect(() => open(forged)).toThrow(/not signed by the expected party/);
  });

  test('behavior: truncated and malformed input is refused, and a non-ML-KEM key is refused at sealing', () => {
    expect(() => open(blob.subarray(0, 100))).toThrow(/malformed/);
    expect(() => signcrypt(payload, { recipientPublicKey: new Uint8Array(33), signerSecretKey: party, context })).toThrow(/ML-KEM-512/);
  });
});
