/**
 * The connector's job loop against a scripted ASC (requests, fulfill, request
 * events) and a scripted core: failed jobs are retried in process, the core's
 * answer is kept across attempts, retries stop when the request is no longer
 * pending, and the checkpoint never passes an unfinished job. The end-to-end
 * suites run the connector against real chains and cores.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { ChainEvent, ExecuteResult, KmsChainClient, Subscription } from '../../chain/client.js';
import { ASC_EVENTS, type FulfillResponse, type RequestInfo } from '../../chain/asc/messages.js';
import { ChainTxError, TimeoutError } from '../../common/errors.js';
import { CoreRpcError } from '../../core/client/coreClient.js';
import type { DecryptResult } from '../../proto/gen/tkms/core/v1/core.js';
import type { Checkpoint } from './checkpoint.js';
import { isRetryable, KmsConnector, type CorePort } from './connector.js';

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
        const q = (msg as { request?: { request_id: string } }).request;
        const r = q && asc.requests.get(q.request_id);
        if (!r) throw new Error(`unexpected query ${JSON.stringify(msg)}`);
        return structuredClone(r) as T;
      },
      async executeContract(_contract: string, msg: unknown): Promise<ExecuteResult> {
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
      watchEvents(_filter, fromHeight, onEvent): Subscription {
        let closed = false;
        const done = (async () => {
          for (const e of asc.events.filter((x) => x.height >= fromHeight)) {
            if (closed) return;
            await onEvent(e);
          }
        })();
        return { close: () => (closed = true), done };
      },
      balance: unused,
      upload: unused,
      instantiate: unused,
      close: async () => undefined,
    };
  }
}
type PartyResponseBody = RequestInfo['responses'][number]['response'];

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

function connectorFor(asc: ScriptedAsc, core: CorePort, checkpoint = recordingCheckpoint()) {
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
