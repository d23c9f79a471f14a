/**
 * @module core/engine/mpc/_testUtils
 * Helpers shared by the engine's MPC tests (not exported from the engine).
 */

/** All k-subsets of 1..n, in lexicographic order. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === k) return void out.push(acc.slice());
    for (let i = start; i <= n; i++) rec(i + 1, [...acc, i]);
  };
  rec(1, []);
  return out;
}
