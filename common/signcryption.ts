/**
 * @module common/signcryption
 * Signcryption of a party's user-decryption result to the user's ML-KEM-512
 * key: only the user can read it, and only the named party can have produced
 * it for this user and this request.
 *
 * signcrypt(payload):
 *   1. (kemCt, ss) ← ML-KEM-512.Encaps(userPk)                      (FIPS 203)
 *   2. k ← HKDF-SHA256(ss, salt = SHA-256(userPk), info = DOMAIN)     (32 bytes)
 *   3. σ ← secp256k1.Sign(partySk, SHA-256(lp(DOMAIN) ‖ lp(context) ‖ lp(userPk) ‖ lp(payload)))
 *      The signature covers the recipient key and the context (request id …):
 *      a signcryption cannot be re-targeted to another user or request.
 *   4. c ← AES-256-GCM(k, nonce, payload ‖ σ, aad = kemCt ‖ context)
 *   out = version (1) ‖ kemCt (768) ‖ nonce (12) ‖ c
 *
 * @example
 * const { publicKey, secretKey } = generateRecipientKeys();
 * const blob = signcrypt(payload, { recipientPublicKey: publicKey, signerSecretKey, context });
 * const back = unsigncrypt(blob, { recipientPublicKey: publicKey, recipientSecretKey: secretKey, signerPublicKey, context });
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ml_kem512 } from '@noble/post-quantum/ml-kem';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { TkmsError } from './errors.js';

export const SIGNCRYPTION_DOMAIN = 'TKMS-SIGNCRYPT-V1';
const VERSION = 1;
const KEM_CT_BYTES = 768;
const NONCE_BYTES = 12;
const SIG_BYTES = 64;
const TAG_BYTES = 16;
export const ML_KEM_512_PUBLIC_KEY_BYTES = 800;

export class SigncryptionError extends TkmsError {
  override name = 'SigncryptionError';
  constructor(shortMessage: string) {
    super('SIGNCRYPTION_INVALID', shortMessage);
  }
}

export function generateRecipientKeys(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return ml_kem512.keygen(seed);
}

function lp(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length, false);
  out.set(bytes, 4);
  return out;
}

function signedDigest(recipientPublicKey: Uint8Array, context: Uint8Array, payload: Uint8Array): Uint8Array {
  const h = sha256.create();
  for (const part of [new TextEncoder().encode(SIGNCRYPTION_DOMAIN), context, recipientPublicKey, payload]) h.update(lp(part));
  return h.digest();
}

function aesKey(sharedSecret: Uint8Array, recipientPublicKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', sharedSecret, sha256(recipientPublicKey), SIGNCRYPTION_DOMAIN, 32));
}

function aad(kemCt: Uint8Array, context: Uint8Array): Buffer {
  return Buffer.concat([kemCt, context]);
}

export interface SigncryptParameters {
  recipientPublicKey: Uint8Array;
  /** The party's secp256k1 signer key. */
  signerSecretKey: Uint8Array;
  /** Binds the result to its request, e.g. UTF-8 of the request id. */
  context: Uint8Array;
}

export function signcrypt(payload: Uint8Array, p: SigncryptParameters): Uint8Array {
  if (p.recipientPublicKey.length !== ML_KEM_512_PUBLIC_KEY_BYTES) {
    throw new SigncryptionError(`recipient key must be an ML-KEM-512 public key (${ML_KEM_512_PUBLIC_KEY_BYTES} bytes), got ${p.recipientPublicKey.length}`);
  }
  const { cipherText: kemCt, sharedSecret } = ml_kem512.encapsulate(p.recipientPublicKey);
  const sig = secp256k1.sign(signedDigest(p.recipientPublicKey, p.context, payload), p.signerSecretKey, { lowS: true }).toCompactRawBytes();
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(sharedSecret, p.recipientPublicKey), nonce);
  cipher.setAAD(aad(kemCt, p.context));
  const body = Buffer.concat([cipher.update(payload), cipher.update(sig), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), kemCt, nonce, body]));
}

export interface UnsigncryptParameters {
  recipientPublicKey: Uint8Array;
  recipientSecretKey: Uint8Array;
  /** Compressed secp256k1 key of the party that must have signed. */
  signerPublicKey: Uint8Array;
  context: Uint8Array;
}

/** The payload, or SigncryptionError when the blob is malformed, not for this key, tampered or not signed by that party. */
export function unsigncrypt(blob: Uint8Array, p: UnsigncryptParameters): Uint8Array {
  const minimum = 1 + KEM_CT_BYTES + NONCE_BYTES + SIG_BYTES + TAG_BYTES;
  if (blob.length < minimum || blob[0] !== VERSION) throw new SigncryptionError(`malformed signcryption (${blob.length} bytes)`);
  const kemCt = blob.subarray(1, 1 + KEM_CT_BYTES);
  const nonce = blob.subarray(1 + KEM_CT_BYTES, 1 + KEM_CT_BYTES + NONCE_BYTES);
  const body = blob.subarray(1 + KEM_CT_BYTES + NONCE_BYTES);
  // ML-KEM decapsulation never fails (implicit rejection); a wrong key yields a wrong secret and GCM refuses.
  const sharedSecret = ml_kem512.decapsulate(kemCt, p.recipientSecretKey);
  let inner: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', aesKey(sharedSecret, p.recipientPublicKey), nonce);
    d.setAAD(aad(kemCt, p.context));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    inner = Buffer.concat([d.update(body.subarray(0, body.length - TAG_BYTES)), d.final()]);
  } catch {
    throw new SigncryptionError('signcryption does not open: wrong recipient key, other request, or tampered');
  }
  const payload = new Uint8Array(inner.subarray(0, inner.length - SIG_BYTES));
  const sig = inner.subarray(inner.length - SIG_BYTES);
  let valid = false;
  try {
    valid = secp256k1.verify(sig, signedDigest(p.recipientPublicKey, p.context, payload), p.signerPublicKey, { lowS: true });
  } catch {
    valid = false;
  }
  if (!valid) throw new SigncryptionError('signcryption is not signed by the expected party');
  return payload;
}
