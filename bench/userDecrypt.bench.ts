#!/usr/bin/env node
/**
 * @module bench/userDecrypt.bench
 * User decryption (issue 5) at the core level, per FHE type: the centralized
 * core (decrypt + seal the plaintext) and four threshold cores in this process
 * over real gRPC/mTLS (MPC up to the shares + seal the share), each followed by
 * the client's verification, opening and reconstruction
 * (cli/userDecryptResult.ts); plus a batch of 32 euint64 and the signcryption
 * sizes that go on chain. All four threshold parties share this process's one
 * thread. `node dist/bench/userDecrypt.bench.js [--runs 5]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { pino } from 'pino';
import { KmsCore } from '../core/service/kmsCore.js';
import { defaultEngine, type CoreEngine } from '../core/service/engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../core/service/storage.js';
import { loadOrCreateSigner } from '../core/service/signer.js';
import { PeerTransport, certFingerprint, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { thresholdBackend } from '../core/service/threshold/thresholdBackend.js';
import { encryptWithPublicKey } from '../core/engine/index.js';
import { ciphertextDigest, ciphertextHandle } from '../common/ciphertext.js';
import { generateRecipientKeys } from '../common/signcryption.js';
import { createCa, issueCert } from '../common/tls.js';
import type { FheType } from '../common/fheTypes.js';
import { freePort } from '../localnet/processes.js';
import { reconstructUserDecrypt } from '../cli/userDecryptResult.js';
import { median, printMachine, recordResults, type BenchResult } from './_results.js';

const o = new Command('user-decrypt-bench').option('--runs <n>', 'user decryptions per type', '5').parse().opts<{ runs: string }>();
printMachine();
const runs = Number(o.runs);
const silent = pino({ level: 'silent' });
const domain = { name: 'Decryption', version: '1', chainId: 31337n, verifyingContract: '0x' + '42'.repeat(20) };
const user = generateRecipientKeys();
const TYPES: [FheType, bigint | boolean][] = [
  ['ebool', true],
  ['euint8', 200n],
  ['euint16', 60000n],
  ['euint32', 4_000_000_000n],
  ['euint64', 2n ** 64n - 1n],
];
const results: BenchResult[] = [];

interface Party {
  id: number;
  core: KmsCore;
  signerPubkey: string;
  pub: FileStorage;
  /** Threshold: resolves when the decryption pools are full again. */
  idle?(): Promise<void>;
  close(): Promise<void>;
}

async function openParties(dir: string, n: number, t: number): Promise<Party[]> {
  const engine: CoreEngine = n === 1 ? defaultEngine : { ...defaultEngine, generateKeySet: (x) => defaultEngine.generateKeySet({ ...x, withoutServerKey: true } as never) };
  if (n === 1) {
    const priv = new FileStorage(dir, privatePrefix(1));
    const pub = new FileStorage(dir, publicPrefix(1));
    const { signer } = await loadOrCreateSigner(priv, pub);
    const core = await KmsCore.open({ partyId: 1, engine, privateStorage: priv, publicStorage: pub, signer, logger: silent, publicUri: (ty, id) => `file://${pub.path(ty, id)}` });
    return [{ id: 1, core, signerPubkey: signer.publicKeyHex, pub, close: () => core.close() }];
  }
  const ca = await createCa('bench-ca');
  const ids = await Promise.all(Array.from({ length: n }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  return Promise.all(
    peers.map(async (p) => {
      const id = ids[p.partyId - 1]!;
      const transport = await PeerTransport.start({ partyId: p.partyId, peers, tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem }, listen: { host: '127.0.0.1', port: Number(p.address.split(':')[1]) }, timeoutMs: 10_000 });
      const priv = new FileStorage(path.join(dir, `p${p.partyId}`), privatePrefix(p.partyId));
      const pub = new FileStorage(path.join(dir, `p${p.partyId}`), publicPrefix(p.partyId));
      const { signer } = await loadOrCreateSigner(priv, pub);
      const backend = thresholdBackend({ transport, t, dealerId: 1, insecureDealerKeygen: true, engine, logger: silent, roundTimeoutMs: 10_000 });
      const core = await KmsCore.open({
        partyId: p.partyId,
        engine,
        keyBackend: backend,
        privateStorage: priv,
        publicStorage: pub,
        signer,
        logger: silent,
        publicUri: (ty, kid) => `file://${pub.path(ty, kid)}`,
      });
      return { id: p.partyId, core, signerPubkey: signer.publicKeyHex, pub, idle: () => backend.idle(), close: async () => (await core.close(), await transport.close()) };
    }),
  );
}

/** One user decryption by every party, then the client's reconstruction; returns both times and the blob size. */
async function once(parties: Party[], t: number, keyId: string, cts: { handle: string; digest: string; fheType: string; bytes: Uint8Array }[], expected: bigint[]): Promise<{ coreMs: number; clientMs: number; blobBytes: number }> {
  const requestId = randomBytes(20).toString('hex');
  const t0 = performance.now();
  for (const p of parties) p.core.startUserDecrypt({ requestId, keyId, ciphertexts: cts, userPublicKey: user.publicKey, clientAddress: '0x' + '77'.repeat(20), eip712: { domain }, appId: 'default' });
  const outs = await Promise.all(parties.map((p) => p.core.getUserDecryptResult(requestId, Date.now() + 300_000)));
  const coreMs = performance.now() - t0;
  for (const x of outs) if (x.failure) throw new Error(x.failure.reason);
  const t1 = performance.now();
  const r = reconstructUserDecrypt(
    outs.map((x, i) => ({ partyId: parties[i]!.id, signcryption: Buffer.from(x.signcryption, 'hex'), eip712Signature: x.eip712Signature, signature: x.signature })),
    {
      requestId,
      keyId,
      ciphertexts: cts,
      userPublicKey: user.publicKey,
      userSecretKey: user.secretKey,
      signers: new Map(parties.map((p) => [p.id, p.signerPubkey])),
      n: parties.length,
      threshold: t,
      eip712Domain: domain,
    },
  );
  const clientMs = performance.now() - t1;
  if (r.plaintexts.join() !== expected.join()) throw new Error(`wrong plaintexts ${r.plaintexts.join()} ≠ ${expected.join()}`);
  return { coreMs, clientMs, blobBytes: outs[0]!.signcryption.length / 2 };
}

for (const [n, t, backend] of [
  [1, 0, 'centralized'],
  [4, 1, 'threshold'],
] as const) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tkms-ud-bench-${backend}-`));
  const parties = await openParties(dir, n, t);
  try {
    const keyId = randomBytes(20).toString('hex');
    for (const p of parties) p.core.startKeyGen(keyId, '', '', { insecureDealerAllowed: true });
    await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 300_000)));
    const pk = (await parties[0]!.pub.read(DataType.PublicKey, keyId))!;
    const ctOf = (type: FheType, v: bigint | boolean) => {
      const bytes = encryptWithPublicKey(pk, type, v);
      const digest = ciphertextDigest(bytes);
      return { handle: ciphertextHandle(digest, type, { keyId, appId: 'default' }), digest, fheType: type, bytes };
    };
    const batches: [string, [FheType, bigint | boolean][]][] = [...TYPES.map(([ty, v]) => [ty, [[ty, v]]] as [string, [FheType, bigint | boolean][]]), ['euint64.batch32', Array(32).fill(['euint64', 2n ** 64n - 1n])]];
    for (const [name, values] of batches) {
      const cts = values.map(([ty, v]) => ctOf(ty, v));
      const expected = values.map(([, v]) => (typeof v === 'boolean' ? (v ? 1n : 0n) : v));
      const core: number[] = [];
      const client: number[] = [];
      let blob = 0;
      const reps = name.includes('batch') ? Math.max(1, Math.ceil(runs / 2)) : runs;
      for (let i = 0; i <= reps; i++) {
        // Threshold: the decryption pools refill between requests (they run in the background in a
        // deployment; here all four parties share this thread, so a refill would run inside the timing).
        await Promise.all(parties.map((p) => p.idle?.()));
        const r = await once(parties, t, keyId, cts, expected);
        if (i > 0) (core.push(r.coreMs), client.push(r.clientMs));
        blob = r.blobBytes;
      }
      const params = { backend, n, t, runs: reps, network: n > 1 ? 'gRPC/mTLS in one process' : 'none', ...(n > 1 ? { material: 'pool, refilled between requests' } : {}) };
      results.push({ name: `user_decrypt.core.${backend}.${name}`, unit: 'ms', value: median(core), params: { ...params, includes: 'every party: digest+parse+decrypt (threshold: MPC to shares)+signcrypt+2 signatures+persist' } });
      results.push({ name: `user_decrypt.client.${backend}.${name}`, unit: 'ms', value: median(client), params: { ...params, includes: 'verify n×(secp256k1+EIP-712), open n signcryptions, reconstruct' } });
      results.push({ name: `user_decrypt.signcryption_size.${backend}.${name}`, unit: 'B', value: blob, params: { n, t } });
    }
  } finally {
    for (const p of parties) await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
recordResults(results);
process.exit(0);
