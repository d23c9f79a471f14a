/**
 * @module core/engine/mpc/algebra/lanes
 * Exact dot products mod 2^64 of public words with share coefficients,
 * without BigInt per term: operands are cut into 16-bit pieces and summed in
 * four float64 lanes (lane k = Σ_{p+q=k} a[p]·s[q]; pieces with p + q ≥ 4
 * vanish mod 2^64). Each term is < 2^32 and a lane gains < 2^34 per step, so
 * sums stay exact below 2^53 for up to 2^18 terms (callers check). Used by the
 * decryption's phase (keyShares.ts) and the key generation's mask products.
 */

/** lanes += Σ_{i<count} a[i] · s[i], a read forward from `aAt`, s from `sAt` by `sStep` (16-bit piece indices). */
export function dotLanes(a16: Uint16Array, aAt: number, s16: Uint16Array, sAt: number, sStep: number, count: number, lanes: Float64Array): void {
  let l0 = lanes[0]!;
  let l1 = lanes[1]!;
  let l2 = lanes[2]!;
  let l3 = lanes[3]!;
  let ab = aAt;
  let sb = sAt;
  for (let i = 0; i < count; i++, ab += 4, sb += sStep) {
    const a0 = a16[ab]!;
    const a1 = a16[ab + 1]!;
    const a2 = a16[ab + 2]!;
    const a3 = a16[ab + 3]!;
    const s0 = s16[sb]!;
    const s1 = s16[sb + 1]!;
    const s2 = s16[sb + 2]!;
    const s3 = s16[sb + 3]!;
    l0 += a0 * s0;
    l1 += a0 * s1 + a1 * s0;
    l2 += a0 * s2 + a1 * s1 + a2 * s0;
    l3 += a0 * s3 + a1 * s2 + a2 * s1 + a3 * s0;
  }
  lanes[0] = l0;
  lanes[1] = l1;
  lanes[2] = l2;
  lanes[3] = l3;
}

/** The lanes combined: their sum mod 2^64 is the dot product. */
export function lanesToU64(lanes: Float64Array): bigint {
  return BigInt(lanes[0]!) + (BigInt(lanes[1]!) << 16n) + (BigInt(lanes[2]!) << 32n) + (BigInt(lanes[3]!) << 48n);
}

/** 16-bit pieces of a word vector (little-endian platforms, as Node on x86/arm). */
export function u16View(words: BigUint64Array | Uint32Array): Uint16Array {
  return new Uint16Array(words.buffer, words.byteOffset, words.byteLength / 2);
}
