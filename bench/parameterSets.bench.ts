/**
 * @module bench/parameterSets.bench
 * What the INSECURE `test-insecure` parameter set buys tests and a future
 * DKG, against `default`: key-set generation time (stage by stage) and sizes,
 * encryption under the compact public key and centralized decryption
 * (parse + decrypt, median) of an euint8 and an euint64. `--sets` picks the
 * sets (comma-separated; default `default,test-insecure`).
 *
 * Run: `npx tsx bench/parameterSets.bench.ts [--sets test-insecure] [--runs 50]`.
 */
import type { FheType } from '../common/fheTypes.js';
import { decryptCiphertext, encryptWithPublicKey, generateKeySet, isFheParameterSet, parameterProfile, parseCiphertext, parseClientKey, type FheParameterSet } from '../core/engine/index.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

const RUNS = Number(arg('--runs', '50'));
const sets = arg('--sets', 'default,test-insecure').split(',');

function bench(set: FheParameterSet): BenchResult[] {
  const params = { parameters: set };
  const results: BenchResult[] = [];
  const stages = new Map<string, number>();
  let last: string | undefined;
  let at = performance.now();
  const t0 = at;
  const ks = generateKeySet({
    parameters: set,
    onProgress: (stage) => {
      const now = performance.now();
      if (last) stages.set(last, now - at);
      last = stage;
      at = now;
    },
  });
  const total = performance.now() - t0;
  for (const stage of ['client_key', 'compact_public_key', 'compressed_server_key']) {
    results.push({ name: `params.${set}.keygen.${stage}`, unit: 'ms', value: stages.get(stage) ?? NaN, params });
  }
  results.push(
    { name: `params.${set}.keygen.key_set`, unit: 'ms', value: total, params },
    { name: `params.${set}.client_key.bytes`, unit: 'B', value: ks.clientKey.length, params },
    { name: `params.${set}.compact_public_key.bytes`, unit: 'B', value: ks.compactPublicKey.length, params },
    { name: `params.${set}.compressed_server_key.bytes`, unit: 'B', value: ks.compressedServerKey.length, params },
  );
  const { bigKey } = parseClientKey(ks.clientKey);
  const dim = parameterProfile(set).lweDimension;
  for (const [type, value] of [['euint8', 200n], ['euint64', 0x0123_4567_89ab_cdefn]] as [FheType, bigint][]) {
    const e0 = performance.now();
    const bytes = encryptWithPublicKey(ks.compactPublicKey, type, value);
    results.push({ name: `params.${set}.encrypt.${type}`, unit: 'ms', value: performance.now() - e0, params: { ...params, runs: 1 } });
    results.push({ name: `params.${set}.ciphertext.${type}.bytes`, unit: 'B', value: bytes.length, params });
    const samples: number[] = [];
    for (let i = 0; i < RUNS + 5; i++) {
      const d0 = performance.now();
      const got = decryptCiphertext(parseCiphertext(bytes, type, dim), bigKey);
      if (i >= 5) samples.push(performance.now() - d0);
      if (got !== value) throw new Error(`${set}: wrong decryption of ${type}`);
    }
    results.push({ name: `params.${set}.decrypt.${type}`, unit: 'ms', value: median(samples), params: { ...params, runs: RUNS } });
  }
  return results;
}

printMachine();
const results: BenchResult[] = [];
for (const set of sets) {
  if (!isFheParameterSet(set)) throw new Error(`unknown parameter set ${set}`);
  results.push(...bench(set));
}
recordResults(results);
