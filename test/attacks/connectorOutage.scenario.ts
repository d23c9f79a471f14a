/**
 * @module test/attacks/connectorOutage.scenario
 * Attack: make a party's connector deaf. Cut its RPC (a TCP proxy between the
 * connector and the chain is closed) for longer than the old event watcher
 * kept retrying, and submit a decrypt request meanwhile from a client that
 * still reaches the chain. Before the fix the watcher gave up (~43 s on wasmd,
 * at the first failed read on the embedded chain), the connector kept running
 * without it, and the request was never answered. Now: once the RPC is back
 * the connector subscribes again from its checkpoint and answers it, exactly
 * once, and its health endpoint showed the outage (`watching: false`) and the
 * reconnection.
 *
 * Shared by connectorOutage.test.ts (embedded chain) and
 * connectorOutage.wasmd.test.ts (wasmd localnet). Timing: the outage lasts
 * TKMS_CONNECTOR_OUTAGE_MS (default: the old give-up time plus 7 s); the
 * connector's reconnect and job-retry backoff are set short in its config, so
 * recovery does not wait the production caps (30 s, 60 s).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KmsChainClient, NetworkDescriptor } from '../../chain/client.js';
import { getRequest } from '../../chain/asc/actions.js';
import { ASC_EVENTS, type RequestInfo } from '../../chain/asc/messages.js';
import type { KmsNetwork } from '../../localnet/kms.js';
import { freePort, spawnManaged } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { cliAccountClient, fundedCli, runTkms, tkmsOk, type CliEnv } from '../helpers/tkms.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';

/**
 * How long the old wasmd watcher kept retrying before ending the subscription:
 * 12 attempts, waits of min(250·2^k ms, 5 s) = 250 + 500 + 1000 + 2000 + 4000 + 7·5000.
 * (The old embedded watcher ended at the first failed read.)
 */
export const OLD_WATCHER_GIVE_UP_MS = 42_750;
const OUTAGE_MS = Number(process.env['TKMS_CONNECTOR_OUTAGE_MS'] ?? OLD_WATCHER_GIVE_UP_MS + 7_000);
/** How long the request may take once the RPC is back (reconnect, replay, decrypt, fulfill). */
const RECOVERY_MS = 180_000;

export interface OutageNetwork extends KmsNetwork {
  dir: string;
}

interface HealthSample {
  at: number;
  code?: number;
  body?: Record<string, unknown>;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readHealth(url: string): Promise<HealthSample> {
  const at = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { at, code: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (e) {
    return { at, error: e instanceof Error ? e.message : String(e) };
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(500);
  }
  return undefined;
}

/**
 * Restarts party `partyId`'s connector so that it reaches the chain only
 * through `proxy`: its own copy of network.json names the proxy as RPC; the
 * rest of its config is kept, plus short backoffs and a health port.
 */
async function rerouteConnector(net: OutageNetwork, partyId: number, proxy: TcpProxy, healthPort: number): Promise<void> {
  const name = `connector-${partyId}`;
  const i = net.processes.findIndex((p) => p.name === name);
  if (i < 0) throw new Error(`no process ${name}`);
  await net.processes[i]!.stop();
  const partyDir = path.join(net.dir, `party-${partyId}`);
  const configFile = path.join(partyDir, 'connector.json');
  const networkFile = path.join(partyDir, 'network-via-proxy.json');
  writeFileSync(networkFile, JSON.stringify({ ...net.network, rpcUrl: proxy.url } satisfies NetworkDescriptor, null, 2));
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        ...config,
        network: networkFile,
        watch: { reconnectBaseMs: 250, reconnectMaxMs: 2000, stallMs: 15_000 },
        retryBaseMs: 500,
        retryMaxMs: 2000,
        health: { port: healthPort },
      },
      null,
      2,
    ),
  );
  // Same name and folder: the network's stop() stops this one, and its pid file replaces the old one.
  net.processes[i] = spawnManaged({ name, dir: net.dir, command: process.execPath, args: [path.join(repoRoot(), 'dist/connector/kms-connector/main.js'), '--config', configFile] });
}

/** The connector's log lines about its event subscription, one short line each. */
function subscriptionLog(file: string): string {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const out: string[] = [];
  for (const line of lines) {
    try {
      const j = JSON.parse(line) as { time: number; msg: string; err?: { message?: string } };
      if (/subscri/.test(j.msg)) out.push(`${new Date(j.time).toISOString()} ${j.msg}${j.err?.message ? `: ${j.err.message.split('\n')[0]}` : ''}`);
    } catch {
      // not a log record
    }
  }
  return out.length ? out.join('\n') : '(none)';
}

/** The first decrypt request the ASC records from `fromHeight` on, seen through `client` (which reaches the chain). */
function firstDecryptRequest(client: KmsChainClient, asc: string, fromHeight: number): { found: Promise<{ requestId: string; height: number }>; close(): void } {
  let resolve!: (v: { requestId: string; height: number }) => void;
  const found = new Promise<{ requestId: string; height: number }>((r) => (resolve = r));
  const sub = client.watchEvents({ contract: asc, eventType: ASC_EVENTS.request }, fromHeight, async (e) => {
    if (e.attributes['kind'] === 'decrypt' && e.attributes['request_id']) resolve({ requestId: e.attributes['request_id'], height: e.height });
  });
  // Its end is of no interest (close() comes before the network stops).
  sub.done.catch(() => undefined);
  return { found, close: () => sub.close() };
}

export function describeConnectorOutage(suite: string, start: () => Promise<OutageNetwork>): void {
  describe(suite, () => {
    let net: OutageNetwork | undefined;
    let proxy: TcpProxy | undefined;
    let cli: CliEnv;
    let user: KmsChainClient | undefined;
    let healthUrl: string;
    let handle: string;
    const abort = new AbortController();

    beforeAll(async () => {
      net = await start();
      const rpc = new URL(net.network.rpcUrl);
      proxy = await startTcpProxy({ host: rpc.hostname, port: Number(rpc.port) });
      const healthPort = await freePort();
      healthUrl = `http://127.0.0.1:${healthPort}/health`;
      await rerouteConnector(net, 1, proxy, healthPort);
      cli = await fundedCli(net.networkFile, 'outage');
      user = await cliAccountClient(cli, net.network);
      // A key, through the rerouted connector: the proxied path works before the cut.
      await tkmsOk(cli, ['keygen']);
      handle = String((await tkmsOk(cli, ['encrypt', '77', '--type', 'euint8']))['handle']);
    }, 900_000);

    afterAll(async () => {
      abort.abort();
      await user?.close();
      await proxy?.close();
      await net?.stop();
    }, 120_000);

    test('malicious: an RPC outage longer than the old watcher survived; the request made during it is answered once the RPC is back, and health showed the outage', async () => {
      const asc = net!.network.contracts.asc;
      const before = await waitFor('the connector watching', 60_000, async () => {
        const h = await readHealth(healthUrl);
        return h.body?.['watching'] === true ? h.body : undefined;
      });

      // Health is sampled through the whole outage and the recovery.
      const samples: HealthSample[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          samples.push(await readHealth(healthUrl));
          await sleep(500);
        }
      })();

      const cutHeight = await user!.height();
      await proxy!.cut();
      const cutAt = Date.now();
      const request = firstDecryptRequest(user!, asc, cutHeight);
      let requestId: string;
      let requestHeight: number;
      let pendingAtEnd: RequestInfo;
      let outageMs: number;
      // The user's CLI reaches the chain directly: its decrypt goes through during the outage.
      const decrypt = runTkms(cli, ['decrypt', handle, '--timeout', String(Math.ceil((OUTAGE_MS + RECOVERY_MS) / 1000))], OUTAGE_MS + RECOVERY_MS + 60_000, abort.signal);
      try {
        ({ requestId, height: requestHeight } = await Promise.race([
          request.found,
          sleep(OUTAGE_MS).then(() => {
            throw new Error('the decrypt request did not reach the chain during the outage');
          }),
        ]));
        await sleep(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
        // Still unanswered at the end of the outage: the only party was cut off.
        pendingAtEnd = await getRequest(user!, asc, requestId);
        outageMs = Date.now() - cutAt;
      } finally {
        request.close();
        await proxy!.restore();
      }
      const restoredAt = Date.now();
      expect(pendingAtEnd).toMatchObject({ status: 'pending', responses: [] });

      const answered = await waitFor('the request answered', RECOVERY_MS, async () => {
        const r = await getRequest(user!, asc, requestId);
        return r.status === 'pending' ? undefined : r;
      });
      const handled = (b: Record<string, unknown> | undefined) => (b?.['handled'] as { decrypt: number } | undefined)?.decrypt ?? NaN;
      // The counter moves once the connector has finished with the request, which may be a moment after the chain shows the answer.
      const after = await waitFor('the connector watching again', 30_000, async () => {
        const h = await readHealth(healthUrl);
        return h.body?.['watching'] === true && Number(h.body['lastEventHeight']) >= requestHeight && handled(h.body) > handled(before) ? h.body : undefined;
      });
      sampling = false;
      await sampler;
      if (!answered) {
        abort.abort();
        const log = net!.processes.find((p) => p.name === 'connector-1')!.logFile;
        throw new Error(
          `request ${requestId} (made at height ${requestHeight} during a ${outageMs} ms outage) was still pending ${RECOVERY_MS} ms after the RPC came back: ` +
            `the connector went deaf\nits log about the subscription:\n${subscriptionLog(log)}`,
        );
      }
      expect(answered).toMatchObject({ status: 'completed', result: { decrypt: { plaintexts: ['77'] } } });
      // Answered exactly once by the party (the ASC would refuse a second answer; the connector did not even try).
      expect(answered.responses.map((r) => r.party_id)).toEqual([1]);
      const out = await decrypt;
      expect(out.code).toBe(0);
      expect(out.json['plaintext']).toBe('77');
      expect(out.json['requestId']).toBe(requestId);
      // The outage lasted longer than the old watcher kept retrying.
      expect(outageMs).toBeGreaterThan(OLD_WATCHER_GIVE_UP_MS);

      // Health: watching before, not watching (503) during the outage, watching again after, with the reconnection counted.
      expect(before).toMatchObject({ status: 'ok', watching: true, reconnects: 0 });
      const during = samples.filter((s) => s.at > cutAt + 1000 && s.at < restoredAt);
      expect(during.length).toBeGreaterThan(0);
      expect(during.some((s) => s.code === 503 && s.body?.['watching'] === false && s.body['downSince'] !== null && s.body['lastError'] !== null)).toBe(true);
      // At the end of the outage the connector had been down for (nearly) all of it.
      const last = during.at(-1)!;
      expect(last.body).toMatchObject({ watching: false, status: 'degraded' });
      expect(Date.parse(String(last.body!['downSince']))).toBeLessThan(cutAt + 10_000);
      expect(after).toBeDefined();
      expect(after).toMatchObject({ status: 'ok', watching: true, downSince: null });
      expect(Number(after!['reconnects'])).toBeGreaterThanOrEqual(1);
      expect(Number(after!['lastEventHeight'])).toBeGreaterThanOrEqual(requestHeight);
      expect(Date.parse(String(after!['lastPollAt']))).toBeGreaterThanOrEqual(restoredAt);
      expect(handled(after)).toBe(handled(before) + 1);
      process.stdout.write(`${suite}: outage ${outageMs} ms (old watcher gave up after ${OLD_WATCHER_GIVE_UP_MS} ms), answered ${Date.now() - restoredAt} ms after the RPC came back, reconnects ${String(after!['reconnects'])}\n`);
    }, OUTAGE_MS + RECOVERY_MS + 120_000);
  });
}
