/**
 * @module core/engine/mpc/decryption/insecurePhaseOpen
 * Threshold decryption of tfhe-rs radix ciphertexts with a dealer-shared big
 * key, by opening the phase. **Not secure: for testing the pipeline only.**
 *
 * Each party holds Shamir shares [s_j] (degree t over GR(2^64, d), the key
 * bit as constant coefficient) of the 2048 big-key bits. The phase is linear in
 * the key, so every party computes its share of `b − <a, s>` locally:
 *   [phase] = b − Σ_j a_j · [s_j]      (a_j, b ∈ Z/2^64 act as ring scalars)
 * and the parties robust-open it, then round off the noise in the clear.
 *
 * Why it must not be used in production: the opened phase is m·Δ + e, and the
 * noise e (about 2^50 after a PBS, DESIGN.md §4) is a linear function of the
 * secret key and the encryption randomness; with the ciphertexts' masks
 * public, a few thousand opened phases give linear equations that recover
 * the key. Flooding the noise before opening is impossible at q = 2^64 (no
 * room above 2^50 below Δ = 2^59). The secure protocol opens only
 * `round(phase/Δ)`: bit decomposition of the phase in MPC against a mask of
 * shared random bits (README.md, "Next: bit decomposition").
 */
import { FHE_TYPE_INFO } from '../../../../common/fheTypes.js';
import { decodePhase } from '../../tfhe/decrypt.js';
import type { LweBlock, ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Rng } from '../algebra/random.js';
import { getU64, setU64 } from '../algebra/z64.js';
import type { Network } from '../network/network.js';
import { robustOpen, type RobustOpenReturnType } from '../sharing/robustOpen.js';
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
 * most 4 · 2048 of them, < 2^45: exact. The lanes are combined once per
 * coefficient. No BigInt per element.
 */
export function phaseShare(R: GaloisRing, block: LweBlock, keyShare: GrVector, out: GrVector = R.alloc(), oi = 0): GrVector {
  const dim = block.mask.length;
  if (keyShare.length !== dim * R.limbs) throw new MpcParameterError(`key share holds ${keyShare.length / R.limbs} coefficients, block has dimension ${dim}`);
  if (dim > 1 << 20) throw new MpcParameterError(`LWE dimension ${dim} too large for exact float64 lanes`);
  const a16 = new Uint16Array(block.mask.buffer, block.mask.byteOffset, dim * 4);
  const s16 = new Uint16Array(keyShare.buffer, keyShare.byteOffset, keyShare.length * 2);
  const d = R.d;
  const body = R.constant(block.body);
  for (let c = 0; c < d; c++) {
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let j = 0; j < dim; j++) {
      const ab = 4 * j;
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
    const sum = BigInt(l0) + (BigInt(l1) << 16n) + (BigInt(l2) << 32n) + (BigInt(l3) << 48n);
    setU64(out, oi * d + c, getU64(body, c) - sum);
  }
  return out;
}

export interface InsecureDecryptionReturnType {
  plaintext: bigint;
  /** The opened phases, one per block (what makes this insecure). */
  phases: bigint[];
  open: Pick<RobustOpenReturnType, 'cheaters' | 'missing'>;
}

/**
 * INSECURE (leaks the noise, hence eventually the key — module doc). Opens the
 * phases of all blocks of a ciphertext with one robust open, then decodes and
 * recombines them as `decryptCiphertext` does. For testing the threshold
 * pipeline against node-tfhe only; never wire this into a service.
 */
export async function openPhaseInsecureForTesting(net: Network, R: GaloisRing, t: number, ct: ParsedCiphertext, keyShare: GrVector): Promise<InsecureDecryptionReturnType> {
  const count = ct.blocks.length;
  const shares = R.alloc(count);
  ct.blocks.forEach((b, k) => phaseShare(R, b, keyShare, shares, k));
  const opened = await robustOpen(net, R, t, shares, count);
  const phases: bigint[] = [];
  for (let k = 0; k < count; k++) {
    const coeffs = R.toBigints(opened.values, k);
    // A sharing of a Z/2^64 value opens to a constant; anything else means the dealt key was not one.
    if (coeffs.slice(1).some((c) => c !== 0n)) throw new MpcParameterError(`phase of block ${k} opened to a non-constant ring element: the key shares are not of bits`);
    phases.push(coeffs[0]!);
  }
  return { plaintext: recombine(ct, phases), phases, open: { cheaters: opened.cheaters, missing: opened.missing } };
}

/** Per-block rounding and little-endian recombination (as `tfhe/decrypt.ts`). */
function recombine(ct: ParsedCiphertext, phases: readonly bigint[]): bigint {
  const decode = (k: number): number => {
    const b = ct.blocks[k]!;
    const p = phases[k]!;
    return decodePhase({ lo: Number(p & 0xffffffffn), hi: Number(p >> 32n) }, b.messageModulus, b.carryModulus);
  };
  if (ct.type === 'ebool') return decode(0) % ct.blocks[0]!.messageModulus !== 0 ? 1n : 0n;
  let value = 0n;
  let shift = 0n;
  for (let k = 0; k < ct.blocks.length; k++) {
    value += BigInt(decode(k)) << shift;
    shift += BigInt(Math.log2(ct.blocks[k]!.messageModulus));
  }
  return value & ((1n << BigInt(FHE_TYPE_INFO[ct.type].bits)) - 1n);
}
