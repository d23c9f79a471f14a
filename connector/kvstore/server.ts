/**
 * @module connector/kvstore/server
 * The ciphertext KV-store's HTTP API (node:http):
 *   PUT  /v1/ciphertexts?type=<fheType>&key_id=<id>&app_id=<app>   raw body → 201 {digest, handle, fhe_type, size, key_id, app_id} (idempotent)
 *   GET  /v1/ciphertexts/<digest>         → 200 bytes | 400 malformed digest | 404
 *   GET  /v1/handles/<handle>             → 200 {digest, fhe_type, size, key_id, app_id} | 400 | 404
 *   GET  /health                          → 200 {status: "ok"}
 * Errors are JSON `{ error, code }`; bodies over the limit get 413.
 *
 * @example
 * const kv = await startKvStore({ dir: '.state/kvstore', port: 0 });
 * await putCiphertext(kv.url, bytes, 'euint8', { keyId, appId: 'default' });
 */
import { HttpError, sendJson } from '../../common/http.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { HEX64, REQUEST_ID } from '../../common/ciphertext.js';
import { FHE_TYPES, isFheType } from '../../common/fheTypes.js';
import { CiphertextStore } from './store.js';

export const DEFAULT_MAX_CIPHERTEXT_BYTES = 32 * 1024 * 1024;

export interface StartKvStoreParameters {
  dir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Default 32 MiB. */
  maxBytes?: number;
  logger?: Logger;
}

export interface RunningKvStore {
  readonly url: string;
  readonly port: number;
  readonly store: CiphertextStore;
  close(): Promise<void>;
}



/** Reads the body up to `max` bytes; beyond it drains (bounded) and throws 413. */
function readBody(req: http.IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = () => new HttpError(413, 'CIPHERTEXT_TOO_LARGE', `ciphertext larger than ${max} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > max;
    // Declared too large: answer at once (the handler sends 413 with `connection: close`).
    if (over) {
      req.resume();
      return reject(tooLarge());
    }
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      // Drain what a slightly oversized upload still sends so the client reads our 413;
      // give up on uploads far beyond the limit.
      if (over) {
        chunks.length = 0;
        if (size > 4 * max) req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => (over ? reject(tooLarge()) : resolve(new Uint8Array(Buffer.concat(chunks)))));
    req.on('error', reject);
    req.on('close', () => {
      if (over) reject(tooLarge());
    });
  });
}

export async function startKvStore(params: StartKvStoreParameters): Promise<RunningKvStore> {
  const store = new CiphertextStore(params.dir);
  const max = params.maxBytes ?? DEFAULT_MAX_CIPHERTEXT_BYTES;
  const log = params.logger;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kvstore');
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/health') {
      if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed');
      return sendJson(res, 200, { status: 'ok' });
    }
    if (parts[0] !== 'v1') throw new HttpError(404, 'NOT_FOUND', 'no such route');
    if (parts[1] === 'ciphertexts' && parts.length === 2) {
      if (req.method !== 'PUT') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use PUT /v1/ciphertexts?type=<fheType>&key_id=<id>&app_id=<app>');
      const type = url.searchParams.get('type') ?? '';
      if (!isFheType(type)) throw new HttpError(400, 'FHE_TYPE_UNKNOWN', `query "type" must be one of ${FHE_TYPES.join(', ')}`);
      const keyId = url.searchParams.get('key_id') ?? '';
      const appId = url.searchParams.get('app_id') ?? '';
      if (!REQUEST_ID.test(keyId)) throw new HttpError(400, 'INVALID_KEY_ID', 'query "key_id" must be a key id (40 lower-case hex chars): a handle names its key');
      if (appId.length === 0 || appId.length > 64) throw new HttpError(400, 'INVALID_APP_ID', 'query "app_id" must be an application id (1..64 chars): a handle names its application');
      const body = await readBody(req, max);
      if (body.length === 0) throw new HttpError(400, 'CIPHERTEXT_EMPTY', 'empty body');
      const rec = await store.put(body, type, { keyId, appId });
      log?.info({ digest: rec.digest, handle: rec.handle, fheType: type, size: rec.size }, 'ciphertext stored');
      return sendJson(res, 201, rec);
    }
    if (parts.length === 3 && (parts[1] === 'ciphertexts' || parts[1] === 'handles')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed');
      const id = parts[2]!;
      const what = parts[1] === 'ciphertexts' ? 'digest' : 'handle';
      if (!HEX64.test(id)) throw new HttpError(400, `INVALID_${what.toUpperCase()}`, `${what} must be 64 lower-case hex chars`);
      if (parts[1] === 'handles') {
        const rec = await store.resolveHandle(id);
        if (!rec) throw new HttpError(404, 'NOT_FOUND', `no ciphertext with handle ${id}`);
        return sendJson(res, 200, rec);
      }
      const bytes = await store.get(id);
      if (!bytes) throw new HttpError(404, 'NOT_FOUND', `no ciphertext with digest ${id}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    throw new HttpError(404, 'NOT_FOUND', 'no such route');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const he = e instanceof HttpError ? e : new HttpError(500, 'INTERNAL', 'internal error');
      if (!(e instanceof HttpError)) log?.error({ err: (e as Error).message, url: req.url }, 'kvstore request failed');
      if (res.headersSent) return void res.destroy();
      sendJson(res, he.status, { error: he.message, code: he.code }, he.status === 413 ? { connection: 'close' } : {});
    });
  });
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(params.port, params.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = params.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
