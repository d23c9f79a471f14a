/**
 * @module bench/_thresholdParty
 * One threshold party in a worker thread, for bench/thresholdTransport: its own
 * PeerTransport (gRPC, mutual TLS, loopback), PRSS setup, a decryption pool,
 * and ops the driver posts (preprocessing, inline and pooled decryption).
 * Each op runs in a session named by the driver, so all parties meet in it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { ringForParties, type GrVector } from '../core/engine/mpc/algebra/galoisRing.js';
import { cryptoRng } from '../core/engine/mpc/algebra/random.js';
import { preprocessDecryption, thresholdDecrypt } from '../core/engine/mpc/decryption/bitDecomposition.js';
import { CIRCUIT_LEAN } from '../core/engine/mpc/decryption/borrowCircuit.js';
import { MpcSession } from '../core/engine/mpc/online/session.js';
import { generateRandomBits } from '../core/engine/mpc/preprocessing/randomBits.js';
import { generateTriples } from '../core/engine/mpc/preprocessing/triples.js';
import { Prss, prssSetup } from '../core/engine/mpc/prss/prss.js';
import type { ParsedCiphertext } from '../core/engine/tfhe/ciphertext.js';
import { PeerTransport, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { DecryptionPool } from '../core/service/threshold/decryptionPool.js';

export interface PartyData {
  partyId: number;
  t: number;
  peers: PeerInfo[];
  tls: { caPem: string; certPem: string; keyPem: string };
  port: number;
  keyShare: Uint32Array;
  pool: { batchBlocks: number; lowWater: number; highWater: number };
}

export type PartyOp =
  | { op: 'triples' | 'bits'; session: string; count: number }
  | { op: 'inline'; session: string; cts: ParsedCiphertext[] }
  | { op: 'pooled'; session: string; cts: ParsedCiphertext[] }
  | { op: 'fill' }
  | { op: 'close' };

export interface PartyReply {
  ms: number;
  /** Online part only (inline: after preprocessing). */
  onlineMs?: number;
  preMs?: number;
  /** Messages and bytes this party sent during the online part. */
  sent?: number;
  sentBytes?: number;
  source?: string;
  /** Pooled: the pool-or-inline decision was taken early (decryptionPool.ts). */
  earlyDecision?: boolean;
  plaintexts?: string[];
  pool?: number[];
  /** `fill` after `pooled`: messages and bytes of that decryption including the decision agreement's background rounds. */
  pooledSent?: number;
  pooledSentBytes?: number;
}

/** The last pooled decryption's traffic once its decision agreement ended (its answer does not wait for that). */
let pooledTotal: Promise<{ sent: number; sentBytes: number }> | undefined;

const d = workerData as PartyData;
const n = d.peers.length;
const R = ringForParties(n);
const transport = await PeerTransport.start({ partyId: d.partyId, peers: d.peers, tls: d.tls, listen: { host: '127.0.0.1', port: d.port }, timeoutMs: 120_000, startTimeoutMs: 120_000 });
// Generous round bounds: a batch of 64 × euint64 at n = 7 moves ~6 MB per message
// and decodes ~240 000 values per round on 2 shared cores.
const setupNet = transport.endpoint('bench/prss');
const prss = new Prss(R, await prssSetup(setupNet, d.t, cryptoRng, { timeoutMs: 30_000 }));
setupNet.close();
const keyShare = d.keyShare as GrVector;
const pool = new DecryptionPool({ R, t: d.t, prss, open: (sid) => transport.endpoint(sid), ...d.pool });

async function run(m: PartyOp): Promise<PartyReply> {
  const t0 = performance.now();
  if (m.op === 'triples' || m.op === 'bits') {
    const net = transport.endpoint(m.session);
    const s = new MpcSession(net, R, d.t, prss);
    const tr = await generateTriples(s, m.count);
    if (m.op === 'bits') await generateRandomBits(s, m.count, tr);
    net.close();
    return { ms: performance.now() - t0 };
  }
  if (m.op === 'inline') {
    const net = transport.endpoint(m.session);
    const s = new MpcSession(net, R, d.t, prss);
    // The circuit the service uses for inline material (decryptionPool.ts).
    const material = await preprocessDecryption(s, m.cts.reduce((a, c) => a + c.blocks.length, 0), 4, CIRCUIT_LEAN);
    const t1 = performance.now();
    const before = { ...transport.stats };
    const r = await thresholdDecrypt(s, m.cts, keyShare, material);
    const t2 = performance.now();
    net.close();
    return { ms: t2 - t0, preMs: t1 - t0, onlineMs: t2 - t1, sent: transport.stats.sent - before.sent, sentBytes: transport.stats.sentBytes - before.sentBytes, plaintexts: r.plaintexts.map(String) };
  }
  if (m.op === 'pooled') {
    const net = transport.endpoint(m.session);
    const before = { ...transport.stats };
    const r = await pool.decrypt(net, m.cts, keyShare);
    const ms = performance.now() - t0;
    net.close();
    pooledTotal = pool.decisionsSettled().then(() => ({ sent: transport.stats.sent - before.sent, sentBytes: transport.stats.sentBytes - before.sentBytes }));
    return { ms, source: r.source, earlyDecision: r.earlyDecision, sent: transport.stats.sent - before.sent, sentBytes: transport.stats.sentBytes - before.sentBytes, plaintexts: r.plaintexts.map(String) };
  }
  if (m.op === 'fill') {
    const total = await pooledTotal;
    pooledTotal = undefined;
    await pool.idle();
    return { ms: performance.now() - t0, pool: pool.status().batches, ...(total ? { pooledSent: total.sent, pooledSentBytes: total.sentBytes } : {}) };
  }
  await pool.close();
  await transport.close();
  return { ms: 0 };
}

parentPort!.on('message', (m: PartyOp) => {
  run(m).then(
    (r) => parentPort!.postMessage(r),
    (e: unknown) => parentPort!.postMessage({ ms: -1, error: e instanceof Error ? e.message : String(e) }),
  );
});
parentPort!.postMessage({ ready: true });
