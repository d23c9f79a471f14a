/**
 * @module core/service/userDecrypt
 * A party's answer to a user decryption of a batch (ASC `user_decrypt`, 1..32
 * ciphertexts): one signcryption to the user's ML-KEM-512 key of a
 * `UserDecryptPayload` (common/userDecryptPayload.ts) covering every
 * ciphertext — plaintexts on the centralized backend, this party's decryption
 * shares on the threshold backend — plus two signatures:
 *   - secp256k1 over the `user_decrypt` response digest (common/signing.ts),
 *     which the ASC verifies: request id, key id, every (ciphertext digest,
 *     FHE type), SHA-256 of the user key, SHA-256 of the signcryption and the
 *     EIP-712 signature;
 *   - EIP-712 `UserDecryptResponseVerification(publicKey, ctHandles,
 *     userDecryptedShare = the signcryption, extraData)` under the request's
 *     domain, for EVM contracts.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { userDecryptDigest, type Eip712Domain } from '../../common/eip712.js';
import { encodeUserDecryptPayload, type UserDecryptPayload } from '../../common/userDecryptPayload.js';
import type { SignedResponse } from '../../common/signing.js';
import type { Signer } from './signer.js';

export interface UserDecryptCiphertext {
  /** 64 hex chars, no 0x. */
  handle: string;
  /** SHA3-256 hex of the bytes, as on chain. */
  digest: string;
  fheType: string;
  bytes: Uint8Array;
}

export interface UserDecryptParameters {
  requestId: string;
  keyId: string;
  ciphertexts: UserDecryptCiphertext[];
  userPublicKey: Uint8Array;
  /** 0x EVM address of the user. */
  clientAddress: string;
  eip712?: { domain: Eip712Domain; extraData?: Uint8Array };
  /** The application the ASC admitted the request through: handles are recomputed under (key, app). */
  appId: string;
  /** The KMS-chain account that made the request (proofs of encryption are bound to it). */
  requester?: string;
  /** Each ciphertext is a proven input to verify against this CRS first. */
  crsId?: string;
}

export interface UserDecryptOutcome {
  requestId: string;
  keyId: string;
  /** Hex of the signcryption; empty on failure. */
  signcryption: string;
  /** 0x EIP-712 signature; empty on failure or without a domain. */
  eip712Signature: string;
  /** Over the `user_decrypt` digest, or over `{kind:'failure'}` when `failure` is set. */
  signature: string;
  failure?: { code: string; reason: string };
}

/** Seals `payload` for the user and signs it; `ciphertexts` in request order. */
export function sealUserDecrypt(
  signer: Signer,
  p: Pick<UserDecryptParameters, 'requestId' | 'keyId' | 'userPublicKey' | 'eip712'> & { ciphertexts: readonly { handle: string; digest: string; fheType: string }[] },
  payload: UserDecryptPayload,
): UserDecryptOutcome {
  const blob = signer.signcrypt(encodeUserDecryptPayload(payload), p.userPublicKey, new TextEncoder().encode(p.requestId));
  const eip712Signature = p.eip712
    ? signer.signTypedDigest(
        userDecryptDigest(p.eip712.domain, {
          publicKey: p.userPublicKey,
          handles: p.ciphertexts.map((c) => c.handle),
          userDecryptedShare: blob,
          ...(p.eip712.extraData ? { extraData: p.eip712.extraData } : {}),
        }),
      ).toLowerCase()
    : '';
  const signed: SignedResponse = {
    kind: 'user_decrypt',
    requestId: p.requestId,
    keyId: p.keyId,
    ciphertexts: p.ciphertexts.map((c) => ({ ciphertextDigest: c.digest, fheType: c.fheType })),
    userKeyDigest: bytesToHex(sha256(p.userPublicKey)),
    signcryptionDigest: bytesToHex(sha256(blob)),
    eip712Signature,
  };
  return { requestId: p.requestId, keyId: p.keyId, signcryption: bytesToHex(blob), eip712Signature, signature: signer.sign(signed) };
}
