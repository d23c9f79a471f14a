import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { generateRecipientKeys, signcrypt } from '../common/signcryption.js';
import { signResponse } from '../common/signing.js';
import { signUserDecrypt } from '../common/eip712.js';
import { encodeUserDecryptPayload } from '../common/userDecryptPayload.js';
import { reconstructUserDecrypt, type PartyUserDecryptAnswer, type UserDecryptContext } from './userDecryptResult.js';

const parties = [1, 2, 3, 4].map((id) => ({ id, sk: secp256k1.utils.randomPrivateKey() }));
const user = generateRecipientKeys();
const domain = { name: 'Decryption', version: '1', chainId: 12345n, verifyingContract: '0x' + 'ab'.repeat(20) };
const base = { requestId: randomBytes(20).toString('hex'), keyId: randomBytes(20).toString('hex') };
const ciphertexts = [
  { handle: randomBytes(32).toString('hex'), digest: randomBytes(32).toString('hex'), fheType: 'euint64' },
  { handle: randomBytes(32).toString('hex'), digest: randomBytes(32).toString('hex'), fheType: 'ebool' },
];
const ctx: UserDecryptContext = {
  ...base,
  ciphertexts,
  userPublicKey: user.publicKey,
  userSecretKey: user.secretKey,
  signers: new Map(parties.map((p) => [p.id, bytesToHex(secp256k1.getPublicKey(p.sk, true))])),
  n: 4,
  threshold: 1,
  eip712Domain: domain,
};

function answer(partyId: number, plaintexts: [string, string], over: { recipient?: Uint8Array; signWith?: Uint8Array; tamper?: boolean; claim?: number } = {}): PartyUserDecryptAnswer {
  const p = parties[partyId - 1]!;
  const payload = encodeUserDecryptPayload({
    version: 2,
    ...{ request_id: base.requestId, key_id: base.keyId },
    party_id: over.claim ?? partyId,
    mode: 'plaintext',
    results: [
      { fhe_type: 'euint64', plaintext: plaintexts[0] },
      { fhe_type: 'ebool', plaintext: plaintexts[1] },
    ],
  });
  const blob = signcrypt(payload, { recipientPublicKey: over.recipient ?? user.publicKey, signerSecretKey: p.sk, context: new TextEncoder().encode(base.requestId) });
  if (over.tamper) blob[blob.length - 5]! ^= 1;
  const eip712Signature = signUserDecrypt(domain, { publicKey: user.publicKey, handles: ciphertexts.map((c) => c.handle), userDecryptedShare: blob }, p.sk).toLowerCase();
  const signature = signResponse(
    {
      kind: 'user_decrypt',
      ...base,
      ciphertexts: ciphertexts.map((c) => ({ ciphertextDigest: c.digest, fheType: c.fheType })),
      userKeyDigest: bytesToHex(sha256(user.publicKey)),
      signcryptionDigest: bytesToHex(sha256(blob)),
      eip712Signature,
    },
    over.signWith ?? p.sk,
  );
  return { partyId, signcryption: blob, eip712Signature, signature };
}

describe('user decryption, client side (plaintext mode)', () => {
  test('default: t+1 agreeing parties give the plaintexts of the batch', () => {
    const r = reconstructUserDecrypt([answer(1, ['77', '1']), answer(2, ['77', '1']), answer(3, ['77', '1']), answer(4, ['77', '1'])], ctx);
    expect(r).toEqual({ plaintexts: [77n, 1n], mode: 'plaintext', agreeing: [1, 2, 3, 4], misbehaving: [] });
  });

  test('malicious: a party sealing other plaintexts is named, the right plaintexts still win', () => {
    const r = reconstructUserDecrypt([answer(1, ['77', '1']), answer(2, ['78', '1']), answer(3, ['77', '1']), answer(4, ['77', '1'])], ctx);
    expect(r.plaintexts).toEqual([77n, 1n]);
    expect(r.misbehaving).toEqual([{ partyId: 2, reason: 'sealed a plaintext unlike the others' }]);
  });

  test('malicious: tampered signcryption, wrong recipient key, forged signature, wrong party id are each named', () => {
    const other = generateRecipientKeys();
    const r = reconstructUserDecrypt(
      [answer(1, ['77', '1'], { tamper: true }), answer(2, ['77', '1'], { recipient: other.publicKey }), answer(3, ['77', '1'], { signWith: parties[0]!.sk }), answer(4, ['77', '1'])],
      { ...ctx, threshold: 0 },
    );
    expect(r.plaintexts).toEqual([77n, 1n]);
    expect(r.misbehaving.map((m) => m.partyId)).toEqual([1, 2, 3]);
    expect(r.misbehaving[2]!.reason).toMatch(/signature/);
    expect(() => reconstructUserDecrypt([answer(4, ['77', '1'], { claim: 3 })], { ...ctx, threshold: 0 })).toThrow(
      expect.objectContaining({ code: 'USER_DECRYPT_NO_QUORUM', details: expect.stringMatching(/party 4: .*claims party 3/) }),
    );
  });

  test('malicious: an EIP-712 signature by another key is named', () => {
    const a = answer(2, ['77', '1']);
    const forged = { ...answer(1, ['77', '1']), partyId: 2 };
    const r = reconstructUserDecrypt([answer(1, ['77', '1']), { ...a, eip712Signature: forged.eip712Signature }], { ...ctx, threshold: 0 });
    expect(r.misbehaving.map((m) => m.partyId)).toEqual([2]);
  });

  test('behavior: without t+1 agreeing parties no plaintext is returned', () => {
    expect(() => reconstructUserDecrypt([answer(1, ['77', '1']), answer(2, ['78', '1'])], ctx)).toThrow(expect.objectContaining({ code: 'USER_DECRYPT_NO_QUORUM' }));
    expect(() => reconstructUserDecrypt([answer(1, ['77', '1']), answer(1, ['77', '1'])], ctx)).toThrow(/only 0 parties agree/);
  });
});
