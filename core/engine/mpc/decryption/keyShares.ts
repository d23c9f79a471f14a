/**
 * @module core/engine/mpc/decryption/keyShares
 * The secret key as the parties hold it: the dealer's sharing of the big key,
 * and each party's local share of an LWE block's phase b − <a, [s]>. Used by
 * the secure decryption (bitDecomposition.ts) and the threshold service.
 */
import type { LweBlock } from '../../tfhe/ciphertext.js';
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Rng } from '../algebra/random.js';
import { dotLanes, lanesToU64, u16View } from '../algebra/lanes.js';
import { getU64, setU64 } from '../algebra/z64.js';
import { shamirShare } from '../sharing/shamir.js';

/**
 * The dealer's step: Shamir-shares every key bit (constant coefficient) and
 * returns the share vectors of parties 1..n. The caller erases `bits` after.
 *
 * @example
 * const keyShares = dealKeyShares(R, parseClientKey(ck).bigKey.bits, 4, 1, cryptoRng);
 */
export function dealKeyShares(R: GaloisRing, bits: Uint8Array, n: number, t: number, rng: Rng): GrVector[] {
  const secrets = R.alloc(bits.length);
  for (let j = 0; j < bits.length; j++) {
    const b = bits[j]!;
    if (b !== 0 && b !== 1) throw new MpcParameterError(`key coefficient ${j} is ${b}, not a bit`);
    secrets[j * R.limbs] = b;
  }
  return shamirShare(R, secrets, bits.length, n, t, rng);
}

/**
 * This party's share of `b − <a, s>` for one block. Per ring coefficient c,
 * Σ_j a_j · s_{j,c} mod 2^64 is accumulated in four float64 lanes by 16-bit
 * pieces: lane k = Σ_j Σ_{p+q=k} a_j[p] · s_{j,c}[q] (pieces p, q of 16 bits;
 * terms with p+q ≥ 4 vanish mod 2^64). Each term is < 2^32 and a lane sums at
 * most 4 · dim of them: < 2^45 for every TKMS parameter set (dim ≤ 2048), and
 * below 2^53, so exact, for any dim ≤ 2^18 (the bound checked). The lanes are
 * combined once per coefficient. No BigInt per element.
 */
export function phaseShare(R: GaloisRing, block: LweBlock, keyShare: GrVector, out: GrVector = R.alloc(), oi = 0): GrVector {
  const dim = block.mask.length;
  if (keyShare.length !== dim * R.limbs) throw new MpcParameterError(`key share holds ${keyShare.length / R.limbs} coefficients, block has dimension ${dim}`);
  if (dim > 1 << 18) throw new MpcParameterError(`LWE dimension ${dim} too large for exact float64 lanes`);
  const a16 = new Uint16Array(block.mask.buffer, block.mask.byteOffset, dim * 4);
  const s16 = u16View(keyShare);
  const d = R.d;
  const body = R.constant(block.body);
  const lanes = new Float64Array(4);
  for (let c = 0; c < d; c++) {
    lanes.fill(0);
    dotLanes(a16, 0, s16, 4 * c, 4 * d, dim, lanes);
    setU64(out, oi * d + c, getU64(body, c) - lanesToU64(lanes));
  }
  return out;
}
