/**
 * @module common/http
 * The small JSON-over-HTTP layer shared by the loopback services (embedded
 * chain node, faucet, KV-store): one error type whose `code` is the stable
 * string clients see, one error body shape `{error, code}`, bounded bodies.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** Reads and parses a JSON body of at most `maxBytes` (413 beyond, 400 if not JSON). */
export async function readJsonBody(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, 'TOO_LARGE', `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'request body is not JSON');
  }
}

/**
 * A request listener for a JSON API: `route` returns the 200 body or throws;
 * an HttpError becomes its status and `{error, code}`, anything else a 500
 * (reported to `onInternal`, never echoed in detail to the client).
 */
export function jsonApi(route: (req: http.IncomingMessage, url: URL) => Promise<unknown>, onInternal?: (e: unknown) => void): http.RequestListener {
  return (req, res) => {
    route(req, new URL(req.url ?? '/', 'http://localhost')).then(
      (body) => sendJson(res, 200, body),
      (e: unknown) => {
        if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message, code: e.code });
        onInternal?.(e);
        sendJson(res, 500, { error: 'internal error', code: 'INTERNAL' });
      },
    );
  };
}

/** Listens on loopback (port 0 picks a free port) and returns the bound port. */
export async function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
