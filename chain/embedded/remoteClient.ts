/**
 * @module chain/embedded/remoteClient
 * `KmsChainClient` for an embedded node running in another process (the
 * default network of `make start`). Signs each transaction with the account
 * key and the account's next sequence.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import type { ChainEvent, Coin, EventFilter, ExecuteResult, KmsChainClient, Subscription } from '../client.js';
import type { ChainAccount } from '../wallet.js';
import { PATHS, txSignDigest, type ApiError, type TxBody } from './protocol.js';
import type { SequencedEvent } from './embeddedChain.js';
import { pollEvents } from './inProcessClient.js';
import { ChainTxError, TkmsError } from '../../common/errors.js';

const LONG_POLL_MS = 5_000;

export class EmbeddedRemoteClient implements KmsChainClient {
  private sequence: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly url: string,
    readonly chainId: string,
    private readonly account: ChainAccount | undefined,
  ) {}

  static async connect(url: string, account?: ChainAccount): Promise<EmbeddedRemoteClient> {
    const status = await getJson<{ chain_id: string }>(`${url}${PATHS.status}`);
    return new EmbeddedRemoteClient(url.replace(/\/$/, ''), status.chain_id, account);
  }

  get senderAddress(): string | undefined {
    return this.account?.address;
  }

  async height(): Promise<number> {
    return (await getJson<{ height: number }>(`${this.url}${PATHS.status}`)).height;
  }

  async queryContract<T>(contract: string, msg: unknown): Promise<T> {
    return (await postJson<{ result: T }>(`${this.url}${PATHS.query}`, { contract, msg })).result;
  }

  executeContract(contract: string, msg: unknown, funds: readonly Coin[] = []): Promise<ExecuteResult> {
    return this.broadcast<ExecuteResult>({ execute: { contract, msg, funds: [...funds] } });
  }

  upload(wasm: Uint8Array): Promise<{ codeId: number; gasUsed: number }> {
    return this.broadcast({ upload: { wasm_base64: Buffer.from(wasm).toString('base64') } });
  }

  instantiate(codeId: number, msg: unknown, label: string, admin?: string): Promise<{ address: string; gasUsed: number }> {
    return this.broadcast({ instantiate: { code_id: codeId, msg, label, ...(admin ? { admin } : {}) } });
  }

  balance(address: string, denom: string): Promise<Coin> {
    return getJson<Coin>(`${this.url}${PATHS.balance}${address}?denom=${encodeURIComponent(denom)}`);
  }

  watchEvents(filter: EventFilter, fromHeight: number, onEvent: (e: ChainEvent) => Promise<void>): Subscription {
    const fetchSince = async (pos: { afterSeq?: number; fromHeight?: number }): Promise<SequencedEvent[]> => {
      const q = new URLSearchParams({ contract: filter.contract, type: filter.eventType, wait_ms: String(LONG_POLL_MS) });
      if (pos.afterSeq !== undefined) q.set('after_seq', String(pos.afterSeq));
      else q.set('from_height', String(pos.fromHeight ?? 0));
      // A long poll answers within the server's wait cap (10 s); one that hangs far
      // beyond it (a half-open connection) is failed, so the watcher retries instead of waiting forever.
      return (await getJson<{ events: SequencedEvent[] }>(`${this.url}${PATHS.events}?${q}`, AbortSignal.timeout(LONG_POLL_MS + 25_000))).events;
    };
    // The server long-polls, so the client loop never needs to sleep long.
    return pollEvents(fetchSince, fromHeight, onEvent, { pollMs: 10 });
  }

  async close(): Promise<void> {}

  /** Transactions from one client are sent one at a time, in sequence order. */
  private broadcast<T>(body: TxBody): Promise<T> {
    const run = this.queue.then(() => this.sendTx<T>(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendTx<T>(body: TxBody, retried = false): Promise<T> {
    const account = this.account;
    if (!account) throw new TkmsError('NO_SIGNER', 'this chain client is read-only: create or import a key first');
    if (this.sequence === undefined) {
      this.sequence = (await getJson<{ sequence: number }>(`${this.url}${PATHS.account}${account.address}`)).sequence;
    }
    const sequence = this.sequence;
    const signature = bytesToHex(secp256k1.sign(txSignDigest(this.chainId, sequence, body), account.privateKey, { lowS: true }).toCompactRawBytes());
    try {
      const result = await postJson<T>(`${this.url}${PATHS.tx}`, { pubkey: bytesToHex(account.publicKey), sequence, body, signature });
      this.sequence = sequence + 1;
      return result;
    } catch (e) {
      if (e instanceof ChainTxError) {
        this.sequence = sequence + 1; // executed and failed: the sequence was used
      } else {
        this.sequence = undefined; // unknown state: ask the node again
        // Another client of the same account moved the sequence on: sign again once.
        if (!retried && e instanceof TkmsError && e.code === 'BAD_SEQUENCE') return this.sendTx<T>(body, true);
      }
      throw e;
    }
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return parse<T>(await request(url, { method: 'GET', ...(signal ? { signal } : {}) }), url);
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  return parse<T>(await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), url);
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new TkmsError('CHAIN_UNREACHABLE', `cannot reach the embedded chain at ${new URL(url).origin}`, {
      details: 'is `make start` running?',
      cause: e,
    });
  }
}

async function parse<T>(res: Response, url: string): Promise<T> {
  const body = (await res.json().catch(() => ({ error: `non-JSON answer from ${url}`, code: 'BAD_RESPONSE' }))) as T | ApiError;
  if (res.ok) return body as T;
  const err = body as ApiError;
  if (res.status === 422) throw new ChainTxError(err.error, { code: err.code === 'TX_FAILED' ? undefined : err.code });
  throw new TkmsError(err.code ?? 'CHAIN_ERROR', err.error ?? `HTTP ${res.status}`);
}
