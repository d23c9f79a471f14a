/**
 * @module core/engine/tfhe/_bincode
 * A strict, bounds-checked reader for the bincode encoding tfhe-rs uses in
 * `safe_serialize` (`bincode::DefaultOptions::new().with_fixint_encoding()`,
 * see tfhe-rs `tfhe/src/safe_serialization.rs`): little-endian fixed-width
 * integers, enum variants as u32, sequences and strings as a u64 length then
 * the items. Every read names the field it reads, so a failure says what was
 * wrong and where.
 */

/** Builds the error thrown on malformed input; the caller picks the class. */
export type FormatErrorFactory = (message: string) => Error;

export class BincodeReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  constructor(
    bytes: Uint8Array,
    private readonly fail: FormatErrorFactory,
  ) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  error(field: string, problem: string): Error {
    return this.fail(`${field} at byte ${this.pos}: ${problem}`);
  }

  private need(field: string, n: number): void {
    if (this.remaining < n) {
      throw this.fail(`truncated: ${field} at byte ${this.pos} needs ${n} bytes, ${this.remaining} left (total ${this.bytes.length})`);
    }
  }

  u32(field: string): number {
    this.need(field, 4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A u64 that must fit a JS number (lengths, moduli, counters). */
  u64(field: string): number {
    this.need(field, 8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    if (hi >= 0x200000) throw this.error(field, `value ${(BigInt(hi) << 32n) | BigInt(lo)} is out of range`);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  u64Big(field: string): bigint {
    this.need(field, 8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  u128(field: string): bigint {
    this.need(field, 16);
    const lo = this.view.getBigUint64(this.pos, true);
    const hi = this.view.getBigUint64(this.pos + 8, true);
    this.pos += 16;
    return (hi << 64n) | lo;
  }

  /** Reads a u32 enum tag / version number and checks it is the one expected. */
  expectU32(field: string, expected: number): void {
    const at = this.pos;
    const v = this.u32(field);
    if (v !== expected) throw this.fail(`${field} at byte ${at}: expected ${expected}, found ${v}`);
  }

  expectU64(field: string, expected: number): void {
    const at = this.pos;
    const v = this.u64(field);
    if (v !== expected) throw this.fail(`${field} at byte ${at}: expected ${expected}, found ${v}`);
  }

  /** A bincode `String`/`&str`: u64 length, then UTF-8 bytes, at most `maxLen`. */
  str(field: string, maxLen: number): string {
    const at = this.pos;
    const len = this.u64(`${field} length`);
    if (len > maxLen) throw this.fail(`${field} at byte ${at}: length ${len} exceeds ${maxLen}`);
    this.need(field, len);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  /** A bincode `Vec<u8>` / byte slice: u64 length, then the bytes, at most `maxLen`. */
  byteVec(field: string, maxLen: number): Uint8Array {
    const at = this.pos;
    const len = this.u64(`${field} length`);
    if (len > maxLen) throw this.fail(`${field} at byte ${at}: length ${len} exceeds ${maxLen}`);
    this.need(field, len);
    const out = this.bytes.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /**
   * `n` u64 values copied into a fresh, 8-byte aligned buffer (the input
   * offsets are not aligned, so no typed-array view of the input is possible).
   */
  u64Array(field: string, n: number): BigUint64Array {
    const bytes = n * 8;
    this.need(field, bytes);
    const buf = new ArrayBuffer(bytes);
    new Uint8Array(buf).set(this.bytes.subarray(this.pos, this.pos + bytes));
    this.pos += bytes;
    return new BigUint64Array(buf);
  }

  /** The u64 `skip` bytes ahead, without moving; undefined when the input ends first or it does not fit a number. */
  peekU64(skip: number): number | undefined {
    if (this.remaining < skip + 8) return undefined;
    const lo = this.view.getUint32(this.pos + skip, true);
    const hi = this.view.getUint32(this.pos + skip + 4, true);
    return hi >= 0x200000 ? undefined : hi * 0x1_0000_0000 + lo;
  }

  skip(field: string, n: number): void {
    this.need(field, n);
    this.pos += n;
  }

  expectEnd(what: string): void {
    if (this.remaining !== 0) {
      throw this.fail(`${this.remaining} trailing byte(s) after the ${what} (byte ${this.pos} of ${this.bytes.length})`);
    }
  }
}
