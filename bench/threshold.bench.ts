#!/usr/bin/env node
/**
 * @module bench/threshold.bench
 * Threshold decryption (bit decomposition in MPC) at n = 4 and n = 7:
 *  1. over real loopback gRPC with mutual TLS, every party in its own worker
 *     thread (`_thresholdTransport.ts`): triples/s, bits/s, online latency
 *     for ebool, euint8, euint64 (single and a batch of 64) with preprocessed
 *     material, inline (preprocessing + online) and through the decryption
 *     pool, messages and bytes per decryption counted by PeerTransport;
 *  2. over the in-memory network, all n parties on this one thread (the
 *     engine's compute alone; a real party does 1/n of it). Skipped with
 *     `--transport-only`.
 * `node dist/bench/threshold.bench.js [--transport-only] [--reps 5] [--parties 4] [--pooled-only] [--types ebool,euint64]`
 * (`--parties n` keeps only that party count; `--pooled-only` only the pool
 * figures of part 1, implies `--transport-only`; `--types` keeps only those
 * single-ciphertext cases of part 1 and drops the batch of 64).
 */
import { runBitDecompositionBench } from '../core/engine/mpc/decryption/bitDecomposition.bench.js';
import { printMachine, recordResults } from './_results.js';
import { runTransportBench } from './_thresholdTransport.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 5) || 5;
const only = args.includes('--parties') ? Number(args[args.indexOf('--parties') + 1]) : undefined;
const parties = ([[4, 1], [7, 2]] as [number, number][]).filter(([n]) => only === undefined || n === only);
printMachine();
const pooledOnly = args.includes('--pooled-only');
const types = args.includes('--types') ? args[args.indexOf('--types') + 1]!.split(',') : undefined;
await runTransportBench({ parties, batch: 64, reps, preprocessingCount: 5000, pooledOnly, ...(types ? { types } : {}) }, recordResults);

if (!args.includes('--transport-only') && !pooledOnly) {
  const rows = await runBitDecompositionBench({ parties, batch: 64 });
  /** The engine's row labels ("euint64 x64 online latency") as result names ("decrypt.threshold.online.euint64.batch64"). */
  const nameOf = (label: string): string => {
    if (/^triples per second/.test(label)) return 'preprocessing.threshold.triples';
    if (/^random bits per second/.test(label)) return 'preprocessing.threshold.random_bits';
    const m = /^(\w+)( x(\d+))? (online latency|preprocessing|online messages|online bytes)/.exec(label);
    if (!m) return `threshold.${label.replace(/\W+/g, '_')}`;
    const what = { 'online latency': 'decrypt.threshold.online', preprocessing: 'decrypt.threshold.preprocessing', 'online messages': 'decrypt.threshold.messages', 'online bytes': 'decrypt.threshold.bytes' }[m[4]!];
    return `${what}.${m[1]}${m[3] ? `.batch${m[3]}` : ''}`;
  };
  recordResults(rows.map((r) => ({ name: nameOf(r.name), unit: r.unit, value: r.value, params: { n: r.n, t: r.t, network: 'in-memory', parties_in_one_thread: r.n } })));
}
process.exit(0);
