/**
 * @module common/userDecryptPayload
 * What one party signcrypts to the user for a user decryption (UTF-8 JSON):
 * one payload per party for the whole batch of the request's ciphertexts.
 *
 *   { version: 2, request_id, key_id, party_id, mode, results: [...] }
 *   mode "plaintext" (centralized: the party holds the whole key):
 *     results[i] = { fhe_type, plaintext }                     (decimal)
 *   mode "share" (threshold: the party holds a key share):
 *     ring_degree d, digit_bits W, and
 *     results[i] = { fhe_type, message_modulus, blocks, shares }
 *     `shares`: base64 of blocks·d bytes, block k's share of V (bitDecomposition,
 *     `thresholdDecryptShares`) as its d coefficients reduced mod 2^W. The user
 *     lifts each to coefficient·2^(64−W), a degree-t Shamir sharing over
 *     GR(2^64, d) of V·2^(64−W) = m·2^(64−W) (the 2^W·s'' mask vanishes), robustly
 *     reconstructs it and reads the digit m. Sending only the low W bits hides
 *     the rest of the share and keeps a batch of 32 euint64 at n ≤ 7 (d = 3) at
 *     7.3 KB sealed, under the ASC's 8 KiB limit (contracts/asc/answerKinds.ts).
 *
 * Binding: the signcryption's context is the request id and its signature
 * covers the user's key; the payload repeats request id, key id and party id so
 * a payload can never be replayed into another request or attributed to another party.
 */
import { TkmsError } from './errors.js';
import { isFheType, type FheType } from './fheTypes.js';

export type UserDecryptResultEntry =
  | { fhe_type: FheType; plaintext: string }
  | { fhe_type: FheType; message_modulus: number; blocks: number; shares: string };

export interface UserDecryptPayload {
  version: 2;
  request_id: string;
  key_id: string;
  party_id: number;
  mode: 'plaintext' | 'share';
  /** Share mode only. */
  ring_degree?: number;
  digit_bits?: number;
  results: UserDecryptResultEntry[];
}

export function encodeUserDecryptPayload(p: UserDecryptPayload): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(p));
}

/** Parses and shape-checks a payload against what the request expects; throws USER_DECRYPT_PAYLOAD_INVALID. */
export function decodeUserDecryptPayload(bytes: Uint8Array, expect: { requestId: string; keyId: string; partyId: number; fheTypes: readonly string[] }): UserDecryptPayload {
  const bad = (why: string): never => {
    throw new TkmsError('USER_DECRYPT_PAYLOAD_INVALID', `sealed answer is malformed: ${why}`);
  };
  let p: Partial<UserDecryptPayload>;
  try {
    p = JSON.parse(new TextDecoder().decode(bytes)) as Partial<UserDecryptPayload>;
  } catch {
    return bad('not JSON');
  }
  if (p.version !== 2) bad(`version ${String(p.version)}`);
  if (p.request_id !== expect.requestId) bad('for another request');
  if (p.key_id !== expect.keyId) bad('for another key');
  if (p.party_id !== expect.partyId) bad(`claims party ${String(p.party_id)}`);
  if (p.mode !== 'plaintext' && p.mode !== 'share') bad(`mode ${String(p.mode)}`);
  if (!Array.isArray(p.results) || p.results.length !== expect.fheTypes.length) bad('wrong number of results');
  if (p.mode === 'share' && !(Number.isInteger(p.ring_degree) && Number.isInteger(p.digit_bits) && p.digit_bits! >= 1 && p.digit_bits! <= 8)) bad('share mode without ring_degree / digit_bits');
  p.results!.forEach((r, i) => {
    if (!isFheType(r.fhe_type) || r.fhe_type !== expect.fheTypes[i]) bad(`result ${i} has type ${String(r.fhe_type)}`);
    if (p.mode === 'plaintext') {
      if (!('plaintext' in r) || typeof r.plaintext !== 'string' || !/^\d+$/.test(r.plaintext)) bad(`result ${i} is not a decimal plaintext`);
    } else if (!('shares' in r) || typeof r.shares !== 'string' || !Number.isInteger(r.blocks) || !Number.isInteger(r.message_modulus)) bad(`result ${i} is not a share`);
  });
  return p as UserDecryptPayload;
}
