/**
 * @module bench/_dkgParty
 * One party of bench/dkg in its own process (so its peak memory is its own):
 * a PeerTransport (gRPC, pinned mutual TLS, loopback), a PRSS setup, the
 * keygen preprocessing into chunk files, then the online key generation
 * streaming them. Reads its config as JSON from argv[2]; prints one JSON
 * line with its figures.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { ringForParties } from '../core/engine/mpc/algebra/galoisRing.js';
import { cryptoRng } from '../core/engine/mpc/algebra/random.js';
import { keygenLayout } from '../core/engine/mpc/keygen/keygen.js';
import { ChunkedRandomness, decodeChunk, keygenPreprocessingPlan } from '../core/engine/mpc/keygen/preprocessing.js';
import { prssSetup } from '../core/engine/mpc/prss/prss.js';
import type { FheParameterSet } from '../core/engine/index.js';
import { PeerTransport, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { sessionIdFor } from '../core/service/mpc/session.js';
import { runDistributedKeygen } from '../core/service/threshold/distributedKeygen.js';
import { runKeygenPreprocessing, type PreprocProgress } from '../core/service/threshold/keygenPreprocessing.js';
import { sha3Hex } from '../core/service/storage.js';
import { expandKeygenMasks } from '../core/service/zk/keygenTool.js';

export interface DkgPartyConfig {
  partyId: number;
  t: number;
  peers: PeerInfo[];
  tls: { caPem: string; certPem: string; keyPem: string };
  port: number;
  parameters: FheParameterSet;
  dir: string;
  /** Stop the preprocessing after this many chunks and skip the online phase (rate measurement of a long set). */
  maxChunks?: number;
}

export interface DkgPartyReport {
  partyId: number;
  chunks: number;
  chunksMade: number;
  preprocessingMs: number;
  onlineMs?: number;
  preprocessingBytesSent: number;
  onlineBytesSent?: number;
  peakRssMiB: number;
  publicKeyDigest?: string;
  serverKeyDigest?: string;
  cheaters?: number[];
}

const c = JSON.parse(process.argv[2]!) as DkgPartyConfig;
const logger = pino({ level: 'warn' }, pino.destination(2));
const transport = await PeerTransport.start({ partyId: c.partyId, peers: c.peers, tls: c.tls, listen: { host: '127.0.0.1', port: c.port }, timeoutMs: 60_000 });
const R = ringForParties(c.peers.length);
const preprocId = `bench-${c.parameters}`;
const open = (name: string) => transport.endpoint(sessionIdFor(preprocId, name));
const prss = await prssSetup(open('prss'), c.t, cryptoRng, { timeoutMs: 120_000 });

// The chunk count comes from the layout the native tool reports (no secret involved).
const { shape } = await expandKeygenMasks({ parameters: c.parameters, seed: new Uint8Array(16) });
const fullPlan = keygenPreprocessingPlan(keygenLayout(shape));
const plan = c.maxChunks === undefined ? fullPlan : { ...fullPlan, chunks: fullPlan.chunks.slice(0, c.maxChunks) };
const chunkDir = path.join(c.dir, `party-${c.partyId}`);
await mkdir(chunkDir, { recursive: true });
let progress: PreprocProgress | undefined;
const t0 = performance.now();
const sent0 = transport.stats.sentBytes;
await runKeygenPreprocessing({
  preprocId,
  open,
  R,
  t: c.t,
  prss,
  plan,
  logger,
  store: {
    load: async () => progress,
    save: async (p) => void (progress = p),
    writeChunk: (i, bytes) => writeFile(path.join(chunkDir, `chunk-${i}`), bytes),
    dropChunk: (i) => rm(path.join(chunkDir, `chunk-${i}`), { force: true }),
  },
  rendezvousPollMs: 2000,
  onProgress: (done, total) => c.partyId === 1 && done % 10 === 0 && process.stderr.write(`party 1: preprocessing chunk ${done}/${total} after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
});
const report: DkgPartyReport = {
  partyId: c.partyId,
  chunks: fullPlan.chunks.length,
  chunksMade: plan.chunks.length,
  preprocessingMs: performance.now() - t0,
  preprocessingBytesSent: transport.stats.sentBytes - sent0,
  peakRssMiB: 0,
};
if (c.maxChunks === undefined) {
  const t1 = performance.now();
  const sent1 = transport.stats.sentBytes;
  const randomness = new ChunkedRandomness(R, plan, async (spec) => decodeChunk(R, spec, new Uint8Array(await readFile(path.join(chunkDir, `chunk-${spec.index}`)))));
  const r = await runDistributedKeygen({ net: open('keygen'), R, t: c.t, prss, parameters: c.parameters, randomness });
  report.onlineMs = performance.now() - t1;
  report.onlineBytesSent = transport.stats.sentBytes - sent1;
  report.publicKeyDigest = sha3Hex(r.compactPublicKey);
  report.serverKeyDigest = sha3Hex(r.compressedServerKey);
  report.cheaters = r.cheaters;
}
report.peakRssMiB = process.resourceUsage().maxRSS / 1024;
await rm(chunkDir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(report) + '\n');
// Let the others finish their last rounds before this party's endpoint disappears.
await new Promise((r) => setTimeout(r, 3000));
await transport.close();
process.exit(0);
