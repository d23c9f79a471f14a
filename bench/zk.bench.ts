#!/usr/bin/env node
/**
 * @module bench/zk.bench
 * Proofs of encryption with node-tfhe 1.7 (issue 5, `tkms encrypt --prove`):
 * what the default parameters allow, and, under the fhEVM-style configuration
 * (dedicated compact-public-key parameters, core/engine/tfhe/crs.ts), the CRS
 * generation time and size, proving time, proven-list size and
 * `verify_and_expand` time for one euint8, per ZkComputeLoad. Standalone (about
 * 3 min of one core): `node --no-warnings dist/bench/zk.bench.js`.
 *
 * Two node-tfhe facts this prints and the design must live with:
 * - the default parameters (what `tkms keygen` uses) refuse ZK proofs;
 * - `verify_and_expand` needs a server key in the calling thread, and node-tfhe
 *   can build one only from the client key (`TfheServerKey.new`; no
 *   deserialization): a threshold core, which never holds the client key,
 *   cannot verify a proof with node-tfhe.
 */
import * as tfhe from 'node-tfhe';
import { printMachine, recordResults, type BenchResult } from './_results.js';

const LIMIT = BigInt(1 << 30);
const BITS = 64;
printMachine();
const results: BenchResult[] = [];
const ms = (t0: number): number => performance.now() - t0;

try {
  tfhe.CompactPkeCrs.from_config(tfhe.TfheConfigBuilder.default().build(), BITS);
  console.log('default parameters: CRS accepted');
} catch (e) {
  console.log(`default parameters refuse ZK: ${String(e)}`);
}

const pke = new tfhe.ShortintCompactPublicKeyEncryptionParameters(
  tfhe.ShortintCompactPublicKeyEncryptionParametersName.PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
);
const config = tfhe.TfheConfigBuilder.default().use_dedicated_compact_public_key_parameters(pke).build();
const params = { parameters: 'fhEVM: PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128 + PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128', max_num_bits: BITS };
let t0 = performance.now();
const crs = tfhe.CompactPkeCrs.from_config(config, BITS);
results.push({ name: 'zk.crsgen', unit: 'ms', value: ms(t0), params });
results.push({ name: 'zk.crs.size', unit: 'B', value: crs.safe_serialize(LIMIT).length, params });
const ck = tfhe.TfheClientKey.generate(config);
const pk = tfhe.TfheCompactPublicKey.new(ck);
t0 = performance.now();
tfhe.set_server_key(tfhe.TfheServerKey.new(ck));
results.push({ name: 'zk.server_key_from_client_key', unit: 'ms', value: ms(t0), params: { parameters: params.parameters } });
const metadata = new TextEncoder().encode('bench');
for (const [load, name] of [
  [tfhe.ZkComputeLoad.Proof, 'proof'],
  [tfhe.ZkComputeLoad.Verify, 'verify'],
] as const) {
  const b = tfhe.ProvenCompactCiphertextList.builder(pk);
  b.push_u8(42);
  t0 = performance.now();
  const list = b.build_with_proof_packed(crs, metadata, load);
  results.push({ name: 'zk.prove.euint8', unit: 'ms', value: ms(t0), params: { ...params, compute_load: name } });
  const bytes = list.safe_serialize(LIMIT);
  results.push({ name: 'zk.proven_list.size.euint8', unit: 'B', value: bytes.length, params: { ...params, compute_load: name } });
  t0 = performance.now();
  const value = list.verify_and_expand(crs, pk, metadata).get_uint8(0).decrypt(ck);
  results.push({ name: 'zk.verify_and_expand.euint8', unit: 'ms', value: ms(t0), params: { ...params, compute_load: name } });
  if (value !== 42) throw new Error(`proven list decrypted to ${value}`);
  const tampered = bytes.slice();
  tampered[tampered.length - 200]! ^= 1;
  let refused = false;
  try {
    tfhe.ProvenCompactCiphertextList.safe_deserialize(tampered, LIMIT).verify_and_expand(crs, pk, metadata);
  } catch {
    refused = true;
  }
  if (!refused) throw new Error('a tampered proof was accepted');
}
recordResults(results);
process.exit(0);
