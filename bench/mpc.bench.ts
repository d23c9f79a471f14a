/**
 * @module bench/mpc.bench
 * Micro-benchmarks of the engine's MPC layers (pure code, one process):
 *   node dist/bench/mpc.bench.js   (part of `make bench`)
 * Best of several runs per figure; printed and written to bench/results.json.
 */
import { performance } from 'node:perf_hooks';
import { ringForParties } from '../core/engine/mpc/algebra/galoisRing.js';
import { seededRng } from '../core/engine/mpc/algebra/random.js';
import { InMemoryHub } from '../core/engine/mpc/network/inMemory.js';
import { runParties } from '../core/engine/mpc/network/runParties.js';
import { Prss, prssSetup, type PrssKeys } from '../core/engine/mpc/prss/prss.js';
import { robustOpen, robustReconstruct } from '../core/engine/mpc/sharing/robustOpen.js';
import { reconstruct, shamirShare } from '../core/engine/mpc/sharing/shamir.js';
import { phaseShare } from '../core/engine/mpc/decryption/keyShares.js';
import { printMachine, recordResults, type BenchResult } from './_results.js';

const results: BenchResult[] = [];
let current: Record<string, number> = {};

function time(label: string, reps: number, fn: () => unknown, per = 1, unit = 'value', name?: string): void {
  fn(); // warm-up
  // Best of `reps`: the machine is shared, the minimum is the least noisy figure.
  let ms = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  console.log(`${label.padEnd(58)} ${ms.toFixed(3).padStart(9)} ms   (${((ms * 1000) / per).toFixed(2)} µs/${unit})`);
  if (name) results.push({ name, unit: `us/${unit}`, value: (ms * 1000) / per, params: { ...current, reps } });
}

async function main(): Promise<void> {
  const COUNT = 1000;
  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    const R = ringForParties(n);
    const rng = seededRng(n);
    console.log(`\n== (n, t) = (${n}, ${t}), GR(2^64, ${R.d}) ==`);
    current = { n, t, d: R.d, values: COUNT };
    const secrets = R.random(rng, COUNT);
    const shares = shamirShare(R, secrets, COUNT, n, t, rng);
    const all = new Map(shares.map((s, i) => [i + 1, s]));
    time(`shamirShare ${COUNT} values`, 5, () => shamirShare(R, secrets, COUNT, n, t, rng), COUNT);
    time(`reconstruct (Lagrange, t+1 shares) ${COUNT} values`, 10, () => reconstruct(R, t, all, COUNT), COUNT, 'value', 'mpc.reconstruct');
    time(`robustReconstruct ${COUNT} values, honest`, 10, () => robustReconstruct(R, { n, t }, all, COUNT), COUNT, 'value', 'mpc.robust_open.decode.honest');
    const bad = new Map(all);
    for (let p = 1; p <= t; p++) bad.set(p, R.random(rng, COUNT));
    time(`robustReconstruct ${COUNT} values, t random liars`, 10, () => robustReconstruct(R, { n, t }, bad, COUNT), COUNT, 'value', 'mpc.robust_open.decode.t_liars');
    // The slow path: one call per value, so a liar found earlier is not excluded in advance.
    const single = Array.from({ length: 200 }, (_, v) => {
      const m = new Map([...all].map(([p, s]) => [p, R.get(s, v)]));
      const p = 1 + (v % n);
      m.set(p, R.add(m.get(p)!, R.constant(1n << BigInt(v % 64))));
      return m;
    });
    time('robustReconstruct, 1 value with 1 wrong share (slow path)', 5, () => single.forEach((m) => robustReconstruct(R, { n, t }, m, 1)), single.length);

    const hub = new InMemoryHub({ timeoutMs: 1000 });
    let ms = Infinity;
    for (let r = 0; r < 20; r++) {
      const t0 = performance.now();
      await runParties(n, t, (net) => robustOpen(net, R, t, shares[net.self - 1]!, COUNT), { hub });
      ms = Math.min(ms, performance.now() - t0);
    }
    console.log(`${`robustOpen over in-memory network, ${n} parties × ${COUNT} values`.padEnd(58)} ${ms.toFixed(3).padStart(9)} ms   (all parties, one thread)`);
    results.push({ name: 'mpc.robust_open.in_memory', unit: 'ms', value: ms, params: { ...current, parties_in_one_thread: n } });

    const setup = await runParties(n, t, (net) => prssSetup(net, t, seededRng(net.self)));
    const prss = new Prss(R, setup.outputs.get(1) as PrssKeys);
    time(`PRSS random: ${COUNT} shares (one party)`, 5, () => prss.random('bench', COUNT), COUNT, 'value', 'mpc.prss.random');
    time(`PRZS zero: ${COUNT} shares (one party)`, 5, () => prss.zero('bench', COUNT), COUNT, 'value', 'mpc.przs.zero');

    const mask = new BigUint64Array(2048);
    for (let j = 0; j < 2048; j++) mask[j] = (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
    const keyShare = R.random(rng, 2048);
    const block = { mask, body: 12345n, degree: 3, noiseLevel: 1, messageModulus: 4, carryModulus: 4 };
    time('phaseShare: b − <a,[s]> for one 2048-dim block', 200, () => phaseShare(R, block, keyShare), 1, 'block', 'mpc.phase_share');
  }
}

printMachine();
await main();
recordResults(results);
