/**
 * @module core/service/keygenWorker
 * Worker thread that runs one key-set generation (~10 s of WASM) so the core's
 * event loop keeps serving gRPC meanwhile. Protocol: the parent posts
 * `{ type: 'generate' }`; the worker answers with `progress` messages, then
 * `done` (the KeySet) or `error`.
 */
import { parentPort } from 'node:worker_threads';
import { loadDefaultEngine, type KeySet } from './engine.js';

export type KeyGenWorkerMessage =
  | { type: 'progress'; stage: string }
  | { type: 'done'; keySet: KeySet }
  | { type: 'error'; message: string; code?: string };

const port = parentPort;
if (!port) throw new Error('keygenWorker must run in a worker thread');

port.once('message', () => {
  void (async () => {
    try {
      const engine = await loadDefaultEngine();
      const keySet = await engine.generateKeySet({ onProgress: (stage) => port.postMessage({ type: 'progress', stage } satisfies KeyGenWorkerMessage) });
      port.postMessage({ type: 'done', keySet } satisfies KeyGenWorkerMessage);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      port.postMessage({
        type: 'error',
        message: e instanceof Error ? e.message : String(e),
        ...(typeof code === 'string' ? { code } : {}),
      } satisfies KeyGenWorkerMessage);
    }
  })();
});
