/**
 * @module core/service/engine
 * What the centralized core needs from the FHE engine, and how it finds one.
 * The engine proper lives in `core/engine/` (pure library, no I/O: it parses
 * ciphertexts and decrypts them itself, `b − <a,s>` per radix block). If it
 * does not export the four functions below, the core falls back to
 * `nodeTfheEngine`, which calls node-tfhe directly (fine for the centralized
 * backend: one party holds the whole client key anyway).
 */
import { Worker } from 'node:worker_threads';
import { TkmsError } from '../../common/errors.js';
import type { FheType } from '../../common/fheTypes.js';
import type { KeyGenWorkerMessage } from './keygenWorker.js';

export interface KeySet {
  clientKey: Uint8Array;
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  parameters: string;
}

export interface GenerateKeySetParameters {
  /** Called at each stage (core/engine: `client_key`, `compact_public_key`, `compressed_server_key`, `done`). */
  onProgress?: (stage: string) => void;
}

/** The FHE operations the centralized core uses. Parse errors carry a `code` (CIPHERTEXT_MALFORMED, FHE_TYPE_MISMATCH). */
export interface CoreEngine {
  readonly name: string;
  generateKeySet(params: GenerateKeySetParameters): KeySet | Promise<KeySet>;
  parseCiphertext(bytes: Uint8Array, type: FheType): unknown;
  parseClientKey(bytes: Uint8Array): unknown;
  decryptCiphertext(ciphertext: unknown, secretKey: unknown): bigint;
}

const REQUIRED = ['generateKeySet', 'parseCiphertext', 'parseClientKey', 'decryptCiphertext'] as const;

function isEngineModule(m: Record<string, unknown>): boolean {
  return REQUIRED.every((f) => typeof m[f] === 'function');
}

/**
 * Loads `core/engine/index.js` when it exports the engine API, else the
 * node-tfhe engine. The specifier is a variable so the build does not depend
 * on the engine's presence.
 */
export async function loadDefaultEngine(): Promise<CoreEngine> {
  const spec = '../engine/index.js';
  let why = 'it lacks the engine API';
  try {
    const m = (await import(spec)) as Record<string, unknown>;
    if (isEngineModule(m)) {
      const f = m as unknown as Omit<CoreEngine, 'name'>;
      return {
        name: 'core/engine',
        generateKeySet: (p) => f.generateKeySet(p),
        parseCiphertext: (b, t) => f.parseCiphertext(b, t),
        // core/engine returns { bigKey, smallKey }; every ciphertext the core sees decrypts under the big key.
        parseClientKey: (b) => {
          const k = f.parseClientKey(b) as { bigKey?: unknown } | null;
          return k && typeof k === 'object' && 'bigKey' in k ? k.bigKey : k;
        },
        decryptCiphertext: (c, k) => f.decryptCiphertext(c, k),
      };
    }
  } catch (e) {
    why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
  const { nodeTfheEngine } = await import('./nodeTfheEngine.js');
  return { ...nodeTfheEngine, name: `node-tfhe (core/engine not used: ${why})` };
}

/**
 * Runs `generateKeySet` of the default engine in a worker thread (compiled
 * build only: under ts-jest the worker could not load TypeScript, so the
 * engine is returned unchanged and key generation runs in-process).
 */
export function withKeyGenWorker(engine: CoreEngine): CoreEngine {
  const workerUrl = new URL('./keygenWorker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) return engine;
  return {
    ...engine,
    name: `${engine.name} (keygen in worker thread)`,
    generateKeySet: ({ onProgress } = {}) =>
      new Promise<KeySet>((resolve, reject) => {
        const worker = new Worker(workerUrl);
        let settled = false;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          f();
          void worker.terminate();
        };
        worker.on('message', (m: KeyGenWorkerMessage) => {
          if (m.type === 'progress') onProgress?.(m.stage);
          else if (m.type === 'done') settle(() => resolve(m.keySet));
          else settle(() => reject(new TkmsError(m.code ?? 'KEYGEN_FAILED', m.message)));
        });
        worker.on('error', (e) => settle(() => reject(e)));
        worker.on('exit', (code) => settle(() => reject(new TkmsError('KEYGEN_FAILED', `keygen worker exited with code ${code}`))));
        worker.postMessage({ type: 'generate' });
      }),
  };
}
