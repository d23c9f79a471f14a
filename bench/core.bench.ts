#!/usr/bin/env node
/**
 * @module bench/core.bench
 * The centralized core in process (no network): public decryption with its
 * EIP-712 signature, user decryption (decrypt + signcrypt to ML-KEM-512 +
 * signatures), CRS generation, and the sizes of public material.
 * `node dist/bench/core.bench.js [--runs 20] [--skip-crs]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { pino } from 'pino';
import { KmsCore, type DecryptParameters } from '../core/service/kmsCore.js';
import { CoreRequestError } from '../core/service/errors.js';
import type { UserDecryptParameters } from '../core/service/userDecrypt.js';
import { defaultEngine } from '../core/service/engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../core/service/storage.js';
import { loadOrCreateSigner } from '../core/service/signer.js';
import { encryptWithPublicKey } from '../core/engine/index.js';
import { ciphertextDigest, ciphertextHandle } from '../common/ciphertext.js';
import { generateRecipientKeys } from '../common/signcryption.js';
import type { FheType } from '../common/fheTypes.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

const o = new Command('core-bench').option('--runs <n>', 'decryptions per type', '20').option('--skip-crs', 'skip the ~1 min CRS generation').parse().opts<{ runs: string; skipCrs?: boolean }>();
printMachine();
const runs = Number(o.runs);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-core-bench-'));
const results: BenchResult[] = [];
try {
  const priv = new FileStorage(dir, privatePrefix(1));
  const pub = new FileStorage(dir, publicPrefix(1));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const core = await KmsCore.open({ partyId: 1, engine: defaultEngine, privateStorage: priv, publicStorage: pub, signer, logger: pino({ level: 'silent' }), publicUri: (t, id) => `file://${pub.path(t, id)}` });
  const keyId = randomBytes(20).toString('hex');
  core.startKeyGen(keyId);
  await core.getKeyGenResult(keyId, Date.now() + 120_000);
  const publicKey = (await pub.read(DataType.PublicKey, keyId))!;
  for (const [name, type] of [
    ['client_key', DataType.ClientKey],
    ['public_key', DataType.PublicKey],
    ['server_key', DataType.ServerKey],
  ] as const) {
    const bytes = name === 'client_key' ? await priv.read(type, keyId) : await pub.read(type, keyId);
    results.push({ name: `material.size.${name}`, unit: 'B', value: bytes!.length, params: { parameters: 'PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128', compressed: name === 'server_key' } });
  }
  const domain = { name: 'Decryption', version: '1', chainId: 31337n, verifyingContract: '0x' + '42'.repeat(20) };
  const user = generateRecipientKeys();
  const types: [FheType, bigint | boolean][] = [
    ['ebool', true],
    ['euint8', 200n],
    ['euint16', 60000n],
    ['euint32', 4_000_000_000n],
    ['euint64', 2n ** 64n - 1n],
  ];
  const run = async (p: Omit<DecryptParameters, 'requestId'>): Promise<number> => {
    const requestId = randomBytes(20).toString('hex');
    const t0 = performance.now();
    core.startDecrypt({ ...p, requestId });
    const r = await core.getDecryptResult(requestId, Date.now() + 30_000);
    const ms = performance.now() - t0;
    if (r.failure) throw new Error(`${p.fheType}: ${r.failure.reason}`);
    return ms;
  };
  /** User decryption of one ciphertext (the UserDecrypt path; the plaintext is signcrypted). */
  const runUser = async (p: Omit<UserDecryptParameters, 'requestId'>): Promise<number> => {
    const requestId = randomBytes(20).toString('hex');
    const t0 = performance.now();
    core.startUserDecrypt({ ...p, requestId });
    const r = await core.getUserDecryptResult(requestId, Date.now() + 30_000);
    const ms = performance.now() - t0;
    if (r.failure) throw new Error(`user ${p.ciphertexts[0]?.fheType}: ${r.failure.reason}`);
    return ms;
  };
  for (const [type, value] of types) {
    const ct = encryptWithPublicKey(publicKey, type, value);
    const digest = ciphertextDigest(ct);
    const p = { keyId, fheType: type, ciphertextHandle: ciphertextHandle(digest, type, { keyId, appId: 'default' }), ciphertextDigest: digest, ciphertext: ct, appId: 'default' };
    const pub712: number[] = [];
    const usr: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const a = await run({ ...p, eip712: { domain } });
      const b = await runUser({ keyId, ciphertexts: [{ handle: p.ciphertextHandle, digest, fheType: type, bytes: ct }], userPublicKey: user.publicKey, clientAddress: '0x' + '77'.repeat(20), eip712: { domain }, appId: 'default' });
      if (i > 0) (pub712.push(a), usr.push(b));
    }
    results.push({ name: `decrypt.core.${type}`, unit: 'ms', value: median(pub712), params: { backend: 'centralized', eip712: true, runs, includes: 'digest+parse+decrypt+2 signatures+persist' } });
    results.push({ name: `user_decrypt.core.${type}`, unit: 'ms', value: median(usr), params: { backend: 'centralized', runs, includes: 'digest+parse+decrypt+ML-KEM-512 signcrypt+2 signatures+persist' } });
  }
  {
    // One public request of 32 ciphertexts (the ASC's maximum): one signature and one EIP-712 signature for all.
    const batch = Array.from({ length: 32 }, (_, i) => {
      const ct = encryptWithPublicKey(publicKey, 'euint8', BigInt(i));
      const digest = ciphertextDigest(ct);
      return { ciphertextHandle: ciphertextHandle(digest, 'euint8', { keyId, appId: 'default' }), ciphertextDigest: digest, fheType: 'euint8', ciphertext: ct };
    });
    const times: number[] = [];
    const batchRuns = Math.max(3, Math.ceil(runs / 4));
    for (let i = 0; i <= batchRuns; i++) {
      const ms = await run({ keyId, fheType: '', ciphertextHandle: '', ciphertextDigest: '', ciphertext: new Uint8Array(), batch, eip712: { domain }, appId: 'default' });
      if (i > 0) times.push(ms);
    }
    results.push({ name: 'decrypt.core.batch32.euint8', unit: 'ms', value: median(times), params: { backend: 'centralized', eip712: true, runs: batchRuns, ciphertexts: 32, includes: '32×(digest+parse+decrypt)+2 signatures+persist' } });
  }
  if (!o.skipCrs) {
    const crsId = randomBytes(20).toString('hex');
    const t0 = performance.now();
    core.startCrsGen(crsId, 2048);
    // A result call waits at most MAX_WAIT_MS and answers UNAVAILABLE while the job runs: poll, as clients do.
    const crsDeadline = Date.now() + 600_000;
    let crs: Awaited<ReturnType<typeof core.getCrsGenResult>> | undefined;
    while (!crs) {
      try {
        crs = await core.getCrsGenResult(crsId, crsDeadline);
      } catch (e) {
        if (!(e instanceof CoreRequestError && e.code === 'UNAVAILABLE' && Date.now() < crsDeadline)) throw e;
      }
    }
    results.push({ name: 'crsgen.core', unit: 'ms', value: performance.now() - t0, params: { max_num_bits: 2048, parameters: 'PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128' } });
    results.push({ name: 'material.size.crs', unit: 'B', value: (await pub.read(DataType.CRS, crs.crsId))!.length, params: { max_num_bits: 2048 } });
  }
  await core.close();
  recordResults(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
