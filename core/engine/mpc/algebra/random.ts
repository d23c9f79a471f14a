/**
 * @module core/engine/mpc/algebra/random
 * Randomness sources for the engine. Protocols take an `Rng` so that tests can
 * run every party on a fixed seed (as threshold-fhe seeds each party's RNG with
 * its id) while production uses the OS CSPRNG.
 */
import { randomFillSync } from 'node:crypto';

/** A source of uniform u32 words. */
export interface Rng {
  fillU32(out: Uint32Array): void;
  /** Uniform bytes (keys, contributions). */
  bytes(n: number): Uint8Array;
}

/** The OS CSPRNG (`crypto.randomFillSync`). Use this outside tests. */
export const cryptoRng: Rng = {
  fillU32(out) {
    randomFillSync(out);
  },
  bytes(n) {
    return randomFillSync(new Uint8Array(n));
  },
};

/**
 * xoshiro128** (Blackman–Vigna 2018): a small, fast, seeded PRNG for property
 * tests and deterministic simulations. NOT cryptographic.
 *
 * @example
 * const rng = seededRng(42); const w = new Uint32Array(4); rng.fillU32(w);
 */
export function seededRng(seed: number): Rng & { nextU32(): number; below(n: number): number } {
  // splitmix32 expands the seed into a state that is never all-zero.
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = split();
  let s1 = split();
  let s2 = split();
  let s3 = split() | 1;
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  };
  return {
    nextU32,
    below(n: number) {
      return Math.floor((nextU32() / 4294967296) * n);
    },
    fillU32(out) {
      for (let i = 0; i < out.length; i++) out[i] = nextU32();
    },
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = nextU32() & 0xff;
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
