/**
 * @module bench/_dkgParty
 * One party of bench/dkg in its own process (so its peak memory is its own):
 * a PeerTransport (gRPC, pinned mutual TLS, loopback), a PRSS setup, the
 * keygen preprocessing into chunk files, then the online key generation
 * streaming them. Reads its config as JSON from argv[2]; prints one JSON
 * line with its figures.
 *
 * `onlineOnly` (BENCHMARK ONLY, INSECURE): no preprocessing; the online phase
 * consumes bits and triples every party derives from one public seed (a
 * trusted dealer's material: the keys it yields protect nothing). It measures
 * the online phase of a set whose real preprocessing takes hours, and checks
 * its keys at full size; the preprocessing is measured with `maxChunks`.
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
import { seededRng } from '../core/engine/mpc/algebra/random.js';
import { shamirShare } from '../core/engine/mpc/sharing/shamir.js';
import type { Chunk, ChunkSpec } from '../core/engine/mpc/keygen/preprocessing.js';
import type { GaloisRing } from '../core/engine/mpc/algebra/galoisRing.js';
import type { FheParameterSet } from '../core/engine/index.js';
import { PeerTransport, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { sessionIdFor } from '../core/service/mpc/session.js';
import { runDistributedKeygen } from '../core/service/threshold/distributedKeygen.js';
import { runKeygenPreprocessing, type PreprocProgress } from '../core/service/threshold/keygenPreprocessing.js';
import { sha3Hex } from '../core/service/storage.js';
import { keygenShape } from '../core/service/zk/keygenTool.js';

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
  /** BENCHMARK ONLY, INSECURE: skip the preprocessing, run the online phase on material dealt from a public seed (module doc). */
  onlineOnly?: boolean;
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
const shape = await keygenShape(c.parameters);
const fullPlan = keygenPreprocessingPlan(keygenLayout(shape));
const plan = c.maxChunks === undefined ? fullPlan : { ...fullPlan, chunks: fullPlan.chunks.slice(0, c.maxChunks) };
/**
 * BENCHMARK ONLY: chunk `spec` as a trusted dealer would share it, derived
 * from a public seed by every party alike (this party keeps its own share).
 * Bits are 0/1 constants, triples random ring elements with c = a·b.
 */
function dealtChunk(R: GaloisRing, spec: ChunkSpec, n: number, t: number, self: number): Chunk {
  const rng = seededRng(0x5eed_0000 + spec.index);
  const share = (secrets: Uint32Array): Uint32Array => shamirShare(R, secrets, spec.count, n, t, rng)[self - 1]!;
  if (spec.kind === 'bits') {
    const bits = R.alloc(spec.count);
    for (let i = 0; i < spec.count; i++) if (rng.nextU32() & 1) R.copyInto(bits, i, R.one(), 0);
    return { kind: 'bits', bits: share(bits) };
  }
  const a = R.random(rng, spec.count);
  const b = R.random(rng, spec.count);
  const prod = R.alloc(spec.count);
  for (let i = 0; i < spec.count; i++) R.mulInto(prod, i, a, i, b, i);
  return { kind: 'triples', triples: { count: spec.count, a: share(a), b: share(b), c: share(prod) } };
}

const chunkDir = path.join(c.dir, `party-${c.partyId}`);
await mkdir(chunkDir, { recursive: true });
let progress: PreprocProgress | undefined;
const t0 = performance.now();
const sent0 = transport.stats.sentBytes;
if (!c.onlineOnly) await runKeygenPreprocessing({
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
  const n = c.peers.length;
  const randomness = new ChunkedRandomness(R, plan, async (spec) =>
    c.onlineOnly ? dealtChunk(R, spec, n, c.t, c.partyId) : decodeChunk(R, spec, new Uint8Array(await readFile(path.join(chunkDir, `chunk-${spec.index}`)))),
  );
  let lastPct = -1;
  const r = await runDistributedKeygen({
    net: open('keygen'),
    R,
    t: c.t,
    prss,
    parameters: c.parameters,
    randomness,
    onProgress: (stage, fraction) => {
      const pct = Math.floor(fraction * 100);
      if (c.partyId !== 1 || pct < lastPct + 5) return;
      lastPct = pct;
      process.stderr.write(`party 1: online ${pct}% (${stage}) after ${((performance.now() - t1) / 1000).toFixed(0)} s\n`);
    },
  });
  if (c.onlineOnly) {
    // Keep the key set (public) for the bench's usability check.
    await writeFile(path.join(c.dir, `public-key-${c.partyId}.bin`), r.compactPublicKey);
    await writeFile(path.join(c.dir, `server-key-${c.partyId}.bin`), r.compressedServerKey);
  }
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
