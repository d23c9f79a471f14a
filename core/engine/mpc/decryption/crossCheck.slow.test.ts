/**
 * Cross-check (issue 4): for a few thousand random values of every supported
 * type, threshold decryption at (n, t) = (4, 1) over the in-memory network
 * equals node-tfhe's decryption with the dealer's client key (which exists
 * only inside this test).
 *
 * Cost: the online protocol runs on every value, batched (≈ 1 500 blocks per
 * session). One batch holding every type gets its material from the real
 * preprocessing (triples + random bits); the others from a test dealer
 * (`dealMaterial`: Shamir shares of random bits and masks and of the
 * circuit's products of them, exactly what the preprocessing produces, made
 * in the clear), which keeps
 * the test within ~2 minutes on a 2-core machine. The preprocessing protocols
 * are tested on their own (preprocessing/triples.test.ts), against cheaters.
 */
import { expect, test } from '@jest/globals';
import { FHE_TYPES, type FheType } from '../../../../common/fheTypes.js';
import { parseCiphertext, type ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { encryptWithClientKey, sampleValues, seededRandom, tfheDecrypt } from '../../tfhe/_testUtils.js';
import { useTestKeys } from '../../tfhe/_jestKeys.js';
import { ringForParties, type GaloisRing, type GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { InMemoryHub } from '../network/inMemory.js';
import { runParties } from '../network/runParties.js';
import { MpcSession } from '../online/session.js';
import { Prss, prssSetup, type PrssKeys } from '../prss/prss.js';
import { shamirShare } from '../sharing/shamir.js';
import { DecryptionMaterial, decryptionCost, preprocessDecryption, thresholdDecrypt } from './bitDecomposition.js';
import { borrowCircuitPlan } from './borrowCircuit.js';
import { dealKeyShares } from './keyShares.js';

const N = 4;
const T = 1;
/** Values per type: weighted towards the cheap types, every type present. */
const COUNTS: Record<FheType, number> = { ebool: 600, euint4: 600, euint8: 500, euint16: 300, euint32: 150, euint64: 80, euint128: 30, euint160: 16, euint256: 16 };
const BLOCKS_PER_SESSION = 1500;

const keys = useTestKeys();

/** Per-party decryption material for `blocks` blocks from a dealer (test only): random bits and masks, and the circuit's products of them. */
function dealMaterial(R: GaloisRing, blocks: number, rng: ReturnType<typeof seededRng>): DecryptionMaterial[] {
  const K = 59;
  const plan = borrowCircuitPlan(K);
  const cost = decryptionCost(blocks);
  const bits = R.alloc(cost.bits);
  for (let i = 0; i < cost.bits; i++) if (rng.nextU32() & 1) R.copyInto(bits, i, R.one(), 0);
  const masks = R.random(rng, cost.masks);
  const products = R.alloc(cost.products);
  const factor = (k: number, h: number): [GrVector, number] => (h < 0 ? [products, k * plan.products - 1 - h] : h < K ? [bits, k * K + h] : [masks, k * plan.masks + h - K]);
  // Factors of a product come before it in the plan's order.
  for (let k = 0; k < blocks; k++) {
    for (let p = 0; p < plan.products; p++) {
      const [x, xi] = factor(k, plan.halves[2 * p]!);
      const [y, yi] = factor(k, plan.halves[2 * p + 1]!);
      R.mulInto(products, k * plan.products + p, x, xi, y, yi);
    }
  }
  const [sbits, smasks, sproducts] = [bits, masks, products].map((v) => shamirShare(R, v, v.length / R.limbs, N, T, rng));
  return Array.from({ length: N }, (_, p) => new DecryptionMaterial(R, K, sbits![p]!, smasks![p]!, sproducts![p]!));
}

test('default: threshold decryption of ~2 300 random values over every type equals node-tfhe with the dealer key', async () => {
  const rand = seededRandom(0x5eed4n);
  const cases: { ct: ParsedCiphertext; expected: bigint }[] = [];
  for (const type of FHE_TYPES) {
    const values = sampleValues(type, rand, COUNTS[type] - 2);
    for (const value of values) {
      const bytes = encryptWithClientKey(keys.ck, type, value);
      const expected = tfheDecrypt(keys.ck, type, bytes);
      expect(expected).toBe(value);
      cases.push({ ct: parseCiphertext(bytes, type), expected });
    }
  }
  expect(cases.length).toBeGreaterThan(2000);
  expect(new Set(cases.map((c) => c.ct.type))).toEqual(new Set(FHE_TYPES));

  const R = ringForParties(N);
  const keyShares = dealKeyShares(R, parseClientKey(keys.clientKeyBytes).bigKey.bits, N, T, seededRng(7)) as GrVector[];
  const hub = new InMemoryHub({ timeoutMs: 60_000 });
  const setup = await runParties(N, T, (net) => prssSetup(net, T, seededRng(50 + net.self)), { hub });
  const prss = setup.outputs as Map<number, PrssKeys>;

  // Sessions: first one value of every type (real preprocessing), then the rest in chunks.
  const firstOfEach = FHE_TYPES.map((type) => cases.findIndex((c) => c.ct.type === type));
  const rest = cases.map((_, i) => i).filter((i) => !firstOfEach.includes(i));
  const chunks: { idx: number[]; real: boolean }[] = [{ idx: firstOfEach, real: true }];
  let cur: number[] = [];
  let blocks = 0;
  for (const i of rest) {
    cur.push(i);
    blocks += cases[i]!.ct.blocks.length;
    if (blocks >= BLOCKS_PER_SESSION) {
      chunks.push({ idx: cur, real: false });
      cur = [];
      blocks = 0;
    }
  }
  if (cur.length) chunks.push({ idx: cur, real: false });

  const rng = seededRng(99);
  let checked = 0;
  for (const chunk of chunks) {
    const cts = chunk.idx.map((i) => cases[i]!.ct);
    const chunkBlocks = cts.reduce((s, c) => s + c.blocks.length, 0);
    const dealt = chunk.real ? undefined : dealMaterial(R, chunkBlocks, rng);
    const run = await runParties(
      N,
      T,
      async (net) => {
        const session = new MpcSession(net, R, T, new Prss(R, prss.get(net.self)!));
        const material = dealt ? dealt[net.self - 1]! : await preprocessDecryption(session, chunkBlocks);
        return thresholdDecrypt(session, cts, keyShares[net.self - 1]!, material);
      },
      { hub },
    );
    expect(run.failures).toEqual(new Map());
    const expected = chunk.idx.map((i) => cases[i]!.expected);
    for (const out of run.outputs.values()) {
      expect(out.plaintexts).toEqual(expected);
      expect(out.cheaters).toEqual([]);
    }
    checked += chunk.idx.length;
  }
  expect(checked).toBe(cases.length);
}, 600_000);
