/**
 * @module core/service/keygenWorker
 * Worker thread for the engine's long generation jobs (a key set ~8 s, a CRS
 * ~1 min of WASM) so the core's event loop keeps serving gRPC meanwhile.
 * Protocol: the parent posts one request; the worker answers with `progress`
 * messages, then `done` (the result) or `error`.
 */
import { parentPort } from 'node:worker_threads';
import type { FheParameterSet } from '../engine/index.js';
import { defaultEngine } from './engine.js';

export type GenerationWorkerRequest = { type: 'keyset'; parameters?: FheParameterSet } | { type: 'crs'; maxNumBits: number };

export type GenerationWorkerMessage =
  | { type: 'progress'; stage: string }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string; code?: string };

const port = parentPort;
if (!port) throw new Error('keygenWorker must run in a worker thread');

port.once('message', (request: GenerationWorkerRequest) => {
  void (async () => {
    try {
      const result =
        request.type === 'crs'
          ? await defaultEngine.generateCrs(request.maxNumBits)
          : await defaultEngine.generateKeySet({ ...(request.parameters ? { parameters: request.parameters } : {}), onProgress: (stage) => port.postMessage({ type: 'progress', stage } satisfies GenerationWorkerMessage) });
      port.postMessage({ type: 'done', result } satisfies GenerationWorkerMessage);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      port.postMessage({
        type: 'error',
        message: e instanceof Error ? e.message : String(e),
        ...(typeof code === 'string' ? { code } : {}),
      } satisfies GenerationWorkerMessage);
    }
  })();
});
