/**
 * @module core/engine/mpc/decryption/bitDecomposition.bench
 * Figures for the secure decryption over the in-memory network: preprocessing
 * throughput (triples/s, bits/s), online latency per request (ebool, euint8,
 * euint64; single and a batch), and messages/bytes of the online phase. All n
 * parties run in this one process on one thread, so the times are those of
 * the whole simulated network (a real party does 1/n of the compute).
 * Not wired into `make bench` here: `runBitDecompositionBench()` returns the
 * rows for the bench runner to print and store.
 *
 * @example
 * const rows = await runBitDecompositionBench({ parties: [[4, 1]], batch: 8 });
 */
import * as tfhe from 'node-tfhe';
import type { FheType } from '../../../../common/fheTypes.js';
import { parseCiphertext, type ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { ringForParties, type GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { InMemoryHub } from '../network/inMemory.js';
import { runParties } from '../network/runParties.js';
import { MpcSession } from '../online/session.js';
import { generateRandomBits } from '../preprocessing/randomBits.js';
import { generateTriples } from '../preprocessing/triples.js';
import { Prss, prssSetup, type PrssKeys } from '../prss/prss.js';
import { preprocessDecryption, thresholdDecrypt, type DecryptionMaterial } from './bitDecomposition.js';
import { dealKeyShares } from './keyShares.js';
import { encryptWithClientKey } from '../../tfhe/_testUtils.js';

export interface BitDecompositionBenchRow {
  n: number;
  t: number;
  name: string;
  value: number;
  unit: string;
}

export interface BitDecompositionBenchOptions {
  parties?: readonly (readonly [number, number])[];
  /** Ciphertexts in the batched measurement. */
  batch?: number;
  /** Triples and bits per preprocessing measurement. */
  preprocessingCount?: number;
}

export async function runBitDecompositionBench(options: BitDecompositionBenchOptions = {}): Promise<BitDecompositionBenchRow[]> {
  const rows: BitDecompositionBenchRow[] = [];
  const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
  const key = parseClientKey(ck.safe_serialize(1n << 20n)).bigKey;
  const encrypt = (type: FheType, value: bigint): ParsedCiphertext => parseCiphertext(encryptWithClientKey(ck, type, value), type);
  for (const [n, t] of options.parties ?? [
    [4, 1],
    [7, 2],
  ]) {
    const R = ringForParties(n);
    const keyShares = dealKeyShares(R, key.bits, n, t, seededRng(n));
    const hub = new InMemoryHub({ timeoutMs: 2000 });
    const setup = await runParties(n, t, (net) => prssSetup(net, t, seededRng(net.self)), { hub });
    const keys = setup.outputs;
    const session = (net: Parameters<Parameters<typeof runParties>[2]>[0]): MpcSession => new MpcSession(net, R, t, new Prss(R, keys.get(net.self)! as PrssKeys));

    // Preprocessing throughput.
    const count = options.preprocessingCount ?? 2000;
    let t0 = performance.now();
    await runParties(n, t, (net) => generateTriples(session(net), count), { hub });
    rows.push({ n, t, name: 'triples per second', value: count / ((performance.now() - t0) / 1000), unit: 'triples/s' });
    t0 = performance.now();
    await runParties(
      n,
      t,
      async (net) => {
        const s = session(net);
        return generateRandomBits(s, count, await generateTriples(s, count));
      },
      { hub },
    );
    rows.push({ n, t, name: 'random bits per second (incl. their triples)', value: count / ((performance.now() - t0) / 1000), unit: 'bits/s' });

    // Online latency, messages and bytes.
    const cases: [string, ParsedCiphertext[]][] = [
      ['ebool', [encrypt('ebool', 1n)]],
      ['euint8', [encrypt('euint8', 200n)]],
      ['euint64', [encrypt('euint64', 0x0123456789abcdefn)]],
      [`euint64 x${options.batch ?? 64}`, Array.from({ length: options.batch ?? 64 }, (_, i) => encrypt('euint64', BigInt(i) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn))],
    ];
    for (const [name, cts] of cases) {
      const blocks = cts.reduce((s, c) => s + c.blocks.length, 0);
      // Median of 3 runs (the first one also warms up the JIT), each on fresh material.
      const latencies: number[] = [];
      let pre = 0;
      let messages = 0;
      let bytes = 0;
      for (let rep = 0; rep < 3; rep++) {
        const material = new Map<number, DecryptionMaterial>();
        t0 = performance.now();
        await runParties(
          n,
          t,
          async (net) => {
            material.set(net.self, await preprocessDecryption(session(net), blocks));
          },
          { hub },
        );
        pre = performance.now() - t0;
        const before = { ...hub.stats };
        t0 = performance.now();
        const run = await runParties(n, t, (net) => thresholdDecrypt(session(net), cts, keyShares[net.self - 1]! as GrVector, material.get(net.self)!), { hub });
        latencies.push(performance.now() - t0);
        if (run.failures.size > 0) throw new Error(`bench ${name} failed`);
        messages = hub.stats.messages - before.messages;
        bytes = hub.stats.bytes - before.bytes;
      }
      const online = latencies.sort((a, b) => a - b)[1]!;
      rows.push({ n, t, name: `${name} online latency`, value: online, unit: 'ms' });
      rows.push({ n, t, name: `${name} preprocessing (${blocks} blocks)`, value: pre, unit: 'ms' });
      rows.push({ n, t, name: `${name} online messages`, value: messages, unit: 'messages' });
      rows.push({ n, t, name: `${name} online bytes`, value: bytes, unit: 'bytes' });
    }
  }
  ck.free();
  return rows;
}
