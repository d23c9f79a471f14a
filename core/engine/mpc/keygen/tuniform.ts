/**
 * @module core/engine/mpc/keygen/tuniform
 * Shared TUniform noise from shared random bits, with no interaction.
 *
 * tfhe-rs's TUniform(B) takes values in [−2^B, 2^B], each interior value with
 * probability 2^−(B+1) and the two ends with 2^−(B+2). With B + 2 uniform bits
 * b_0 … b_{B+1}:  e = Σ_{i≤B} 2^i·b_i + b_{B+1} − 2^B.  The sum U of the first
 * B + 1 bits is uniform on [0, 2^{B+1} − 1]; adding the last bit gives every
 * interior value of [0, 2^{B+1}] from two (U, b) pairs and each end from one,
 * which is exactly TUniform shifted by 2^B. The map is linear in the bits, so
 * each party applies it to its shares (the public −2^B is added to every share:
 * Lagrange coefficients at 0 sum to 1) and nobody learns the noise.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { fromU64s } from '../algebra/z64.js';
import { MpcParameterError } from '../errors.js';

/** Random bits one TUniform(B) sample consumes. */
export function tUniformBits(boundLog2: number): number {
  if (!Number.isInteger(boundLog2) || boundLog2 < 0 || boundLog2 > 60) throw new MpcParameterError(`TUniform bound 2^${boundLog2} outside 2^0..2^60`);
  return boundLog2 + 2;
}

/**
 * Shares of `count` TUniform(2^boundLog2) samples from `count · (B + 2)` bit
 * shares (sample k from bits k·(B+2) …), written to `out` from element `oi`.
 */
export function tUniformFromBits(R: GaloisRing, bits: GrVector, count: number, boundLog2: number, out: GrVector = R.alloc(count), oi = 0): GrVector {
  const per = tUniformBits(boundLog2);
  if (bits.length < count * per * R.limbs) throw new MpcParameterError(`${count} TUniform(2^${boundLog2}) samples need ${count * per} bits, got ${bits.length / R.limbs}`);
  // Weights 2^0 … 2^B for the first B + 1 bits, 1 for the last.
  const weights = fromU64s(Array.from({ length: per }, (_, i) => (i <= boundLog2 ? 1n << BigInt(i) : 1n)));
  const term = R.alloc();
  const offset = R.constant(-(1n << BigInt(boundLog2)));
  for (let k = 0; k < count; k++) {
    R.copyInto(out, oi + k, offset, 0);
    const base = k * per;
    for (let i = 0; i < per; i++) {
      R.mulScalarInto(term, 0, bits, base + i, weights, i);
      R.addInto(out, oi + k, out, oi + k, term, 0);
    }
  }
  return out;
}
