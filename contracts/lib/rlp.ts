/**
 * @module contracts/lib/rlp
 * Strict RLP decoding (Ethereum Yellow Paper, Appendix B). Only the canonical
 * encoding of a value is accepted, as go-ethereum's `rlp` package does:
 * - a single byte below 0x80 must encode itself, never as `0x81 b`;
 * - a long form (0xb8…/0xf8…) only for payloads longer than 55 bytes;
 * - length-of-length without leading zero bytes;
 * - every length within the input, and nothing left after the top-level item.
 * Proof nodes come from untrusted requests, so non-canonical input is an error,
 * not something to normalise.
 *
 * @example
 *   const r = rlpDecode(bytes);   // RlpItem or null
 *   if (r === null) return fail(rlpError);
 */

export class RlpItem {
  /** True for a list, false for a byte string. */
  isList: bool = false;
  /** Payload of a byte string (empty for a list). */
  bytes: Uint8Array = new Uint8Array(0);
  /** Items of a list. */
  items: RlpItem[] = [];
  /** The complete encoding of this item (prefix included). */
  raw: Uint8Array = new Uint8Array(0);
}

/** Why the last decode returned null. */
export let rlpError = "";

class Reader {
  constructor(public buf: Uint8Array) {}

  fail(msg: string): RlpItem | null {
    rlpError = msg;
    return null;
  }

  /** Reads a big-endian length of `n` bytes at `at`; -1 when not canonical or too large. */
  longLength(at: i32, n: i32): i32 {
    if (n > 4 || at + n > this.buf.length) return -1;
    if (this.buf[at] == 0) return -1;
    let v: u64 = 0;
    for (let i = 0; i < n; i++) v = (v << 8) | <u64>this.buf[at + i];
    if (v > 0x7fffffff) return -1;
    return <i32>v;
  }

  /** Decodes the item that starts at `at` and ends no later than `end`; sets `next`. */
  item(at: i32, end: i32, depth: i32): RlpItem | null {
    if (depth > 64) return this.fail("RLP nesting too deep");
    if (at >= end) return this.fail("RLP input ends early");
    const b = <i32>this.buf[at];
    const it = new RlpItem();
    let start: i32; // payload start
    let len: i32; // payload length
    if (b < 0x80) {
      it.bytes = this.buf.slice(at, at + 1);
      it.raw = it.bytes;
      this.next = at + 1;
      return it;
    } else if (b <= 0xb7) {
      start = at + 1;
      len = b - 0x80;
      if (start + len > end) return this.fail("RLP string exceeds its container");
      if (len == 1 && this.buf[start] < 0x80) return this.fail("non-canonical RLP: single byte below 0x80 wrapped");
    } else if (b <= 0xbf) {
      const n = b - 0xb7;
      len = this.longLength(at + 1, n);
      if (len < 0) return this.fail("non-canonical or oversized RLP length");
      if (len <= 55) return this.fail("non-canonical RLP: long form for a short string");
      start = at + 1 + n;
      if (<i64>start + <i64>len > <i64>end) return this.fail("RLP string exceeds its container");
    } else if (b <= 0xf7) {
      it.isList = true;
      start = at + 1;
      len = b - 0xc0;
      if (start + len > end) return this.fail("RLP list exceeds its container");
    } else {
      it.isList = true;
      const n = b - 0xf7;
      len = this.longLength(at + 1, n);
      if (len < 0) return this.fail("non-canonical or oversized RLP length");
      if (len <= 55) return this.fail("non-canonical RLP: long form for a short list");
      start = at + 1 + n;
      if (<i64>start + <i64>len > <i64>end) return this.fail("RLP list exceeds its container");
    }
    const stop = start + len;
    it.raw = this.buf.slice(at, stop);
    if (!it.isList) {
      it.bytes = this.buf.slice(start, stop);
    } else {
      let pos = start;
      while (pos < stop) {
        const child = this.item(pos, stop, depth + 1);
        if (child === null) return null;
        it.items.push(child);
        pos = this.next;
      }
    }
    this.next = stop;
    return it;
  }

  next: i32 = 0;
}

/** Decodes exactly one RLP item filling all of `buf`; null (see `rlpError`) otherwise. */
export function rlpDecode(buf: Uint8Array): RlpItem | null {
  const r = new Reader(buf);
  const it = r.item(0, buf.length, 0);
  if (it === null) return null;
  if (r.next != buf.length) {
    rlpError = "trailing bytes after RLP item";
    return null;
  }
  return it;
}

/**
 * A canonical RLP scalar (big-endian, no leading zero byte, empty = 0) of at most
 * `maxBytes` bytes, as Ethereum stores nonces, balances and storage values.
 */
export function isCanonicalScalar(b: Uint8Array, maxBytes: i32): bool {
  if (b.length > maxBytes) return false;
  return b.length == 0 || b[0] != 0;
}
