/**
 * @module connector/kms-connector/health
 * `GET /health` for one connector, on loopback: whether it is watching the
 * ASC's request events, the height of the last one, when a read from the
 * chain last succeeded, how often the subscription had to be opened again,
 * the checkpoint and the work in hand. 200 while watching, 503 otherwise (a
 * supervisor's or load balancer's probe needs only the status code), with
 * the same JSON body either way.
 *
 * @example
 * const health = await serveHealth(() => connector.status(), { port: 0 });
 * await fetch(`${health.url}/health`); // { status: 'ok', watching: true, lastEventHeight: 12, … }
 */
import http from 'node:http';
import { listen, sendJson } from '../../common/http.js';
import type { ConnectorStatus } from './connector.js';

export interface HealthServerOptions {
  port: number;
  host?: string;
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The JSON body: times as ISO strings plus their age, so a reader needs no clock of its own. */
export function healthBody(s: ConnectorStatus, now = Date.now()): Record<string, unknown> {
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  return {
    status: s.watching ? 'ok' : 'degraded',
    partyId: s.partyId,
    watching: s.watching,
    lastEventHeight: s.lastEventHeight ?? null,
    lastPollAt: iso(s.lastPollAt),
    lastPollAgeMs: s.lastPollAt === undefined ? null : now - s.lastPollAt,
    chainHeight: s.chainHeight ?? null,
    reconnects: s.reconnects,
    subscribedFromHeight: s.subscribedFromHeight ?? null,
    downSince: iso(s.downSince),
    lastError: s.lastError ?? null,
    checkpoint: s.checkpoint,
    inFlight: s.inFlight,
    handled: s.handled,
  };
}

export async function serveHealth(status: () => ConnectorStatus, opts: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/health') return sendJson(res, 404, { error: `no route ${req.method} ${path}`, code: 'NOT_FOUND' });
    const s = status();
    sendJson(res, s.watching ? 200 : 503, healthBody(s));
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, opts.port, host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
