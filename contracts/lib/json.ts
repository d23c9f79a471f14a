/**
 * @module contracts/lib/json
 * A small JSON DOM: parser (RFC 8259, nested objects/arrays, string escapes
 * including surrogate pairs, numbers kept as their source text) and writer.
 * Objects keep key order so a parsed-then-written document stays stable. Numbers
 * are kept as text because CosmWasm JSON carries u64 values (block height) that
 * an f64 cannot hold exactly.
 */

export enum JType { Null, Bool, Num, Str, Arr, Obj }

export class JValue {
  type: JType = JType.Null;
  bool: bool = false;
  /** String value, or the source text of a number. */
  text: string = "";
  items: JValue[] = [];
  keys: string[] = [];
  values: JValue[] = [];

  static nul(): JValue { return new JValue(); }
  static bool(b: bool): JValue { const v = new JValue(); v.type = JType.Bool; v.bool = b; return v; }
  static str(s: string): JValue { const v = new JValue(); v.type = JType.Str; v.text = s; return v; }
  /** A number from its decimal text (caller guarantees it is a JSON number). */
  static num(text: string): JValue { const v = new JValue(); v.type = JType.Num; v.text = text; return v; }
  static arr(): JValue { const v = new JValue(); v.type = JType.Arr; return v; }
  static obj(): JValue { const v = new JValue(); v.type = JType.Obj; return v; }

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
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) { this.values[i] = value; return this; }
    }
    this.keys.push(key);
    this.values.push(value);
    return this;
  }

  setStr(key: string, s: string): JValue { return this.set(key, JValue.str(s)); }

  push(value: JValue): JValue { this.items.push(value); return this; }

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

/** JSON string literal for `s` (escapes quotes, backslash and control characters). */
export function quote(s: string): string {
  let out = "\"";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    out += s.substring(start, i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else out += "\\u00" + HEXDIGITS.charAt(c >> 4) + HEXDIGITS.charAt(c & 15);
    start = i + 1;
  }
  out += s.substring(start);
  return out + "\"";
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

class Parser {
  pos: i32 = 0;
  error: string = "";
  constructor(public src: string) {}

  fail(msg: string): JValue | null {
    if (this.error.length == 0) this.error = msg + " at " + this.pos.toString();
    return null;
  }

  ws(): void {
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.pos++;
    }
  }

  literal(word: string): bool {
    if (this.src.substr(this.pos, word.length) != word) return false;
    this.pos += word.length;
    return true;
  }

  value(depth: i32): JValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting too deep");
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
    const start = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos - start;
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

  hex4(): i32 {
    if (this.pos + 4 > this.src.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.src.charCodeAt(this.pos + i);
      let d = -1;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  /** Parses a string literal starting at the opening quote. */
  string(): string | null {
    this.pos++;
    let out = "";
    let start = this.pos;
    while (true) {
      if (this.pos >= this.src.length) { this.fail("unterminated string"); return null; }
      const c = this.src.charCodeAt(this.pos);
      if (c == 0x22) break;
      if (c < 0x20) { this.fail("control character in string"); return null; }
      if (c != 0x5c) { this.pos++; continue; }
      out += this.src.substring(start, this.pos);
      this.pos++;
      if (this.pos >= this.src.length) { this.fail("unterminated escape"); return null; }
      const e = this.src.charCodeAt(this.pos++);
      if (e == 0x22) out += "\"";
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) {
        // \uXXXX; a surrogate pair arrives as two escapes and joins back into one UTF-16 pair.
        const u = this.hex4();
        if (u < 0) { this.fail("bad unicode escape"); return null; }
        out += String.fromCharCode(u);
      } else { this.fail("bad escape"); return null; }
      start = this.pos;
    }
    out += this.src.substring(start, this.pos);
    this.pos++;
    return out;
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
    while (true) {
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x22) return this.fail("expected key");
      const k = this.string();
      if (k === null) return null;
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 0x3a) return this.fail("expected :");
      this.pos++;
      const v = this.value(depth + 1);
      if (v === null) return null;
      // Duplicate keys are an error (serde rejects them for struct fields too).
      if (obj.get(k) !== null) return this.fail("duplicate key " + k);
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
