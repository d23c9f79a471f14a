#!/usr/bin/env node
/**
 * @module bench/zk.bench
 * Proven inputs (issue 5, `tkms encrypt --prove`) under the `fhevm` parameter
 * set (core/engine/tfhe/keyset.ts): CRS generation by the cores' native tool
 * (tkms-tfhe-zk) for 64 and 2048 bits and its size, proving one euint8 in
 * node-tfhe (what the CLI does) per ZkComputeLoad and the proven list's size,
 * then what a core pays per request: verify + expand in a one-shot tool
 * process (server key decompressed each time) and in the long-lived `serve`
 * process the core keeps (server key cached). `make bench` runs it; alone:
 * `node --no-warnings dist/bench/zk.bench.js` (about 2 min).
 *
 * A fact it also prints: the `default` parameter set refuses proofs.
 */
import * as tfhe from 'node-tfhe';
import { printMachine, recordResults, type BenchResult } from './_results.js';
import { encryptWithProof, generateKeySet, loadCrs, parseCiphertext } from '../core/engine/index.js';
import { TfheZkServer } from '../core/service/zk/tfheZkServer.js';
import { generateCrs, verifyAndExpand } from '../core/service/zk/tfheZkTool.js';

printMachine();
const results: BenchResult[] = [];
const ms = (t0: number): number => performance.now() - t0;
const parameters = 'fhevm: PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128 + PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';

try {
  tfhe.CompactPkeCrs.from_config(tfhe.TfheConfigBuilder.default().build(), 64);
  console.log('default parameters: CRS accepted');
} catch (e) {
  console.log(`default parameters refuse ZK: ${String(e)}`);
}

const crsByBits = new Map<number, Uint8Array>();
for (const bits of [64, 2048]) {
  const t0 = performance.now();
  const crs = await generateCrs(bits);
  results.push({ name: 'zk.crsgen.native', unit: 'ms', value: ms(t0), params: { parameters, max_num_bits: bits } });
  results.push({ name: 'zk.crs.size', unit: 'B', value: crs.length, params: { max_num_bits: bits } });
  loadCrs(crs); // node-tfhe reads the native CRS
  crsByBits.set(bits, crs);
}

const keys = generateKeySet({ parameters: 'fhevm' });
const metadata = new TextEncoder().encode('bench');
const crs64 = crsByBits.get(64)!;
let list: Uint8Array | undefined;
for (const [load, name] of [
  [tfhe.ZkComputeLoad.Proof, 'proof'],
  [tfhe.ZkComputeLoad.Verify, 'verify'],
] as const) {
  // encryptWithProof uses ZkComputeLoad.Verify (the CLI's choice); the Proof load is measured directly.
  const t0 = performance.now();
  let bytes: Uint8Array;
  if (load === tfhe.ZkComputeLoad.Verify) bytes = encryptWithProof(keys.compactPublicKey, crs64, 'euint8', 42n, metadata);
  else {
    const b = tfhe.ProvenCompactCiphertextList.builder(tfhe.TfheCompactPublicKey.safe_deserialize(keys.compactPublicKey, 1n << 26n));
    b.push_u8(42);
    bytes = b.build_with_proof_packed(loadCrs(crs64), metadata, load).safe_serialize(1n << 26n);
  }
  results.push({ name: 'zk.prove.euint8', unit: 'ms', value: ms(t0), params: { parameters, max_num_bits: 64, compute_load: name } });
  results.push({ name: 'zk.proven_list.size.euint8', unit: 'B', value: bytes.length, params: { max_num_bits: 64, compute_load: name } });
  if (load === tfhe.ZkComputeLoad.Verify) list = bytes;
}

const input = { crs: crs64, compactPublicKey: keys.compactPublicKey, compressedServerKey: keys.compressedServerKey, list: list!, metadata };
let t0 = performance.now();
const once = await verifyAndExpand(input);
results.push({ name: 'zk.verify_expand.euint8', unit: 'ms', value: ms(t0), params: { parameters, max_num_bits: 64, process: 'one-shot (server key decompressed)' } });
parseCiphertext(once[0]!.ciphertext, 'euint8');
const server = new TfheZkServer();
try {
  await server.verifyAndExpand(input); // loads and decompresses the key once
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    await server.verifyAndExpand(input);
    runs.push(ms(t0));
  }
  runs.sort((a, b) => a - b);
  results.push({ name: 'zk.verify_expand.euint8', unit: 'ms', value: runs[2]!, params: { parameters, max_num_bits: 64, process: 'serve (server key cached), median of 5' } });
} finally {
  await server.close();
}
recordResults(results);
process.exit(0);
