import { describe, expect, test } from '@jest/globals';
import { seededRng } from '../algebra/random.js';
import { CIRCUIT_LEAN, CIRCUIT_SHALLOW, borrowCircuitPlan, leafPolynomials, leafTerms, popcount, submasks, type CircuitShape, type ExpandedMonomials, type LeafTerms } from './borrowCircuit.js';

const M64 = (1n << 64n) - 1n;
const rng = seededRng(17);
const rand64 = (): bigint => (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());

/**
 * The plan evaluated in the clear over Z/2^64 as the online phase does over
 * the ring, from the same flattened term lists: leaves linear in the bits
 * and the bits' products, combines from d = x − a and the masks' products.
 * Must give the borrow [c mod 2^K < r mod 2^K].
 */
function clearBorrow(K: number, circuit: CircuitShape, c: bigint, r: bigint): bigint {
  const plan = borrowCircuitPlan(K, circuit);
  const bits = Array.from({ length: K }, (_, i) => (r >> BigInt(i)) & 1n);
  const masks = Array.from({ length: plan.masks }, rand64);
  const products: bigint[] = [];
  const factor = (h: number): bigint => (h < 0 ? products[-1 - h]! : h < K ? bits[h]! : masks[h - K]!);
  for (let p = 0; p < plan.products; p++) products.push((factor(plan.halves[2 * p]!) * factor(plan.halves[2 * p + 1]!)) & M64);
  // Leaves from their flattened terms (leafTerms), as bitDecomposition.ts reads them.
  let G = plan.leaves.map((leaf) => {
    const cbits = Number((c >> BigInt(leaf.start)) & ((1n << BigInt(leaf.size)) - 1n));
    const terms = leafTerms(leaf.size, cbits);
    const value = (lt: LeafTerms): bigint => {
      let v = BigInt(lt.constant);
      for (let i = 0; i < lt.terms.length; i += 2) {
        const ref = lt.terms[i]!;
        v += BigInt(lt.terms[i + 1]!) * (ref >= 0 ? bits[leaf.start + ref]! : products[leaf.product0 - 1 - ref]!);
      }
      return v & M64;
    };
    return [value(terms.G), leaf.needP ? value(terms.P) : undefined] as const;
  });
  // Combines from the expanded monomials (CombinePlan.g / .p), as bitDecomposition.ts evaluates them.
  for (const nodes of plan.levels) {
    G = nodes.map((node) => {
      if ('pass' in node) return G[node.pass]!;
      const cp = node.combine;
      const x = cp.vars.map((v) => G[cp.children[v.child]!]![v.p ? 1 : 0]!);
      const d = x.map((xv, i) => (xv - masks[cp.mask0 + i]!) & M64);
      const dOf = (T: number): bigint => submasks(T).reduce((acc, s) => (popcount(s) === 1 ? (acc * d[Math.log2(s)]!) & M64 : acc), 1n);
      const value = (e: ExpandedMonomials, start: bigint): bigint => {
        let v = start;
        for (const M of e.constants) v += dOf(M);
        for (let i = 0; i < e.terms.length; i += 2) {
          const ref = e.terms[i + 1]!;
          v += dOf(e.terms[i]!) * (ref >= 0 ? masks[cp.mask0 + ref]! : products[cp.product0 - 1 - ref]!);
        }
        return v & M64;
      };
      return [value(cp.g, G[cp.children[cp.children.length - 1]!]![0]!), cp.needP ? value(cp.p, 0n) : undefined] as const;
    });
  }
  return G[0]![0]!;
}

describe('borrow circuit plan', () => {
  test('default: every leaf polynomial equals the bit-by-bit prefix on every input', () => {
    for (let size = 1; size <= 5; size++) {
      for (let cbits = 0; cbits < 1 << size; cbits++) {
        const { G, P } = leafPolynomials(size, cbits);
        for (let r = 0; r < 1 << size; r++) {
          let g = 0;
          let p = 1;
          for (let i = 0; i < size; i++) {
            const ci = (cbits >> i) & 1;
            const ri = (r >> i) & 1;
            const gi = ci === 0 ? ri : 0;
            const pi = ci === ri ? 1 : 0;
            g = gi + pi * g;
            p = pi * p;
          }
          const at = (poly: Int32Array): number => submasks(r).reduce((s, S) => s + poly[S]!, 0);
          expect([at(G), at(P)]).toEqual([g, p]);
        }
      }
    }
  });

  for (const circuit of [CIRCUIT_SHALLOW, CIRCUIT_LEAN, { leafBits: 1, arity: 2 }, { leafBits: 2, arity: 3 }, { leafBits: 5, arity: 5 }]) {
    test(`default: circuit ${circuit.leafBits}/${circuit.arity} in the clear gives the borrow for every K from 1 to 62 and random c, r`, () => {
      for (let K = 1; K <= 62; K++) {
        const mask = (1n << BigInt(K)) - 1n;
        for (let rep = 0; rep < 5; rep++) {
          const c = rand64() & mask;
          // Edge cases too: equal values, and values differing in the lowest bit only.
          const r = rep === 0 ? c : rep === 1 ? c ^ 1n : rand64() & mask;
          expect(clearBorrow(K, circuit, c, r)).toBe(c < r ? 1n : 0n);
        }
      }
    });
  }

  test('default: shapes at K = 59 (shallow: 15 leaves, 15 → 4 → 1; lean: 20 leaves, 5 levels) and products closed under halving', () => {
    const shallow = borrowCircuitPlan(59, CIRCUIT_SHALLOW);
    expect(shallow.leaves.map((l) => l.size)).toEqual([...Array(14).fill(4), 3]);
    expect(shallow.levels.map((nodes) => nodes.length)).toEqual([4, 1]);
    expect(shallow.openedPerLevel).toEqual([25, 6]);
    expect([shallow.masks, shallow.products]).toEqual([31, 240]);
    const lean = borrowCircuitPlan(59, CIRCUIT_LEAN);
    expect(lean.levels.map((nodes) => nodes.length)).toEqual([10, 5, 3, 2, 1]);
    expect(lean.products).toBe(110);
    for (const plan of [shallow, lean]) {
      // P is never needed on the lowest path; every combine has at most `arity` children.
      expect(plan.leaves[0]!.needP).toBe(false);
      for (const nodes of plan.levels) for (const node of nodes) if ('combine' in node) expect(node.combine.children.length).toBeLessThanOrEqual(plan.shape.arity);
      // Factors of a product are made in an earlier preprocessing round.
      for (let p = 0; p < plan.products; p++) {
        for (const h of [plan.halves[2 * p]!, plan.halves[2 * p + 1]!]) if (h < 0) expect(plan.level[-1 - h]!).toBeLessThan(plan.level[p]!);
      }
    }
  });
});
