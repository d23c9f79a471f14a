/**
 * @module contracts/lib/encoding
 * Byte/text conversions the contracts need: UTF-8, lower-case hex, standard
 * base64 (CosmWasm `Binary` is base64 with padding in JSON), and the u32
 * big-endian length prefix used by request ids and response digests.
 */

export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

export function fromUtf8(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length);
}

const HEX = "0123456789abcdef";

/** Linear time: ASCII into a byte buffer, decoded once (string `+=` per char is quadratic in AssemblyScript). */
export function toHex(b: Uint8Array): string {
  const out = new Uint8Array(2 * b.length);
  for (let i = 0; i < b.length; i++) {
    const v = <i32>b[i];
    out[2 * i] = <u8>HEX.charCodeAt(v >> 4);
    out[2 * i + 1] = <u8>HEX.charCodeAt(v & 15);
  }
  return fromUtf8(out);
}

function hexNibble(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** True when `s` is exactly `len` hex digits, lower-case only if `lowerOnly`. */
export function isHex(s: string, len: i32, lowerOnly: bool): bool {
  if (s.length != len) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (lowerOnly && c >= 65 && c <= 70) return false;
    if (hexNibble(c) < 0) return false;
  }
  return true;
}

/** Decodes hex; returns null on odd length or a non-hex digit. */
export function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 != 0) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(s.charCodeAt(2 * i));
    const lo = hexNibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = <u8>((hi << 4) | lo);
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Linear time, as `toHex` (queries return multi-kilobyte requests through it). */
export function toBase64(b: Uint8Array): string {
  const out = new Uint8Array(((b.length + 2) / 3) * 4);
  let i = 0;
  let j = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (<u32>b[i] << 16) | (<u32>b[i + 1] << 8) | <u32>b[i + 2];
    out[j++] = <u8>B64.charCodeAt(<i32>(n >> 18));
    out[j++] = <u8>B64.charCodeAt(<i32>((n >> 12) & 63));
    out[j++] = <u8>B64.charCodeAt(<i32>((n >> 6) & 63));
    out[j++] = <u8>B64.charCodeAt(<i32>(n & 63));
  }
  const rest = b.length - i;
  if (rest == 1) {
    const n = <u32>b[i] << 16;
    out[j++] = <u8>B64.charCodeAt(<i32>(n >> 18));
    out[j++] = <u8>B64.charCodeAt(<i32>((n >> 12) & 63));
    out[j++] = 61;
    out[j++] = 61;
  } else if (rest == 2) {
    const n = (<u32>b[i] << 16) | (<u32>b[i + 1] << 8);
    out[j++] = <u8>B64.charCodeAt(<i32>(n >> 18));
    out[j++] = <u8>B64.charCodeAt(<i32>((n >> 12) & 63));
    out[j++] = <u8>B64.charCodeAt(<i32>((n >> 6) & 63));
    out[j++] = 61;
  }
  return fromUtf8(out);
}

function b64Value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  return -1;
}

/** Decodes padded or unpadded standard base64; returns null on bad input. */
export function fromBase64(s: string): Uint8Array | null {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) == 61) end--;
  if (s.length - end > 2 || end % 4 == 1) return null;
  const out = new Uint8Array((end * 3) >> 2);
  let acc: u32 = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const v = b64Value(s.charCodeAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = <u8>((acc >> <u32>bits) & 0xff);
    }
  }
  return out;
}

/** lp(s) = u32 big-endian byte length of UTF-8(s) ‖ UTF-8(s) (common/signing.ts). */
export function lengthPrefixed(s: string): Uint8Array {
  const body = utf8(s);
  const out = new Uint8Array(4 + body.length);
  const n = <u32>body.length;
  out[0] = <u8>(n >> 24);
  out[1] = <u8>(n >> 16);
  out[2] = <u8>(n >> 8);
  out[3] = <u8>n;
  out.set(body, 4);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8Array(total);
  let off = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], off);
    off += parts[i].length;
  }
  return out;
}

/**
 * A non-negative decimal integer (no sign, no leading zeros unless "0") that fits
 * in an i64, or -1. Native coin amounts are Uint128 text in CosmWasm JSON; the
 * contracts accept the i64 range (9.2e18 base units), plenty for fees.
 */
export function parseAmount(s: string): i64 {
  if (s.length == 0 || s.length > 18 || (s.length > 1 && s.charCodeAt(0) == 48)) return -1;
  let n: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + <i64>(c - 48);
  }
  return n;
}
