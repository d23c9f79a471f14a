/**
 * @module contracts/lib/eip712
 * EIP-712 typed structured data hashing, the parts the contracts need
 * (https://eips.ethereum.org/EIPS/eip-712):
 *
 *   digest          = keccak256( 0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message) )
 *   domainSeparator = hashStruct(EIP712Domain{name, version, chainId, verifyingContract})
 *   hashStruct(s)   = keccak256( typeHash ‖ encodeData(s) ),  typeHash = keccak256(encodeType)
 *
 * encodeData: each member as one 32-byte word — atomic values (address, uint256)
 * left-padded; dynamic `string` and `bytes` as keccak256 of their contents; an array
 * as keccak256 of the concatenated encodings of its items. The instances (type
 * strings and members) live with their users, e.g. contracts/asc/userAuth.ts.
 *
 * @example
 *   const ds = domainSeparator("Decryption", "1", decimalWord("1")!, verifyingContract);
 *   const d = typedDataDigest(ds, structHash);   // what the wallet signed
 */
import { keccak256 } from "./keccak";
import { concat, utf8 } from "./encoding";
import { addressWord } from "./hex";

export const EIP712_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

/** keccak256 of a type string (encodeType) or any UTF-8 text. */
export function keccakText(s: string): Uint8Array {
  return keccak256(utf8(s));
}

/** hashStruct of the domain: name and version hashed, chain id a uint256 word, contract an address word. */
export function domainSeparator(name: string, version: string, chainId: Uint8Array, verifyingContract: Uint8Array): Uint8Array {
  return keccak256(concat([keccakText(EIP712_DOMAIN_TYPE), keccakText(name), keccakText(version), chainId, addressWord(verifyingContract)]));
}

/** The digest a wallet signs: keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash). */
export function typedDataDigest(domain: Uint8Array, structHash: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(2);
  prefix[0] = 0x19;
  prefix[1] = 0x01;
  return keccak256(concat([prefix, domain, structHash]));
}

/** encodeData of an `address[]`: keccak256 of the addresses as consecutive words. */
export function addressArrayHash(addresses: Uint8Array[]): Uint8Array {
  const words = new Array<Uint8Array>();
  for (let i = 0; i < addresses.length; i++) words.push(addressWord(addresses[i]));
  return keccak256(concat(words));
}

/**
 * A decimal uint256 (digits only, no sign, no leading zeros except "0") as a
 * 32-byte big-endian word; null when malformed or ≥ 2^256. Long multiplication
 * by ten, byte by byte: no big-number dependency for one chain id.
 * @example decimalWord("258") // 0x00…0102
 */
export function decimalWord(s: string): Uint8Array | null {
  if (s.length == 0 || s.length > 78 || (s.length > 1 && s.charCodeAt(0) == 48)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    let carry = <u32>(c - 48);
    for (let j = 31; j >= 0; j--) {
      const v = <u32>out[j] * 10 + carry;
      out[j] = <u8>(v & 0xff);
      carry = v >> 8;
    }
    if (carry != 0) return null; // overflowed 256 bits
  }
  return out;
}
