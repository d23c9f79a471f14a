/**
 * @module common/userDecryptAuth
 * The user's authorization of a `user_decrypt` request (chain/asc/messages.ts
 * `UserDecryptMsg.user_signature`): the `client_address`'s secp256k1 signature
 * over a digest that binds the KMS chain, the ASC, the application, the key, the
 * ML-KEM key the shares will be sealed to, every handle and the EIP-712 domain.
 * The ASC recomputes it (contracts/asc/userAuth.ts) and refuses the request unless
 * the signature recovers to `client_address`, so a copied ACL proof is useless
 * without the holder's key.
 *
 *   digest = keccak256( lp("TKMS-USER-DECRYPT-AUTH-V1") ‖ lp(kms_chain_id) ‖ lp(asc_address)
 *                       ‖ lp(app_id) ‖ lp(key_id) ‖ lp(client_address) ‖ lp(enc_key)
 *                       ‖ lp(k) ‖ lp(handle_1) ‖ … ‖ lp(handle_k)
 *                       ‖ lp(eip712.name) ‖ lp(eip712.version) ‖ lp(eip712.chain_id)
 *                       ‖ lp(eip712.verifying_contract) )
 *
 * lp(s) = u32 big-endian byte length of UTF-8(s) ‖ UTF-8(s); hex lower-case
 * (addresses 0x-prefixed, enc_key and handles without 0x), numbers decimal.
 * Signature: 65 bytes r ‖ s ‖ v (v = 27/28, low s) over the digest itself, no
 * EIP-191 prefix, as `0x` + 130 hex.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import type { Eip712Domain } from '../chain/asc/messages.js';

export const USER_DECRYPT_AUTH_DOMAIN = 'TKMS-USER-DECRYPT-AUTH-V1';

export interface UserDecryptAuth {
  /** The KMS (Cosmos) chain id the ASC runs on. */
  kmsChainId: string;
  /** The ASC's bech32 address. */
  asc: string;
  /** Application id; "default" when the request names none. */
  appId: string;
  keyId: string;
  /** 0x EVM address (any case; lower-cased here). */
  clientAddress: string;
  /** ML-KEM-512 encapsulation key, hex (lower-cased here). */
  encKey: string;
  /** Ciphertext handles in request order, 64 hex (lower-cased here). */
  handles: readonly string[];
  eip712Domain: Eip712Domain;
}

function lp(s: string): Uint8Array {
  const body = new TextEncoder().encode(s);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, false);
  out.set(body, 4);
  return out;
}

export function userDecryptAuthDigest(a: UserDecryptAuth): Uint8Array {
  const d = a.eip712Domain;
  const fields = [
    USER_DECRYPT_AUTH_DOMAIN,
    a.kmsChainId,
    a.asc,
    a.appId,
    a.keyId,
    a.clientAddress.toLowerCase(),
    a.encKey.toLowerCase(),
    String(a.handles.length),
    ...a.handles.map((h) => h.replace(/^0x/, '').toLowerCase()),
    d.name,
    d.version,
    d.chain_id,
    d.verifying_contract.toLowerCase(),
  ];
  const h = keccak_256.create();
  for (const f of fields) h.update(lp(f));
  return h.digest();
}

/** `0x` + r ‖ s ‖ v (v = 27/28) signature of the authorization digest with `privateKey`. */
export function signUserDecryptAuth(a: UserDecryptAuth, privateKey: Uint8Array): string {
  const sig = secp256k1.sign(userDecryptAuthDigest(a), privateKey, { lowS: true });
  return '0x' + bytesToHex(sig.toCompactRawBytes()) + (27 + sig.recovery).toString(16);
}

/** The EVM address (0x, lower-case) of a secp256k1 private key. */
export function evmAddressOf(privateKey: Uint8Array): string {
  const pub = secp256k1.getPublicKey(privateKey, false);
  return '0x' + bytesToHex(keccak_256(pub.subarray(1)).subarray(12));
}
