/**
 * @module contracts/lib/json
 * A small JSON DOM: parser (RFC 8259, nested objects/arrays, string escapes
 * including surrogate pairs, numbers kept as their source text) and writer.
 * Objects keep key order so a parsed-then-written document stays stable. Numbers
 * are kept as text because CosmWasm JSON carries u64 values (block height) that
 * an f64 cannot hold exactly.
 *
 * Hostile input (issue 10 item 8): every message is attacker-chosen, so parsing
 * and writing are linear in the input and bounded. Nesting is capped
 * (MAX_DEPTH), so is the number of values in one document (MAX_VALUES: each
 * costs memory the stub runtime never frees, and the VM's memory is capped);
 * duplicate keys and lone surrogates (escaped `\ud800` or raw) are refused, as
 * serde_json refuses them; strings with escapes are decoded into one buffer
 * (not by `+=`, which is quadratic in AssemblyScript).
 */

export enum JType { Null, Bool, Num, Str, Arr, Obj }

export class JValue {
  type: JType = JType.Null;
  bool: bool = false;
  /** String value, or the source text of a number. */
  text: string = "";
  // Scalars share the empty lists below (a message of many scalars then costs one
  // small object each, not three arrays each); `set` and `push` give a value its
  // own lists before writing, so the shared ones stay empty.
  items: JValue[] = NO_ITEMS;
  keys: string[] = NO_KEYS;
  values: JValue[] = NO_ITEMS;

  static nul(): JValue { return new JValue(); }
  static bool(b: bool): JValue { const v = new JValue(); v.type = JType.Bool; v.bool = b; return v; }
  static str(s: string): JValue { const v = new JValue(); v.type = JType.Str; v.text = s; return v; }
  /** A number from its decimal text (caller guarantees it is a JSON number). */
  static num(text: string): JValue { const v = new JValue(); v.type = JType.Num; v.text = text; return v; }
  static arr(): JValue { const v = new JValue(); v.type = JType.Arr; v.items = new Array<JValue>(); return v; }
  static obj(): JValue { const v = new JValue(); v.type = JType.Obj; v.keys = new Array<string>(); v.values = new Array<JValue>(); return v; }

  get isNull(): bool { return this.type == JType.Null; }
  get isStr(): bool { return this.type == JType.Str; }
  get isObj(): bool { return this.type == JType.Obj; }
  get isArr(): bool { return this.type == JType.Arr; }
  get isNum(): bool { return this.type == JType.Num; }

  /** Object member or null when absent (or when this is not an object). */
  get(key: string): JValue | null {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] == key) return this.values[i];
    return null;
  }

  /** String member, or null when absent or not a string. */
  getStr(key: string): string | null {
    const v = this.get(key);
    if (v === null || v.type != JType.Str) return null;
    return v.text;
  }

  /** Sets (replacing) an object member; returns this for chaining. */
  set(key: string, value: JValue): JValue {
    if (this.keys == NO_KEYS) { this.keys = new Array<string>(); this.values = new Array<JValue>(); }
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) { this.values[i] = value; return this; }
    }
    this.keys.push(key);
    this.values.push(value);
    return this;
  }

  setStr(key: string, s: string): JValue { return this.set(key, JValue.str(s)); }

  push(value: JValue): JValue {
    if (this.items == NO_ITEMS) this.items = new Array<JValue>();
    this.items.push(value);
    return this;
  }

  /** Non-negative integer value of a number that fits in i32, else -1. */
  asIndex(): i32 {
    if (this.type != JType.Num || this.text.length == 0 || this.text.length > 9) return -1;
    let n = 0;
    for (let i = 0; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      n = n * 10 + (c - 48);
    }
    return n;
  }

  toString(): string {
    const parts = new Array<string>();
    write(this, parts);
    return parts.join("");
  }
}

const NO_ITEMS = new Array<JValue>(0);
const NO_KEYS = new Array<string>(0);

function write(v: JValue, out: string[]): void {
  switch (v.type) {
    case JType.Null: out.push("null"); break;
    case JType.Bool: out.push(v.bool ? "true" : "false"); break;
    case JType.Num: out.push(v.text); break;
    case JType.Str: out.push(quote(v.text)); break;
    case JType.Arr: {
      out.push("[");
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) out.push(",");
        write(v.items[i], out);
      }
      out.push("]");
      break;
    }
    default: {
      out.push("{");
      for (let i = 0; i < v.keys.length; i++) {
        if (i > 0) out.push(",");
        out.push(quote(v.keys[i]));
        out.push(":");
        write(v.values[i], out);
      }
      out.push("}");
    }
  }
}

const HEXDIGITS = "0123456789abcdef";

/** The escape a character needs inside a JSON string literal: 0 none, 2 `\x`, 6 `\u00xx`. */
// @ts-ignore: decorator
@inline function escapeLength(c: i32): i32 {
  if (c >= 0x20 && c != 0x22 && c != 0x5c) return 0;
  return c == 0x22 || c == 0x5c || c == 0x0a || c == 0x0d || c == 0x09 ? 2 : 6;
}

/** Whether the UTF-16 unit at `i` is half of a well-formed surrogate pair (false for any other unit). */
function pairedSurrogate(s: string, i: i32): bool {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    if (i + 1 >= s.length) return false;
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    if (i == 0) return false;
    const h = s.charCodeAt(i - 1);
    return h >= 0xd800 && h <= 0xdbff;
  }
  return false;
}

// @ts-ignore: decorator
@inline function isSurrogate(c: i32): bool {
  return c >= 0xd800 && c <= 0xdfff;
}

/**
 * JSON string literal for `s` (escapes quotes, backslash and control
 * characters). Linear: the length is counted first, then one buffer is filled.
 * A lone surrogate (only a truncated string can hold one: the parser refuses
 * them) is written as U+FFFD, so the output is always valid UTF-8 for the host.
 */
export function quote(s: string): string {
  const n = s.length;
  let extra = 0;
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = unitAt(s, i);
    if (c >= 0x5d && c < 0xd800) continue; // most characters: nothing to escape
    const e = escapeLength(c);
    if (e > 0) { extra += e - 1; clean = false; }
    else if (isSurrogate(c) && !pairedSurrogate(s, i)) clean = false;
  }
  const out = new StaticArray<u16>(n + extra + 2);
  const dst = changetype<usize>(out);
  if (clean) {
    store<u16>(dst, 0x22);
    memory.copy(dst + 2, changetype<usize>(s), <usize>n << 1);
    store<u16>(dst + ((<usize>n + 1) << 1), 0x22);
    return String.UTF16.decodeUnsafe(dst, (<usize>n + 2) << 1);
  }
  let j = 0;
  out[j++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = unitAt(s, i);
    const e = escapeLength(c);
    if (e == 0) {
      unchecked((out[j++] = <u16>(isSurrogate(c) && !pairedSurrogate(s, i) ? 0xfffd : c)));
      continue;
    }
    out[j++] = 0x5c;
    if (e == 6) {
      out[j++] = 0x75; out[j++] = 0x30; out[j++] = 0x30;
      out[j++] = <u16>HEXDIGITS.charCodeAt(c >> 4);
      out[j++] = <u16>HEXDIGITS.charCodeAt(c & 15);
    } else out[j++] = <u16>(c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : c == 0x09 ? 0x74 : c);
  }
  out[j++] = 0x22;
  return String.UTF16.decodeUnsafe(dst, <usize>j << 1);
}

/** Parses a JSON document; returns null on any syntax error (see `parseError`). */
export function parseJson(src: string): JValue | null {
  const p = new Parser(src);
  const v = p.value(0);
  if (v === null) { parseError = p.error; return null; }
  p.ws();
  if (p.pos != src.length) { parseError = "trailing characters at " + p.pos.toString(); return null; }
  return v;
}

/** The reason the last `parseJson` returned null. */
export let parseError = "";

const MAX_DEPTH = 64;
/**
 * Values and member names in one document. The largest legitimate messages (a
 * 32-ciphertext batch with its proofs, a party set) hold a few thousand. Each
 * costs about 1,000–1,500 gas on the embedded chain's meter and some memory the
 * stub runtime never frees.
 */
export const MAX_VALUES = 16384;
/** Objects with more members than this detect duplicate keys through a hash set. */
const LINEAR_KEY_CHECK = 16;

/** The UTF-16 unit at `i` of `s`, unchecked: callers have checked `i < s.length` (the hot loops below). */
// @ts-ignore: decorator
@inline function unitAt(s: string, i: i32): i32 {
  return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}

/**
 * A set of member names for duplicate detection: open addressing over the
 * names' FNV-1a hashes, doubled at half load. Cheaper per member on a metered
 * VM than the std `Set<string>` (which hashes with xxhash and rehashes through
 * its entry buffer).
 */
class KeySet {
  names: string[] = new Array<string>(64);
  hashes: StaticArray<u32> = new StaticArray<u32>(64);
  used: StaticArray<u8> = new StaticArray<u8>(64);
  size: i32 = 0;

  static hash(s: string): u32 {
    let h: u32 = 2166136261;
    const n = s.length;
    for (let i = 0; i < n; i++) h = (h ^ <u32>unitAt(s, i)) * 16777619;
    return h;
  }

  /** Adds `k`; false when it was already there. */
  add(k: string): bool {
    if ((this.size + 1) * 2 > this.names.length) this.grow();
    const h = KeySet.hash(k);
    const mask = this.names.length - 1;
    let i = <i32>(h & <u32>mask);
    while (unchecked(this.used[i]) != 0) {
      if (unchecked(this.hashes[i]) == h && unchecked(this.names[i]) == k) return false;
      i = (i + 1) & mask;
    }
    unchecked((this.used[i] = 1));
    unchecked((this.hashes[i] = h));
    unchecked((this.names[i] = k));
    this.size++;
    return true;
  }

  grow(): void {
    const oldNames = this.names;
    const oldHashes = this.hashes;
    const oldUsed = this.used;
    const cap = oldNames.length * 2;
    this.names = new Array<string>(cap);
    this.hashes = new StaticArray<u32>(cap);
    this.used = new StaticArray<u8>(cap);
    const mask = cap - 1;
    for (let j = 0; j < oldNames.length; j++) {
      if (unchecked(oldUsed[j]) == 0) continue;
      const h = unchecked(oldHashes[j]);
      let i = <i32>(h & <u32>mask);
      while (unchecked(this.used[i]) != 0) i = (i + 1) & mask;
      unchecked((this.used[i] = 1));
      unchecked((this.hashes[i] = h));
      unchecked((this.names[i] = unchecked(oldNames[j])));
    }
  }
}

/** A key quoted in an error message, at most 64 characters of it. */
function shorten(k: string): string {
  return k.length <= 64 ? k : k.substring(0, 64) + "…";
}

class Parser {
  pos: i32 = 0;
  error: string = "";
  count: i32 = 0;
  constructor(public src: string) {}

  fail(msg: string): JValue | null {
    if (this.error.length == 0) this.error = msg + " at " + this.pos.toString();
    return null;
  }

  ws(): void {
    const src = this.src;
    const len = src.length;
    let i = this.pos;
    while (i < len) {
      const c = unitAt(src, i);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      i++;
    }
    this.pos = i;
  }

  literal(word: string): bool {
    if (this.src.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  value(depth: i32): JValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting too deep (more than " + MAX_DEPTH.toString() + " levels)");
    if (++this.count > MAX_VALUES) return this.fail("too many values (more than " + MAX_VALUES.toString() + ")");
    this.ws();
    if (this.pos >= this.src.length) return this.fail("unexpected end");
    const c = this.src.charCodeAt(this.pos);
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      return s === null ? null : JValue.str(s);
    }
    if (c == 0x74) return this.literal("true") ? JValue.bool(true) : this.fail("bad literal");
    if (c == 0x66) return this.literal("false") ? JValue.bool(false) : this.fail("bad literal");
    if (c == 0x6e) return this.literal("null") ? JValue.nul() : this.fail("bad literal");
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail("unexpected character");
  }

  digits(): i32 {
    const src = this.src;
    const len = src.length;
    const start = this.pos;
    let i = start;
    while (i < len) {
      const c = unitAt(src, i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    this.pos = i;
    return i - start;
  }

  number(): JValue | null {
    const start = this.pos;
    if (this.src.charCodeAt(this.pos) == 0x2d) this.pos++;
    const intStart = this.pos;
    const n = this.digits();
    if (n == 0) return this.fail("bad number");
    if (n > 1 && this.src.charCodeAt(intStart) == 0x30) return this.fail("leading zero");
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail("bad fraction");
    }
    if (this.pos < this.src.length) {
      const e = this.src.charCodeAt(this.pos);
      if (e == 0x65 || e == 0x45) {
        this.pos++;
        if (this.pos < this.src.length) {
          const s = this.src.charCodeAt(this.pos);
          if (s == 0x2b || s == 0x2d) this.pos++;
        }
        if (this.digits() == 0) return this.fail("bad exponent");
      }
    }
    return JValue.num(this.src.substring(start, this.pos));
  }

  /** The value of the 4 hex digits at `p`, or -1. */
  hex4At(p: i32): i32 {
    if (p + 4 > this.src.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.src.charCodeAt(p + i);
      let d = -1;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  /**
   * Parses a string literal starting at the opening quote. Pass 1 finds the
   * closing quote and checks the raw characters; a string without escapes is
   * then one substring, any other is decoded into a buffer no longer than its
   * source. Lone surrogates, escaped or raw, are refused.
   */
  string(): string | null {
    const src = this.src;
    const len = src.length;
    const start = ++this.pos;
    let i = start;
    let escaped = false;
    while (true) {
      if (i >= len) { this.pos = len; this.fail("unterminated string"); return null; }
      const c = unitAt(src, i);
      if (c > 0x5c && c < 0xd800) { i++; continue; } // most characters: nothing to check
      if (c == 0x22) break;
      if (c < 0x20) { this.pos = i; this.fail("control character in string"); return null; }
      if (c == 0x5c) { escaped = true; i += 2; continue; }
      if (isSurrogate(c)) {
        if (!pairedSurrogate(src, i) || c >= 0xdc00) { this.pos = i; this.fail("lone surrogate in string"); return null; }
        i += 2;
        continue;
      }
      i++;
    }
    const end = i;
    if (!escaped) { this.pos = end + 1; return src.substring(start, end); }
    const out = new StaticArray<u16>(end - start);
    let n = 0;
    let j = start;
    while (j < end) {
      const c = unitAt(src, j);
      if (c != 0x5c) { unchecked(out[n++] = <u16>c); j++; continue; }
      const e = unitAt(src, j + 1); // j + 1 < end: pass 1 saw the escaped character

      this.pos = j;
      j += 2;
      if (e == 0x22 || e == 0x5c || e == 0x2f) out[n++] = <u16>e;
      else if (e == 0x62) out[n++] = 0x08;
      else if (e == 0x66) out[n++] = 0x0c;
      else if (e == 0x6e) out[n++] = 0x0a;
      else if (e == 0x72) out[n++] = 0x0d;
      else if (e == 0x74) out[n++] = 0x09;
      else if (e == 0x75) {
        // \uXXXX; a surrogate pair arrives as two escapes and joins back into one UTF-16 pair.
        const u = this.hex4At(j);
        if (u < 0) { this.fail("bad unicode escape"); return null; }
        j += 4;
        if (u >= 0xdc00 && u <= 0xdfff) { this.fail("lone surrogate escape"); return null; }
        if (u >= 0xd800 && u <= 0xdbff) {
          const lo = j + 6 <= end && src.charCodeAt(j) == 0x5c && src.charCodeAt(j + 1) == 0x75 ? this.hex4At(j + 2) : -1;
          if (lo < 0xdc00 || lo > 0xdfff) { this.fail("lone surrogate escape"); return null; }
          out[n++] = <u16>u;
          out[n++] = <u16>lo;
          j += 6;
        } else out[n++] = <u16>u;
      } else { this.fail("bad escape"); return null; }
    }
    this.pos = end + 1;
    return String.UTF16.decodeUnsafe(changetype<usize>(out), <usize>n << 1);
  }

  array(depth: i32): JValue | null {
    this.pos++;
    const arr = JValue.arr();
    this.ws();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x5d) { this.pos++; return arr; }
    while (true) {
      const v = this.value(depth + 1);
      if (v === null) return null;
      arr.items.push(v);
      this.ws();
      if (this.pos >= this.src.length) return this.fail("unterminated array");
      const c = this.src.charCodeAt(this.pos++);
      if (c == 0x5d) return arr;
      if (c != 0x2c) return this.fail("expected , or ]");
    }
  }

  object(depth: i32): JValue | null {
    this.pos++;
    const obj = JValue.obj();
    this.ws();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 0x7d) { this.pos++; return obj; }
    // Member names seen so far, hashed once the object is large enough for a linear check to cost more.
    let seen: KeySet | null = null;
    while (true) {
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x22) return this.fail("expected key");
      // A member name costs what a value does: it counts towards MAX_VALUES.
      if (++this.count > MAX_VALUES) return this.fail("too many values (more than " + MAX_VALUES.toString() + ")");
      const k = this.string();
      if (k === null) return null;
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x3a) return this.fail("expected :");
      this.pos++;
      const v = this.value(depth + 1);
      if (v === null) return null;
      // Duplicate keys are an error (serde rejects them for struct fields too).
      // Linear lookups while the object is small; a hash set beyond, so a message of
      // many members costs linear, not quadratic, time.
      if (seen === null && obj.keys.length >= LINEAR_KEY_CHECK) {
        const set = new KeySet();
        for (let i = 0; i < obj.keys.length; i++) set.add(obj.keys[i]);
        seen = set;
      }
      if (seen !== null) {
        if (!seen.add(k)) return this.fail("duplicate key " + shorten(k));
      } else if (obj.get(k) !== null) return this.fail("duplicate key " + shorten(k));
      obj.keys.push(k);
      obj.values.push(v);
      this.ws();
      if (this.pos >= this.src.length) return this.fail("unterminated object");
      const c = this.src.charCodeAt(this.pos++);
      if (c == 0x7d) return obj;
      if (c != 0x2c) return this.fail("expected , or }");
    }
  }
}
