/**
 * @module chain/asc/verify
 * Client-side check of a finished request: the result counts only if enough
 * registered parties signed exactly that result: 2t+1 for a keygen result, t+1
 * otherwise (the ASC's quorum rules, contracts/asc/fulfill.ts). A client that trusts this
 * check needs to trust neither the connector nor the chain node it queried.
 */
import type { RequestInfo, StoredFulfillResponse } from './messages.js';
import type { PartyInfo } from '../config/messages.js';
import { verifyResponse, type SignedResponse } from '../../common/signing.js';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';

export interface VerifiedResult {
  /** Parties whose valid signature covers the agreed result. */
  signers: number[];
  /** Parties that answered something else or signed badly: named, not hidden. */
  dissenters: number[];
}

export function signedView(request: RequestInfo, response: StoredFulfillResponse): { view: SignedResponse; signature: string } {
  if ('decrypt' in response) {
    const d = request.decrypt;
    if (!d) throw new Error('decrypt response on a request without decrypt parameters');
    const pts = response.decrypt.plaintexts;
    if (pts.length !== d.ciphertexts.length) throw new Error(`decrypt response carries ${pts.length} plaintexts for ${d.ciphertexts.length} ciphertexts`);
    return {
      view: {
        kind: 'decrypt',
        requestId: request.request_id,
        keyId: d.key_id,
        ciphertexts: d.ciphertexts.map((c, i) => ({ ciphertextDigest: c.ciphertext_digest, fheType: c.fhe_type, plaintext: pts[i]! })),
      },
      signature: response.decrypt.signature,
    };
  }
  if ('keygen' in response) {
    const k = response.keygen;
    return {
      view: {
        kind: 'keygen',
        requestId: request.request_id,
        publicKeyDigest: k.public_key_digest,
        publicKeyUri: k.public_key_uri,
        serverKeyDigest: k.server_key_digest,
        serverKeyUri: k.server_key_uri,
      },
      signature: k.signature,
    };
  }
  if ('crs_gen' in response) {
    const c = response.crs_gen;
    return {
      view: { kind: 'crs_gen', requestId: request.request_id, maxNumBits: String(request.crs_gen?.max_num_bits ?? ''), crsDigest: c.crs_digest, crsUri: c.crs_uri },
      signature: c.signature,
    };
  }
  if ('user_decrypt' in response) return userDecryptSignedView(request, response.user_decrypt);
  if ('keygen_preproc' in response) return { view: { kind: 'keygen_preproc', requestId: request.request_id }, signature: response.keygen_preproc.signature };
  return { view: { kind: 'failure', requestId: request.request_id, reason: response.failure.reason }, signature: response.failure.signature };
}

/** What a party signed for its user_decrypt answer (common/signing.ts), from the stored request. */
export function userDecryptSignedView(
  request: RequestInfo,
  answer: { signcryption_sha256: string; eip712_signature: string; signature: string },
): { view: SignedResponse; signature: string } {
  const u = request.user_decrypt;
  if (!u) throw new Error('user_decrypt response on a request without user_decrypt parameters');
  return {
    view: {
      kind: 'user_decrypt',
      requestId: request.request_id,
      keyId: u.key_id,
      ciphertexts: u.ciphertexts.map((c) => ({ ciphertextDigest: c.ciphertext_digest, fheType: c.fhe_type })),
      userKeyDigest: bytesToHex(sha256(hexToBytes(u.enc_key))),
      signcryptionDigest: answer.signcryption_sha256,
      eip712Signature: answer.eip712_signature,
    },
    signature: answer.signature,
  };
}

/** Same answer, signatures aside; keygen answers agree on digests (each party serves the material under its own URI). */
function sameContent(a: StoredFulfillResponse, b: StoredFulfillResponse): boolean {
  const ignored = new Set(['signature', 'public_key_uri', 'server_key_uri', 'crs_uri']);
  const strip = (r: StoredFulfillResponse): string => JSON.stringify(r, (k, v: unknown) => (ignored.has(k) ? undefined : v));
  return strip(a) === strip(b);
}

/** Signatures a result needs: 2t+1 for a key, a key preprocessing or a CRS, t+1 for anything else. */
export function resultQuorum(result: StoredFulfillResponse, threshold: number): number {
  return 'keygen' in result || 'crs_gen' in result || 'keygen_preproc' in result ? 2 * threshold + 1 : threshold + 1;
}

/** Throws when fewer parties than the quorum signed the request's result. */
export function verifyRequestResult(request: RequestInfo, parties: PartyInfo[], threshold: number): VerifiedResult {
  const result = request.result;
  if (!result) throw new Error(`request ${request.request_id} has no result yet (status ${request.status})`);
  const signers: number[] = [];
  const dissenters: number[] = [];
  for (const r of request.responses) {
    const party = parties.find((p) => p.id === r.party_id);
    const { view, signature } = signedView(request, r.response);
    const valid = party !== undefined && verifyResponse(view, signature, party.signer_pubkey);
    if (valid && sameContent(r.response, result)) signers.push(r.party_id);
    else dissenters.push(r.party_id);
  }
  const needed = resultQuorum(result, threshold);
  if (new Set(signers).size < needed) {
    throw new Error(`only ${signers.length} valid party signature(s) on the result of ${request.request_id}; ${needed} needed`);
  }
  return { signers, dissenters };
}
