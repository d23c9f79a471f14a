/**
 * @module bench/_thresholdTransport
 * Threshold decryption over the real transport: n parties, each in its own
 * worker thread with its own PeerTransport (gRPC, pinned mutual TLS, loopback),
 * PRSS keys from a real setup, key shares dealt from a node-tfhe client key.
 * Figures per (n, t): triples/s and random bits/s; online latency for ebool,
 * euint8, euint64 (single) and 64 × euint64 (one batch), with the material
 * preprocessed (inline, before the clock starts; the lean circuit, as the
 * service makes inline material) and through the decryption pool (offer,
 * vote and agreed decision included; the shallow circuit of pooled
 * material); inline latency (preprocessing + online); messages and bytes sent per decryption, counted by PeerTransport
 * (pooled: until the decision agreement's background round ended, first rep);
 * how many pooled decisions were taken early (`early_decisions`).
 * Latency is the driver's wall time from posting the op to every party to the
 * last party's answer (median of `reps`).
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as tfhe from 'node-tfhe';
import type { FheType } from '../common/fheTypes.js';
import { createCa, issueCert } from '../common/tls.js';
import { ringForParties } from '../core/engine/mpc/algebra/galoisRing.js';
import { seededRng } from '../core/engine/mpc/algebra/random.js';
import { dealKeyShares } from '../core/engine/mpc/decryption/keyShares.js';
import { parseCiphertext, type ParsedCiphertext } from '../core/engine/tfhe/ciphertext.js';
import { parseClientKey } from '../core/engine/tfhe/clientKey.js';
import { certFingerprint, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { freePort } from '../localnet/processes.js';
import type { BenchResult } from './_results.js';
import type { PartyData, PartyOp, PartyReply } from './_thresholdParty.js';
import { encryptWithClientKey } from '../core/engine/tfhe/_testUtils.js';

export interface TransportBenchOptions {
  parties: readonly (readonly [number, number])[];
  batch: number;
  reps: number;
  preprocessingCount: number;
  /** Only these online cases (e.g. ['euint64.batch64']), no preprocessing or pool figures (quick checks). */
  only?: string[];
  /** Only the pool figures (quick checks of the pooled path). */
  pooledOnly?: boolean;
  /** Only these single-ciphertext cases (e.g. ['ebool', 'euint64']), no batch of 64 (quick checks). */
  types?: string[];
}

class Parties {
  private constructor(private readonly workers: Worker[]) {}

  static async start(n: number, t: number, key: ReturnType<typeof parseClientKey>['bigKey']): Promise<Parties> {
    const R = ringForParties(n);
    const shares = dealKeyShares(R, key.bits, n, t, seededRng(n));
    const ca = await createCa('bench-ca');
    const ids = await Promise.all(Array.from({ length: n }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
    const ports = await Promise.all(ids.map(() => freePort()));
    const peers: PeerInfo[] = ids.map((id, i) => ({ partyId: i + 1, address: `127.0.0.1:${ports[i]}`, certFingerprint: certFingerprint(id.certPem) }));
    const file = fileURLToPath(new URL('./_thresholdParty.js', import.meta.url));
    const workers = ids.map((id, i) => {
      const data: PartyData = {
        partyId: i + 1,
        t,
        peers,
        tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem },
        port: ports[i]!,
        keyShare: shares[i]! as Uint32Array,
        // Large enough for one euint64 per request in the latency loop.
        pool: { batchBlocks: 8, lowWater: 8, highWater: 16 },
      };
      return new Worker(file, { workerData: data });
    });
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
    return new Parties(workers);
  }

  /** Posts `op` to every party; resolves with the wall time and every reply. */
  async all(op: PartyOp): Promise<{ ms: number; replies: PartyReply[] }> {
    const t0 = performance.now();
    const replies = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<PartyReply>((resolve, reject) => {
            w.once('message', (r: PartyReply & { error?: string }) => (r.error ? reject(new Error(r.error)) : resolve(r)));
            w.postMessage(op);
          }),
      ),
    );
    return { ms: performance.now() - t0, replies };
  }

  async close(): Promise<void> {
    await this.all({ op: 'close' }).catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runTransportBench(o: TransportBenchOptions, onResults: (r: BenchResult[]) => void = () => undefined): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  const key = parseClientKey(ck.safe_serialize(1n << 20n)).bigKey;
  const encrypt = (type: FheType, value: bigint): ParsedCiphertext => parseCiphertext(encryptWithClientKey(ck, type, value), type);
  let sessionNo = 0;
  const sid = (what: string): string => `bench/${what}/${++sessionNo}`;
  for (const [n, t] of o.parties) {
    const params = { n, t, network: 'grpc-mtls-loopback', parties: 'one worker thread each' };
    const ps = await Parties.start(n, t, key);
    try {
      // Preprocessing throughput (best of reps).
      for (const what of o.only || o.pooledOnly ? [] : (['triples', 'bits'] as const)) {
        const times: number[] = [];
        for (let r = 0; r < o.reps; r++) times.push((await ps.all({ op: what, session: sid(what), count: o.preprocessingCount })).ms);
        out.push({ name: what === 'triples' ? 'preprocessing.threshold.triples' : 'preprocessing.threshold.random_bits', unit: what === 'triples' ? 'triples/s' : 'bits/s', value: o.preprocessingCount / (Math.min(...times) / 1000), params: { ...params, count: o.preprocessingCount, includes_triples: what === 'bits' } });
      }

      const cases = (
        [
          ['ebool', [encrypt('ebool', 1n)], '1'],
          ['euint8', [encrypt('euint8', 200n)], '200'],
          ['euint64', [encrypt('euint64', 0x0123456789abcdefn)], String(0x0123456789abcdefn)],
        ] as [string, ParsedCiphertext[], string][]
      ).filter(([name]) => !o.types || o.types.includes(name));
      const big = Array.from({ length: o.batch }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn);
      const batchCases: [string, ParsedCiphertext[], string][] = o.types || o.pooledOnly ? [] : [[`euint64.batch${o.batch}`, big.map((v) => encrypt('euint64', v)), big.join(',')]];

      // Online with preprocessed material, and inline (preprocessing + online).
      for (const [name, cts, expected] of o.pooledOnly ? [] : [...cases, ...batchCases].filter(([name]) => !o.only || o.only.includes(name))) {
        const online: number[] = [];
        const total: number[] = [];
        let sent = 0;
        let bytes = 0;
        const reps = name.includes('batch') ? 1 : o.reps;
        for (let r = 0; r < reps + 1; r++) {
          const { ms, replies } = await ps.all({ op: 'inline', session: sid('inline'), cts });
          for (const rep of replies) if (rep.plaintexts!.join(',') !== expected) throw new Error(`${name}: wrong plaintext ${rep.plaintexts!.join(',')}`);
          if (r === 0 && reps > 1) continue; // warm-up
          total.push(ms);
          online.push(Math.max(...replies.map((x) => x.onlineMs!)));
          sent = replies.reduce((s, x) => s + x.sent!, 0);
          bytes = replies.reduce((s, x) => s + x.sentBytes!, 0);
        }
        out.push({ name: `decrypt.threshold.online.${name}`, unit: 'ms', value: med(online), params: { ...params, material: 'preprocessed', circuit: 'lean (inline material)', reps } });
        out.push({ name: `decrypt.threshold.inline.${name}`, unit: 'ms', value: med(total), params: { ...params, material: 'inline (preprocessing + online)', circuit: 'lean', reps } });
        out.push({ name: `decrypt.threshold.messages.${name}`, unit: 'messages', value: sent, params: { ...params, phase: 'online' } });
        out.push({ name: `decrypt.threshold.bytes.${name}`, unit: 'bytes', value: bytes, params: { ...params, phase: 'online' } });
      }

      if (o.only) continue;
      // Through the pool: one request establishes the epoch (inline), then wait for the refill.
      await ps.all({ op: 'pooled', session: sid('pooled'), cts: [encrypt('ebool', 1n)] });
      const fill = await ps.all({ op: 'fill' });
      const held = fill.replies[0]!.pool!.length;
      out.push({ name: 'preprocessing.threshold.pool_fill', unit: 'ms', value: fill.ms, params: { ...params, batches: held, blocks_per_batch: 8 } });
      for (const [name, cts, expected] of cases) {
        const lat: number[] = [];
        let sent = 0;
        let bytes = 0;
        let early = 0;
        for (let r = 0; r < o.reps; r++) {
          const { ms, replies } = await ps.all({ op: 'pooled', session: sid('pooled'), cts });
          early += replies.filter((x) => x.earlyDecision).length;
          for (const rep of replies) {
            if (rep.plaintexts!.join(',') !== expected) throw new Error(`${name}: wrong plaintext`);
            if (rep.source !== 'pool') throw new Error(`${name}: material did not come from the pool (${rep.source})`);
          }
          lat.push(ms);
          // Refill outside the clock. Traffic counted until the decision agreement's
          // background rounds ended, in the first rep (later ones may overlap a refill).
          const fill = await ps.all({ op: 'fill' });
          if (r === 0) {
            sent = fill.replies.reduce((s, x) => s + x.pooledSent!, 0);
            bytes = fill.replies.reduce((s, x) => s + x.pooledSentBytes!, 0);
          }
        }
        out.push({ name: `decrypt.threshold.pooled.${name}`, unit: 'ms', value: med(lat), params: { ...params, material: 'pool (offer, vote, agreed decision + online)', circuit: 'shallow (pooled material)', reps: o.reps, early_decisions: `${early}/${o.reps * n}` } });
        out.push({ name: `decrypt.threshold.messages.pooled.${name}`, unit: 'messages', value: sent, params: { ...params, phase: 'agreement + online' } });
        out.push({ name: `decrypt.threshold.bytes.pooled.${name}`, unit: 'bytes', value: bytes, params: { ...params, phase: 'agreement + online' } });
      }
    } finally {
      await ps.close();
    }
    onResults(out.filter((r) => r.params['n'] === n));
  }
  ck.free();
  return out;
}
