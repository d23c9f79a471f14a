/**
 * @module contracts/lib/secp256k1
 * Ethereum-style signer recovery with the host's `secp256k1_recover_pubkey`
 * (cosmwasm-vm `imports.rs` do_secp256k1_recover_pubkey): the 65-byte signature
 * `r ‖ s ‖ v` (v ∈ {0, 1, 27, 28}) over a 32-byte digest yields the uncompressed
 * public key, and the EVM address is the last 20 bytes of keccak256 of the key
 * without its 0x04 prefix (Yellow Paper eq. 284).
 */
import { keccak256 } from "./keccak";
import { readRegion, regionOf } from "./region";

/** Returns a Region pointer in the low 32 bits, or an error code in the high 32 bits. */
// @ts-ignore: decorator
@external("env", "secp256k1_recover_pubkey")
declare function secp256k1_recover_pubkey(hashPtr: u32, sigPtr: u32, recoveryParam: u32): u64;

/** secp256k1 group order n / 2, big-endian: EIP-2 accepts only s ≤ n/2. */
const HALF_N: StaticArray<u8> = [
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

function lowS(sig: Uint8Array): bool {
  for (let i = 0; i < 32; i++) {
    const a = sig[32 + i];
    const b = unchecked(HALF_N[i]);
    if (a < b) return true;
    if (a > b) return false;
  }
  return true;
}

/** The EVM address of an uncompressed public key (65 bytes, 0x04 prefix). */
export function pubkeyToAddress(pub: Uint8Array): Uint8Array {
  return keccak256(pub.subarray(1)).slice(12);
}

/** Why the last `recoverAddress` returned null. */
export let recoverError = "";

/**
 * The address that produced the 65-byte `sig` over `digest`, or null when the
 * signature is malformed, has a high s (EIP-2), or recovers no key.
 * A recovered address says nothing by itself: compare it with the expected signer.
 */
export function recoverAddress(digest: Uint8Array, sig: Uint8Array): Uint8Array | null {
  if (digest.length != 32) { recoverError = "digest must be 32 bytes"; return null; }
  if (sig.length != 65) { recoverError = "signature must be 65 bytes (r ‖ s ‖ v)"; return null; }
  let v = <u32>sig[64];
  if (v >= 27) v -= 27;
  if (v > 1) { recoverError = "signature v must be 0, 1, 27 or 28"; return null; }
  if (!lowS(sig)) { recoverError = "signature s is not in the lower half of the order (EIP-2)"; return null; }
  const rs = sig.slice(0, 64);
  const res = secp256k1_recover_pubkey(regionOf(digest), regionOf(rs), v);
  if ((res >> 32) != 0) { recoverError = "no public key recovers from the signature"; return null; }
  // cosmwasm-vm-js reports errors as a Region with the message in the low bits,
  // so also insist on the shape of a real answer: 65 bytes starting 0x04.
  const pub = readRegion(<u32>(res & 0xffffffff));
  if (pub.length != 65 || pub[0] != 4) { recoverError = "no public key recovers from the signature"; return null; }
  return pubkeyToAddress(pub);
}
