/**
 * @module common/signing
 * What a party signs when it answers a request. The ASC contract recomputes the
 * same digest in AssemblyScript and checks the signature with the host's
 * `secp256k1_verify`; the CLI checks it again before printing a result.
 *
 * digest = SHA-256( lp("TKMS-RESPONSE-V1") ‖ lp(kind) ‖ lp(field_1) ‖ … ‖ lp(field_k) )
 * where lp(s) = u32 big-endian byte length of UTF-8(s) ‖ UTF-8(s).
 * Length prefixes keep the encoding injective whatever the fields contain.
 *
 * @example
 * const d = responseDigest({ kind: 'decrypt', requestId, keyId, ciphertexts: [{ ciphertextDigest, fheType: 'euint8', plaintext: '42' }] });
 */
import { sha256 } from '@noble/hashes/sha256';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';

export const RESPONSE_DOMAIN = 'TKMS-RESPONSE-V1';

export interface DecryptedCiphertext {
  ciphertextDigest: string;
  fheType: string;
  /** Decimal (booleans 0/1). */
  plaintext: string;
}

export type SignedResponse =
  | {
      /** A public decryption of 1..32 ciphertexts, signed once over all of them in request order. */
      kind: 'decrypt';
      requestId: string;
      keyId: string;
      ciphertexts: DecryptedCiphertext[];
    }
  | {
      kind: 'keygen';
      requestId: string;
      publicKeyDigest: string;
      publicKeyUri: string;
      serverKeyDigest: string;
      serverKeyUri: string;
    }
  | {
      /** A user decryption: the share itself travels signcrypted; the signature covers its digest. */
      kind: 'user_decrypt';
      requestId: string;
      keyId: string;
      ciphertextDigest: string;
      fheType: string;
      /** SHA3-256 hex of the signcrypted share. */
      shareDigest: string;
      /** SHA3-256 hex of the user's ML-KEM public key. */
      userKeyDigest: string;
    }
  | { kind: 'crsgen'; requestId: string; crsDigest: string; crsUri: string; maxNumBits: string }
  | { kind: 'failure'; requestId: string; reason: string };

/** The ordered fields of a response, as the contract concatenates them. */
export function responseFields(r: SignedResponse): string[] {
  switch (r.kind) {
    case 'decrypt':
      // request_id, key_id, then (digest, type, plaintext) per ciphertext: a batch of
      // one signs exactly the fields a single decrypt always signed.
      return [r.requestId, r.keyId, ...r.ciphertexts.flatMap((c) => [c.ciphertextDigest, c.fheType, c.plaintext])];
    case 'keygen':
      return [r.requestId, r.publicKeyDigest, r.publicKeyUri, r.serverKeyDigest, r.serverKeyUri];
    case 'user_decrypt':
      return [r.requestId, r.keyId, r.ciphertextDigest, r.fheType, r.shareDigest, r.userKeyDigest];
    case 'crsgen':
      return [r.requestId, r.crsDigest, r.crsUri, r.maxNumBits];
    case 'failure':
      return [r.requestId, r.reason];
  }
}

function lengthPrefixed(s: string): Uint8Array {
  const body = new TextEncoder().encode(s);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, false);
  out.set(body, 4);
  return out;
}

export function responseDigest(r: SignedResponse): Uint8Array {
  const parts = [RESPONSE_DOMAIN, r.kind, ...responseFields(r)].map(lengthPrefixed);
  const h = sha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Signs a response: compact r‖s (64 bytes, low-s) as lower-case hex. */
export function signResponse(r: SignedResponse, privateKey: Uint8Array): string {
  return bytesToHex(secp256k1.sign(responseDigest(r), privateKey, { lowS: true }).toCompactRawBytes());
}

/** Returns false (never throws) when the signature or key is malformed or wrong. */
export function verifyResponse(r: SignedResponse, signatureHex: string, signerPubkeyHex: string): boolean {
  try {
    return secp256k1.verify(hexToBytes(signatureHex), responseDigest(r), hexToBytes(signerPubkeyHex), { lowS: true });
  } catch {
    return false;
  }
}
