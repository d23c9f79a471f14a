/**
 * @module contracts/isc-fhevm/slots
 * Where the fhEVM ACL keeps what the ISC checks (README "ACL storage layout").
 * The ACL's storage struct sits at slot p (`acl_slot_base`):
 *
 *   p     mapping(bytes32 handle => mapping(address => bool)) persistedAllowedPairs;
 *   p + 1 mapping(bytes32 handle => bool) allowedForDecryption;
 *   p + 2 mapping(bytes32 handle => bytes32) ciphertextDigest;   // written by registered coprocessors
 *
 * and Solidity places `m[k]` of a mapping at slot s in keccak256(pad32(k) ‖ uint256(s)).
 */
import { keccak256Pair } from "../lib/keccak";
import { addressWord } from "../lib/hex";

/** `persistedAllowedPairs[handle][account]`: keccak256(pad32(account) ‖ keccak256(handle ‖ p)). */
export function pairSlot(handle: Uint8Array, account: Uint8Array, base: Uint8Array): Uint8Array {
  return keccak256Pair(addressWord(account), keccak256Pair(handle, base));
}

/** `allowedForDecryption[handle]`: keccak256(handle ‖ (p + 1)). */
export function publicSlot(handle: Uint8Array, base: Uint8Array): Uint8Array {
  return keccak256Pair(handle, plus(base, 1));
}

/** `ciphertextDigest[handle]`: keccak256(handle ‖ (p + 2)). */
export function digestSlot(handle: Uint8Array, base: Uint8Array): Uint8Array {
  return keccak256Pair(handle, plus(base, 2));
}

/** `word + k` for a 32-byte big-endian word (wrapping, as Solidity slot arithmetic does). */
function plus(word: Uint8Array, k: u32): Uint8Array {
  const out = word.slice(0);
  let carry = k;
  for (let i = out.length - 1; i >= 0 && carry != 0; i--) {
    const s = <u32>out[i] + carry;
    out[i] = <u8>(s & 0xff);
    carry = s >> 8;
  }
  return out;
}
