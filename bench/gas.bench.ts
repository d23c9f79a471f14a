#!/usr/bin/env node
/**
 * @module bench/gas.bench
 * What the contracts cost: each contract's wasm size, and the gas wasmd charges
 * (`gas_used` of the transaction, one validator, one centralized core) for
 * every step of a request's life: keygen and its fulfillment, decrypt for an
 * open application and for an fhEVM application (the ASC sub-queries the ISC,
 * which checks a quorum-signed header and the `eth_getProof` Merkle proofs of a
 * live anvil node), the decrypt fulfillment, the connector's claim, a refund;
 * plus the governance proposal that registers the ISC and a validator's vote;
 * since issue 10 also the production path (a decrypt naming a CRS: a proven
 * input) and a user decryption authorized by an EIP-712 signature. Every
 * figure is printed next to the one measured before issue 10
 * (bench/baseline/gas-f89df7e.json), and both go to bench/results.json (the
 * baseline's with `baseline: "f89df7e"`).
 * Without wasmd only the sizes are recorded (benches may skip; tests may not).
 * `node dist/bench/gas.bench.js`
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { repoRoot } from '../common/paths.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';
import { wasmdAvailable } from '../localnet/wasmdNet.js';

/**
 * Prints each figure next to the one measured before issue 10 and records the
 * baseline's figures in bench/results.json with `baseline: <commit>`.
 */
function compareWithBaseline(now: BenchResult[]): void {
  const file = path.join(repoRoot(), 'bench', 'baseline', 'gas-f89df7e.json');
  const base = JSON.parse(readFileSync(file, 'utf8')) as { commit: string; measured: string; results: BenchResult[] };
  console.log(`\nbefore (${base.commit}, ${base.measured}) → after:`);
  for (const r of now) {
    const b = base.results.find((x) => x.name === r.name);
    const delta = b ? `${r.value >= b.value ? '+' : ''}${(((r.value - b.value) / b.value) * 100).toFixed(1)} %` : 'new';
    console.log(`${r.name.padEnd(32)} ${(b ? b.value.toFixed(0) : '—').padStart(10)} → ${r.value.toFixed(0).padStart(10)}  ${delta}`);
  }
  recordResults(base.results.map((b) => ({ ...b, params: { ...b.params, baseline: base.commit } })));
}

printMachine();
const CONTRACTS = ['asc', 'config', 'isc-fhevm', 'isc-allowlist'];
const results: BenchResult[] = CONTRACTS.map((c) => ({
  name: `wasm.size.${c}`,
  unit: 'bytes',
  value: statSync(path.join(repoRoot(), 'contracts', 'build', `${c}.wasm`)).size,
  params: {},
}));

if (!wasmdAvailable()) {
  console.log('wasmd is not built (`make wasmd`): skipping the gas figures, recording wasm sizes only');
  recordResults(results);
  process.exit(0);
}

// Loaded only when wasmd runs: the chain stack is not needed for the sizes.
const { startWasmdKmsNetwork } = await import('../localnet/wasmdKmsNetwork.js');
const { freePort } = await import('../localnet/processes.js');
const { WasmdClient } = await import('../chain/wasmd/wasmdClient.js');
const { govExecuteMessage, govModuleAddress, vote, waitForProposal, minDeposit } = await import('../chain/wasmd/governance.js');
const { submitRegisterFhevmIsc } = await import('../chain/wasmd/registerFhevmIsc.js');
const { submitDecrypt, submitKeygen, waitForResult, getKey, refundRequest } = await import('../chain/asc/actions.js');
const { getParties } = await import('../chain/config/queries.js');
const { operatorKeyPath } = await import('../chain/operatorKey.js');
const { putCiphertext } = await import('../connector/kvstore/client.js');
const { encryptWithPublicKey } = await import('../core/engine/index.js');
const { download } = await import('../cli/publicMaterial.js');
const { accountFromMnemonic, generateMnemonic } = await import('../chain/wallet.js');
const { startAclNode } = await import('../test/evm/aclNode.js');
const { evmAddress } = await import('../test/fixtures/scripts/fhevmHeader.js');
const { FHEVM_ACL_SLOT_BASE } = await import('../chain/isc-fhevm/messages.js');
const { submitUserDecrypt, submitCrsGen, getCrs } = await import('../chain/asc/userDecryptCrsActions.js');
const { signUserDecryptRequest, userDecryptAuthFields } = await import('../common/userDecryptAuth.js');
const { provenInputMetadata } = await import('../common/provenInput.js');
const { encryptWithProof } = await import('../core/engine/index.js');
const { Wallet } = await import('ethers');
const { ml_kem512 } = await import('@noble/post-quantum/ml-kem');
const { bytesToHex } = await import('@noble/hashes/utils');

const EXPIRY_SECONDS = 6;
const RUNS = 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-bench-gas-'));
const evm = await startAclNode(31337);
const net = await startWasmdKmsNetwork({
  dir,
  // The "open" decrypt figures go through the open "default" application: a dev network.
  devMode: true,
  validators: 1,
  parties: 1,
  basePort: 30400,
  faucetPort: await freePort(),
  ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
});
const n = net.network;
const params = { validators: 1, parties: 1 };
const gas = (name: string, value: number, extra: Record<string, string | number> = {}): void => {
  results.push({ name: `gas.${name}`, unit: 'gas', value, params: { ...params, ...extra } });
};

/** gas_used of the first indexed tx matching a CometBFT event query (the indexer may lag a block). */
async function txGas(query: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${n.rpcUrl}/tx_search?query=${encodeURIComponent(`"${query}"`)}&per_page=1`);
    const body = (await res.json()) as { result?: { txs: { tx_result: { gas_used: string } }[] } };
    const tx = body.result?.txs[0];
    if (tx) return Number(tx.tx_result.gas_used);
    if (Date.now() > deadline) throw new Error(`no tx for ${query} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

try {
  const account = await accountFromMnemonic(generateMnemonic(), n.bech32Prefix);
  const fund = await fetch(`${n.faucetUrl}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: account.address }) });
  if (!fund.ok) throw new Error(`faucet: HTTP ${fund.status}`);
  const connect = (mnemonic: string) => WasmdClient.connect(n.rpcUrl, { mnemonic, prefix: n.bech32Prefix, gasPrice: n.gasPrice!, chainId: n.chainId });
  const user = await connect(account.mnemonic);
  const validator = await connect(net.chain.validatorAccounts[0]!.mnemonic);
  // keygen is restricted to governance and the Config operators: the network's operator sends it.
  const operator = await connect(readFileSync(operatorKeyPath(n)!, 'utf8').trim());
  const asc = n.contracts.asc;
  const fees = (await user.queryContract<{ denom: string; keygen: string; decrypt: string; user_decrypt: string; crs_gen: string }>(n.contracts.config, { fees: {} }));
  const pay = (amount: string) => (amount !== '0' ? [{ denom: fees.denom, amount }] : []);

  // Keygen and its fulfillment.
  const kg = await submitKeygen(operator, asc, pay(fees.keygen));
  gas('asc.keygen', kg.tx.gasUsed);
  await waitForResult(user, asc, kg.requestId, { fromHeight: kg.tx.height, timeoutMs: 600_000 });
  gas('asc.fulfill_keygen', await txGas(`wasm-tkms_response.request_id='${kg.requestId}'`));
  const publicKey = await download((await getKey(user, asc, kg.requestId)).public_key_uri);

  // A user decryption authorized by the user's EIP-712 signature (ethers wallet), open application.
  {
    const wallet = Wallet.createRandom();
    const ct = await putCiphertext(n.kvStoreUrl, encryptWithPublicKey(publicKey, 'euint8', 7n), 'euint8', { keyId: kg.requestId, appId: 'default' });
    const domain = { name: 'Decryption', version: '1', chain_id: '31337', verifying_contract: '0x' + '42'.repeat(20) };
    const auth = {
      clientAddress: wallet.address, encKey: bytesToHex(ml_kem512.keygen().publicKey), allowedContracts: ['0x' + 'da'.repeat(20)],
      startTimestamp: Math.floor(Date.now() / 1000) - 60, durationSeconds: 3600, eip712Domain: domain,
    };
    const ud = await submitUserDecrypt(user, asc, {
      key_id: kg.requestId, ciphertexts: [{ ciphertext_handle: ct.handle, ciphertext_digest: ct.digest, fhe_type: 'euint8' }], enc_key: auth.encKey.toLowerCase(),
      client_address: wallet.address.toLowerCase(), eip712_domain: domain, ...userDecryptAuthFields(auth), user_signature: await signUserDecryptRequest(auth, wallet),
    }, pay(fees.user_decrypt));
    gas('asc.user_decrypt', ud.tx.gasUsed, { app: 'open', auth: 'eip712', fhe_type: 'euint8' });
  }

  // The production path (before the expiry is shortened for the refund below: a key takes ~10 s): a proven input (fhevm key, CRS, proof bound to key, CRS, application and requester).
  {
    const fk = await submitKeygen(operator, asc, pay(fees.keygen), undefined, 'fhevm');
    await waitForResult(user, asc, fk.requestId, { fromHeight: fk.tx.height, timeoutMs: 600_000 });
    const crs = await submitCrsGen(operator, asc, 64, pay(fees.crs_gen));
    await waitForResult(user, asc, crs.requestId, { fromHeight: crs.tx.height, timeoutMs: 600_000 });
    const fpk = await download((await getKey(user, asc, fk.requestId)).public_key_uri);
    const crsBytes = await download((await getCrs(user, asc, crs.requestId)).crs_uri);
    const list = encryptWithProof(fpk, crsBytes, 'euint8', 42n, provenInputMetadata({ keyId: fk.requestId, crsId: crs.requestId, appId: 'default', requester: user.senderAddress! }));
    const ct = await putCiphertext(n.kvStoreUrl, list, 'euint8', { keyId: fk.requestId, appId: 'default' });
    const proven = await submitDecrypt(user, asc, { key_id: fk.requestId, ciphertext_handle: ct.handle, ciphertext_digest: ct.digest, fhe_type: 'euint8', crs_id: crs.requestId }, pay(fees.decrypt));
    gas('asc.decrypt_proven', proven.tx.gasUsed, { app: 'default', fhe_type: 'euint8' });
    const r = await waitForResult(user, asc, proven.requestId, { fromHeight: proven.tx.height, timeoutMs: 300_000 });
    if (r.status !== 'completed') throw new Error(`proven decrypt ${proven.requestId} ${r.status}: ${r.failure_reason}`);
  }

  // Governance: one proposal registers the fhEVM ISC and shortens the request expiry (for the refund below).
  const validatorKeys = [0, 1, 2].map((i) => keccak_256(new TextEncoder().encode(`tkms-bench-fhevm-validator-${i}`)));
  const gov = govModuleAddress(n.bech32Prefix);
  const reg = await submitRegisterFhevmIsc(user, {
    config: n.contracts.config,
    codeId: n.codeIds!.iscFhevm!,
    appId: 'bench-fhevm',
    isc: { chain_id: evm.chainId, acl_address: evm.acl, acl_slot_base: FHEVM_ACL_SLOT_BASE, validators: validatorKeys.map((k) => evmAddress(k)), quorum: 2 },
    deposit: await minDeposit(user, true),
    expedited: true,
    extraMessages: [govExecuteMessage(gov, n.contracts.config, { update_params: { request_expiry_seconds: EXPIRY_SECONDS } })],
  });
  gas('gov.submit_register_isc', reg.gasUsed, { messages: 3 });
  gas('gov.vote', (await vote(validator, reg.proposalId, 'yes')).gasUsed);
  const outcome = await waitForProposal(user, reg.proposalId, 120_000);
  if (outcome.status !== 'passed') throw new Error(`proposal ${reg.proposalId} ${outcome.status}: ${outcome.failedReason}`);

  // Decrypts: open application, then the fhEVM application with a real proof (quorum 2 of 3).
  const openGas: number[] = [];
  const proofGas: number[] = [];
  const fulfillGas: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const bytes = encryptWithPublicKey(publicKey, 'euint8', BigInt(i + 1));
    const ct = await putCiphertext(n.kvStoreUrl, bytes, 'euint8', { keyId: kg.requestId, appId: 'default' });
    const base = { key_id: kg.requestId, ciphertext_handle: ct.handle, ciphertext_digest: ct.digest, fhe_type: 'euint8' as const };
    const open = await submitDecrypt(user, asc, base, pay(fees.decrypt));
    openGas.push(open.tx.gasUsed);
    // The same bytes as the fhEVM application's handle (handles name their application). A public
    // decrypt there needs the handle marked publicly decryptable and committed to its digest by the
    // host chain's coprocessor.
    const fct = await putCiphertext(n.kvStoreUrl, bytes, 'euint8', { keyId: kg.requestId, appId: 'bench-fhevm' });
    await evm.commitCiphertext(fct.handle, fct.digest);
    await evm.allowForDecryption([fct.handle]);
    const proof = await evm.publicProof([fct.handle], validatorKeys.slice(0, 2));
    const withProof = await submitDecrypt(user, asc, { ...base, ciphertext_handle: fct.handle, app_id: 'bench-fhevm', proof: proof as unknown as Record<string, unknown> }, pay(fees.decrypt));
    proofGas.push(withProof.tx.gasUsed);
    for (const s of [open, withProof]) {
      const r = await waitForResult(user, asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 120_000 });
      if (r.status !== 'completed') throw new Error(`decrypt ${s.requestId} ${r.status}: ${r.failure_reason}`);
      fulfillGas.push(await txGas(`wasm-tkms_response.request_id='${s.requestId}'`));
    }
  }
  gas('asc.decrypt', median(openGas), { app: 'open', fhe_type: 'euint8', runs: RUNS });
  gas('asc.decrypt_with_proof', median(proofGas), { app: 'fhevm', quorum: 2, fhe_type: 'euint8', runs: RUNS });
  gas('asc.fulfill_decrypt', median(fulfillGas), { fhe_type: 'euint8', runs: 2 * RUNS });

  // The connector claims its fee shares on its own (every 5 s on the localnet).
  const party = (await getParties(user, n.contracts.config)).parties[0]!.address;
  gas('asc.claim', await txGas(`wasm-tkms_claim.address='${party}'`));

  // Refund: with the connector stopped a request stays pending until it expires.
  await net.processes.find((p) => p.name === 'connector-1')!.stop();
  const ct = await putCiphertext(n.kvStoreUrl, encryptWithPublicKey(publicKey, 'euint8', 9n), 'euint8', { keyId: kg.requestId, appId: 'default' });
  const pending = await submitDecrypt(user, asc, { key_id: kg.requestId, ciphertext_handle: ct.handle, ciphertext_digest: ct.digest, fhe_type: 'euint8' }, pay(fees.decrypt));
  // Expiry is in block time: wait it out, then retry while the chain's clock catches up.
  await new Promise((r) => setTimeout(r, (EXPIRY_SECONDS + 1) * 1000));
  for (let tries = 0; ; tries++) {
    try {
      gas('asc.refund', (await refundRequest(user, asc, pending.requestId)).gasUsed);
      break;
    } catch (e) {
      if (tries >= 10) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  await user.close();
  await validator.close();
  await operator.close();
} finally {
  await net.stop();
  await evm.stop();
  rmSync(dir, { recursive: true, force: true });
}
recordResults(results);
compareWithBaseline(results);
process.exit(0);
