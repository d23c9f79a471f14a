/**
 * @module contracts/checker/reader
 * A bounds-checked cursor over wasm bytes with the LEB128 decoders of the
 * WebAssembly binary format (core spec §5.2.2).
 */

export class WasmFormatError extends Error {
  override name = 'WasmFormatError';
}

export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
    readonly end = bytes.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of data at offset ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) {
        const last = this.u8();
        if (last & 0x80) throw new WasmFormatError(`u32 LEB128 too long at offset ${this.pos}`);
        result += (last & 0x7f) * 2 ** 35;
        break;
      }
    }
    if (result > 0xffffffff) throw new WasmFormatError(`u32 out of range at offset ${this.pos}`);
    return result;
  }

  /** Signed LEB128 of at most `bits` bits; returned as a number (precision only matters for s33 block types). */
  sleb(bits: 32 | 33 | 64): number {
    let result = 0;
    let shift = 0;
    let b: number;
    const maxBytes = Math.ceil(bits / 7);
    let n = 0;
    do {
      b = this.u8();
      if (++n > maxBytes) throw new WasmFormatError(`signed LEB128 too long at offset ${this.pos}`);
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 64 && b & 0x40) result -= 2 ** shift;
    return result;
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new WasmFormatError(`unexpected end of data at offset ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.take(n);
  }

  name(): string {
    const len = this.u32();
    return new TextDecoder('utf-8', { fatal: true }).decode(this.take(len));
  }

  /** A sub-reader over the next `n` bytes; this reader moves past them. */
  sub(n: number): ByteReader {
    if (this.pos + n > this.end) throw new WasmFormatError(`section overruns the module at offset ${this.pos}`);
    const r = new ByteReader(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}
