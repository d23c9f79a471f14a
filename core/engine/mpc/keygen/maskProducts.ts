/**
 * @module core/engine/mpc/keygen/maskProducts
 * The local, linear part of key generation: public masks (expanded from the
 * agreed seed by tfhe-rs, in the native tool) times this party's shares of a
 * secret key. Every GR(2^64, d) coefficient of a share is its own Z/2^64
 * vector (a public integer acts coefficient-wise), so a product is d integer
 * products mod 2^64.
 *
 * Exact mod 2^64 without BigInt per term: operands are cut into 16-bit pieces
 * and accumulated in four float64 lanes (lane k = Σ_{p+q=k} a[p]·s[q]; pieces
 * with p + q ≥ 4 vanish mod 2^64), as `decryption/keyShares.phaseShare` does.
 * Each term is < 2^32 and a lane sums at most 4·len of them, exact below 2^53
 * for len ≤ 2^18 (checked). Lanes are combined once per output coefficient.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { getU64, setU64 } from '../algebra/z64.js';
import { MpcParameterError } from '../errors.js';

const MAX_LEN = 1 << 18;

function lanesToU64(l0: number, l1: number, l2: number, l3: number): bigint {
  return BigInt(l0) + (BigInt(l1) << 16n) + (BigInt(l2) << 32n) + (BigInt(l3) << 48n);
}

function u16View(words: BigUint64Array | Uint32Array): Uint16Array {
  return new Uint16Array(words.buffer, words.byteOffset, words.byteLength / 2);
}

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
  for (let r = 0; r < rows; r++) {
    const rowBase = 4 * (mo + r * dim);
    for (let c = 0; c < d; c++) {
      let l0 = 0;
      let l1 = 0;
      let l2 = 0;
      let l3 = 0;
      for (let j = 0; j < dim; j++) {
        const ab = rowBase + 4 * j;
        const a0 = a16[ab]!;
        const a1 = a16[ab + 1]!;
        const a2 = a16[ab + 2]!;
        const a3 = a16[ab + 3]!;
        const sb = 4 * (j * d + c);
        const s0 = s16[sb]!;
        const s1 = s16[sb + 1]!;
        const s2 = s16[sb + 2]!;
        const s3 = s16[sb + 3]!;
        l0 += a0 * s0;
        l1 += a0 * s1 + a1 * s0;
        l2 += a0 * s2 + a1 * s1 + a2 * s0;
        l3 += a0 * s3 + a1 * s2 + a2 * s1 + a3 * s0;
      }
      const w = (oi + r) * d + c;
      setU64(out, w, getU64(out, w) + lanesToU64(l0, l1, l2, l3));
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
      setU64(out, w, getU64(out, w) + lanesToU64(pos[0]!, pos[1]!, pos[2]!, pos[3]!) - lanesToU64(neg[0]!, neg[1]!, neg[2]!, neg[3]!));
    }
  }
}

/** lanes += Σ_{i<count} a[i] · s[i], a read forward from `aAt`, s from `sAt` by `sStep` (16-bit piece indices). */
function dotLanes(a16: Uint16Array, aAt: number, s16: Uint16Array, sAt: number, sStep: number, count: number, lanes: Float64Array): void {
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
