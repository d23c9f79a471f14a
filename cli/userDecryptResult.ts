/**
 * @module cli/userDecryptResult
 * The user's side of a user decryption: check every party's signature over
 * its signcrypted answer, open the answers with the user's ML-KEM key, and
 * accept a plaintext only when t+1 parties agree on it. Every party that
 * signed badly, sealed something that does not open, or disagrees is named.
 *
 * Centralized parties seal the plaintext itself (`UserDecryptPayload`). In
 * threshold mode parties seal decryption shares; their reconstruction (robust
 * open of the shares) plugs in here when the threshold backend lands.
 */
import { createHash } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils';
import { unsigncrypt } from '../common/signcryption.js';
import { verifyResponse } from '../common/signing.js';
import { TkmsError } from '../common/errors.js';

export interface PartyUserDecryptResponse {
  partyId: number;
  signcryptedShare: Uint8Array;
  /** secp256k1 signature over the `user_decrypt` response digest. */
  signature: string;
}

export interface UserDecryptContext {
  requestId: string;
  keyId: string;
  ciphertextDigest: string;
  fheType: string;
  userPublicKey: Uint8Array;
  userSecretKey: Uint8Array;
  /** Party id → compressed secp256k1 signer key (hex), from Config. */
  signers: Map<number, string>;
  threshold: number;
}

export interface UserDecryptReturnType {
  plaintext: bigint;
  /** Parties whose answer is the accepted plaintext. */
  agreeing: number[];
  misbehaving: { partyId: number; reason: string }[];
}

const sha3 = (b: Uint8Array): string => createHash('sha3-256').update(b).digest('hex');

export function reconstructUserDecrypt(responses: PartyUserDecryptResponse[], c: UserDecryptContext): UserDecryptReturnType {
  const misbehaving: { partyId: number; reason: string }[] = [];
  const votes = new Map<string, number[]>();
  const seen = new Set<number>();
  for (const r of responses) {
    if (seen.has(r.partyId)) {
      misbehaving.push({ partyId: r.partyId, reason: 'answered twice' });
      continue;
    }
    seen.add(r.partyId);
    const signer = c.signers.get(r.partyId);
    if (!signer) {
      misbehaving.push({ partyId: r.partyId, reason: 'not a registered party' });
      continue;
    }
    const signed = {
      kind: 'user_decrypt' as const,
      requestId: c.requestId,
      keyId: c.keyId,
      ciphertextDigest: c.ciphertextDigest,
      fheType: c.fheType,
      shareDigest: sha3(r.signcryptedShare),
      userKeyDigest: sha3(c.userPublicKey),
    };
    if (!verifyResponse(signed, r.signature, signer)) {
      misbehaving.push({ partyId: r.partyId, reason: 'signature does not cover this answer' });
      continue;
    }
    let payload: { request_id?: unknown; fhe_type?: unknown; plaintext?: unknown };
    try {
      const opened = unsigncrypt(r.signcryptedShare, {
        recipientPublicKey: c.userPublicKey,
        recipientSecretKey: c.userSecretKey,
        signerPublicKey: hexToBytes(signer),
        context: new TextEncoder().encode(c.requestId),
      });
      payload = JSON.parse(new TextDecoder().decode(opened)) as typeof payload;
    } catch (e) {
      misbehaving.push({ partyId: r.partyId, reason: e instanceof Error ? e.message : 'does not open' });
      continue;
    }
    if (payload.request_id !== c.requestId || payload.fhe_type !== c.fheType || typeof payload.plaintext !== 'string' || !/^\d+$/.test(payload.plaintext)) {
      misbehaving.push({ partyId: r.partyId, reason: 'sealed answer is not a plaintext for this request' });
      continue;
    }
    votes.set(payload.plaintext, [...(votes.get(payload.plaintext) ?? []), r.partyId]);
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1].length - a[1].length);
  const [winner, agreeing] = ranked[0] ?? ['', []];
  if (agreeing.length < c.threshold + 1) {
    throw new TkmsError('USER_DECRYPT_NO_QUORUM', `only ${agreeing.length} part${agreeing.length === 1 ? 'y agrees' : 'ies agree'} on a plaintext; ${c.threshold + 1} needed`, {
      details: misbehaving.map((m) => `party ${m.partyId}: ${m.reason}`).join('; ') || undefined,
    });
  }
  for (const [value, parties] of ranked.slice(1)) for (const p of parties) misbehaving.push({ partyId: p, reason: `answered ${value}, not the agreed plaintext` });
  return { plaintext: BigInt(winner), agreeing: agreeing.sort((a, b) => a - b), misbehaving: misbehaving.sort((a, b) => a.partyId - b.partyId) };
}
