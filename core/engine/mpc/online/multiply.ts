/**
 * @module core/engine/mpc/online/multiply
 * Beaver multiplication of shared values (Beaver, CRYPTO 1991), batched: all
 * products of one circuit layer cost one robust open.
 *
 * With a triple ([a], [b], [c = ab]):
 *   open d = x − a and e = y − b (robustly, degree t: up to t wrong or missing
 *   shares are corrected and their senders named),
 *   [z] = [c] + d·[b] + e·[a] + d·e        (= xy, since (d + a)(e + b) = xy).
 * d and e are uniform (a, b uniform and unknown), so they reveal nothing about
 * x, y. Every operation is a GR(2^64, d) ring operation: the formula holds in
 * any commutative ring, and robust opening works over the Galois ring
 * (`sharing/robustOpen.ts`).
 */
import { MpcParameterError } from '../errors.js';
import type { GrVector } from '../algebra/galoisRing.js';
import type { Triples } from '../preprocessing/triples.js';
import type { MpcSession } from './session.js';

/**
 * This party's shares of x_v · y_v for v < count (one round).
 *
 * @example
 * const xy = await beaverMultiply(session, x, y, sliceTriples(R, pool, 0, count), count);
 */
export async function beaverMultiply(session: MpcSession, x: GrVector, y: GrVector, triples: Triples, count: number): Promise<GrVector> {
  const R = session.R;
  if (triples.count !== count) throw new MpcParameterError(`multiplying ${count} values needs ${count} triples, got ${triples.count}`);
  if (x.length !== count * R.limbs || y.length !== count * R.limbs) throw new MpcParameterError(`beaverMultiply: operands must hold ${count} elements`);
  const de = R.alloc(2 * count);
  for (let v = 0; v < count; v++) {
    R.subInto(de, v, x, v, triples.a, v);
    R.subInto(de, count + v, y, v, triples.b, v);
  }
  const opened = await session.open(de, 2 * count, 'beaver');
  const z = R.alloc(count);
  const de1 = R.alloc();
  for (let v = 0; v < count; v++) {
    R.copyInto(z, v, triples.c, v);
    R.mulAddInto(z, v, opened, v, triples.b, v);
    R.mulAddInto(z, v, opened, count + v, triples.a, v);
    R.mulInto(de1, 0, opened, v, opened, count + v);
    R.addInto(z, v, z, v, de1, 0);
  }
  return z;
}
