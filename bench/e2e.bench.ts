#!/usr/bin/env node
/**
 * @module bench/e2e.bench
 * End-to-end centralized decryption latency: from submitting the decrypt
 * transaction to the ASC's result, through connector, core gRPC over mutual
 * TLS and back, on the embedded chain or on a 4-validator wasmd localnet.
 * `node dist/bench/e2e.bench.js --chain embedded|wasmd [--runs 10]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { connectChain } from '../chain/connect.js';
import { loadOperatorAccount } from '../chain/operatorKey.js';
import { accountFromMnemonic, generateMnemonic } from '../chain/wallet.js';
import { submitDecrypt, submitKeygen, waitForResult, getKey } from '../chain/asc/actions.js';
import { putCiphertext } from '../connector/kvstore/client.js';
import { encryptWithPublicKey } from '../core/engine/index.js';
import { download } from '../cli/publicMaterial.js';
import { startDevNetwork } from '../localnet/devNetwork.js';
import { startWasmdKmsNetwork } from '../localnet/wasmdKmsNetwork.js';
import { freePort } from '../localnet/processes.js';
import type { FheType } from '../common/fheTypes.js';
import type { FeeSchedule } from '../chain/config/messages.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

const o = new Command('e2e-bench')
  .option('--chain <kind>', 'embedded or wasmd', 'embedded')
  .option('--runs <n>', 'decryptions per type', '10')
  .option('--parties <n>', 'wasmd only: KMS parties (1 centralized, 4 threshold)', '1')
  .parse()
  .opts<{ chain: 'embedded' | 'wasmd'; runs: string; parties: string }>();
const parties = Number(o.parties);
const backend = parties > 1 ? 'threshold' : 'centralized';

printMachine();
const runs = Number(o.runs);
const dir = mkdtempSync(path.join(os.tmpdir(), `tkms-bench-${o.chain}-`));
// Fixed ports below the ephemeral range for the per-party services.
const ports = { kvStore: await freePort(), coreBase: 22100, publicBase: 22200, mpcBase: 22300 };
const net =
  o.chain === 'embedded'
    ? await startDevNetwork({ dir, chainPort: await freePort(), ports })
    : await startWasmdKmsNetwork({ dir, validators: 4, parties, basePort: 28600, faucetPort: await freePort(), ports, devMode: true });
try {
  const account = await accountFromMnemonic(generateMnemonic(), net.network.bech32Prefix);
  const fundRes = await fetch(`${net.network.faucetUrl}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: account.address }) });
  if (!fundRes.ok) throw new Error(`faucet: HTTP ${fundRes.status}`);
  const client = await connectChain(net.network, account);
  const asc = net.network.contracts.asc;
  const t0 = Date.now();
  const fees = await client.queryContract<FeeSchedule>(net.network.contracts.config, { fees: {} });
  const pay = (amount: string): { denom: string; amount: string }[] => (amount && amount !== '0' ? [{ denom: fees.denom, amount }] : []);
  // keygen (and crs_gen) are restricted to governance and the Config operators: the network's operator sends them.
  const operator = await connectChain(net.network, (await loadOperatorAccount(net.network))!);
  const kg = await submitKeygen(operator, asc, pay(fees.keygen));
  await waitForResult(client, asc, kg.requestId, { fromHeight: kg.tx.height, timeoutMs: 600_000 });
  const keygenMs = Date.now() - t0;
  const key = await getKey(client, asc, kg.requestId);
  const publicKey = await download(key.public_key_uri);
  const results: BenchResult[] = [{ name: `keygen.e2e.${o.chain}`, unit: 'ms', value: keygenMs, params: { backend, parties } }];
  const types: [FheType, bigint | boolean][] = [
    ['ebool', true],
    ['euint8', 42n],
    ['euint16', 4242n],
    ['euint32', 424242n],
    ['euint64', 2n ** 63n + 5n],
  ];
  for (const [type, value] of types) {
    const stored = await putCiphertext(net.network.kvStoreUrl, encryptWithPublicKey(publicKey, type, value), type, { keyId: kg.requestId, appId: 'default' });
    const times: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const start = performance.now();
      const s = await submitDecrypt(client, asc, { key_id: kg.requestId, ciphertext_handle: stored.handle, ciphertext_digest: stored.digest, fhe_type: type }, pay(fees.decrypt));
      const r = await waitForResult(client, asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 120_000 });
      if (r.status !== 'completed') throw new Error(`decrypt ${type} ${r.status}: ${r.failure_reason}`);
      if (i > 0) times.push(performance.now() - start); // the first run warms caches
    }
    results.push({ name: `decrypt.e2e.${o.chain}.${type}`, unit: 'ms', value: median(times), params: { backend, parties, runs, validators: o.chain === 'wasmd' ? 4 : 0 } });
  }
  recordResults(results);
  await client.close();
  await operator.close();
} finally {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
