/**
 * @module contracts/asc/handles
 * Binds a ciphertext's handle to its digest (security review S1). The ISC
 * judges the handle, while the connector fetches and the cores decrypt the
 * ciphertext named by the digest; without this check a requester could pair a
 * handle it may use with someone else's digest. The handle is recomputed from
 * the digest exactly as common/ciphertext.ts builds it:
 *
 *   handle = SHA3-256("TKMS-HANDLE-V1" ‖ digest as 64 lower-case hex chars)[0..30]
 *            ‖ type code (byte 30) ‖ version 0 (byte 31)
 *
 * with the type codes of common/fheTypes.ts (fhEVM numbering, = index in FHE_TYPES).
 */
import { fromHex, toHex, utf8 } from "../lib/encoding";
import { sha3_256 } from "../lib/keccak";

export const HANDLE_TAG = "TKMS-HANDLE-V1";
export const HANDLE_VERSION: u8 = 0;

/** The handle of the ciphertext with `digest` (64 lower-case hex) and type code `code`. */
export function expectedHandle(digest: string, code: i32): string {
  const h = sha3_256(utf8(HANDLE_TAG + digest));
  h[30] = <u8>code;
  h[31] = HANDLE_VERSION;
  return toHex(h.subarray(0, 32));
}

/**
 * Null when `handle` (64 lower-case hex) is the handle of (`digest`, `fheType`),
 * else why not. `code` is the type code of `fheType`.
 */
export function handleRefusal(handle: string, digest: string, fheType: string, code: i32): string | null {
  const typeByte = <i32>fromHex(handle.substring(60, 62))![0];
  if (typeByte != code) {
    return "ciphertext_handle carries type code " + typeByte.toString() + ", not fhe_type " + fheType + " (" + code.toString() + ")";
  }
  const want = expectedHandle(digest, code);
  if (handle != want) return "ciphertext_handle does not match ciphertext_digest (expected " + want + ")";
  return null;
}
