/**
 * @module contracts/lib/hex
 * Ethereum-style `0x` hex for the EVM-facing contracts: byte strings (`0x…`,
 * even length), quantities (`0x1`, at most 32 bytes, left-padded on request),
 * addresses, and byte comparisons. Plain `encoding.ts` hex has no prefix.
 */
import { fromHex, toHex } from "./encoding";

/** `0x` + lower-case hex of `b`. */
export function to0x(b: Uint8Array): string {
  return "0x" + toHex(b);
}

/**
 * Decodes `0x`-prefixed hex data (even number of digits, either case).
 * `len` ≥ 0 requires exactly that many bytes; -1 accepts any length. Null on bad input.
 * @example parse0x("0xdeadbeef", 4) // Uint8Array [0xde, 0xad, 0xbe, 0xef]
 */
export function parse0x(s: string, len: i32): Uint8Array | null {
  if (s.length < 2 || s.charCodeAt(0) != 48 || (s.charCodeAt(1) | 0x20) != 120) return null;
  const body = s.substring(2);
  if (len >= 0 && body.length != 2 * len) return null;
  return fromHex(body);
}

/**
 * Decodes a `0x` quantity or data string of at most 32 bytes (`"0x0"`, `"0x1f"`,
 * odd digit counts allowed) into 32 bytes, big-endian, left-padded with zeros.
 * This is how `eth_getProof` writes storage keys.
 */
export function parseWord(s: string): Uint8Array | null {
  if (s.length < 3 || s.charCodeAt(0) != 48 || (s.charCodeAt(1) | 0x20) != 120) return null;
  let body = s.substring(2);
  if (body.length > 64) return null;
  if (body.length % 2 == 1) body = "0" + body;
  const bytes = fromHex(body);
  if (bytes === null) return null;
  const out = new Uint8Array(32);
  out.set<Uint8Array>(bytes, 32 - bytes.length);
  return out;
}

/** A 20-byte EVM address from `0x` + 40 hex digits (checksum case not enforced). */
export function parseAddress(s: string): Uint8Array | null {
  return parse0x(s, 20);
}

/** The address left-padded to a 32-byte word (Solidity `abi.encode(address)`). */
export function addressWord(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(addr, 12);
  return out;
}

/** The u64 as a 32-byte big-endian word (Solidity `abi.encode(uint256)`). */
export function u64Word(v: u64): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) out[31 - i] = <u8>(v >> (<u64>(8 * i)));
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** True when every byte is zero (also for an empty array). */
export function isZero(b: Uint8Array): bool {
  for (let i = 0; i < b.length; i++) if (b[i] != 0) return false;
  return true;
}

/**
 * Parses a decimal u64 written as JSON number text or string: digits only, no
 * sign, no leading zeros (except "0"), no overflow; `ok` is false otherwise.
 */
export class U64Parse {
  constructor(public ok: bool, public value: u64) {}
}

export function parseU64(text: string): U64Parse {
  if (text.length == 0 || text.length > 20) return new U64Parse(false, 0);
  if (text.length > 1 && text.charCodeAt(0) == 48) return new U64Parse(false, 0);
  let v: u64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return new U64Parse(false, 0);
    const d = <u64>(c - 48);
    if (v > (0xffffffffffffffff - d) / 10) return new U64Parse(false, 0);
    v = v * 10 + d;
  }
  return new U64Parse(true, v);
}
