/**
 * @module core/service/engine
 * What the centralized core needs from the FHE engine (`core/engine/`, a pure
 * library that parses ciphertexts and decrypts them itself, `b − <a,s>` per
 * radix block), and how heavy generation jobs leave the event loop: key sets
 * (~8 s) and CRSs (~1 min) run in a worker thread so gRPC keeps answering.
 */
import { Worker } from 'node:worker_threads';
import { TkmsError } from '../../common/errors.js';
import type { FheType } from '../../common/fheTypes.js';
import * as engine from '../engine/index.js';
import type { GenerationWorkerMessage, GenerationWorkerRequest } from './keygenWorker.js';

export interface KeySet {
  clientKey: Uint8Array;
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  parameters: string;
}

export interface GenerateKeySetParameters {
  /** Called at each stage (`client_key`, `compact_public_key`, `compressed_server_key`, `done`). */
  onProgress?: (stage: string) => void;
  /** The parameter set (engine `FHE_PARAMETER_SETS`; default `default`). */
  parameters?: engine.FheParameterSet;
}

export interface Crs {
  crs: Uint8Array;
  maxNumBits: number;
  parameters: string;
  /** A threshold ceremony's public transcript (common/crsTranscript.ts); absent when one process made the CRS. */
  transcript?: Uint8Array;
}

/** The FHE operations the centralized core uses. Parse errors carry a `code` (CIPHERTEXT_MALFORMED, FHE_TYPE_MISMATCH, CIPHERTEXT_CARRIES, CIPHERTEXT_PARAMETERS_MISMATCH). */
export interface CoreEngine {
  readonly name: string;
  generateKeySet(params: GenerateKeySetParameters): KeySet | Promise<KeySet>;
  generateCrs(maxNumBits: number): Crs | Promise<Crs>;
  /** `lweDimension`: the big-key dimension of the key the ciphertext is to be decrypted under (default parameters' 2048 when absent). */
  parseCiphertext(bytes: Uint8Array, type: FheType, lweDimension?: number): unknown;
  parseClientKey(bytes: Uint8Array): unknown;
  decryptCiphertext(ciphertext: unknown, secretKey: unknown): bigint;
}

/** core/engine, in process. */
export const defaultEngine: CoreEngine = {
  name: 'core/engine',
  generateKeySet: (p) => engine.generateKeySet(p),
  generateCrs: (maxNumBits) => engine.generateCrs(maxNumBits),
  // Parsing for decryption: a block that may hold carries is refused here, before any MPC session starts.
  parseCiphertext: (b, t, d) => engine.requireCleanCarries(engine.parseCiphertext(b, t, d)),
  // Every ciphertext the core sees decrypts under the big (GLWE) key.
  parseClientKey: (b) => engine.parseClientKey(b).bigKey,
  decryptCiphertext: (c, k) => engine.decryptCiphertext(c as engine.ParsedCiphertext, k as engine.LweSecretKey),
};

function inWorker<T>(workerUrl: URL, request: GenerationWorkerRequest, onProgress: ((stage: string) => void) | undefined, failCode: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerUrl);
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: GenerationWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.stage);
      else if (m.type === 'done') settle(() => resolve(m.result as T));
      else settle(() => reject(new TkmsError(m.code ?? failCode, m.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new TkmsError(failCode, `generation worker exited with code ${code}`))));
    worker.postMessage(request);
  });
}

/**
 * Runs the engine's generation jobs in a worker thread (compiled build only:
 * under ts-jest a worker could not load TypeScript, so the engine is returned
 * unchanged and generation runs in-process).
 */
export function withKeyGenWorker(e: CoreEngine): CoreEngine {
  const workerUrl = new URL('./keygenWorker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) return e;
  return {
    ...e,
    name: `${e.name} (generation in a worker thread)`,
    generateKeySet: ({ onProgress, parameters } = {}) => inWorker<KeySet>(workerUrl, { type: 'keyset', ...(parameters ? { parameters } : {}) }, onProgress, 'KEYGEN_FAILED'),
    generateCrs: (maxNumBits) => inWorker<Crs>(workerUrl, { type: 'crs', maxNumBits }, undefined, 'CRSGEN_FAILED'),
  };
}
