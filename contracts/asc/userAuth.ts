/**
 * @module contracts/asc/userAuth
 * The user's authorization of a `user_decrypt` (security review S2): the
 * request's `user_signature` must be `client_address`'s secp256k1 signature over
 *
 *   digest = keccak256( lp("TKMS-USER-DECRYPT-AUTH-V1") ‖ lp(kms_chain_id) ‖ lp(asc_address)
 *                       ‖ lp(app_id) ‖ lp(key_id) ‖ lp(client_address) ‖ lp(enc_key)
 *                       ‖ lp(k) ‖ lp(handle_1) ‖ … ‖ lp(handle_k)
 *                       ‖ lp(eip712.name) ‖ lp(eip712.version) ‖ lp(eip712.chain_id)
 *                       ‖ lp(eip712.verifying_contract) )
 *
 * lp(s) = u32 big-endian byte length of UTF-8(s) ‖ UTF-8(s); every hex value
 * lower-case as stored (client_address and verifying_contract 0x-prefixed,
 * enc_key and handles without 0x), k and the chain ids decimal. The signature is
 * 65 bytes r ‖ s ‖ v (v ∈ {0, 1, 27, 28}, low s), raw over the digest (no
 * EIP-191 prefix); the recovered address must be `client_address`. TypeScript
 * side: common/userDecryptAuth.ts. Without it, anyone holding a copy of Alice's
 * ACL proof could ask for her plaintexts sealed to his own ML-KEM key.
 */
import { concat, lengthPrefixed, toHex } from "../lib/encoding";
import { keccak256 } from "../lib/keccak";
import { parse0x } from "../lib/hex";
import { recoverAddress, recoverError } from "../lib/secp256k1";

export const USER_DECRYPT_AUTH_DOMAIN = "TKMS-USER-DECRYPT-AUTH-V1";

export function userDecryptAuthDigest(
  kmsChainId: string, asc: string, appId: string, keyId: string, client: string, encKey: string,
  handles: string[], name: string, version: string, chainId: string, verifying: string,
): Uint8Array {
  const parts = new Array<Uint8Array>();
  parts.push(lengthPrefixed(USER_DECRYPT_AUTH_DOMAIN));
  parts.push(lengthPrefixed(kmsChainId));
  parts.push(lengthPrefixed(asc));
  parts.push(lengthPrefixed(appId));
  parts.push(lengthPrefixed(keyId));
  parts.push(lengthPrefixed(client));
  parts.push(lengthPrefixed(encKey));
  parts.push(lengthPrefixed(handles.length.toString()));
  for (let i = 0; i < handles.length; i++) parts.push(lengthPrefixed(handles[i]));
  parts.push(lengthPrefixed(name));
  parts.push(lengthPrefixed(version));
  parts.push(lengthPrefixed(chainId));
  parts.push(lengthPrefixed(verifying));
  return keccak256(concat(parts));
}

/** Null when `sig` (0x + 130 hex) is `client`'s (0x lower-case) signature over `digest`, else why not. */
export function userSignatureRefusal(digest: Uint8Array, sig: string | null, client: string): string | null {
  if (sig === null) return "user_signature is missing: the client_address must sign the request (chain/asc/messages.ts)";
  const bytes = parse0x(sig, 65);
  if (bytes === null) return "user_signature must be 0x + 65 bytes (r ‖ s ‖ v) of hex";
  const got = recoverAddress(digest, bytes);
  if (got === null) return "bad user_signature: " + recoverError;
  const who = "0x" + toHex(got);
  if (who != client) return "bad user_signature: signed by " + who + ", not by client_address " + client;
  return null;
}
