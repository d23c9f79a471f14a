/**
 * @module core/engine/mpc/decryption/borrowCircuit
 * The shape of the borrow circuit of bit-decomposition decryption
 * (`bitDecomposition.ts`, step 3), shared by the preprocessing that makes its
 * material and the online phase that evaluates it. Pure bookkeeping: no
 * shares, no network.
 *
 * The borrow β into bit K is the generate signal G of the prefix over bits
 * 0..K−1 of generate/propagate pairs (g_i, p_i), combined as
 * (G, P) ∘ (G', P') = (G + P·G', P·P') (hi ∘ lo). We evaluate that prefix
 * on a shallow tree:
 *
 * - **Leaves** are groups of `leafBits` consecutive bits. With c public,
 *   g_i and p_i are affine in the shared bit r_i, so a group's (G, P) is a
 *   multilinear polynomial in its bits with small integer coefficients
 *   (`leafPolynomials`). The preprocessing supplies [r_S] = Π_{i∈S} r_i for
 *   every subset S of ≥ 2 bits of a group, so a leaf costs no round online.
 * - **Combines** join up to `arity` nodes (children 0 = lowest .. m−1):
 *     G = G_{m−1} + Σ_{k<m−1} (Π_{j>k} P_j)·G_k,   P = Π_j P_j,
 *   a sum of monomials in the children's G and P. Each variable x that
 *   occurs in a monomial of degree ≥ 2 has a preprocessed mask [a_x]
 *   (uniform, PRSS); the preprocessing also supplies [a_S] = Π_{x∈S} a_x for
 *   every subset S (≥ 2 variables) of a monomial. Online, every masked
 *   variable is opened once as d_x = x − a_x (uniform, so it reveals nothing
 *   about x), and then, with d_T = Π_{x∈T} d_x public,
 *     Π_{x∈M} x = Π_{x∈M} (d_x + a_x) = Σ_{S⊆M} d_{M∖S} · [a_S]
 *   is linear in the shares [a_S] ([a_∅] = 1: each party adds the public
 *   d_M, a constant). One robust open per tree level — a Beaver
 *   multiplication generalised to monomials of degree m (Beaver, CRYPTO 1991;
 *   the "multiplication tuples" of Damgård–Nielsen-style protocols).
 *
 * Two shapes (`CircuitShape`): at K = 59,
 * - `CIRCUIT_SHALLOW` (leaves of 4 bits, combines of 4): 15 leaves, 15 → 4 → 1,
 *   2 rounds (the binary tree on single bits took 6), 31 opened values per
 *   block (220), 240 preprocessed products per block (the tree's 110
 *   triples). For material made ahead (the pools): latency is what counts.
 * - `CIRCUIT_LEAN` (leaves of 3 bits, combines of 2): 5 rounds, 52 opened
 *   values, 110 products: the same 169 triples per block as the binary tree.
 *   For material made inline, where preprocessing dominates the latency.
 * P is only computed where a parent needs it (never on the lowest path).
 */

/** Bits per leaf group and children per combine. */
export interface CircuitShape {
  leafBits: number;
  arity: number;
}

/** 2 rounds at K = 59, 240 products per block (module doc). */
export const CIRCUIT_SHALLOW: CircuitShape = { leafBits: 4, arity: 4 };
/** 5 rounds at K = 59, 110 products per block (module doc). */
export const CIRCUIT_LEAN: CircuitShape = { leafBits: 3, arity: 2 };

export interface LeafPlan {
  /** First bit of the group. */
  start: number;
  size: number;
  /** Whether the parent needs this leaf's P. */
  needP: boolean;
  /** Offset of the group's bit products among the block's products. */
  product0: number;
}

export interface CombinePlan {
  /** Node indices at the level below, low to high. */
  children: number[];
  needP: boolean;
  /** The masked variables: child index (within `children`) and which signal. */
  vars: { child: number; p: boolean }[];
  /** Subsets (bitmasks over `vars`) of ≥ 2 variables whose mask products the material holds, by size then value. */
  family: number[];
  /** Bitmask → index in `family` (−1 if absent). */
  familyIndex: Int32Array;
  /** G's monomials of degree ≥ 2 (bitmasks over `vars`); the top child's G is added as is. */
  gTerms: number[];
  /** P's monomial (0 when P is not needed). */
  pTerm: number;
  /** Offset of this combine's masks among the block's masks. */
  mask0: number;
  /** Offset of this combine's mask products among the block's products. */
  product0: number;
  /** G's and P's monomials expanded (`expandMonomials`), what the online phase evaluates. */
  g: ExpandedMonomials;
  p: ExpandedMonomials;
}

/**
 * Σ_M Σ_{S⊆M} d_{M∖S}·[a_S] as flat lists: `constants` are the M whose public
 * d_M every party adds; `terms` holds pairs (T = M∖S, share) with share ≥ 0
 * the mask of variable `share`, < 0 the mask product −1 − share (relative
 * to the combine's offsets); T = 0 means the share is added as is.
 */
export interface ExpandedMonomials {
  constants: Int32Array;
  terms: Int32Array;
}

function expandMonomials(monomials: readonly number[], familyIndex: Int32Array): ExpandedMonomials {
  const constants: number[] = [];
  const terms: number[] = [];
  for (const M of monomials) {
    for (const S of submasks(M)) {
      if (S === 0) constants.push(M);
      else terms.push(M ^ S, popcount(S) === 1 ? Math.log2(S) : -1 - familyIndex[S]!);
    }
  }
  return { constants: Int32Array.from(constants), terms: Int32Array.from(terms) };
}

/** A node of a combine level: a combine, or a child passed up unchanged (a group of one). */
export type NodePlan = { combine: CombinePlan } | { pass: number };

export interface BorrowCircuitPlan {
  K: number;
  shape: CircuitShape;
  leaves: LeafPlan[];
  /** The combine levels, bottom up; the last has one node (none when there is one leaf). */
  levels: NodePlan[][];
  /** Masks per block. */
  masks: number;
  /** Masked variables per block, per level (the values opened in that level's round). */
  openedPerLevel: number[];
  /** Preprocessed products per block: the leaves' bit products, then the combines' mask products. */
  products: number;
  /**
   * Per product p, its two factors: `halves[2p]`, `halves[2p+1]` ≥ 0 index the
   * block's base (bits 0..K−1, then masks), < 0 is the product −1 − h.
   */
  halves: Int32Array;
  /** Per product, the preprocessing round that makes it: ⌈log2 |S|⌉ (1 for pairs). */
  level: Uint8Array;
}

/** Bitmask → index among the subsets of ≥ 2 elements of a `size`-set, by size then value. */
function subsetFamily(masks: Iterable<number>, width: number): { family: number[]; index: Int32Array } {
  const family = [...new Set(masks)].filter((s) => popcount(s) >= 2).sort((a, b) => popcount(a) - popcount(b) || a - b);
  const index = new Int32Array(1 << width).fill(-1);
  family.forEach((s, i) => (index[s] = i));
  return { family, index };
}

export function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** All submasks of `m` (0 and m included). */
export function submasks(m: number): number[] {
  const out: number[] = [];
  for (let s = m; ; s = (s - 1) & m) {
    out.push(s);
    if (s === 0) return out;
  }
}

const PLANS = new Map<string, BorrowCircuitPlan>();

/** The (cached) circuit for the borrow into bit K. */
export function borrowCircuitPlan(K: number, circuit: CircuitShape = CIRCUIT_SHALLOW): BorrowCircuitPlan {
  const key = `${K}/${circuit.leafBits}/${circuit.arity}`;
  let plan = PLANS.get(key);
  if (!plan) PLANS.set(key, (plan = buildPlan(K, circuit)));
  return plan;
}

function buildPlan(K: number, circuit: CircuitShape): BorrowCircuitPlan {
  const { leafBits, arity } = circuit;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`borrow circuit over ${K} bits`);
  // Bitmasks over a combine's ≤ 2·arity variables index typed arrays of 2^(2·arity).
  if (!Number.isInteger(leafBits) || leafBits < 1 || leafBits > 8 || !Number.isInteger(arity) || arity < 2 || arity > 8) throw new RangeError(`unsupported circuit shape ${leafBits}/${arity}`);
  const leafCount = Math.ceil(K / leafBits);
  // Shape, bottom up: each level groups `arity` consecutive nodes.
  const shape: number[][][] = [];
  for (let width = leafCount; width > 1; width = Math.ceil(width / arity)) {
    const groups: number[][] = [];
    for (let s = 0; s < width; s += arity) groups.push(Array.from({ length: Math.min(arity, width - s) }, (_, j) => s + j));
    shape.push(groups);
  }
  // needP, top down: the root's P is never needed; child j needs it if j > 0 or its parent does.
  const needAbove: boolean[][] = [];
  let need = [false];
  for (let l = shape.length - 1; l >= 0; l--) {
    const below: boolean[] = [];
    shape[l]!.forEach((g, node) => g.forEach((_, j) => below.push(j > 0 || need[node]!)));
    needAbove[l] = need;
    need = below;
  }
  const leafNeedP = need;

  const halves: number[] = [];
  const level: number[] = [];
  let products = 0;
  /** Registers the products of `family` (bitmasks over variables whose base indices are `base`). */
  const addFamily = (family: number[], index: Int32Array, base: (v: number) => number, product0: number): void => {
    for (const S of family) {
      const members: number[] = [];
      for (let v = 0; 1 << v <= S; v++) if (S & (1 << v)) members.push(v);
      const h1 = members.slice(0, Math.ceil(members.length / 2));
      const h2 = members.slice(h1.length);
      for (const h of [h1, h2]) {
        if (h.length === 1) halves.push(base(h[0]!));
        else halves.push(-1 - (product0 + index[h.reduce((m, v) => m | (1 << v), 0)]!));
      }
      level.push(Math.ceil(Math.log2(members.length)));
      products++;
    }
  };

  const leaves: LeafPlan[] = [];
  for (let l = 0; l < leafCount; l++) {
    const start = l * leafBits;
    const size = Math.min(leafBits, K - start);
    const { family, index } = leafFamily(size);
    leaves.push({ start, size, needP: leafNeedP[l]!, product0: products });
    addFamily(family, index, (v) => start + v, products);
  }

  let masks = 0;
  const levels: NodePlan[][] = [];
  const openedPerLevel: number[] = [];
  shape.forEach((groups, l) => {
    const before = masks;
    levels.push(
      groups.map((children, node): NodePlan => {
        if (children.length === 1) return { pass: children[0]! };
        const m = children.length;
        const needP = needAbove[l]![node]!;
        const vars: { child: number; p: boolean }[] = [];
        const pVar: number[] = [];
        const gVar: number[] = [];
        for (let j = m - 1; j >= (needP ? 0 : 1); j--) pVar[j] = vars.push({ child: j, p: true }) - 1;
        for (let j = m - 2; j >= 0; j--) gVar[j] = vars.push({ child: j, p: false }) - 1;
        const gTerms: number[] = [];
        for (let k = 0; k < m - 1; k++) {
          let M = 1 << gVar[k]!;
          for (let j = k + 1; j < m; j++) M |= 1 << pVar[j]!;
          gTerms.push(M);
        }
        let pTerm = 0;
        if (needP) for (let j = 0; j < m; j++) pTerm |= 1 << pVar[j]!;
        const { family, index } = subsetFamily([...gTerms, ...(needP ? [pTerm] : [])].flatMap(submasks), vars.length);
        const c: CombinePlan = { children, needP, vars, family, familyIndex: index, gTerms, pTerm, mask0: masks, product0: products, g: expandMonomials(gTerms, index), p: expandMonomials(needP ? [pTerm] : [], index) };
        const K0 = K;
        const mask0 = masks;
        addFamily(family, index, (v) => K0 + mask0 + v, products);
        masks += vars.length;
        return { combine: c };
      }),
    );
    openedPerLevel.push(masks - before);
  });
  return { K, shape: circuit, leaves, levels, masks, openedPerLevel, products, halves: Int32Array.from(halves), level: Uint8Array.from(level) };
}

const LEAF_FAMILIES = new Map<number, { family: number[]; index: Int32Array }>();

/** Subsets of ≥ 2 bits of a leaf of `size` bits (the order of its products). */
export function leafFamily(size: number): { family: number[]; index: Int32Array } {
  let f = LEAF_FAMILIES.get(size);
  if (!f) LEAF_FAMILIES.set(size, (f = subsetFamily(Array.from({ length: 1 << size }, (_, s) => s), size)));
  return f;
}

/**
 * A leaf polynomial as the online phase evaluates it: the constant, then
 * pairs (share, coefficient) with share ≥ 0 the bit `share` of the group and
 * < 0 the bit product −1 − share (relative to the leaf's offset).
 */
export interface LeafTerms {
  constant: number;
  terms: Int32Array;
}

const LEAF_TERMS = new Map<number, { G: LeafTerms; P: LeafTerms }>();

/** `leafPolynomials` flattened to its non-zero terms (cached). */
export function leafTerms(size: number, cbits: number): { G: LeafTerms; P: LeafTerms } {
  const key = (size << 16) | cbits;
  let t = LEAF_TERMS.get(key);
  if (t) return t;
  const { index } = leafFamily(size);
  const flat = (poly: Int32Array): LeafTerms => {
    const terms: number[] = [];
    for (let S = 1; S < poly.length; S++) if (poly[S] !== 0) terms.push(popcount(S) === 1 ? Math.log2(S) : -1 - index[S]!, poly[S]!);
    return { constant: poly[0]!, terms: Int32Array.from(terms) };
  };
  const polys = leafPolynomials(size, cbits);
  t = { G: flat(polys.G), P: flat(polys.P) };
  LEAF_TERMS.set(key, t);
  return t;
}

const LEAF_POLYS = new Map<number, { G: Int32Array; P: Int32Array }>();

/**
 * A leaf's (G, P) as multilinear polynomials in its bits r_0..r_{size−1}
 * (coefficient of Π_{i∈S} r_i at index S), given the public bits `cbits` of
 * c over the group: g_i = r_i if c_i = 0 else 0; p_i = r_i if c_i = 1 else
 * 1 − r_i; G, P ← g_i + p_i·G, p_i·P from the lowest bit up.
 */
export function leafPolynomials(size: number, cbits: number): { G: Int32Array; P: Int32Array } {
  const key = (size << 16) | cbits;
  let polys = LEAF_POLYS.get(key);
  if (polys) return polys;
  const N = 1 << size;
  let G = new Int32Array(N);
  let P = new Int32Array(N);
  for (let i = 0; i < size; i++) {
    const bit = 1 << i;
    const c = (cbits >> i) & 1;
    if (i === 0) {
      if (c === 0) G[bit] = 1;
      if (c === 1) P[bit] = 1;
      else {
        P[0] = 1;
        P[bit] = -1;
      }
      continue;
    }
    // p_i = α + β r_i; g_i = γ r_i.
    const [alpha, beta, gamma] = c === 1 ? [0, 1, 0] : [1, -1, 1];
    const G2 = new Int32Array(N);
    const P2 = new Int32Array(N);
    for (let S = 0; S < bit; S++) {
      G2[S] = alpha * G[S]!;
      G2[S | bit] = beta * G[S]!;
      P2[S] = alpha * P[S]!;
      P2[S | bit] = beta * P[S]!;
    }
    G2[bit] = G2[bit]! + gamma;
    G = G2;
    P = P2;
  }
  polys = { G, P };
  LEAF_POLYS.set(key, polys);
  return polys;
}
