/**
 * @module contracts/asc/handles
 * Binds a ciphertext's handle to its digest, its key and its application
 * (security review S1, issue 10). The ISC judges the handle, while the
 * connector fetches and the cores decrypt the ciphertext named by the digest;
 * without this check a requester could pair a handle it may use with someone
 * else's digest. And the handle names the key and the application it was
 * admitted under, so a handle guarded by one application's ISC cannot be
 * decrypted through another application (say, an open one) or under another
 * key. The handle is recomputed exactly as common/ciphertext.ts builds it:
 *
 *   handle = SHA3-256(lp("TKMS-HANDLE-V2") ‖ lp(key_id) ‖ lp(app_id) ‖ lp(digest as 64 lower-case hex))[0..30]
 *            ‖ type code (byte 30) ‖ version 1 (byte 31)
 *
 * with lp = u32 big-endian byte length ‖ UTF-8, and the type codes of
 * common/fheTypes.ts (fhEVM numbering, = index in FHE_TYPES).
 */
import { concat, fromHex, lengthPrefixed, toHex } from "../lib/encoding";
import { sha3_256 } from "../lib/keccak";

export const HANDLE_TAG = "TKMS-HANDLE-V2";
export const HANDLE_VERSION: u8 = 1;

/** The handle of the ciphertext with `digest` (64 lower-case hex) and type code `code`, under `keyId` and `appId`. */
export function expectedHandle(digest: string, code: i32, keyId: string, appId: string): string {
  const parts = new Array<Uint8Array>();
  parts.push(lengthPrefixed(HANDLE_TAG));
  parts.push(lengthPrefixed(keyId));
  parts.push(lengthPrefixed(appId));
  parts.push(lengthPrefixed(digest));
  const h = sha3_256(concat(parts));
  h[30] = <u8>code;
  h[31] = HANDLE_VERSION;
  return toHex(h.subarray(0, 32));
}

/**
 * Null when `handle` (64 lower-case hex) is the handle of (`digest`, `fheType`)
 * under key `keyId` and application `appId`, else why not. `code` is the type
 * code of `fheType`.
 */
export function handleRefusal(handle: string, digest: string, fheType: string, code: i32, keyId: string, appId: string): string | null {
  const typeByte = <i32>fromHex(handle.substring(60, 62))![0];
  if (typeByte != code) {
    return "ciphertext_handle carries type code " + typeByte.toString() + ", not fhe_type " + fheType + " (" + code.toString() + ")";
  }
  const want = expectedHandle(digest, code, keyId, appId);
  if (handle != want) {
    return "ciphertext_handle is not the handle of ciphertext_digest under key " + keyId + " and application " + appId +
      " (expected " + want + "): a handle is bound to the digest, the key and the application it was admitted under";
  }
  return null;
}
