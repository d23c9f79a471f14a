#!/usr/bin/env node
/**
 * @module bench/e2eUserDecrypt.bench
 * End-to-end user decryption and CRS generation through the chain: from
 * submitting the user_decrypt transaction to plaintexts in the client's hands
 * (2t+1 answers on chain, signatures verified, signcryptions opened,
 * reconstructed), per FHE type; gas of the request; then one CRS generation
 * (submit → 2t+1 agreeing answers → CRS registered) and the CRS size.
 * `node dist/bench/e2eUserDecrypt.bench.js --chain embedded|wasmd [--runs 5] [--parties 1|4] [--skip-crs]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { ml_kem512 } from '@noble/post-quantum/ml-kem';
import { bytesToHex } from '@noble/hashes/utils';
import { connectChain } from '../chain/connect.js';
import { loadOperatorAccount } from '../chain/operatorKey.js';
import { accountFromMnemonic, generateMnemonic } from '../chain/wallet.js';
import { submitKeygen, waitForResult, getKey } from '../chain/asc/actions.js';
import { getCrs, getUserDecryptAnswers, submitCrsGen, waitForMoreResponses, waitForSettled } from '../chain/asc/userDecryptCrsActions.js';
import { submitUserDecrypt } from '../chain/asc/userDecryptCrsActions.js';
import { putCiphertext } from '../connector/kvstore/client.js';
import { encryptWithPublicKey } from '../core/engine/index.js';
import { download } from '../cli/publicMaterial.js';
import { reconstructUserDecrypt, UserDecryptReconstructionError } from '../cli/userDecryptResult.js';
import { startDevNetwork } from '../localnet/devNetwork.js';
import { startWasmdKmsNetwork } from '../localnet/wasmdKmsNetwork.js';
import { freePort } from '../localnet/processes.js';
import type { FheType } from '../common/fheTypes.js';
import { Wallet } from 'ethers';
import { evmAddressOf, signUserDecryptRequest, userDecryptAuthFields, type UserDecryptRequest } from '../common/userDecryptAuth.js';
import { keccak_256 } from '@noble/hashes/sha3';

/** The bench's user (test key only): it signs each user_decrypt request. */
const BENCH_CLIENT_KEY = keccak_256(new TextEncoder().encode('tkms-bench-user-decrypt-client'));
const BENCH_CLIENT = evmAddressOf(BENCH_CLIENT_KEY);
import type { FeeSchedule, PartiesResponse } from '../chain/config/messages.js';
import type { RequestInfo } from '../chain/asc/messages.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

const o = new Command('e2e-user-decrypt-bench')
  .option('--chain <kind>', 'embedded or wasmd', 'embedded')
  .option('--runs <n>', 'user decryptions per type', '5')
  .option('--parties <n>', 'wasmd only: KMS parties (1 centralized, 4 threshold)', '1')
  .option('--skip-crs', 'skip the ~80 s CRS generation')
  .parse()
  .opts<{ chain: 'embedded' | 'wasmd'; runs: string; parties: string; skipCrs?: boolean }>();
const parties = Number(o.parties);
const backend = parties > 1 ? 'threshold' : 'centralized';
printMachine();
const runs = Number(o.runs);
const dir = mkdtempSync(path.join(os.tmpdir(), `tkms-ud-bench-${o.chain}-`));
const ports = { kvStore: await freePort(), coreBase: 22500, publicBase: 22600, mpcBase: 22700 };
const net =
  o.chain === 'embedded'
    ? await startDevNetwork({ dir, chainPort: await freePort(), ports })
    : await startWasmdKmsNetwork({ dir, validators: 4, parties, basePort: 29600, faucetPort: await freePort(), ports, devMode: true });
try {
  const account = await accountFromMnemonic(generateMnemonic(), net.network.bech32Prefix);
  const fundRes = await fetch(`${net.network.faucetUrl}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: account.address }) });
  if (!fundRes.ok) throw new Error(`faucet: HTTP ${fundRes.status}`);
  const client = await connectChain(net.network, account);
  const asc = net.network.contracts.asc;
  const fees = await client.queryContract<FeeSchedule>(net.network.contracts.config, { fees: {} });
  const pay = (amount: string): { denom: string; amount: string }[] => (amount && amount !== '0' ? [{ denom: fees.denom, amount }] : []);
  // keygen (and crs_gen) are restricted to governance and the Config operators: the network's operator sends them.
  const operator = await connectChain(net.network, (await loadOperatorAccount(net.network))!);
  const kg = await submitKeygen(operator, asc, pay(fees.keygen));
  await waitForResult(client, asc, kg.requestId, { fromHeight: kg.tx.height, timeoutMs: 600_000 });
  const publicKey = await download((await getKey(client, asc, kg.requestId)).public_key_uri);
  const { parties: partyList, threshold } = await client.queryContract<PartiesResponse>(net.network.contracts.config, { parties: {} });
  const results: BenchResult[] = [];
  const domain = { name: 'Decryption', version: '1', chain_id: '1', verifying_contract: '0x' + '00'.repeat(19) + '01' };
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
    let gas = 0;
    for (let i = 0; i < runs + 1; i++) {
      const start = performance.now();
      const u = ml_kem512.keygen();
      const ciphertexts = [{ ciphertext_handle: stored.handle, ciphertext_digest: stored.digest, fhe_type: type }];
      const encKey = bytesToHex(u.publicKey);
      const auth: UserDecryptRequest = {
        clientAddress: BENCH_CLIENT, encKey, allowedContracts: [domain.verifying_contract], startTimestamp: Math.floor(Date.now() / 1000) - 60,
        durationSeconds: 3600, eip712Domain: domain,
      };
      const user_signature = await signUserDecryptRequest(auth, new Wallet('0x' + bytesToHex(BENCH_CLIENT_KEY)));
      const s = await submitUserDecrypt(
        client, asc,
        { key_id: kg.requestId, ciphertexts, enc_key: encKey, client_address: BENCH_CLIENT, eip712_domain: domain, ...userDecryptAuthFields(auth), user_signature },
        pay(fees.user_decrypt),
      );
      gas = s.tx.gasUsed;
      let r: RequestInfo = await waitForSettled(client, asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 300_000 });
      if (r.status !== 'completed') throw new Error(`user decrypt ${type} ${r.status}: ${r.failure_reason}`);
      const ctx = {
        requestId: s.requestId,
        keyId: kg.requestId,
        ciphertexts: [{ handle: stored.handle, digest: stored.digest, fheType: type }],
        userPublicKey: u.publicKey,
        userSecretKey: u.secretKey,
        signers: new Map(partyList.map((p) => [p.id, p.signer_pubkey])),
        n: partyList.length,
        threshold,
        eip712Domain: { name: domain.name, version: domain.version, chainId: 1n, verifyingContract: domain.verifying_contract },
      };
      for (;;) {
        try {
          const got = reconstructUserDecrypt(await getUserDecryptAnswers(client, asc, r), ctx);
          const want = typeof value === 'boolean' ? (value ? 1n : 0n) : value;
          if (got.plaintexts[0] !== want) throw new Error(`user decrypt ${type}: got ${got.plaintexts[0]}, want ${want}`);
          break;
        } catch (e) {
          if (!(e instanceof UserDecryptReconstructionError) || r.responses.length >= partyList.length) throw e;
          r = await waitForMoreResponses(client, asc, s.requestId, { known: r.responses.length, all: partyList.length, timeoutMs: 60_000 });
        }
      }
      if (i > 0) times.push(performance.now() - start);
    }
    results.push({ name: `user_decrypt.e2e.${o.chain}.${type}`, unit: 'ms', value: median(times), params: { backend, parties, runs, validators: o.chain === 'wasmd' ? 4 : 0, includes: 'ML-KEM keygen, tx, 2t+1 answers, verify+open+reconstruct' } });
    results.push({ name: `user_decrypt.request_gas.${o.chain}.${type}`, unit: 'gas', value: gas, params: { backend, parties } });
  }
  if (!o.skipCrs) {
    const start = performance.now();
    const s = await submitCrsGen(operator, asc, 2048, pay(fees.crs_gen));
    const r = await waitForSettled(client, asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 900_000 });
    if (r.status !== 'completed') throw new Error(`crsgen ${r.status}: ${r.failure_reason}`);
    results.push({ name: `crsgen.e2e.${o.chain}`, unit: 'ms', value: performance.now() - start, params: { backend, parties, max_num_bits: 2048 } });
    const crs = await getCrs(client, asc, s.requestId);
    results.push({ name: 'material.size.crs.e2e', unit: 'B', value: (await download(crs.crs_uri)).length, params: { max_num_bits: 2048 } });
  }
  recordResults(results);
  await client.close();
  await operator.close();
} finally {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
