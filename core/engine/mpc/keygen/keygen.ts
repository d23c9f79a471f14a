/**
 * @module core/engine/mpc/keygen/keygen
 * Distributed generation of a tfhe-rs key set: every secret is born shared,
 * nobody ever holds it. What the parties compute and open:
 *
 *   S  big (GLWE) key, k·N shared random bits — kept: it is the key share
 *      decryption uses (today's key-share format);
 *   s  small LWE key, n shared random bits — erased at the end;
 *   e  TUniform noise for every body, from shared bits (`tuniform.ts`);
 *   s_i·S_j  the products the bootstrapping key's GGSW rows need (Beaver);
 *
 * and, with masks A expanded by tfhe-rs from an agreed public seed (the
 * native tool, `dkg-masks`), the bodies of every component are linear in the
 * shares, so each party computes its share locally and the bodies are opened
 * robustly (t wrong or missing shares corrected, their senders named):
 *
 *   compact public key   b = A ⊛ reverse(S) + e        (tfhe-rs: semi-reverse
 *                        negacyclic convolution over the big key, one polynomial of k·N;
 *                        with a dedicated key (`fhevm`) over Z instead, below)
 *   key-switching key    b_{j,l} = <a_{j,l}, s> + e + S_j · 2^(64 − l·B_ks)       l = L_ks..1
 *   bootstrapping key    GGSW(s_i), rows (l, r), l = L_pbs..1, r = 0..k:
 *                        B_{i,l,r}(X) = Σ_m A_m·S_m + E + { −s_i·S_r(X)·2^(64 − l·B_pbs)  r < k
 *                                                          {  s_i·2^(64 − l·B_pbs)          r = k
 *
 * With dedicated compact-public-key parameters (`shape.pke`, the `fhevm` set)
 * there is a third secret, Z (`pke.dimension` shared random bits, erased at
 * the end: nothing decrypts under it once inputs are cast), the compact public
 * key is made under Z, and a casting key-switching key Z → s is added:
 *
 *   casting key          b_{j,l} = <a_{j,l}, s> + e + Z_j · 2^(64 − l·B_c)        l = L_c..1
 *
 * The opened bodies and the seed are all the native tool needs to assemble
 * the compressed server key and the compact public key (`dkg-assemble`).
 * What the opens reveal: each body is an LWE/GLWE sample whose noise no party
 * knows, i.e. exactly what a tfhe-rs key published by one honest machine
 * would reveal; the Beaver opens are uniform. Section order, row order and
 * scaling are those of tfhe-rs 1.7.0 (tools/tfhe-zk/src/dkg.rs documents
 * them against the tfhe-rs sources).
 *
 * Cost (the shape below): bits k·N + n (+ dim Z) + Σ_samples (B + 2), triples = bits +
 * n·k·N; opens: the Beaver rounds plus one open of every body.
 */
import { sha3_256 } from '@noble/hashes/sha3';
import type { GrVector } from '../algebra/galoisRing.js';
import { fromU64s, getU64 } from '../algebra/z64.js';
import { MpcParameterError } from '../errors.js';
import { beaverMultiply } from '../online/multiply.js';
import type { MpcSession } from '../online/session.js';
import { generateRandomBits } from '../preprocessing/randomBits.js';
import { generateTriples, type Triples } from '../preprocessing/triples.js';
import { addGlweMaskProducts, addLweMaskProducts } from './maskProducts.js';
import { tUniformBits, tUniformFromBits } from './tuniform.js';

/** The dimensions and noise of a key set, as the native tool reports them. */
export interface KeygenShape {
  /** Small LWE dimension n. */
  lweDimension: number;
  glweDimension: number;
  polynomialSize: number;
  ksLevel: number;
  ksBaseLog: number;
  pbsLevel: number;
  pbsBaseLog: number;
  /** TUniform bound log2 of the key-switching key's noise. */
  lweNoiseBoundLog2: number;
  /** … of the bootstrapping key's noise. */
  glweNoiseBoundLog2: number;
  /** … of the compact public key's noise. */
  cpkNoiseBoundLog2: number;
  /** Dedicated compact-public-key parameters (`fhevm`); absent: the compact key is under S. */
  pke?: PkeShape;
}

/** A dedicated compact public key: its secret Z and the casting key Z → s. */
export interface PkeShape {
  /** Dimension of Z and of the compact public key. */
  dimension: number;
  castingLevel: number;
  castingBaseLog: number;
  /** TUniform bound log2 of the casting key's noise (the small key's LWE noise). */
  castingNoiseBoundLog2: number;
}

/** Where each section starts in the mask and body vectors, and what the whole DKG consumes. */
export interface KeygenLayout {
  bigDimension: number;
  cpk: { maskAt: number; bodyAt: number; samples: number };
  ksk: { maskAt: number; bodyAt: number; rows: number };
  bsk: { maskAt: number; bodyAt: number; rows: number; samples: number };
  /** The casting key Z → s (dedicated compact public key only). */
  cksk?: { maskAt: number; bodyAt: number; rows: number };
  maskWords: number;
  bodyWords: number;
  /** Shared random bits: the keys (two, or three with Z) and every noise sample. */
  bits: number;
  /** Products s_i · S_j. */
  products: number;
  /** Triples: one per bit and one per product. */
  triples: number;
}

export function keygenLayout(shape: KeygenShape): KeygenLayout {
  const { lweDimension: n, glweDimension: k, polynomialSize: N, ksLevel, pbsLevel, pke } = shape;
  const positive = (name: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (name.endsWith('NoiseBoundLog2') ? 0 : 1)) throw new MpcParameterError(`key shape: ${name} = ${String(v)}`);
  };
  for (const [name, v] of Object.entries(shape)) if (name !== 'pke') positive(name, v);
  if (pke) for (const [name, v] of Object.entries(pke)) positive(`pke.${name}`, v);
  // Every level's factor 2^(64 − l·B) must be an integer ≥ 1: a shift ≤ 0 would drop the key term silently.
  for (const [what, level, baseLog] of [['key switching', ksLevel, shape.ksBaseLog], ['bootstrapping', pbsLevel, shape.pbsBaseLog], ...(pke ? [['casting', pke.castingLevel, pke.castingBaseLog] as const] : [])] as const) {
    if (level * baseLog >= 64) throw new MpcParameterError(`key shape: ${what} level ${level} × base log ${baseLog} ≥ 64`);
  }
  const big = k * N;
  const cpkDim = pke?.dimension ?? big;
  const kskRows = big * ksLevel;
  const bskRows = n * pbsLevel * (k + 1);
  const cpk = { maskAt: 0, bodyAt: 0, samples: cpkDim };
  const ksk = { maskAt: cpkDim, bodyAt: cpkDim, rows: kskRows };
  const bsk = { maskAt: cpkDim + kskRows * n, bodyAt: cpkDim + kskRows, rows: bskRows, samples: bskRows * N };
  const afterBsk = { maskAt: bsk.maskAt + bskRows * k * N, bodyAt: bsk.bodyAt + bsk.samples };
  const cksk = pke ? { ...afterBsk, rows: pke.dimension * pke.castingLevel } : undefined;
  const bits =
    big + n + (pke?.dimension ?? 0) +
    cpk.samples * tUniformBits(shape.cpkNoiseBoundLog2) +
    kskRows * tUniformBits(shape.lweNoiseBoundLog2) +
    bsk.samples * tUniformBits(shape.glweNoiseBoundLog2) +
    (cksk && pke ? cksk.rows * tUniformBits(pke.castingNoiseBoundLog2) : 0);
  const products = n * big;
  return {
    bigDimension: big,
    cpk,
    ksk,
    bsk,
    ...(cksk ? { cksk } : {}),
    maskWords: afterBsk.maskAt + (cksk ? cksk.rows * n : 0),
    bodyWords: afterBsk.bodyAt + (cksk ? cksk.rows : 0),
    bits,
    products,
    triples: bits + products,
  };
}

/** Where shared random bits and triples come from: made inline, or read from a stored preprocessing. */
export interface KeygenRandomness {
  bits(session: MpcSession, count: number): Promise<GrVector>;
  triples(session: MpcSession, count: number): Promise<Triples>;
}

/** Bits and triples made on demand in the keygen session itself. */
export const inlineRandomness: KeygenRandomness = {
  async bits(session, count) {
    return generateRandomBits(session, count, await generateTriples(session, count));
  },
  triples: (session, count) => generateTriples(session, count),
};

export interface KeygenOptions {
  randomness?: KeygenRandomness;
  /** Called as work completes; `fraction` counts triples consumed, bodies computed and bodies opened. */
  onProgress?: (stage: string, fraction: number) => void;
  /** Elements per MPC batch (default 32,768): bounds messages and memory. */
  batch?: number;
  /** Tests only: also return this party's small-key share (and Z's; otherwise erased). */
  keepSmallKeyShare?: boolean;
  /**
   * How long parties wait for each other after local work (the mask
   * products: minutes per party at `default`) before the next round;
   * default 30 min. A party late past a round's ordinary timeout would
   * otherwise be taken as silent for the rest of the session.
   */
  localWorkTimeoutMs?: number;
}

export interface KeygenResult {
  /** The opened bodies (public), in the layout's order: what `dkg-assemble` takes. */
  bodies: BigUint64Array;
  /** This party's share of the big key: k·N elements, the key-share format decryption uses. */
  bigKeyShare: GrVector;
  /** Only with `keepSmallKeyShare`. */
  smallKeyShare?: GrVector;
  /** Only with `keepSmallKeyShare` and a dedicated compact public key: this party's share of Z. */
  pkeKeyShare?: GrVector;
}

/**
 * The public seed the masks are expanded from: a PRSS random value opened
 * robustly (no party chooses or predicts it), hashed with the session id.
 * 16 bytes: a tfhe-rs `Seed` (u128).
 */
export async function agreeMaskSeed(session: MpcSession, startTimeoutMs = 30 * 60_000): Promise<Uint8Array> {
  // Parties start the keygen when each sees the request: get in step first.
  await syncAfterLocalWork(session, startTimeoutMs, 'keygen-seed');
  const r = session.prss.random(session.nextTag('keygen/seed'), 1);
  const opened = await session.open(r, 1, 'seed');
  const label = new TextEncoder().encode(`TKMS-DKG-MASK-SEED/${session.net.sessionId}/`);
  const bytes = session.R.toBytes(opened);
  const input = new Uint8Array(label.length + bytes.length);
  input.set(label);
  input.set(bytes, label.length);
  return sha3_256(input).slice(0, 16);
}

/**
 * Runs the key generation for one party. Every party must call it with the
 * same shape, masks and options (the masks come from the agreed seed).
 */
export async function distributedKeygen(session: MpcSession, shape: KeygenShape, masks: BigUint64Array, options: KeygenOptions = {}): Promise<KeygenResult> {
  const R = session.R;
  const L = keygenLayout(shape);
  if (masks.length !== L.maskWords) throw new MpcParameterError(`masks hold ${masks.length} words, the key shape needs ${L.maskWords}`);
  const source = options.randomness ?? inlineRandomness;
  const batch = options.batch ?? 1 << 15;
  const { lweDimension: n, glweDimension: k, polynomialSize: N } = shape;
  const big = L.bigDimension;
  // Triples consumed, bodies computed locally (minutes at `default`), bodies opened.
  const totalWork = L.triples + 2 * L.bodyWords;
  let done = 0;
  const progress = (stage: string, work: number): void => {
    done += work;
    options.onProgress?.(stage, Math.min(1, done / totalWork));
  };

  const bitsInBatches = async (count: number, stage: string): Promise<GrVector> => {
    const out = R.alloc(count);
    try {
      for (let at = 0; at < count; at += batch) {
        const m = Math.min(batch, count - at);
        const bits = await source.bits(session, m);
        out.set(bits, at * R.limbs);
        bits.fill(0);
        progress(stage, m);
      }
    } catch (e) {
      out.fill(0); // a failed keygen leaves no partial key behind
      throw e;
    }
    return out;
  };

  const localWorkTimeoutMs = options.localWorkTimeoutMs ?? 30 * 60_000;
  // The parties arrive from the native tool at different times.
  await syncAfterLocalWork(session, localWorkTimeoutMs, 'keygen-start');
  const S = await bitsInBatches(big, 'big key bits');
  const pke = shape.pke;
  let s = R.alloc(0);
  let Z: GrVector | undefined;
  try {
    s = await bitsInBatches(n, 'small key bits');
    Z = pke ? await bitsInBatches(pke.dimension, 'compact public key secret bits') : undefined;
  } catch (e) {
    // Nothing secret outlives a failed keygen.
    S.fill(0);
    s.fill(0);
    throw e;
  }
  const P = R.alloc(L.products); // P[i·big + j] = s_i · S_j
  const bodyShares = R.alloc(L.bodyWords);
  let kept = false;
  try {
    const rowsPerBatch = Math.max(1, Math.floor(batch / big));
    for (let i0 = 0; i0 < n; i0 += rowsPerBatch) {
      const rows = Math.min(rowsPerBatch, n - i0);
      const count = rows * big;
      const x = R.alloc(count);
      const y = R.alloc(count);
      for (let r = 0; r < rows; r++) {
        y.set(S, r * big * R.limbs);
        for (let j = 0; j < big; j++) R.copyInto(x, r * big + j, s, i0 + r);
      }
      const triples = await source.triples(session, count);
      const product = await beaverMultiply(session, x, y, triples, count);
      P.set(product, i0 * big * R.limbs);
      for (const v of [x, y, product, triples.a, triples.b, triples.c]) v.fill(0);
      progress('key products', count);
    }

    // Noise first (it consumes bits batch by batch), then the linear terms.
    await addNoise(L.cpk.bodyAt, L.cpk.samples, shape.cpkNoiseBoundLog2, 'public key noise');
    await addNoise(L.ksk.bodyAt, L.ksk.rows, shape.lweNoiseBoundLog2, 'key-switching key noise');
    await addNoise(L.bsk.bodyAt, L.bsk.samples, shape.glweNoiseBoundLog2, 'bootstrapping key noise');
    if (L.cksk && pke) await addNoise(L.cksk.bodyAt, L.cksk.rows, pke.castingNoiseBoundLog2, 'casting key noise');

    // Compact public key: tfhe-rs convolves the mask with the reversed key (S, or Z when dedicated).
    const cpkKey = Z ?? S;
    const cpkDim = L.cpk.samples;
    const reversed = R.alloc(cpkDim);
    for (let j = 0; j < cpkDim; j++) R.copyInto(reversed, j, cpkKey, cpkDim - 1 - j);
    addGlweMaskProducts(R, masks, L.cpk.maskAt, 1, cpkDim, reversed, bodyShares, L.cpk.bodyAt);
    reversed.fill(0);
    progress('compact public key: local products', cpkDim);

    const term = R.alloc();
    const scale = (log2: number): Uint32Array => fromU64s([1n << BigInt(log2)]);
    // A key-switching key input → s: <a, s> plus input_j scaled per level.
    const keySwitchingKey = (input: GrVector, inputDimension: number, at: { maskAt: number; bodyAt: number; rows: number }, level: number, baseLog: number): void => {
      addLweMaskProducts(R, masks, at.maskAt, at.rows, n, s, bodyShares, at.bodyAt);
      for (let j = 0; j < inputDimension; j++) {
        for (let row = 0; row < level; row++) {
          const l = level - row; // tfhe-rs stores the levels descending
          const b = at.bodyAt + j * level + row;
          R.mulScalarInto(term, 0, input, j, scale(64 - l * baseLog), 0);
          R.addInto(bodyShares, b, bodyShares, b, term, 0);
        }
      }
    };
    keySwitchingKey(S, big, L.ksk, shape.ksLevel, shape.ksBaseLog);
    progress('key-switching key: local products', L.ksk.rows);
    if (Z && L.cksk && pke) {
      keySwitchingKey(Z, pke.dimension, L.cksk, pke.castingLevel, pke.castingBaseLog);
      progress('casting key: local products', L.cksk.rows);
    }

    // Bootstrapping key: GGSW(s_i) under S, level matrices (levels descending), rows r = 0..k.
    for (let i = 0; i < n; i++) {
      for (let level = 0; level < shape.pbsLevel; level++) {
        const delta = scale(64 - (shape.pbsLevel - level) * shape.pbsBaseLog);
        for (let r = 0; r <= k; r++) {
          const row = (i * shape.pbsLevel + level) * (k + 1) + r;
          const bodyAt = L.bsk.bodyAt + row * N;
          addGlweMaskProducts(R, masks, L.bsk.maskAt + row * k * N, k, N, S, bodyShares, bodyAt);
          if (r < k) {
            for (let c = 0; c < N; c++) {
              R.mulScalarInto(term, 0, P, i * big + r * N + c, delta, 0);
              R.subInto(bodyShares, bodyAt + c, bodyShares, bodyAt + c, term, 0);
            }
          } else {
            R.mulScalarInto(term, 0, s, i, delta, 0);
            R.addInto(bodyShares, bodyAt, bodyShares, bodyAt, term, 0);
          }
        }
      }
      progress('bootstrapping key: local products', shape.pbsLevel * (k + 1) * N);
      // Minutes of local work at `default`: let the process answer (peers' pings, progress queries) between GGSWs.
      await new Promise((r) => setImmediate(r));
    }
    term.fill(0);

    await syncAfterLocalWork(session, localWorkTimeoutMs, 'keygen-bodies');
    const bodies = new BigUint64Array(L.bodyWords);
    for (let at = 0; at < L.bodyWords; at += batch) {
      const m = Math.min(batch, L.bodyWords - at);
      const opened = await session.open(bodyShares.subarray(at * R.limbs, (at + m) * R.limbs), m, 'keygen/bodies');
      for (let v = 0; v < m; v++) {
        for (let c = 1; c < R.d; c++) {
          if (getU64(opened, v * R.d + c) !== 0n) throw new MpcParameterError(`opened body ${at + v} is not an integer (coefficient ${c} ≠ 0): more than t parties deviated`);
        }
        bodies[at + v] = getU64(opened, v * R.d);
      }
      progress('opening bodies', m);
    }
    kept = true;
    return options.keepSmallKeyShare ? { bodies, bigKeyShare: S, smallKeyShare: s.slice(), ...(Z ? { pkeKeyShare: Z.slice() } : {}) } : { bodies, bigKeyShare: S };
  } finally {
    // Everything secret but the big-key share this party keeps (and that too if the keygen failed).
    if (!kept) S.fill(0);
    s.fill(0);
    Z?.fill(0);
    P.fill(0);
    bodyShares.fill(0);
  }

  async function addNoise(bodyAt: number, samples: number, boundLog2: number, stage: string): Promise<void> {
    const per = tUniformBits(boundLog2);
    const perBatch = Math.max(1, Math.floor(batch / per));
    const noise = R.alloc(perBatch);
    for (let at = 0; at < samples; at += perBatch) {
      const m = Math.min(perBatch, samples - at);
      const bits = await source.bits(session, m * per);
      tUniformFromBits(R, bits, m, boundLog2, noise, 0);
      bits.fill(0);
      for (let v = 0; v < m; v++) R.addInto(bodyShares, bodyAt + at + v, bodyShares, bodyAt + at + v, noise, v);
      progress(stage, m * per);
    }
    noise.fill(0);
  }
}

/**
 * Waits until the parties are in step again after local work, in child
 * sessions of their own (so a wait here never marks anyone silent in the
 * session itself). A party leaves when it heard READY from every party not
 * excluded, or GO from t + 1 parties (at least one honest party heard
 * everyone); leaving, it sends GO. So one party that withholds its READY
 * from some honest party cannot hold it back, nor make anyone leave early.
 */
async function syncAfterLocalWork(session: MpcSession, timeoutMs: number, name: string): Promise<void> {
  const net = session.net;
  const ready = net.child(`${name}-ready`);
  const go = net.child(`${name}-go`);
  const others = Array.from({ length: net.n }, (_, i) => i + 1).filter((j) => j !== net.self);
  // Sent to excluded parties too: one wrongly taken as faulty must not hang here.
  for (const j of others) ready.send(j, READY);
  const waitFor = others.filter((j) => !session.excluded.has(j));
  const heardReady = new Set<number>();
  const heardGo = new Set<number>();
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const check = (): void => {
        if (waitFor.every((j) => heardReady.has(j)) || heardGo.size >= session.t + 1) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const j of waitFor) void ready.receive(j, timeoutMs).then((m) => m !== undefined && (heardReady.add(j), check()));
      for (const j of others) void go.receive(j, timeoutMs).then((m) => m !== undefined && (heardGo.add(j), check()));
      check();
    });
    for (const j of others) go.send(j, READY);
  } finally {
    ready.close();
    go.close();
  }
}

const READY = Uint8Array.of(1);
