#!/usr/bin/env node
/**
 * @module bench/threshold.bench
 * Threshold decryption (bit decomposition in MPC) at n = 4 and n = 7 over the
 * in-memory network: preprocessing throughput, online latency for ebool, euint8
 * and euint64 (single and a batch of 64), messages and bytes per decryption.
 * All n parties share this process's one thread: a real party does 1/n of it.
 * `node dist/bench/threshold.bench.js`
 */
import { runBitDecompositionBench } from '../core/engine/mpc/decryption/bitDecomposition.bench.js';
import { printMachine, recordResults } from './_results.js';

printMachine();
const rows = await runBitDecompositionBench({ parties: [[4, 1], [7, 2]], batch: 64 });
recordResults(rows.map((r) => ({ name: r.name, unit: r.unit, value: r.value, params: { n: r.n, t: r.t, network: 'in-memory', parties_in_one_thread: r.n } })));
process.exit(0);
