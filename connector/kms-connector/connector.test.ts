/**
 * The connector's job loop against a scripted ASC (requests, fulfill, request
 * events) and a scripted core: failed jobs are retried in process, the core's
 * answer is kept across attempts, retries stop when the request is no longer
 * pending, and the checkpoint never passes an unfinished job. Liveness: a
 * subscription lost to an RPC outage (or stalled) is opened again from the
 * checkpoint and requests made meanwhile are answered exactly once; the health
 * endpoint reports it. The end-to-end suites run the connector against real
 * chains and cores (test/attacks/connectorOutage*.test.ts for outages).
 */
import { Metadata, status } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { ChainEvent, ExecuteResult, KmsChainClient, Subscription } from '../../chain/client.js';
import { ASC_EVENTS, type FulfillResponse, type RequestInfo } from '../../chain/asc/messages.js';
import { ChainTxError, TimeoutError } from '../../common/errors.js';
import { CoreRpcError } from '../../core/client/coreClient.js';
import type { DecryptResult } from '../../proto/gen/tkms/core/v1/core.js';
import type { Checkpoint } from './checkpoint.js';
import { isRetryable, KmsConnector, type ConnectorOptions, type CorePort } from './connector.js';
import { serveHealth } from './health.js';

const silent = pino({ level: 'silent' });
const ASC = 'asc';
const PARTY = 1;
const id = (i: number) => i.toString(16).padStart(40, '0');

/** The ASC's side: stored requests, `request` query, `fulfill` execute, request events. */
class ScriptedAsc {
  readonly requests = new Map<string, RequestInfo>();
  readonly events: ChainEvent[] = [];
  readonly fulfills: { requestId: string; response: FulfillResponse }[] = [];
  /** Called before each fulfill; an error thrown here fails the tx. */
  failFulfill: (requestId: string, n: number) => Error | undefined = () => undefined;
  /** RPC outage: every query, tx and subscription read fails (a subscription ends on it, as the embedded client's did). */
  down = false;
  /** The RPC accepts connections but never answers: reads hang. */
  hung = false;
  /** The height each subscription started from, in order. */
  readonly subscriptions: number[] = [];

  /** What a client sees of the chain during an outage. */
  rpc(): void {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:26657 (scripted outage)'), { code: 'ECONNREFUSED' });
  }

  addDecrypt(n: number, height: number, over: Partial<RequestInfo> = {}): string {
    const requestId = id(n);
    this.requests.set(requestId, {
      request_id: requestId,
      kind: 'decrypt',
      sender: 'user',
      height: String(height),
      status: 'pending',
      decrypt: { key_id: id(999), ciphertexts: [{ ciphertext_handle: 'ab'.repeat(32), ciphertext_digest: 'cd'.repeat(32), fhe_type: 'euint8' }] },
      responses: [],
      fee: { denom: '', amount: '0' },
      expires_at: String(Math.floor(Date.now() / 1000) + 3600),
      ...over,
    });
    this.events.push({ type: ASC_EVENTS.request, attributes: { request_id: requestId, kind: 'decrypt' }, height, txHash: `tx${n}` });
    return requestId;
  }

  client(): KmsChainClient {
    const asc = this;
    const unused = () => Promise.reject(new Error('not used by the connector'));
    return {
      chainId: 'scripted',
      senderAddress: 'party1',
      height: async () => Math.max(0, ...asc.events.map((e) => e.height)),
      async queryContract<T>(_contract: string, msg: unknown): Promise<T> {
        asc.rpc();
        const q = (msg as { request?: { request_id: string } }).request;
        const r = q && asc.requests.get(q.request_id);
        if (!r) throw new Error(`unexpected query ${JSON.stringify(msg)}`);
        return structuredClone(r) as T;
      },
      async executeContract(_contract: string, msg: unknown): Promise<ExecuteResult> {
        asc.rpc();
        const f = (msg as { fulfill?: { request_id: string; response: FulfillResponse } }).fulfill;
        if (!f) throw new Error(`unexpected execute ${JSON.stringify(msg)}`);
        const e = asc.failFulfill(f.request_id, asc.fulfills.length);
        if (e) throw e;
        const r = asc.requests.get(f.request_id)!;
        if (r.responses.some((x) => x.party_id === PARTY)) throw new ChainTxError(`party ${PARTY} already responded`);
        r.responses.push({ party_id: PARTY, sender: 'party1', response: f.response as PartyResponseBody, height: '100' });
        asc.fulfills.push({ requestId: f.request_id, response: f.response });
        return { txHash: 'f', height: 100, gasUsed: 1, events: [] };
      },
      // Live, like the real clients: past events, then new ones as they are added (polled every 5 ms).
      watchEvents(_filter, fromHeight, onEvent): Subscription {
        asc.subscriptions.push(fromHeight);
        let closed = false;
        let lastPollAt: number | undefined;
        const done = (async () => {
          let next = 0;
          while (!closed) {
            while (asc.hung && !closed) await sleep(5);
            asc.rpc();
            lastPollAt = Date.now();
            while (next < asc.events.length && !closed) {
              const e = asc.events[next++]!;
              if (e.height >= fromHeight) await onEvent(e);
            }
            await sleep(5);
          }
        })();
        return { close: () => (closed = true), done, progress: () => ({ lastPollAt }) };
      },
      balance: unused,
      upload: unused,
      instantiate: unused,
      close: async () => undefined,
    };
  }
}
type PartyResponseBody = RequestInfo['responses'][number]['response'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function coreError(code: string, grpcCode: status): CoreRpcError {
  const md = new Metadata();
  md.set('tkms-code', code);
  return new CoreRpcError('getDecryptResult', Object.assign(new Error(code), { code: grpcCode, details: `scripted ${code}`, metadata: md }));
}

/** A core whose decrypt answers come from `answer` (throw to fail the attempt). */
function scriptedCore(answer: (requestId: string, call: number) => DecryptResult) {
  const calls = { start: 0, result: 0 };
  const unused = () => Promise.reject(new Error('not used in this test'));
  const core: CorePort = {
    startKeyGen: unused,
    keyGenResult: unused,
    startKeyGenPreproc: unused,
    keyGenPreprocResult: unused,
    startDecrypt: async () => void calls.start++,
    decryptResult: async (requestId) => answer(requestId, ++calls.result),
    startUserDecrypt: unused,
    userDecryptResult: unused,
    startCrsGen: unused,
    crsGenResult: unused,
    setKeyState: unused,
  };
  return { core, calls };
}

function decrypted(requestId: string, plaintext = '42'): DecryptResult {
  return { requestId, plaintext: '', plaintexts: [plaintext], signature: 'sig', failure: undefined, partyId: PARTY, eip712Signature: '', keyCompromised: false, keyState: 'active' };
}

function recordingCheckpoint(): Checkpoint & { saved: number[] } {
  const saved: number[] = [];
  return { saved, load: () => undefined, save: (h) => void saved.push(h) };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

function connectorFor(asc: ScriptedAsc, core: CorePort, checkpoint = recordingCheckpoint(), over: Partial<ConnectorOptions> = {}) {
  const connector = new KmsConnector({
    partyId: PARTY,
    chain: asc.client(),
    asc: ASC,
    core,
    ciphertexts: async () => new Uint8Array([1, 2, 3]),
    checkpoint,
    logger: silent,
    claimIntervalMs: 0,
    keyStateIntervalMs: 0,
    retryBaseMs: 1,
    retryMaxMs: 4,
    watch: { reconnectBaseMs: 1, reconnectMaxMs: 20, stallMs: 1000 },
    ...over,
  });
  return { connector, checkpoint };
}

test('default: a core UNAVAILABLE twice, then answering, gets the request fulfilled once', async () => {
  const asc = new ScriptedAsc();
  const requestId = asc.addDecrypt(1, 5);
  const { core, calls } = scriptedCore((rid, n) => {
    if (n <= 2) throw coreError('UNAVAILABLE', status.UNAVAILABLE);
    return decrypted(rid);
  });
  const { connector } = connectorFor(asc, core);
  await connector.start();
  await until('fulfilled', () => connector.handled.decrypt === 1);
  await connector.stop();
  expect(calls.result).toBe(3);
  expect(asc.fulfills).toEqual([{ requestId, response: { decrypt: { plaintexts: ['42'], signature: 'sig' } } }]);
  expect(connector.handled).toMatchObject({ failed: 2, retried: 2, given_up: 0 });
});

test('behavior: a fulfill tx that fails once is resent with the answer the core already gave', async () => {
  const asc = new ScriptedAsc();
  const requestId = asc.addDecrypt(1, 5);
  let txs = 0;
  asc.failFulfill = () => (++txs === 1 ? new ChainTxError('out of gas in location: WritePerByte') : undefined);
  const { core, calls } = scriptedCore((rid) => decrypted(rid, '7'));
  const { connector } = connectorFor(asc, core);
  await connector.start();
  await until('fulfilled', () => asc.fulfills.length === 1);
  await connector.stop();
  expect(txs).toBe(2);
  expect(calls).toEqual({ start: 1, result: 1 });
  expect(asc.fulfills[0]).toEqual({ requestId, response: { decrypt: { plaintexts: ['7'], signature: 'sig' } } });
});

test('behavior: the checkpoint never passes a job being retried; it moves on once the request completes without us', async () => {
  const asc = new ScriptedAsc();
  const failing = asc.addDecrypt(1, 5);
  const fine = asc.addDecrypt(2, 7);
  const { core } = scriptedCore((rid) => {
    if (rid === failing) throw new TimeoutError(`decrypt ${rid}`, 120_000);
    return decrypted(rid);
  });
  const { connector, checkpoint } = connectorFor(asc, core);
  await connector.start();
  await until('the other request fulfilled and the failing one retried', () => asc.fulfills.length === 1 && connector.handled.retried >= 3);
  expect(asc.fulfills[0]!.requestId).toBe(fine);
  expect(Math.max(...checkpoint.saved)).toBeLessThanOrEqual(5);
  // The other parties complete it: this party stops retrying and the checkpoint moves past it.
  asc.requests.get(failing)!.status = 'completed';
  await until('given up', () => connector.handled.given_up === 1);
  await until('checkpoint moved', () => checkpoint.saved.at(-1) === 7);
  await connector.stop();
  expect(asc.requests.get(failing)!.responses).toEqual([]);
});

test('behavior: stopping while a job is retried leaves the checkpoint at or below it', async () => {
  const asc = new ScriptedAsc();
  asc.addDecrypt(1, 5);
  asc.addDecrypt(2, 9);
  const { core } = scriptedCore((rid) => {
    if (rid === id(1)) throw coreError('UNAVAILABLE', status.UNAVAILABLE);
    return decrypted(rid);
  });
  const { connector, checkpoint } = connectorFor(asc, core);
  await connector.start();
  await until('retried and other fulfilled', () => connector.handled.retried >= 1 && asc.fulfills.length === 1);
  await connector.stop();
  expect(checkpoint.saved.at(-1)).toBe(5);
  expect(Math.max(...checkpoint.saved)).toBeLessThanOrEqual(5);
});

test('behavior: no retry for a request the core refuses outright, nor for an expired one', async () => {
  const asc = new ScriptedAsc();
  const refused = asc.addDecrypt(1, 5);
  const expired = asc.addDecrypt(2, 6, { expires_at: '1000' });
  const { core, calls } = scriptedCore((rid) => {
    throw rid === refused ? coreError('INVALID_ARGUMENT', status.INVALID_ARGUMENT) : coreError('UNAVAILABLE', status.UNAVAILABLE);
  });
  const { connector, checkpoint } = connectorFor(asc, core);
  await connector.start();
  await until('both given up', () => connector.handled.given_up === 2);
  await until('checkpoint past both', () => checkpoint.saved.at(-1) === 6);
  await connector.stop();
  // The refused one: one attempt; the expired one: its first attempt, then the retry sees the expiry.
  expect(calls.result).toBe(2);
  expect(connector.handled).toMatchObject({ failed: 2, retried: 1 });
  expect(asc.fulfills).toEqual([]);
  expect(asc.requests.get(expired)!.responses).toEqual([]);
});

test('behavior: transient errors are retryable, the core refusing the request itself is not', () => {
  expect(isRetryable(coreError('UNAVAILABLE', status.UNAVAILABLE))).toBe(true);
  expect(isRetryable(coreError('RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED))).toBe(true);
  expect(isRetryable(new TimeoutError('x', 1))).toBe(true);
  expect(isRetryable(new ChainTxError('out of gas'))).toBe(true);
  expect(isRetryable(new Error('socket hang up'))).toBe(true);
  expect(isRetryable(coreError('INVALID_ARGUMENT', status.INVALID_ARGUMENT))).toBe(false);
});

test('behavior: the parameter set a keygen_preproc and a keygen name reaches the core; none stays none (default)', async () => {
  const asc = new ScriptedAsc();
  const add = (n: number, kind: 'keygen_preproc' | 'keygen', over: Partial<RequestInfo>) => {
    const requestId = id(n);
    asc.requests.set(requestId, { request_id: requestId, kind, sender: 'op', height: String(n), status: 'pending', responses: [], fee: { denom: '', amount: '0' }, expires_at: String(Math.floor(Date.now() / 1000) + 3600), ...over });
    asc.events.push({ type: ASC_EVENTS.request, attributes: { request_id: requestId, kind }, height: n, txHash: `tx${n}` });
    return requestId;
  };
  const preproc = add(1, 'keygen_preproc', { keygen_preproc: { fhe_parameters: 'test-insecure' } });
  const plain = add(2, 'keygen_preproc', {});
  const key = add(3, 'keygen', { keygen: { preproc_id: preproc, fhe_parameters: 'test-insecure' } });
  // On a network whose Config has insecure_dealer_keys the stored request says so: passed on to the core.
  const dealt = add(4, 'keygen', { keygen: { insecure_dealer_keys: true } });
  const started: unknown[][] = [];
  const { core } = scriptedCore(() => decrypted(''));
  core.startKeyGenPreproc = async (...a) => void started.push(['keygen_preproc', ...a]);
  core.keyGenPreprocResult = async (requestId) => ({ requestId, signature: 'sig', partyId: PARTY });
  core.startKeyGen = async (...a) => void started.push(['keygen', ...a]);
  core.keyGenResult = async (requestId) => ({ requestId, keyId: requestId, publicKeyDigest: 'p', publicKeyUri: 'pu', serverKeyDigest: 's', serverKeyUri: 'su', signature: 'sig', failure: undefined, partyId: PARTY, keyState: 'active' });
  const { connector } = connectorFor(asc, core);
  await connector.start();
  await until('all four answered', () => asc.fulfills.length === 4);
  await connector.stop();
  // Jobs may run side by side: the order of the starts is not the test's business.
  expect(started).toHaveLength(4);
  expect(started).toEqual(
    expect.arrayContaining([
      ['keygen_preproc', preproc, 'test-insecure'],
      ['keygen_preproc', plain, undefined],
      ['keygen', key, preproc, 'test-insecure', false],
      ['keygen', dealt, undefined, undefined, true],
    ]),
  );
});

describe('liveness: the ASC event subscription survives RPC outages', () => {
  test('malicious: a subscription lost to an RPC outage is opened again from the checkpoint; the request made during the outage is answered exactly once', async () => {
    const asc = new ScriptedAsc();
    const before = asc.addDecrypt(1, 5);
    const { core, calls } = scriptedCore((rid) => decrypted(rid));
    const { connector, checkpoint } = connectorFor(asc, core);
    await connector.start();
    await until('the first request fulfilled', () => asc.fulfills.length === 1 && connector.status().watching);
    expect(asc.subscriptions).toEqual([0]);

    asc.down = true;
    await until('the outage seen', () => !connector.status().watching && connector.status().reconnects >= 1);
    // Made by a user whose own RPC works; this party's connector cannot see it yet.
    const during = asc.addDecrypt(2, 8);
    await until('several failed attempts to subscribe again', () => connector.status().reconnects >= 3);
    const outage = connector.status();
    expect(outage).toMatchObject({ watching: false, lastEventHeight: 5, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(outage.downSince).toBeDefined();
    expect(asc.fulfills).toHaveLength(1);

    asc.down = false;
    await until('the request made during the outage fulfilled', () => asc.fulfills.length === 2);
    await until('watching again', () => connector.status().watching);
    const after = connector.status();
    await connector.stop();

    expect(asc.fulfills.map((f) => f.requestId)).toEqual([before, during]);
    expect(calls.start).toBe(2);
    expect(connector.handled).toMatchObject({ decrypt: 2, skipped: 0 });
    // Every re-subscription started from the checkpoint (height 5: everything below it was done),
    // so the replay delivered the first request again, which the connector recognised.
    expect(asc.subscriptions.length).toBeGreaterThanOrEqual(4);
    expect(asc.subscriptions.slice(1).every((h) => h === 5)).toBe(true);
    expect(connector.handled.redelivered).toBeGreaterThanOrEqual(1);
    expect(after).toMatchObject({ watching: true, lastEventHeight: 8, downSince: undefined, subscribedFromHeight: 5 });
    expect(after.reconnects).toBe(asc.subscriptions.length - 1);
    expect(checkpoint.saved.at(-1)).toBe(8);
  });

  test('malicious: a request in flight when the subscription is lost is replayed, recognised, and fulfilled once', async () => {
    const asc = new ScriptedAsc();
    const requestId = asc.addDecrypt(1, 5);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { core: base } = scriptedCore((rid) => decrypted(rid));
    let starts = 0;
    const core: CorePort = {
      ...base,
      startDecrypt: async () => void starts++,
      decryptResult: async (rid) => {
        await gate;
        return decrypted(rid);
      },
    };
    const { connector, checkpoint } = connectorFor(asc, core);
    await connector.start();
    await until('the job running', () => starts === 1);
    asc.down = true;
    await until('re-subscription attempts', () => connector.status().reconnects >= 2);
    asc.down = false;
    await until('subscribed again and the request replayed', () => connector.handled.redelivered >= 1);
    // The core answers now; the fulfillment goes out once.
    release();
    await until('fulfilled', () => asc.fulfills.length === 1);
    await until('checkpoint saved after the job', () => checkpoint.saved.at(-1) === 5 && connector.status().inFlight === 0);
    await connector.stop();
    expect(starts).toBe(1);
    expect(asc.fulfills).toEqual([{ requestId, response: { decrypt: { plaintexts: ['42'], signature: 'sig' } } }]);
    // The job's place in the checkpoint held throughout: every subscription started at or below it.
    expect(asc.subscriptions.every((h) => h <= 5)).toBe(true);
  });

  test('malicious: a subscription whose reads hang (no error, no answer) is dropped after stallMs and opened again', async () => {
    const asc = new ScriptedAsc();
    asc.addDecrypt(1, 5);
    const { core } = scriptedCore((rid) => decrypted(rid));
    const { connector } = connectorFor(asc, core, recordingCheckpoint(), { watch: { reconnectBaseMs: 1, reconnectMaxMs: 20, stallMs: 150 } });
    await connector.start();
    await until('first fulfilled', () => asc.fulfills.length === 1);
    asc.hung = true;
    await until('the stall seen', () => !connector.status().watching && connector.status().reconnects >= 1);
    expect(connector.status().lastError).toMatch(/no answer from the chain for \d+ ms/);
    const during = asc.addDecrypt(2, 6);
    asc.hung = false;
    await until('the request made during the stall fulfilled', () => asc.fulfills.length === 2);
    await connector.stop();
    expect(asc.fulfills.map((f) => f.requestId)).toEqual([id(1), during]);
  });

  test('behavior: with watch.giveUpAfterMs the connector gives up on a long outage and reports it fatal (the process exits for its supervisor)', async () => {
    const asc = new ScriptedAsc();
    asc.addDecrypt(1, 5);
    const { core } = scriptedCore((rid) => decrypted(rid));
    let fatal: unknown;
    const { connector } = connectorFor(asc, core, recordingCheckpoint(), {
      watch: { reconnectBaseMs: 1, reconnectMaxMs: 10, stallMs: 1000, giveUpAfterMs: 100 },
      onFatal: (err) => (fatal = err),
    });
    await connector.start();
    await until('first fulfilled', () => asc.fulfills.length === 1);
    asc.down = true;
    await until('given up', () => fatal !== undefined);
    expect(String(fatal)).toMatch(/no working ASC event subscription for \d+ ms \(last error: connect ECONNREFUSED/);
    const attempts = asc.subscriptions.length;
    await sleep(50);
    expect(asc.subscriptions.length).toBe(attempts);
    expect(connector.status().watching).toBe(false);
    await connector.stop();
  });

  test('behavior: the health endpoint says 200 while watching, 503 during an outage, with the reconnect count and heights', async () => {
    const asc = new ScriptedAsc();
    asc.addDecrypt(1, 5);
    const { core } = scriptedCore((rid) => decrypted(rid));
    const { connector } = connectorFor(asc, core);
    await connector.start();
    const health = await serveHealth(() => connector.status(), { port: 0 });
    const get = async () => {
      const res = await fetch(`${health.url}/health`);
      return { code: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      await until('fulfilled and watching', () => asc.fulfills.length === 1 && connector.status().watching);
      const ok = await get();
      expect(ok.code).toBe(200);
      expect(ok.body).toMatchObject({ status: 'ok', partyId: PARTY, watching: true, lastEventHeight: 5, reconnects: 0, checkpoint: 5, inFlight: 0, downSince: null });
      expect(Date.parse(String(ok.body['lastPollAt']))).not.toBeNaN();
      asc.down = true;
      await until('reconnecting', () => connector.status().reconnects >= 1);
      const down = await get();
      expect(down.code).toBe(503);
      expect(down.body).toMatchObject({ status: 'degraded', watching: false, lastEventHeight: 5, lastError: expect.stringContaining('ECONNREFUSED') });
      expect(Date.parse(String(down.body['downSince']))).not.toBeNaN();
      asc.down = false;
      await until('watching again', () => connector.status().watching);
      const back = await get();
      expect(back.code).toBe(200);
      expect(back.body['reconnects']).toEqual(expect.any(Number));
      expect(Number(back.body['reconnects'])).toBeGreaterThanOrEqual(1);
      expect((await fetch(`${health.url}/metrics`)).status).toBe(404);
    } finally {
      await health.close();
      await connector.stop();
    }
  });
});
