/**
 * @module core/engine/mpc/decryption/bitDecomposition
 * Threshold decryption of tfhe-rs radix ciphertexts that never opens the
 * phase: the noise is rounded off inside the MPC by a borrow circuit on
 * shared random bits, and only the plaintext digits are opened. The secure
 * replacement for `openPhaseInsecureForTesting` (DESIGN.md §5; eprint 2025/699,
 * "bit decomposition" decryption mode; threshold-fhe `online/bit_manipulation.rs`).
 *
 * Per block, with Δ = 2^K (K = 63 − W, 2^W = message·carry modulus; K = 59,
 * W = 4 for the default parameters) the digit is m = bits K..K+W−1 of
 * x = phase + 2^{K−1} (`tfhe/decrypt.ts`, `decodePhase`). Steps:
 *
 *  1. Local: [x] = b − <a, [s]> + 2^{K−1} (`phaseShare`).
 *  2. Mask: [r] = Σ_{i<K} 2^i [r_i] + 2^K [s'] with r_i shared random bits
 *     (`randomBits.ts`) and s' from PRSS. r mod 2^64 is uniform, so
 *     c = x + r, opened robustly, reveals nothing about x. (The higher
 *     coefficients of c are 2^K·s'_j for j ≥ 1: random, independent of x.)
 *  3. Borrow: x = c − r, so with c public, x >> K = (c >> K) − s' − β where
 *     β = [c mod 2^K < r mod 2^K] is the borrow into bit K. β is a prefix of
 *     generate/propagate pairs: borrow_{i+1} = g_i ∨ (p_i ∧ borrow_i) with
 *       g_i = ¬c_i ∧ r_i,  p_i = ¬(c_i ⊕ r_i),
 *     both *linear* in r_i because c_i is public (g_i = r_i or 0; p_i = r_i or
 *     1 − r_i). g_i and p_i are never both 1, so ∨ is +, and groups combine as
 *       (G, P) ∘ (G', P') = (G + P·G', P·P')   (hi ∘ lo).
 *     `borrowCircuit.ts` evaluates that prefix on a shallow tree: leaves of 4
 *     bits are linear in preprocessed products of their bits (no round), and
 *     nodes of up to 4 children are combined in one round each by opening
 *     every variable once against a preprocessed mask (a Beaver
 *     multiplication generalised to monomials). At K = 59: 15 leaves, 15 → 4
 *     → 1, 2 rounds, 31 opened values per block (the binary tree on single
 *     bits took 6 rounds and 220 opened values). That is `CIRCUIT_SHALLOW`,
 *     for material made ahead; `CIRCUIT_LEAN` (leaves of 3, combines of 2:
 *     5 rounds, 169 triples per block) suits material made inline.
 *  4. Output: [V] = (c >> K) − [s'] − [β] + 2^M [s''] (s'' from PRSS,
 *     2^M = message modulus ≤ 2^W), open V robustly: m = V mod 2^M. The
 *     2^M·s'' mask hides everything of V above the M message bits: the carry
 *     bits of the digit (not part of the plaintext; blocks whose degree says
 *     they may hold carries are refused before any round, `requireCleanCarries`),
 *     and the borrow out of bit 63, which would leak a comparison of the noise
 *     with c.
 *
 * All blocks of all ciphertexts of a call run in the same rounds: 1 (mask) +
 * 2 (circuit) + 1 (output) = 4 robust opens online (7 with the lean
 * circuit). Preprocessing per block (`preprocessDecryption`): K random bits,
 * 31 masks (PRSS), and 240 products (158 of bits within a leaf, 82 of
 * masks), i.e. K + 240 = 299 triples and 2 rounds of Beaver multiplications
 * after the bits.
 *
 * What a party sees of x: c (uniform), the d = x − a of the circuit's
 * variables (uniform, each mask used once), V (the message digit plus a
 * uniform multiple of 2^M); in preprocessing only the d, e of Beaver multiplications
 * of random values. Tests assert that these are the only opens. Robustness: every open is a degree-t robust open,
 * so t wrong or missing shares are corrected and their senders named; with
 * more than t the open fails (`RobustOpenError`) rather than return a wrong
 * value, except against the rushing adversary of `sharing/robustOpen.ts`
 * (documented limit of the bound t).
 */
import { FHE_TYPE_INFO } from '../../../../common/fheTypes.js';
import { requireCleanCarries, type ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { add64, getU64, mulAdd64, setU64 } from '../algebra/z64.js';
import { beaverMultiply } from '../online/multiply.js';
import type { MpcSession } from '../online/session.js';
import { generateRandomBits } from '../preprocessing/randomBits.js';
import { generateTriples, sliceTriples, type Triples } from '../preprocessing/triples.js';
import { CIRCUIT_SHALLOW, borrowCircuitPlan, leafTerms, type BorrowCircuitPlan, type CircuitShape, type CombinePlan, type ExpandedMonomials, type LeafTerms } from './borrowCircuit.js';
import { phaseShare } from './keyShares.js';

/** Digit width W and Δ exponent K of a block (2^W = message · carry modulus, K = 63 − W). */
export function blockLayout(messageModulus: number, carryModulus: number): { W: number; K: number } {
  const W = Math.log2(messageModulus * carryModulus);
  if (!Number.isInteger(W) || W < 1 || W > 30) throw new MpcParameterError(`unsupported moduli: message ${messageModulus}, carry ${carryModulus}`);
  return { W, K: 63 - W };
}

/** Online rounds, opened values and preprocessed products per block of the borrow circuit over K bits (module doc, step 3). */
export function borrowCircuitCost(K: number, circuit: CircuitShape = CIRCUIT_SHALLOW): { rounds: number; openedPerBlock: number; masks: number; products: number } {
  const plan = borrowCircuitPlan(K, circuit);
  return { rounds: plan.levels.length, openedPerBlock: plan.openedPerLevel.reduce((a, b) => a + b, 0), masks: plan.masks, products: plan.products };
}

/** This party's shares of one block's preprocessed material, consumed by the online phase. */
export interface BlockMaterial {
  /** K random bits r_0..r_{K−1}. */
  bits: GrVector;
  /** The circuit's masks (`BorrowCircuitPlan.masks`). */
  masks: GrVector;
  /** The leaves' bit products, then the combines' mask products (`BorrowCircuitPlan.products`). */
  products: GrVector;
}

/** Preprocessed material for a number of blocks, consumed in order by the online phase. */
export class DecryptionMaterial {
  private at = 0;
  readonly blocks: number;
  readonly plan: BorrowCircuitPlan;
  constructor(
    readonly R: GaloisRing,
    /** The Δ exponent the material was made for (K = 63 − W). */
    readonly K: number,
    /** Block-major: K bits per block. */
    readonly bits: GrVector,
    /** Block-major: `plan.masks` per block. */
    readonly masks: GrVector,
    /** Block-major: `plan.products` per block. */
    readonly products: GrVector,
    /** The circuit the material was made for. */
    readonly circuit: CircuitShape = CIRCUIT_SHALLOW,
  ) {
    this.plan = borrowCircuitPlan(K, circuit);
    const L = R.limbs;
    this.blocks = bits.length / (L * K);
    if (!Number.isInteger(this.blocks) || masks.length !== this.blocks * this.plan.masks * L || products.length !== this.blocks * this.plan.products * L) {
      throw new MpcParameterError(`decryption material sizes do not match ${this.blocks} blocks at K = ${K}`);
    }
  }
  get blocksLeft(): number {
    return this.blocks - this.at;
  }
  /** The next `count` blocks' material (views into this one), consumed. */
  take(count: number): BlockMaterial {
    if (count > this.blocksLeft) throw new MpcParameterError(`need material for ${count} blocks, ${this.blocksLeft} left`);
    const L = this.R.limbs;
    const { K, plan } = this;
    const from = this.at;
    this.at += count;
    return {
      bits: this.bits.subarray(from * K * L, (from + count) * K * L),
      masks: this.masks.subarray(from * plan.masks * L, (from + count) * plan.masks * L),
      products: this.products.subarray(from * plan.products * L, (from + count) * plan.products * L),
    };
  }
}

/** Bits, masks, products and triples (bits + products) that `blocks` blocks of 2^W = 16 need. */
export function decryptionCost(blocks: number, W = 4, circuit: CircuitShape = CIRCUIT_SHALLOW): { bits: number; masks: number; products: number; triples: number } {
  const K = 63 - W;
  const plan = borrowCircuitPlan(K, circuit);
  return { bits: blocks * K, masks: blocks * plan.masks, products: blocks * plan.products, triples: blocks * (K + plan.products) };
}

/**
 * Preprocessing for `blocks` blocks (default parameters) of the borrow
 * circuit `circuit` (borrowCircuit.ts: the shallow one by default, for
 * material made ahead; the lean one costs fewer triples when the online
 * phase follows at once): triples, random bits, PRSS masks, then the
 * circuit's products by Beaver multiplication. 2 + 3(t+1) (triples) + 2
 * (bits) + 2 (products) rounds, plus the triple check's blame rounds after a
 * cheat.
 *
 * @example
 * const material = await preprocessDecryption(session, 32); // one euint64
 */
export async function preprocessDecryption(session: MpcSession, blocks: number, W = 4, circuit: CircuitShape = CIRCUIT_SHALLOW): Promise<DecryptionMaterial> {
  const R = session.R;
  const K = 63 - W;
  const plan = borrowCircuitPlan(K, circuit);
  const cost = decryptionCost(blocks, W, circuit);
  const all = await generateTriples(session, cost.triples);
  const bits = await generateRandomBits(session, cost.bits, sliceTriples(R, all, 0, cost.bits));
  const masks = session.prss.random(session.nextTag('dec/masks'), cost.masks);
  const products = await circuitProducts(session, plan, blocks, bits, masks, sliceTriples(R, all, cost.bits, cost.products));
  return new DecryptionMaterial(R, K, bits, masks, products, circuit);
}

/**
 * The circuit's products (`BorrowCircuitPlan.halves`) for `blocks` blocks,
 * one batched Beaver multiplication per level (pairs, then sets of 3–4).
 */
async function circuitProducts(session: MpcSession, plan: BorrowCircuitPlan, blocks: number, bits: GrVector, masks: GrVector, triples: Triples): Promise<GrVector> {
  const R = session.R;
  const { K, products: np, masks: nm, halves } = plan;
  const out = R.alloc(blocks * np);
  const factor = (k: number, h: number): [GrVector, number] => (h < 0 ? [out, k * np - 1 - h] : h < K ? [bits, k * K + h] : [masks, k * nm + h - K]);
  let used = 0;
  const maxLevel = plan.level.reduce((a, b) => Math.max(a, b), 0);
  for (let level = 1; level <= maxLevel; level++) {
    const at: number[] = [];
    for (let p = 0; p < np; p++) if (plan.level[p] === level) at.push(p);
    const count = blocks * at.length;
    if (count === 0) continue;
    const lhs = R.alloc(count);
    const rhs = R.alloc(count);
    let i = 0;
    for (let k = 0; k < blocks; k++) {
      for (const p of at) {
        const [x, xi] = factor(k, halves[2 * p]!);
        const [y, yi] = factor(k, halves[2 * p + 1]!);
        R.copyInto(lhs, i, x, xi);
        R.copyInto(rhs, i++, y, yi);
      }
    }
    const prod = await beaverMultiply(session, lhs, rhs, sliceTriples(R, triples, used, count), count);
    used += count;
    i = 0;
    for (let k = 0; k < blocks; k++) for (const p of at) R.copyInto(out, k * np + p, prod, i++);
  }
  return out;
}

/** Joins material produced in several batches (a pool): what is left of each, in order. */
export function joinMaterial(R: GaloisRing, parts: readonly DecryptionMaterial[]): DecryptionMaterial {
  const K = parts[0]?.K ?? 59;
  const circuit = parts[0]?.circuit ?? CIRCUIT_SHALLOW;
  if (parts.some((p) => p.K !== K || p.plan !== parts[0]!.plan)) throw new MpcParameterError('joining decryption material made for different block layouts or circuits');
  const taken = parts.map((p) => p.take(p.blocksLeft));
  const cat = (pick: (m: BlockMaterial) => GrVector): GrVector => {
    const out = new Uint32Array(taken.reduce((s, m) => s + pick(m).length, 0));
    let o = 0;
    for (const m of taken) {
      out.set(pick(m), o);
      o += pick(m).length;
    }
    return out;
  };
  return new DecryptionMaterial(
    R,
    K,
    cat((m) => m.bits),
    cat((m) => m.masks),
    cat((m) => m.products),
    circuit,
  );
}

export interface ThresholdDecryptionReturnType {
  /** One plaintext per ciphertext. */
  plaintexts: bigint[];
  /** The opened digits, per ciphertext, per block. */
  digits: number[][];
  /** Parties proven to deviate (so far in this session). */
  cheaters: number[];
}

/** This party's shares of the output values [V] of step 4 (one per block, all ciphertexts in order). */
export interface DecryptionSharesReturnType {
  /** B ring elements: V = m + 2^W·s'' (degree-t Shamir sharing; m = V mod 2^W), W = log2(message modulus). */
  shares: GrVector;
  /** Width W of the opened digit: the message bits only (log2 of the message modulus). */
  W: number;
  /** Parties proven to deviate (so far in this session). */
  cheaters: number[];
}

/**
 * Steps 1–4 of the module doc without the final open: this party's shares of
 * [V]. For user decryption (DESIGN.md §3.3): each party hands its share to the
 * user (signcrypted), who robustly reconstructs V and reads m = V mod 2^W (W
 * the message bits only); the
 * parties never learn the plaintext. 3 rounds (mask + circuit; 6 with the
 * lean circuit).
 *
 * @example
 * const { shares, W } = await thresholdDecryptShares(session, [ct], keyShare, material);
 */
export async function thresholdDecryptShares(session: MpcSession, cts: readonly ParsedCiphertext[], keyShare: GrVector, material: DecryptionMaterial): Promise<DecryptionSharesReturnType> {
  const { R, prss } = session;
  const blocks = cts.flatMap((ct) => ct.blocks);
  const B = blocks.length;
  if (B === 0) return { shares: R.alloc(0), W: 0, cheaters: [...session.excluded].sort((a, b) => a - b) };
  cts.forEach((ct) => requireCleanCarries(ct));
  const layouts = blocks.map((b) => blockLayout(b.messageModulus, b.carryModulus));
  const { K } = layouts[0]!;
  if (layouts.some((l) => l.K !== K) || blocks.some((b) => b.messageModulus !== blocks[0]!.messageModulus)) {
    throw new MpcParameterError('all blocks of a decryption batch must share message and carry moduli');
  }
  // Only the message bits are opened: the digit's carry bits stay under the mask.
  const M = Math.log2(blocks[0]!.messageModulus);

  // 1. [x] = phase + 2^{K−1}.
  const x = R.alloc(B);
  blocks.forEach((b, k) => phaseShare(R, b, keyShare, x, k));
  const offset = R.constant(1n << BigInt(K - 1));
  for (let k = 0; k < B; k++) R.addInto(x, k, x, k, offset, 0);

  // 2. Mask with K shared bits and 2^K·s', open c.
  if (material.K !== K) throw new MpcParameterError(`decryption material made for K = ${material.K}, blocks need K = ${K}`);
  const mat = material.take(B);
  const bits = mat.bits;
  const sHigh = prss.random(session.nextTag('dec/s1'), B);
  const sOut = prss.random(session.nextTag('dec/s2'), B);
  const masked = R.alloc(B);
  for (let k = 0; k < B; k++) {
    // Horner: 2^K·s' + Σ_{i<K} 2^i r_i, by doubling.
    R.copyInto(masked, k, sHigh, k);
    for (let i = K - 1; i >= 0; i--) {
      R.addInto(masked, k, masked, k, masked, k);
      R.addInto(masked, k, masked, k, bits, k * K + i);
    }
    R.addInto(masked, k, masked, k, x, k);
  }
  const c = await session.open(masked, B, 'mask');

  // 3. The borrow β = G of the prefix over bits 0..K−1 (borrowCircuit.ts).
  const G = await borrowCircuit(session, c, mat, B, material.plan);

  // 4. [V] = (c >> K) − [s'] − [β] + 2^M [s''], open, m = V mod 2^M.
  const V = R.alloc(B);
  const pow2 = new Uint32Array(2);
  setU64(pow2, 0, 1n << BigInt(M));
  const tmp = R.alloc();
  for (let k = 0; k < B; k++) {
    setU64(V, k * R.d, getU64(c, k * R.d) >> BigInt(K));
    R.subInto(V, k, V, k, sHigh, k);
    R.subInto(V, k, V, k, G, k);
    R.mulScalarInto(tmp, 0, sOut, k, pow2, 0);
    R.addInto(V, k, V, k, tmp, 0);
  }
  return { shares: V, W: M, cheaters: [...session.excluded].sort((a, b) => a - b) };
}

/**
 * Decrypts `cts` (all blocks in parallel, 4 rounds; 7 with the lean circuit) with this party's share of
 * the big key, consuming `material`: `thresholdDecryptShares`, then a robust
 * open of [V].
 *
 * @example
 * const { plaintexts } = await thresholdDecrypt(session, [ct], keyShare, material);
 */
export async function thresholdDecrypt(session: MpcSession, cts: readonly ParsedCiphertext[], keyShare: GrVector, material: DecryptionMaterial): Promise<ThresholdDecryptionReturnType> {
  const { R } = session;
  const B = cts.reduce((s, ct) => s + ct.blocks.length, 0);
  if (B === 0) return { plaintexts: [], digits: [], cheaters: [...session.excluded].sort((a, b) => a - b) };
  const { shares: V, W } = await thresholdDecryptShares(session, cts, keyShare, material);
  const opened = await session.open(V, B, 'output');
  const mask = (1 << W) - 1;
  const flat: number[] = [];
  for (let k = 0; k < B; k++) flat.push(Number(R.toBigints(opened, k)[0]! & BigInt(mask)));
  const digits: number[][] = [];
  let at = 0;
  for (const ct of cts) {
    digits.push(flat.slice(at, at + ct.blocks.length));
    at += ct.blocks.length;
  }
  return { plaintexts: cts.map((ct, i) => recombineDigits(ct, digits[i]!)), digits, cheaters: [...session.excluded].sort((a, b) => a - b) };
}

/**
 * Step 3 (borrowCircuit.ts): this party's shares of β for each of the B
 * blocks, from the opened c and the blocks' material. One robust open per
 * combine level (2 at K = 59).
 */
async function borrowCircuit(session: MpcSession, c: GrVector, mat: BlockMaterial, B: number, plan: BorrowCircuitPlan): Promise<GrVector> {
  const R = session.R;
  const L = R.limbs;
  const K = plan.K;
  const { masks: nm, products: np } = plan;
  const { bits, masks, products } = mat;
  const scalar = new Uint32Array(2);
  /** out[oi] += coef · src[si] (coef a small integer). */
  const addScaled = (out: GrVector, oi: number, src: GrVector, si: number, coef: number): void => {
    if (coef === 1) R.addInto(out, oi, out, oi, src, si);
    else if (coef === -1) R.subInto(out, oi, out, oi, src, si);
    else {
      scalar[0] = coef >>> 0;
      scalar[1] = coef < 0 ? 0xffffffff : 0;
      for (let j = 0; j < L; j += 2) mulAdd64(out, oi * L + j, src, si * L + j, scalar, 0);
    }
  };

  // Leaves: (G, P) linear in the group's bits and their preprocessed products.
  let width = plan.leaves.length;
  let G = R.alloc(B * width);
  let P = R.alloc(B * width);
  const addLeaf = (out: GrVector, node: number, lt: LeafTerms, bit0: number, product0: number): void => {
    if (lt.constant !== 0) {
      // A public constant: every party adds it to its share.
      scalar[0] = lt.constant >>> 0;
      scalar[1] = lt.constant < 0 ? 0xffffffff : 0;
      add64(out, node * L, out, node * L, scalar, 0);
    }
    const terms = lt.terms;
    for (let i = 0; i < terms.length; i += 2) {
      const ref = terms[i]!;
      if (ref >= 0) addScaled(out, node, bits, bit0 + ref, terms[i + 1]!);
      else addScaled(out, node, products, product0 - 1 - ref, terms[i + 1]!);
    }
  };
  for (let k = 0; k < B; k++) {
    const lo = c[k * L]!;
    const hi = c[k * L + 1]!;
    for (let l = 0; l < width; l++) {
      const leaf = plan.leaves[l]!;
      let cbits = 0;
      for (let i = 0; i < leaf.size; i++) {
        const b = leaf.start + i;
        cbits |= ((b < 32 ? lo >>> b : hi >>> (b - 32)) & 1) << i;
      }
      const lt = leafTerms(leaf.size, cbits);
      const node = k * width + l;
      addLeaf(G, node, lt.G, k * K + leaf.start, k * np + leaf.product0);
      if (leaf.needP) addLeaf(P, node, lt.P, k * K + leaf.start, k * np + leaf.product0);
    }
  }

  // Combine levels: open d_x = x − a_x for every masked variable, then Σ_{S⊆M} d_{M∖S}·[a_S] per monomial.
  for (let l = 0; l < plan.levels.length; l++) {
    const nodes = plan.levels[l]!;
    const opened = plan.openedPerLevel[l]!;
    const d = R.alloc(B * opened);
    for (let k = 0; k < B; k++) {
      let o = k * opened;
      for (const node of nodes) {
        if (!('combine' in node)) continue;
        const cp = node.combine;
        cp.vars.forEach((v, i) => R.subInto(d, o++, v.p ? P : G, k * width + cp.children[v.child]!, masks, k * nm + cp.mask0 + i));
      }
    }
    const D = await session.open(d, B * opened, 'beaver');
    const next = nodes.length;
    const G2 = R.alloc(B * next);
    const P2 = R.alloc(B * next);
    const dprod = R.alloc(1 << (2 * plan.shape.arity));
    for (let k = 0; k < B; k++) {
      let o = k * opened;
      nodes.forEach((node, q) => {
        const at = k * next + q;
        if ('pass' in node) {
          R.copyInto(G2, at, G, k * width + node.pass);
          R.copyInto(P2, at, P, k * width + node.pass);
          return;
        }
        const cp = node.combine;
        combineNode(R, cp, D, o, dprod, masks, k * nm, products, k * np, G, P, k * width, G2, P2, at);
        o += cp.vars.length;
      });
    }
    G = G2;
    P = P2;
    width = next;
  }
  return G;
}

/**
 * One combine (borrowCircuit.ts): G = G_top + Σ gTerms, P = pTerm, each
 * monomial M as Σ_{S⊆M} d_{M∖S}·[a_S] from the opened d (at `D[o..]`).
 */
function combineNode(
  R: GaloisRing,
  cp: CombinePlan,
  D: GrVector,
  o: number,
  dprod: GrVector,
  masks: GrVector,
  m0: number,
  products: GrVector,
  p0: number,
  G: GrVector,
  P: GrVector,
  c0: number,
  G2: GrVector,
  P2: GrVector,
  at: number,
): void {
  // d_T for every T in the family (singletons are the opened values).
  cp.vars.forEach((_, i) => R.copyInto(dprod, 1 << i, D, o + i));
  for (const T of cp.family) {
    const low = T & -T;
    R.mulInto(dprod, T, dprod, T ^ low, dprod, low);
  }
  const m = m0 + cp.mask0;
  const p = p0 + cp.product0 - 1;
  const addMonomials = (out: GrVector, e: ExpandedMonomials): void => {
    for (let i = 0; i < e.constants.length; i++) R.addInto(out, at, out, at, dprod, e.constants[i]!); // public: every party adds it
    const terms = e.terms;
    for (let i = 0; i < terms.length; i += 2) {
      const T = terms[i]!;
      const ref = terms[i + 1]!;
      const a = ref >= 0 ? masks : products;
      const ai = ref >= 0 ? m + ref : p - ref;
      if (T === 0) R.addInto(out, at, out, at, a, ai);
      else R.mulAddInto(out, at, dprod, T, a, ai);
    }
  };
  const top = cp.children.length - 1;
  R.copyInto(G2, at, G, c0 + cp.children[top]!);
  addMonomials(G2, cp.g);
  if (cp.needP) addMonomials(P2, cp.p);
}

/** Little-endian base-(message modulus) recombination, as `decryptCiphertext` (booleans: 0n / 1n). */
export function recombineDigits(ct: ParsedCiphertext, digits: readonly number[]): bigint {
  if (ct.type === 'ebool') return digits[0]! % ct.blocks[0]!.messageModulus !== 0 ? 1n : 0n;
  let value = 0n;
  let shift = 0n;
  ct.blocks.forEach((b, k) => {
    value += BigInt(digits[k]!) << shift;
    shift += BigInt(Math.log2(b.messageModulus));
  });
  return value & ((1n << BigInt(FHE_TYPE_INFO[ct.type].bits)) - 1n);
}
