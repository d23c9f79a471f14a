/**
 * @module cli/userDecryptResult
 * The user's side of a user decryption of a batch: check every party's
 * signatures over its signcrypted answer (the `user_decrypt` response digest
 * the ASC checked too, and the EIP-712 one), open the answers with the user's
 * ML-KEM key, and reconstruct. Every party that signed badly, sealed something
 * that does not open or does not fit the request, or whose share or plaintext
 * disagrees is named.
 *
 * Two payload modes (common/userDecryptPayload.ts):
 * - plaintext (centralized cores): a plaintext vector is accepted when t+1
 *   parties sealed exactly that vector;
 * - share (threshold cores): every block's value V = m + 2^W·s'' is Shamir
 *   shared of degree t in GR(2^64, d); each party sealed its share's
 *   coefficients mod 2^W. Lifted to coefficient·2^(64−W) they form a degree-t
 *   sharing of m·2^(64−W), which `robustReconstruct` (core/engine/mpc) decodes
 *   correcting up to t wrong shares (parties that did not answer are erasures:
 *   e erasures and w wrong shares are corrected when e + 2w ≤ n − t − 1, and the
 *   decoder throws rather than guess). With more than t liars no decoder can
 *   always tell (a coalition of t+1 knows the whole sharing); the decoder then
 *   fails for uncoordinated errors (random, a common offset) and this module
 *   reports the failure instead of a plaintext.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { unsigncrypt } from '../common/signcryption.js';
import { verifyResponse } from '../common/signing.js';
import { TkmsError } from '../common/errors.js';
import { FHE_TYPE_INFO, isFheType } from '../common/fheTypes.js';
import { partyEvmAddress, recoverUserDecryptSigner, type Eip712Domain } from '../common/eip712.js';
import { decodeUserDecryptPayload, type UserDecryptPayload } from '../common/userDecryptPayload.js';
import { galoisRing } from '../core/engine/mpc/algebra/galoisRing.js';
import { setU64, getU64 } from '../core/engine/mpc/algebra/z64.js';
import { robustReconstruct } from '../core/engine/mpc/sharing/robustOpen.js';
import { RobustOpenError } from '../core/engine/mpc/errors.js';

export interface PartyUserDecryptAnswer {
  partyId: number;
  signcryption: Uint8Array;
  /** 0x EIP-712 signature ('' when the request named no domain). */
  eip712Signature: string;
  /** secp256k1 signature over the `user_decrypt` response digest. */
  signature: string;
}

export interface UserDecryptContext {
  requestId: string;
  keyId: string;
  /** The request's ciphertexts, in order. */
  ciphertexts: readonly { handle: string; digest: string; fheType: string }[];
  userPublicKey: Uint8Array;
  userSecretKey: Uint8Array;
  /** Party id → compressed secp256k1 signer key (hex), from Config. */
  signers: Map<number, string>;
  /** Number of parties (Config). */
  n: number;
  threshold: number;
  /** When set, each answer's EIP-712 signature must recover to its party's EVM address. */
  eip712Domain?: Eip712Domain;
}

export interface Misbehaviour {
  partyId: number;
  reason: string;
}

export interface UserDecryptReturnType {
  /** One per ciphertext, in request order. */
  plaintexts: bigint[];
  mode: 'plaintext' | 'share';
  /** Parties whose answers formed the result. */
  agreeing: number[];
  misbehaving: Misbehaviour[];
}

/** Thrown when the answers do not determine the plaintexts; `misbehaving` names who was caught. */
export class UserDecryptReconstructionError extends TkmsError {
  override name = 'UserDecryptReconstructionError';
  constructor(
    code: string,
    shortMessage: string,
    readonly misbehaving: Misbehaviour[],
  ) {
    super(code, shortMessage, { details: misbehaving.map((m) => `party ${m.partyId}: ${m.reason}`).join('; ') || undefined });
  }
}

const errorText = (e: unknown): string => (e instanceof TkmsError ? e.shortMessage : e instanceof Error ? e.message : 'does not open');

/** Checks signatures and opens every answer; returns the valid payloads. */
function openAnswers(answers: readonly PartyUserDecryptAnswer[], c: UserDecryptContext, misbehaving: Misbehaviour[]): Map<number, UserDecryptPayload> {
  const opened = new Map<number, UserDecryptPayload>();
  const seen = new Set<number>();
  const userKeyDigest = bytesToHex(sha256(c.userPublicKey));
  for (const r of answers) {
    if (seen.has(r.partyId)) {
      misbehaving.push({ partyId: r.partyId, reason: 'answered twice' });
      opened.delete(r.partyId);
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
      ciphertexts: c.ciphertexts.map((x) => ({ ciphertextDigest: x.digest, fheType: x.fheType })),
      userKeyDigest,
      signcryptionDigest: bytesToHex(sha256(r.signcryption)),
      eip712Signature: r.eip712Signature,
    };
    if (!verifyResponse(signed, r.signature, signer)) {
      misbehaving.push({ partyId: r.partyId, reason: 'signature does not cover this answer' });
      continue;
    }
    if (c.eip712Domain) {
      const m = { publicKey: c.userPublicKey, handles: c.ciphertexts.map((x) => x.handle), userDecryptedShare: r.signcryption };
      const recovered = recoverUserDecryptSigner(c.eip712Domain, m, r.eip712Signature);
      if (!recovered || recovered.toLowerCase() !== partyEvmAddress(signer).toLowerCase()) {
        misbehaving.push({ partyId: r.partyId, reason: 'EIP-712 signature is not the party’s' });
        continue;
      }
    }
    try {
      const bytes = unsigncrypt(r.signcryption, {
        recipientPublicKey: c.userPublicKey,
        recipientSecretKey: c.userSecretKey,
        signerPublicKey: hexToBytes(signer),
        context: new TextEncoder().encode(c.requestId),
      });
      opened.set(r.partyId, decodeUserDecryptPayload(bytes, { requestId: c.requestId, keyId: c.keyId, partyId: r.partyId, fheTypes: c.ciphertexts.map((x) => x.fheType) }));
    } catch (e) {
      misbehaving.push({ partyId: r.partyId, reason: errorText(e) });
    }
  }
  return opened;
}

/** Little-endian base-(message modulus) recombination of block digits (as the engine's `recombineDigits`). */
export function recombine(fheType: string, messageModulus: number, digits: readonly number[]): bigint {
  if (!isFheType(fheType)) throw new TkmsError('FHE_TYPE_UNKNOWN', `unknown FHE type ${fheType}`);
  if (fheType === 'ebool') return digits[0]! % messageModulus !== 0 ? 1n : 0n;
  const step = BigInt(Math.log2(messageModulus));
  let value = 0n;
  digits.forEach((d, k) => (value += BigInt(d) << (step * BigInt(k))));
  return value & ((1n << BigInt(FHE_TYPE_INFO[fheType].bits)) - 1n);
}

/** The most common value of `key` among the payloads; parties with another value are named. */
function majority(payloads: Map<number, UserDecryptPayload>, key: (p: UserDecryptPayload) => string, what: string, misbehaving: Misbehaviour[]): string | undefined {
  const votes = new Map<string, number[]>();
  for (const [id, p] of payloads) votes.set(key(p), [...(votes.get(key(p)) ?? []), id]);
  const ranked = [...votes.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [, ids] of ranked.slice(1)) {
    for (const id of ids) {
      misbehaving.push({ partyId: id, reason: `sealed a ${what} unlike the others` });
      payloads.delete(id);
    }
  }
  return ranked[0]?.[0];
}

function fromPlaintexts(payloads: Map<number, UserDecryptPayload>, c: UserDecryptContext, misbehaving: Misbehaviour[]): UserDecryptReturnType {
  const winner = majority(payloads, (p) => p.results.map((r) => ('plaintext' in r ? r.plaintext : '')).join(','), 'plaintext', misbehaving);
  const agreeing = [...payloads.keys()].sort((a, b) => a - b);
  if (winner === undefined || agreeing.length < c.threshold + 1) {
    throw new UserDecryptReconstructionError('USER_DECRYPT_NO_QUORUM', `only ${agreeing.length} part${agreeing.length === 1 ? 'y agrees' : 'ies agree'} on the plaintexts; ${c.threshold + 1} needed`, misbehaving);
  }
  return { plaintexts: winner.split(',').map((x) => BigInt(x)), mode: 'plaintext', agreeing, misbehaving };
}

function fromShares(payloads: Map<number, UserDecryptPayload>, c: UserDecryptContext, misbehaving: Misbehaviour[]): UserDecryptReturnType {
  // Ring, digit width and block layout are public: a party disagreeing with the majority is excluded (an erasure).
  const layout = majority(payloads, (p) => JSON.stringify([p.ring_degree, p.digit_bits, p.results.map((r) => ('blocks' in r ? [r.message_modulus, r.blocks] : []))]), 'share layout', misbehaving);
  const first = payloads.values().next().value as UserDecryptPayload | undefined;
  if (layout === undefined || !first) throw new UserDecryptReconstructionError('USER_DECRYPT_NO_QUORUM', 'no party sealed a usable share', misbehaving);
  const d = first.ring_degree!;
  const W = first.digit_bits!;
  const R = galoisRing(d);
  const blocksOf = first.results.map((r) => ('blocks' in r ? r.blocks : 0));
  const total = blocksOf.reduce((a, b) => a + b, 0);
  const shift = BigInt(64 - W);
  const shares = new Map<number, Uint32Array>();
  for (const [id, p] of payloads) {
    const bytes = Buffer.concat(p.results.map((r) => Buffer.from('shares' in r ? r.shares : '', 'base64')));
    if (bytes.length !== total * d || bytes.some((b) => b >= 1 << W)) {
      misbehaving.push({ partyId: id, reason: 'share encoding has the wrong size or range' });
      continue;
    }
    const v = R.alloc(total);
    for (let k = 0; k < total; k++) for (let j = 0; j < d; j++) setU64(v, k * d + j, BigInt(bytes[k * d + j]!) << shift);
    shares.set(id, v);
  }
  let values: Uint32Array;
  let cheaters: number[];
  try {
    ({ values, cheaters } = robustReconstruct(R, { n: c.n, t: c.threshold }, shares, total));
  } catch (e) {
    const wrong = e instanceof RobustOpenError ? e.cheaters : [];
    for (const id of wrong) misbehaving.push({ partyId: id, reason: 'decryption share is wrong' });
    throw new UserDecryptReconstructionError(
      'USER_DECRYPT_RECONSTRUCTION_FAILED',
      `the ${shares.size} decryption shares do not determine the plaintext (${errorText(e)}); more answers may help`,
      misbehaving,
    );
  }
  for (const id of cheaters) misbehaving.push({ partyId: id, reason: 'decryption share is wrong (corrected)' });
  const mask = (1n << BigInt(W)) - 1n;
  const plaintexts: bigint[] = [];
  let at = 0;
  first.results.forEach((r, i) => {
    const digits: number[] = [];
    for (let k = 0; k < blocksOf[i]!; k++, at++) digits.push(Number((getU64(values, at * d) >> shift) & mask));
    plaintexts.push(recombine(c.ciphertexts[i]!.fheType, 'message_modulus' in r ? r.message_modulus : 0, digits));
  });
  const agreeing = [...shares.keys()].filter((id) => !cheaters.includes(id)).sort((a, b) => a - b);
  return { plaintexts, mode: 'share', agreeing, misbehaving };
}

/**
 * Verifies, opens and reconstructs.
 *
 * @example
 * const { plaintexts, misbehaving } = reconstructUserDecrypt(answers, { requestId, keyId, ciphertexts, userPublicKey, userSecretKey, signers, n: 4, threshold: 1 });
 */
export function reconstructUserDecrypt(answers: readonly PartyUserDecryptAnswer[], c: UserDecryptContext): UserDecryptReturnType {
  const misbehaving: Misbehaviour[] = [];
  const payloads = openAnswers(answers, c, misbehaving);
  const mode = majority(payloads, (p) => p.mode, 'payload mode', misbehaving);
  const sort = (r: UserDecryptReturnType): UserDecryptReturnType => ({ ...r, misbehaving: r.misbehaving.sort((a, b) => a.partyId - b.partyId) });
  if (mode === 'share') return sort(fromShares(payloads, c, misbehaving));
  return sort(fromPlaintexts(payloads, c, misbehaving));
}
