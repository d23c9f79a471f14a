import { createHash, randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { generateRecipientKeys, signcrypt } from '../common/signcryption.js';
import { signResponse } from '../common/signing.js';
import { reconstructUserDecrypt, type PartyUserDecryptResponse, type UserDecryptContext } from './userDecryptResult.js';

const sha3 = (b: Uint8Array): string => createHash('sha3-256').update(b).digest('hex');
const parties = [1, 2, 3, 4].map((id) => ({ id, sk: secp256k1.utils.randomPrivateKey() }));
const user = generateRecipientKeys();
const base = { requestId: randomBytes(20).toString('hex'), keyId: randomBytes(20).toString('hex'), ciphertextDigest: randomBytes(32).toString('hex'), fheType: 'euint64' };
const ctx: UserDecryptContext = {
  ...base,
  userPublicKey: user.publicKey,
  userSecretKey: user.secretKey,
  signers: new Map(parties.map((p) => [p.id, bytesToHex(secp256k1.getPublicKey(p.sk, true))])),
  threshold: 1,
};

function answer(partyId: number, plaintext: string, over: { recipient?: Uint8Array; signWith?: Uint8Array; tamper?: boolean } = {}): PartyUserDecryptResponse {
  const p = parties[partyId - 1]!;
  const payload = new TextEncoder().encode(JSON.stringify({ request_id: base.requestId, fhe_type: base.fheType, plaintext }));
  const share = signcrypt(payload, { recipientPublicKey: over.recipient ?? user.publicKey, signerSecretKey: p.sk, context: new TextEncoder().encode(base.requestId) });
  if (over.tamper) share[share.length - 5]! ^= 1;
  const signature = signResponse({ kind: 'user_decrypt', ...base, shareDigest: sha3(share), userKeyDigest: sha3(user.publicKey) }, over.signWith ?? p.sk);
  return { partyId, signcryptedShare: share, signature };
}

describe('user decryption, client side', () => {
  test('default: t+1 agreeing parties give the plaintext', () => {
    const r = reconstructUserDecrypt([answer(1, '77'), answer(2, '77'), answer(3, '77'), answer(4, '77')], ctx);
    expect(r).toEqual({ plaintext: 77n, agreeing: [1, 2, 3, 4], misbehaving: [] });
  });

  test('malicious: a party sealing another plaintext is named, the right plaintext still wins', () => {
    const r = reconstructUserDecrypt([answer(1, '77'), answer(2, '78'), answer(3, '77'), answer(4, '77')], ctx);
    expect(r.plaintext).toBe(77n);
    expect(r.misbehaving).toEqual([{ partyId: 2, reason: 'answered 78, not the agreed plaintext' }]);
  });

  test('malicious: tampered signcryption, wrong recipient key and a forged signature are each named', () => {
    const other = generateRecipientKeys();
    const r = reconstructUserDecrypt(
      [answer(1, '77', { tamper: true }), answer(2, '77', { recipient: other.publicKey }), answer(3, '77', { signWith: parties[0]!.sk }), answer(4, '77')],
      { ...ctx, threshold: 0 },
    );
    expect(r.plaintext).toBe(77n);
    expect(r.misbehaving.map((m) => m.partyId)).toEqual([1, 2, 3]);
    expect(r.misbehaving[2]!.reason).toMatch(/signature/);
  });

  test('behavior: without t+1 agreeing parties no plaintext is returned', () => {
    expect(() => reconstructUserDecrypt([answer(1, '77'), answer(2, '78')], ctx)).toThrow(expect.objectContaining({ code: 'USER_DECRYPT_NO_QUORUM' }));
    expect(() => reconstructUserDecrypt([answer(1, '77'), answer(1, '77')], ctx)).toThrow(/only 1 party agrees/);
  });
});
