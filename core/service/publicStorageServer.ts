/**
 * @module core/service/publicStorageServer
 * Serves public storage over plain HTTP: anyone may fetch public material and
 * checks it against the signed digests, so the transport need not be trusted.
 * Only `GET`/`HEAD /{PUB-p<n>}/{data_type}/{id}` for a regular file: exactly
 * three segments from a strict alphabet, no percent-decoding, no directory
 * listing, hence no path traversal. And `GET /progress/{request id}`: where
 * this party's key generation or preprocessing job stands (JSON; public, as
 * its metrics: a stage name and a fraction), what `tkms keygen` shows.
 *
 * @example
 * const srv = await startPublicStorageServer({ root, host: '127.0.0.1', port: 0 });
 * // GET http://127.0.0.1:<srv.port>/PUB-p1/PublicKey/<key_id>
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { STORAGE_SEGMENT } from './storage.js';

export interface PublicStorageServerParameters {
  root: string;
  host: string;
  port: number;
  logger?: Logger;
  /** A job's progress by request id (late-bound: the core starts after this server). */
  progress?: () => ((requestId: string) => object | undefined) | undefined;
}

export interface PublicStorageServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const PREFIX = /^PUB-p[0-9]{1,3}$/;
const REQUEST_ID = /^[0-9a-f]{40}$/;

function sendError(res: http.ServerResponse, code: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startPublicStorageServer(params: PublicStorageServerParameters): Promise<PublicStorageServer> {
  const root = path.resolve(params.root);
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendError(res, 405, 'method not allowed');
      }
      const pathname = (req.url ?? '').split('?')[0] ?? '';
      const segs = pathname.split('/').slice(1);
      if (segs.length === 2 && segs[0] === 'progress') {
        const job = REQUEST_ID.test(segs[1]!) ? params.progress?.()?.(segs[1]!) : undefined;
        if (!job) return sendError(res, 404, 'no such job at this party');
        const body = JSON.stringify(job);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
      if (segs.length !== 3 || !PREFIX.test(segs[0]!) || !STORAGE_SEGMENT.test(segs[1]!) || !STORAGE_SEGMENT.test(segs[2]!)) {
        return sendError(res, 404, 'not found');
      }
      const file = path.join(root, ...segs);
      let st;
      try {
        st = await stat(file);
      } catch {
        return sendError(res, 404, 'not found');
      }
      if (!st.isFile()) return sendError(res, 404, 'not found');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      const stream = createReadStream(file);
      stream.on('error', (e) => {
        params.logger?.warn({ err: e.message, path: pathname }, 'public storage read failed');
        res.destroy(e);
      });
      stream.pipe(res);
    })().catch((e: unknown) => {
      params.logger?.error({ err: (e as Error).message }, 'public storage request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(params.port, params.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = params.host.includes(':') ? `[${params.host}]` : params.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
