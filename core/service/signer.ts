/**
 * @module core/service/signer
 * The core's response-signing key (secp256k1). Created at first boot in private
 * storage; its compressed public key is published as `PUB-p{id}/VerfKey/signer`
 * and reported by GetHealth. The private key never leaves this module's closure.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { signResponse, verifyResponse, type SignedResponse } from '../../common/signing.js';
import { DataType, type ObjectStorage, type PublicStorage } from './storage.js';
import { SigningKey } from 'ethers';
import { signcrypt } from '../../common/signcryption.js';

export interface Signer {
  /** Compressed secp256k1 public key, 66 hex chars. */
  readonly publicKeyHex: string;
  /** Signs and re-verifies (a fault in signing must not yield a bad signature on chain). */
  sign(r: SignedResponse): string;
  /** EIP-712 signature (65 bytes, 0x hex) over a typed-data digest. */
  signTypedDigest(digest: string): string;
  /** Signcrypts to a user's ML-KEM key, signed by this party. */
  signcrypt(payload: Uint8Array, recipientPublicKey: Uint8Array, context: Uint8Array): Uint8Array;
}

const SIGNER_ID = 'signer';

export function signerFromPrivateKey(privateKey: Uint8Array): Signer {
  const publicKeyHex = bytesToHex(secp256k1.getPublicKey(privateKey, true));
  return {
    publicKeyHex,
    sign(r) {
      const sig = signResponse(r, privateKey);
      if (!verifyResponse(r, sig, publicKeyHex)) throw new Error('signature self-check failed');
      return sig;
    },
    signTypedDigest(digest) {
      return new SigningKey(privateKey).sign(digest).serialized;
    },
    signcrypt(payload, recipientPublicKey, context) {
      return signcrypt(payload, { recipientPublicKey, signerSecretKey: privateKey, context });
    },
  };
}

/** Loads the signing key from private storage, creating it on first boot. */
export async function loadOrCreateSigner(
  priv: ObjectStorage,
  pub: PublicStorage,
): Promise<{ signer: Signer; created: boolean }> {
  let sk = await priv.read(DataType.SigningKey, SIGNER_ID);
  let created = false;
  if (sk === undefined) {
    sk = secp256k1.utils.randomPrivateKey();
    await priv.write(DataType.SigningKey, SIGNER_ID, sk);
    created = true;
  }
  if (sk.length !== 32) throw new Error(`corrupt signing key in ${priv.path(DataType.SigningKey, SIGNER_ID)}`);
  const signer = signerFromPrivateKey(sk);
  await pub.write(DataType.VerfKey, SIGNER_ID, signer.publicKeyHex, 0o644);
  return { signer, created };
}
