/**
 * @module core/service/metrics
 * Prometheus metrics of the core (own registry, so several in-process cores do
 * not collide), optionally served on `GET /metrics`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CoreMetrics {
  readonly registry: Registry;
  /** Records one finished job: `op` keygen|decrypt, `outcome` ok|failure. */
  observe(op: string, outcome: 'ok' | 'failure', durationMs: number): void;
  /** Records one gRPC call by method and status name. */
  rpc(method: string, code: string): void;
  /** How far a long job is (0..1): keygen preprocessing and key generation, by request id. */
  progress(op: string, requestId: string, fraction: number): void;
}

export function createCoreMetrics(partyId: number, withDefaults = false): CoreMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ party: String(partyId) });
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const jobs = new Counter({ name: 'tkms_core_jobs_total', help: 'Finished core jobs', labelNames: ['op', 'outcome'], registers: [registry] });
  const durations = new Histogram({
    name: 'tkms_core_job_duration_seconds',
    help: 'Core job duration',
    labelNames: ['op'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const rpcs = new Counter({ name: 'tkms_core_rpc_total', help: 'gRPC calls', labelNames: ['method', 'code'], registers: [registry] });
  const progress = new Gauge({ name: 'tkms_core_job_progress_ratio', help: 'Share of a long job done (keygen preprocessing, key generation)', labelNames: ['op', 'request_id'], registers: [registry] });
  return {
    registry,
    observe(op, outcome, ms) {
      jobs.inc({ op, outcome });
      durations.observe({ op }, ms / 1000);
    },
    rpc(method, code) {
      rpcs.inc({ method, code });
    },
    progress(op, requestId, fraction) {
      progress.set({ op, request_id: requestId }, Math.max(0, Math.min(1, fraction)));
    },
  };
}

/** Serves `GET /metrics`; resolves to the bound port. */
export async function serveMetrics(
  metrics: CoreMetrics,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
