/**
 * @module bench/engine.bench
 * Engine-only figures, no network: centralized decryption latency per type
 * (parsing the node-tfhe bytes included), node-tfhe's own deserialize+decrypt
 * for reference, and key-set generation time and sizes.
 *
 * Run: `npx tsx bench/engine.bench.ts` (add `--runs 100` to change the count).
 */
import * as tfhe from 'node-tfhe';
import { FHE_TYPES, FHE_TYPE_INFO, type FheType } from '../common/fheTypes.js';
import { decryptCiphertext, encryptWithPublicKey, generateKeySet, parseCiphertext, parseClientKey } from '../core/engine/index.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;
const WARMUP = 10;
const CT_LIMIT = 1n << 26n;

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function timeRuns(fn: () => void): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(time(fn));
  return median(samples);
}

function main(): void {
  printMachine();
  console.log(`runs per figure: ${RUNS} (median), warm-up ${WARMUP}`);
  const results: BenchResult[] = [];
  const params = { backend: 'centralized' };

  // Key set, stage by stage (the stages are what generateKeySet reports).
  const stageStart = new Map<string, number>();
  const stageTimes = new Map<string, number>();
  let last: string | undefined;
  const total = time(() => {
    const ks = generateKeySet({
      onProgress: (stage) => {
        const now = performance.now();
        if (last) stageTimes.set(last, now - stageStart.get(last)!);
        stageStart.set(stage, now);
        last = stage;
      },
    });
    results.push(
      { name: 'keygen.engine.client_key.bytes', unit: 'B', value: ks.clientKey.length, params: {} },
      { name: 'keygen.engine.compact_public_key.bytes', unit: 'B', value: ks.compactPublicKey.length, params: {} },
      { name: 'keygen.engine.compressed_server_key.bytes', unit: 'B', value: ks.compressedServerKey.length, params: {} },
    );
    (globalThis as { __ks?: typeof ks }).__ks = ks;
  });
  for (const stage of ['client_key', 'compact_public_key', 'compressed_server_key']) {
    results.push({ name: `keygen.engine.${stage}`, unit: 'ms', value: stageTimes.get(stage) ?? NaN, params: {} });
  }
  results.push({ name: 'keygen.engine.key_set', unit: 'ms', value: total, params: {} });

  const ks = (globalThis as { __ks?: ReturnType<typeof generateKeySet> }).__ks!;
  const { bigKey } = parseClientKey(ks.clientKey);
  const ck = tfhe.TfheClientKey.safe_deserialize(ks.clientKey, 1n << 20n);

  for (const type of FHE_TYPES) {
    const bits = FHE_TYPE_INFO[type].bits;
    const value = type === 'ebool' ? 1n : (1n << BigInt(bits)) - 3n;
    let bytes!: Uint8Array;
    const enc = time(() => {
      bytes = encryptWithPublicKey(ks.compactPublicKey, type, type === 'ebool' ? true : value);
    });
    results.push({ name: `encrypt.engine.${type}`, unit: 'ms', value: enc, params: { key: 'compact_public_key', runs: 1 } });

    if (decryptCiphertext(parseCiphertext(bytes, type), bigKey) !== value) throw new Error(`wrong decryption for ${type}`);
    const parsed = parseCiphertext(bytes, type);
    results.push(
      { name: `decrypt.engine.${type}`, unit: 'ms', value: timeRuns(() => decryptCiphertext(parseCiphertext(bytes, type), bigKey)), params: { ...params, runs: RUNS } },
      { name: `decrypt.engine.${type}.parse_only`, unit: 'ms', value: timeRuns(() => parseCiphertext(bytes, type)), params: { ...params, runs: RUNS } },
      { name: `decrypt.engine.${type}.decrypt_only`, unit: 'ms', value: timeRuns(() => decryptCiphertext(parsed, bigKey)), params: { ...params, runs: RUNS } },
      { name: `decrypt.node_tfhe.${type}`, unit: 'ms', value: timeRuns(() => nodeTfheDecrypt(type, bytes, ck)), params: { reference: 'node-tfhe safe_deserialize+decrypt', runs: RUNS } },
    );
  }
  recordResults(results);
}

function nodeTfheDecrypt(type: FheType, bytes: Uint8Array, ck: tfhe.TfheClientKey): void {
  const cls = (tfhe as unknown as Record<string, { safe_deserialize(b: Uint8Array, l: bigint): { decrypt(k: tfhe.TfheClientKey): unknown; free(): void } }>)[FHE_TYPE_INFO[type].tfheClass]!;
  const ct = cls.safe_deserialize(bytes, CT_LIMIT);
  ct.decrypt(ck);
  ct.free();
}

main();
