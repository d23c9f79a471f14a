/**
 * @module core/engine/mpc/algebra/z64
 * Z/2^64 on pairs of u32 limbs: word `i` of a vector `v` is
 * `v[2i] + 2^32 · v[2i+1]` (the little-endian layout of a BigUint64Array, so a
 * mask read by `new Uint32Array(u64.buffer)` needs no copy). No BigInt in these
 * functions: they are the inner loops of every protocol.
 *
 * Products use 16-bit halves so that every partial product is exact in a
 * float64 (< 2^32), and `Math.imul` for the parts that only matter mod 2^32.
 */

/** Limb product scratch: `[lo, hi]` of the last `mulWide32` call. */
const WIDE = new Uint32Array(2);
// A module-level binding: under a VM context (Jest) a global `Math` lookup per call is slow.
const imul = Math.imul;

/**
 * Full 64-bit product of two u32 into `WIDE` (internal, allocation-free).
 * hi = a1·b1 + ((a0·b1 + a1·b0 + (a0·b0 >> 16)) >> 16) with a = a1·2^16 + a0.
 */
function mulWide32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  WIDE[1] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  WIDE[0] = imul(a, b);
}

/** `out[o] = a[ao] + b[bo] mod 2^64` (one word; `out` may alias an input). */
export function add64(out: Uint32Array, o: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  const s = a[ao]! + b[bo]!;
  out[o + 1] = a[ao + 1]! + b[bo + 1]! + (s > 0xffffffff ? 1 : 0);
  out[o] = s;
}

/** `out[o] = a[ao] − b[bo] mod 2^64`. */
export function sub64(out: Uint32Array, o: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  const s = a[ao]! - b[bo]!;
  out[o + 1] = a[ao + 1]! - b[bo + 1]! - (s < 0 ? 1 : 0);
  out[o] = s;
}

/** `out[o] = a[ao] · b[bo] mod 2^64`. */
export function mul64(out: Uint32Array, o: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  const al = a[ao]!;
  const ah = a[ao + 1]!;
  const bl = b[bo]!;
  const bh = b[bo + 1]!;
  mulWide32(al, bl);
  out[o + 1] = WIDE[1]! + imul(al, bh) + imul(ah, bl);
  out[o] = WIDE[0]!;
}

/** `acc[o] += a[ao] · b[bo] mod 2^64` (the multiply-accumulate of ring products). */
export function mulAdd64(acc: Uint32Array, o: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  const al = a[ao]!;
  const ah = a[ao + 1]!;
  const bl = b[bo]!;
  const bh = b[bo + 1]!;
  mulWide32(al, bl);
  const s = acc[o]! + WIDE[0]!;
  acc[o + 1] = acc[o + 1]! + WIDE[1]! + imul(al, bh) + imul(ah, bl) + (s > 0xffffffff ? 1 : 0);
  acc[o] = s;
}

/** `acc[o] −= a[ao] · b[bo] mod 2^64`. */
export function mulSub64(acc: Uint32Array, o: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): void {
  const al = a[ao]!;
  const ah = a[ao + 1]!;
  const bl = b[bo]!;
  const bh = b[bo + 1]!;
  mulWide32(al, bl);
  const s = acc[o]! - WIDE[0]!;
  acc[o + 1] = acc[o + 1]! - WIDE[1]! - imul(al, bh) - imul(ah, bl) - (s < 0 ? 1 : 0);
  acc[o] = s;
}

/** Reads word `i` of a limb vector as a bigint (edges and tests only). */
export function getU64(v: Uint32Array, i: number): bigint {
  return (BigInt(v[2 * i + 1]!) << 32n) | BigInt(v[2 * i]!);
}

/** Writes `x mod 2^64` as word `i` of a limb vector (edges and tests only). */
export function setU64(v: Uint32Array, i: number, x: bigint): void {
  const y = BigInt.asUintN(64, x);
  v[2 * i] = Number(y & 0xffffffffn);
  v[2 * i + 1] = Number(y >> 32n);
}

/** A limb vector of `words.length` words. */
export function fromU64s(words: readonly bigint[]): Uint32Array {
  const v = new Uint32Array(2 * words.length);
  words.forEach((w, i) => setU64(v, i, w));
  return v;
}

/** The words of a limb vector as bigints. */
export function toU64s(v: Uint32Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < v.length >>> 1; i++) out.push(getU64(v, i));
  return out;
}

/** Zero-copy limb view of a BigUint64Array (little-endian platforms, as Node on x86/arm). */
export function limbsOf(u64: BigUint64Array): Uint32Array {
  return new Uint32Array(u64.buffer, u64.byteOffset, u64.length * 2);
}
