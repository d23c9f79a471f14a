/**
 * @module core/engine/mpc/preprocessing/pool
 * A pool of decryption material (random bits, masks and their products) filled ahead of
 * demand, so a request's online phase does not wait for preprocessing
 * (DESIGN.md §5: "pools are filled ahead of demand").
 *
 * Rules the caller must keep (they are what make the pool safe):
 * - **Same order everywhere.** Material is shares of *joint* randomness: party
 *   i's k-th block of material only matches party j's k-th block. Every party must add
 *   batches and take material in the same order (e.g. requests ordered by the
 *   chain, refills by a counter), or opens fail.
 * - **Use once.** Taken material is consumed; reusing a triple or a mask bit
 *   in two decryptions leaks (two masked opens c1 − c2 = x1 − x2).
 * - **Restart: discard.** The pool lives in memory only and is empty after a
 *   restart; all parties refill together in a new preprocessing session (its
 *   fresh session id gives fresh PRSS tags). Persisting material would need
 *   encryption at rest and a cross-party agreement on what was consumed; not
 *   done.
 *
 * @example
 * const pool = new DecryptionMaterialPool(R, { lowWaterBlocks: 64 });
 * if (pool.needsRefill()) pool.add(await preprocessDecryption(refillSession, 256));
 * const material = pool.take(32); // one euint64
 */
import { MpcParameterError } from '../errors.js';
import type { GaloisRing } from '../algebra/galoisRing.js';
import { DecryptionMaterial, joinMaterial } from '../decryption/bitDecomposition.js';

export interface DecryptionMaterialPoolOptions {
  /** `needsRefill()` turns true when fewer blocks than this are available. */
  lowWaterBlocks: number;
  /** Digit width W (4 for the default parameters). */
  W?: number;
}

export class DecryptionMaterialPool {
  private material: DecryptionMaterial;
  private readonly K: number;

  constructor(
    readonly R: GaloisRing,
    readonly options: DecryptionMaterialPoolOptions,
  ) {
    this.K = 63 - (options.W ?? 4);
    this.material = this.empty();
  }

  private empty(): DecryptionMaterial {
    return new DecryptionMaterial(this.R, this.K, this.R.alloc(0), this.R.alloc(0), this.R.alloc(0));
  }

  /** Blocks' worth of material available. */
  get blocks(): number {
    return this.material.blocksLeft;
  }

  needsRefill(): boolean {
    return this.blocks < this.options.lowWaterBlocks;
  }

  /** Appends a preprocessed batch (in the same order on every party). */
  add(batch: DecryptionMaterial): void {
    this.material = joinMaterial(this.R, [this.material, batch]);
  }

  /** Material for `blocks` blocks, consumed from the front; throws when the pool is short. */
  take(blocks: number): DecryptionMaterial {
    if (blocks > this.blocks) throw new MpcParameterError(`decryption material for ${blocks} blocks requested, ${this.blocks} available`);
    const m = this.material.take(blocks);
    return new DecryptionMaterial(this.R, this.K, m.bits.slice(), m.masks.slice(), m.products.slice());
  }

  /** Drops everything (what a restart does). */
  clear(): void {
    this.material = this.empty();
  }
}
