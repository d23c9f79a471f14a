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
/** The engine's row labels ("euint64 x64 online latency") as result names ("decrypt.threshold.online.euint64.batch64"). */
function nameOf(label: string): string {
  if (/^triples per second/.test(label)) return 'preprocessing.threshold.triples';
  if (/^random bits per second/.test(label)) return 'preprocessing.threshold.random_bits';
  const m = /^(\w+)( x(\d+))? (online latency|preprocessing|online messages|online bytes)/.exec(label);
  if (!m) return `threshold.${label.replace(/\W+/g, '_')}`;
  const what = { 'online latency': 'decrypt.threshold.online', preprocessing: 'decrypt.threshold.preprocessing', 'online messages': 'decrypt.threshold.messages', 'online bytes': 'decrypt.threshold.bytes' }[m[4]!];
  return `${what}.${m[1]}${m[3] ? `.batch${m[3]}` : ''}`;
}
recordResults(rows.map((r) => ({ name: nameOf(r.name), unit: r.unit, value: r.value, params: { n: r.n, t: r.t, network: 'in-memory', parties_in_one_thread: r.n } })));
process.exit(0);
