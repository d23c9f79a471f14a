/**
 * @module contracts/asc/testing/userDecryptRequest
 * Test helper: a `user_decrypt` execute message signed the way a user's wallet
 * signs it — ethers `Wallet.signTypedData` over the EIP-712
 * `UserDecryptRequestVerification` (common/userDecryptAuth.ts) — so every ASC test
 * cross-checks the contract's AssemblyScript digest against ethers.
 *
 * @example
 *   const msg = await signedUserDecrypt({ key: aliceKey, keyId, ciphertexts, encKey, domain });
 *   await chain.execute(asc, msg, sender);
 */
import { Wallet } from 'ethers';
import { bytesToHex } from '@noble/hashes/utils';
import { signUserDecryptRequest, userDecryptAuthFields, type UserDecryptRequest } from '../../../common/userDecryptAuth.js';
import type { Eip712Domain } from '../../../chain/asc/messages.js';

/** A dApp contract address the tests' users allow. */
export const DAPP = '0x' + 'da'.repeat(20);

export interface SignedUserDecryptParameters {
  /** The user's secp256k1 private key: it signs. */
  key: Uint8Array;
  keyId: string;
  ciphertexts: readonly { ciphertext_handle: string; ciphertext_digest: string; fhe_type: string }[];
  encKey: string;
  domain: Eip712Domain;
  /** Default: the key's address. */
  clientAddress?: string;
  /** Default [DAPP]. */
  allowedContracts?: readonly string[];
  /** Unix seconds; default one minute before the wall clock. */
  start?: number;
  /** Default 3600. */
  duration?: number;
  extraData?: string;
  /** What the wallet signs, when it differs from what is sent (forgery tests). */
  signed?: Partial<UserDecryptRequest>;
  /** Members of the message replacing the computed ones (`user_signature: undefined` drops it). */
  extra?: Record<string, unknown>;
}

export async function signedUserDecrypt(p: SignedUserDecryptParameters): Promise<{ user_decrypt: Record<string, unknown> }> {
  const wallet = new Wallet('0x' + bytesToHex(p.key));
  const req: UserDecryptRequest = {
    clientAddress: p.clientAddress ?? wallet.address,
    encKey: p.encKey,
    allowedContracts: p.allowedContracts ?? [DAPP],
    startTimestamp: p.start ?? Math.floor(Date.now() / 1000) - 60,
    durationSeconds: p.duration ?? 3600,
    extraData: p.extraData ?? '0x',
    eip712Domain: p.domain,
  };
  const body: Record<string, unknown> = {
    key_id: p.keyId,
    ciphertexts: p.ciphertexts,
    enc_key: p.encKey,
    client_address: req.clientAddress,
    eip712_domain: p.domain,
    ...userDecryptAuthFields(req),
    ...p.extra,
  };
  if (!(p.extra && 'user_signature' in p.extra)) {
    // Sign what is sent (members `extra` replaced included) when ethers can encode it,
    // else the parameters as given; `signed` overrides either.
    let signature: string;
    try {
      const sent: UserDecryptRequest = {
        clientAddress: String(body.client_address),
        encKey: String(body.enc_key),
        allowedContracts: body.allowed_contracts as string[],
        startTimestamp: BigInt(String(body.start_timestamp)),
        durationSeconds: BigInt(String(body.duration_seconds)),
        extraData: String(body.extra_data ?? '0x'),
        eip712Domain: body.eip712_domain as Eip712Domain,
      };
      signature = await signUserDecryptRequest({ ...sent, ...p.signed }, wallet);
    } catch {
      signature = await signUserDecryptRequest({ ...req, ...p.signed }, wallet);
    }
    body.user_signature = signature;
  }
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return { user_decrypt: body };
}
