/**
 * @module contracts/lib/utf8
 * Strict UTF-8 validation of raw message bytes (RFC 3629 §4): no overlong forms,
 * no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
 * AssemblyScript's `String.UTF8.decodeUnsafe` does not validate, so invalid
 * bytes in a message would otherwise become arbitrary UTF-16 — lone surrogates
 * included — that the contract could store and later emit as JSON no host
 * parses. The VM hands the contract whatever bytes the transaction carried.
 *
 * Messages are mostly ASCII: eight bytes are checked at a time while they are,
 * and an all-ASCII message is widened to UTF-16 directly (the std decoder
 * costs several times more per byte on a metered VM).
 */

/** `utf8Kind` results. */
export const UTF8_INVALID = 0;
export const UTF8_ASCII = 1;
export const UTF8_OTHER = 2;

const HIGH_BITS: u64 = 0x8080808080808080;

/** UTF8_INVALID, UTF8_ASCII (every byte < 0x80) or UTF8_OTHER (valid, not all ASCII). Linear, no allocation. */
export function utf8Kind(ptr: usize, len: usize): i32 {
  let i: usize = 0;
  let ascii = true;
  while (i < len) {
    if (i + 8 <= len && (load<u64>(ptr + i) & HIGH_BITS) == 0) { i += 8; continue; }
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) { i++; continue; }
    ascii = false;
    let need: usize = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; min = 0x10000; }
    else return UTF8_INVALID; // continuation byte first, 0xc0/0xc1 (overlong), 0xf5.. (beyond U+10FFFF)
    if (i + need >= len) return UTF8_INVALID;
    for (let k: usize = 1; k <= need; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if ((b & 0xc0) != 0x80) return UTF8_INVALID;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return UTF8_INVALID;
    i += need + 1;
  }
  return ascii ? UTF8_ASCII : UTF8_OTHER;
}

/** Whether the `len` bytes at `ptr` are well-formed UTF-8. */
export function isValidUtf8(ptr: usize, len: usize): bool {
  return utf8Kind(ptr, len) != UTF8_INVALID;
}

/** The string of `len` ASCII bytes at `ptr` (each byte one UTF-16 unit). */
export function asciiString(ptr: usize, len: usize): string {
  const out = changetype<string>(__new(len << 1, idof<string>()));
  const dst = changetype<usize>(out);
  for (let i: usize = 0; i < len; i++) store<u16>(dst + (i << 1), <u16>load<u8>(ptr + i));
  return out;
}
