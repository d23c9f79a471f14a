/**
 * @module core/engine/mpc/keygen/maskProducts
 * The local, linear part of key generation: public masks (expanded from the
 * agreed seed by tfhe-rs, in the native tool) times this party's shares of a
 * secret key. Every GR(2^64, d) coefficient of a share is its own Z/2^64
 * vector (a public integer acts coefficient-wise), so a product is d integer
 * products mod 2^64.
 *
 * Exact mod 2^64 without BigInt per term (algebra/lanes.ts, shared with the
 * decryption's phase), for up to 2^18 terms (checked); lanes are combined
 * once per output coefficient.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { dotLanes, lanesToU64, u16View } from '../algebra/lanes.js';
import { getU64, setU64 } from '../algebra/z64.js';
import { MpcParameterError } from '../errors.js';

const MAX_LEN = 1 << 18;

/**
 * out[oi + r] += Σ_j a_{r,j} · key[j] for the LWE rows r < rows whose masks
 * are `masks[(mo + r·dim) … + dim)`: the mask part of LWE bodies.
 */
export function addLweMaskProducts(R: GaloisRing, masks: BigUint64Array, mo: number, rows: number, dim: number, key: GrVector, out: GrVector, oi: number): void {
  if (key.length !== dim * R.limbs) throw new MpcParameterError(`LWE key share holds ${key.length / R.limbs} coefficients, masks have dimension ${dim}`);
  if (dim > MAX_LEN) throw new MpcParameterError(`LWE dimension ${dim} too large for exact float64 lanes`);
  if (mo + rows * dim > masks.length) throw new MpcParameterError(`masks end at word ${masks.length}, rows need ${mo + rows * dim}`);
  const a16 = u16View(masks);
  const s16 = u16View(key);
  const d = R.d;
  const lanes = new Float64Array(4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) {
      lanes.fill(0);
      dotLanes(a16, 4 * (mo + r * dim), s16, 4 * c, 4 * d, dim, lanes);
      const w = (oi + r) * d + c;
      setU64(out, w, getU64(out, w) + lanesToU64(lanes));
    }
  }
}

/**
 * out[oi … oi + N) += Σ_m A_m(X) · S_m(X) mod (X^N + 1), for the k public
 * mask polynomials at `masks[mo …  mo + k·N)` and the shared GLWE key
 * polynomials S_m = key[m·N … (m+1)·N): the mask part of one GLWE body.
 * Negacyclic: X^N = −1, so a product term whose degree wraps is subtracted.
 */
export function addGlweMaskProducts(R: GaloisRing, masks: BigUint64Array, mo: number, k: number, N: number, key: GrVector, out: GrVector, oi: number): void {
  if (key.length !== k * N * R.limbs) throw new MpcParameterError(`GLWE key share holds ${key.length / R.limbs} coefficients, expected ${k} × ${N}`);
  if (k * N > MAX_LEN) throw new MpcParameterError(`GLWE key of ${k} × ${N} coefficients too large for exact float64 lanes`);
  if (mo + k * N > masks.length) throw new MpcParameterError(`masks end at word ${masks.length}, row needs ${mo + k * N}`);
  const a16 = u16View(masks);
  const s16 = u16View(key);
  const d = R.d;
  const pos = new Float64Array(4);
  const neg = new Float64Array(4);
  for (let q = 0; q < N; q++) {
    for (let c = 0; c < d; c++) {
      pos.fill(0);
      neg.fill(0);
      for (let m = 0; m < k; m++) {
        const aBase = 4 * (mo + m * N);
        const sCoeff = (j: number): number => 4 * ((m * N + j) * d + c);
        // i ≤ q: X^i · X^(q−i) = X^q;  i > q: X^i · X^(q+N−i) = X^(q+N) = −X^q
        dotLanes(a16, aBase, s16, sCoeff(q), -4 * d, q + 1, pos);
        if (q + 1 < N) dotLanes(a16, aBase + 4 * (q + 1), s16, sCoeff(N - 1), -4 * d, N - 1 - q, neg);
      }
      const w = (oi + q) * d + c;
      setU64(out, w, getU64(out, w) + lanesToU64(pos) - lanesToU64(neg));
    }
  }
}
