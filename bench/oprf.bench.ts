#!/usr/bin/env node
/**
 * @module bench/oprf.bench
 * Oblivious pseudo-random values (issue 11 item 6): what a coprocessor holding
 * a key's server key pays per encrypted random value, made by the native tool
 * (`tkms-tfhe-zk oprf`, tfhe-rs 1.7) in a `serve` process that keeps the
 * decompressed server key. Per type: tfhe-rs's own generation time as the
 * tool reports it, and the round trip a caller sees (request, generation,
 * ciphertext written and read back), and the part of it the tool spends
 * reading and hashing the key file to find its cached key. Plus the one-off
 * server-key decompression. Medians of 5 after one warm-up value. `make bench` runs it;
 * alone: `node --no-warnings dist/bench/oprf.bench.js` (about 1 min).
 */
import { randomBytes } from 'node:crypto';
import { printMachine, recordResults, median, type BenchResult } from './_results.js';
import type { FheType } from '../common/fheTypes.js';
import { DEFAULT_PARAMETERS, generateKeySet, parseCiphertext } from '../core/engine/index.js';
import { TfheZkServer } from '../core/service/zk/tfheZkServer.js';

printMachine();
const results: BenchResult[] = [];
const RUNS = 5;
const keys = generateKeySet();
const server = new TfheZkServer();
try {
  const first = await server.oprf({ compressedServerKey: keys.compressedServerKey, seed: randomBytes(16), fheType: 'ebool' });
  const decompress = first.timingsMs['serverKeyDecompress'];
  if (decompress !== undefined) {
    results.push({ name: 'oprf.native.server_key_decompress', unit: 'ms', value: decompress, params: { parameters: DEFAULT_PARAMETERS, once: 'per server key and serve process' } });
  }
  for (const fheType of ['ebool', 'euint8', 'euint64', 'euint256'] as FheType[]) {
    const generate: number[] = [];
    const roundTrip: number[] = [];
    const load: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      const v = await server.oprf({ compressedServerKey: keys.compressedServerKey, seed: randomBytes(16), fheType });
      const wall = performance.now() - t0;
      if (i === 0) {
        parseCiphertext(v.ciphertext, fheType); // a ciphertext the core reads
        continue;
      }
      generate.push(v.timingsMs['generate']!);
      roundTrip.push(wall);
      load.push(v.timingsMs['load']!);
    }
    const params = { parameters: DEFAULT_PARAMETERS, process: 'serve (server key cached)', runs: RUNS };
    results.push({ name: `oprf.native.${fheType}`, unit: 'ms', value: median(generate), params: { ...params, measure: 'tfhe-rs generation (tool timing)' } });
    results.push({ name: `oprf.native.${fheType}`, unit: 'ms', value: median(roundTrip), params: { ...params, measure: 'round trip from the core (files included)' } });
    // Most of the round trip for small types: the tool reads and hashes the 60 MB key file to find its cached key.
    results.push({ name: `oprf.native.${fheType}`, unit: 'ms', value: median(load), params: { ...params, measure: 'server key file read and hashed (tool timing)' } });
  }
} finally {
  await server.close();
}
recordResults(results);
process.exit(0);
