/**
 * @module core/engine/mpc/decryption/insecurePhaseOpen
 * Threshold decryption of tfhe-rs radix ciphertexts with a dealer-shared big
 * key, by opening the phase. **Not secure: for testing the pipeline only.**
 *
 * Each party holds Shamir shares [s_j] (degree t over GR(2^64, d), the key
 * bit as constant coefficient) of the big-key bits (2048 by default). The phase is linear in
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
import type { ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Network } from '../network/network.js';
import { robustOpen, type RobustOpenReturnType } from '../sharing/robustOpen.js';
import { phaseShare } from './keyShares.js';

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
