/**
 * @module contracts/lib/utf8
 * Strict UTF-8 validation of raw message bytes (RFC 3629 §4): no overlong forms,
 * no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
 * AssemblyScript's `String.UTF8.decodeUnsafe` does not validate, so invalid
 * bytes in a message would otherwise become arbitrary UTF-16 — lone surrogates
 * included — that the contract could store and later emit as JSON no host
 * parses. The VM hands the contract whatever bytes the transaction carried.
 */

/** Whether the `len` bytes at `ptr` are well-formed UTF-8. Linear, no allocation. */
export function isValidUtf8(ptr: usize, len: usize): bool {
  let i: usize = 0;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) { i++; continue; }
    let need: usize = 0;
    let min: u32 = 0;
    let cp: u32 = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; min = 0x10000; }
    else return false; // continuation byte first, 0xc0/0xc1 (overlong), 0xf5.. (beyond U+10FFFF)
    if (i + need >= len) return false;
    for (let k: usize = 1; k <= need; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}
