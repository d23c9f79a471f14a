/**
 * @module chain/wasmd/wasmdClient
 * `KmsChainClient` for a real wasmd chain, over cosmjs. Reads go through a
 * `CosmWasmClient`, writes through a `SigningCosmWasmClient` whose transactions
 * are queued so concurrent calls never reuse an account sequence. Events come
 * from the CometBFT RPC: `tx_search` for the past, then block by block
 * (`block_results`), woken by a websocket `NewBlockHeader` subscription.
 *
 * cosmjs 0.32's `connectComet` does not know CometBFT 0.39 (wasmd 0.70) and
 * falls back to the 0.34 client, which base64-decodes event attributes; the
 * 0.38 client speaks 0.39's RPC, so it is chosen explicitly.
 *
 * @example
 * const client = await WasmdClient.connect('http://127.0.0.1:26600', {
 *   mnemonic, prefix: 'wasm', gasPrice: '0.0025stake' });
 * const { events } = await client.executeContract(asc, { keygen: {} });
 */
import { Sdk54SigningClient } from './sdk54SigningClient.js';
import { CosmWasmClient, SigningCosmWasmClient, wasmTypes } from '@cosmjs/cosmwasm-stargate';
import { sha256 } from '@cosmjs/crypto';
import { toHex } from '@cosmjs/encoding';
import { DirectSecp256k1HdWallet, Registry, type EncodeObject, type GeneratedType, type OfflineSigner } from '@cosmjs/proto-signing';
import { defaultRegistryTypes, GasPrice, QueryClient, type Event as CosmEvent } from '@cosmjs/stargate';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { BinaryWriter } from 'cosmjs-types/binary.js';
import { MsgSubmitProposal } from 'cosmjs-types/cosmos/gov/v1/tx.js';
import WebSocket from 'ws';
import type { ChainEvent, Coin, EventFilter, ExecuteResult, KmsChainClient, Subscription } from '../client.js';
import { ChainTxError, TkmsError } from '../../common/errors.js';

export interface WasmdClientOptions {
  /** Signs with the first account of this mnemonic (cosmos HD path). */
  mnemonic?: string;
  /** Or any cosmjs signer. */
  wallet?: OfflineSigner;
  /** Bech32 prefix, e.g. "wasm". */
  prefix: string;
  /** e.g. "0.0025stake". */
  gasPrice: string;
  /** Checked against the node's chain id when given. */
  chainId?: string;
  /** Simulated gas × this = gas limit (default 1.5). */
  gasMultiplier?: number;
  /** Poll interval while waiting for inclusion (default 200 ms). */
  pollMs?: number;
  /** Inclusion timeout (default 60 s). */
  txTimeoutMs?: number;
}

/** Position of an event in the chain: block height, tx index in block, event index in tx. */
type Cursor = [height: number, tx: number, event: number];

const ZERO: Cursor = [0, -1, -1];

function after(a: Cursor, b: Cursor): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

/** Flattens cosmjs events into `ChainEvent`s. */
export function toChainEvents(events: readonly CosmEvent[], height: number, txHash: string): ChainEvent[] {
  return events.map((e) => ({
    type: e.type,
    attributes: Object.fromEntries(e.attributes.map((a) => [a.key, a.value])),
    height,
    txHash,
  }));
}

/**
 * The contract's own message from a wasmd error log, e.g. from
 * "failed to execute message; message index: 0: unknown key id ab12: execute wasm contract failed"
 * returns "unknown key id ab12".
 */
export function contractErrorMessage(log: string): string {
  const m = /^(?:[\s\S]*?message index: \d+: )?([\s\S]*?): (?:execute|instantiate|query|migrate|sudo) wasm contract failed/.exec(log);
  if (!m) return log;
  return m[1]!
    .replace(/^Query failed with \(\d+\): /, '')
    .replace(/^rpc error: code = \w+ desc = /, '')
    .replace(/^Generic error: /, '')
    .trim();
}

function txError(e: unknown, txHash?: string): ChainTxError {
  const raw = e instanceof Error ? e.message : String(e);
  const message = contractErrorMessage(raw);
  // Contract errors may carry a stable code: `{"code":"…","message":"…"}` or "CODE: message".
  let code: string | undefined;
  try {
    const j = JSON.parse(message) as { code?: unknown };
    if (typeof j.code === 'string') code = j.code;
  } catch {
    const c = /^([A-Z][A-Z0-9_]{2,}): /.exec(message);
    if (c) code = c[1];
  }
  return new ChainTxError(message, { details: raw, cause: e, ...(txHash ? { txHash } : {}), ...(code ? { code } : {}) });
}

/** `cosmos.gov.v1.MsgSubmitProposal` plus its SDK 0.50 field `expedited` (7), which cosmjs-types 0.9 lacks. */
export interface MsgSubmitProposalV50 extends MsgSubmitProposal {
  expedited?: boolean;
}
const SubmitProposalV50: GeneratedType = {
  ...MsgSubmitProposal,
  encode(message: MsgSubmitProposalV50, writer: BinaryWriter = BinaryWriter.create()): BinaryWriter {
    MsgSubmitProposal.encode(message, writer);
    if (message.expedited) writer.uint32(56).bool(true);
    return writer;
  },
  fromPartial(object: Parameters<typeof MsgSubmitProposal.fromPartial>[0] & { expedited?: boolean }): MsgSubmitProposalV50 {
    return { ...MsgSubmitProposal.fromPartial(object), expedited: object.expedited ?? false };
  },
} as GeneratedType;

function registry(): Registry {
  const r = new Registry([...defaultRegistryTypes, ...wasmTypes]);
  r.register('/cosmos.gov.v1.MsgSubmitProposal', SubmitProposalV50);
  return r;
}

export interface BroadcastResult {
  txHash: string;
  height: number;
  gasUsed: number;
  events: ChainEvent[];
}

export class WasmdClient implements KmsChainClient {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly subs = new Set<Subscription>();

  protected constructor(
    readonly chainId: string,
    readonly senderAddress: string | undefined,
    private readonly rpcUrl: string,
    private readonly comet: Comet38Client,
    private readonly reader: CosmWasmClient,
    private readonly signer: SigningCosmWasmClient | undefined,
    private readonly gasMultiplier: number,
  ) {}

  /** Connects to a CometBFT RPC URL (http). Read-only without mnemonic or wallet. */
  static async connect(rpcUrl: string, opts: WasmdClientOptions): Promise<WasmdClient> {
    const comet = await Comet38Client.connect(rpcUrl);
    const reader = await CosmWasmClient.create(comet);
    const chainId = await reader.getChainId();
    if (opts.chainId && opts.chainId !== chainId) {
      comet.disconnect();
      throw new TkmsError('CHAIN_MISMATCH', `expected chain ${opts.chainId}, node at ${rpcUrl} is on ${chainId}`);
    }
    let wallet = opts.wallet;
    if (!wallet && opts.mnemonic) wallet = await DirectSecp256k1HdWallet.fromMnemonic(opts.mnemonic, { prefix: opts.prefix });
    let signer: SigningCosmWasmClient | undefined;
    let sender: string | undefined;
    if (wallet) {
      const [account] = await wallet.getAccounts();
      if (!account) throw new TkmsError('NO_SIGNER', 'wallet has no accounts');
      sender = account.address;
      signer = await Sdk54SigningClient.connectWith(comet, wallet, {
        registry: registry(),
        gasPrice: GasPrice.fromString(opts.gasPrice),
        broadcastPollIntervalMs: opts.pollMs ?? 200,
        broadcastTimeoutMs: opts.txTimeoutMs ?? 60_000,
      });
    }
    return new WasmdClient(chainId, sender, rpcUrl, comet, reader, signer, opts.gasMultiplier ?? 1.5);
  }

  async height(): Promise<number> {
    return this.reader.getHeight();
  }

  async queryContract<T>(contract: string, msg: unknown): Promise<T> {
    try {
      return (await this.reader.queryContractSmart(contract, msg)) as T;
    } catch (e) {
      const raw = e instanceof Error ? e.message : String(e);
      throw new TkmsError('CHAIN_QUERY_FAILED', `query failed: ${contractErrorMessage(raw)}`, { details: raw, cause: e });
    }
  }

  executeContract(contract: string, msg: unknown, funds?: readonly Coin[]): Promise<ExecuteResult> {
    return this.serialized(async (signer, sender) => {
      const r = await signer.execute(sender, contract, msg as Record<string, unknown>, this.gasMultiplier, undefined, funds);
      return { txHash: r.transactionHash, height: r.height, gasUsed: Number(r.gasUsed), events: toChainEvents(r.events, r.height, r.transactionHash) };
    });
  }

  upload(wasm: Uint8Array): Promise<{ codeId: number; gasUsed: number }> {
    return this.serialized(async (signer, sender) => {
      const r = await signer.upload(sender, wasm, this.gasMultiplier);
      return { codeId: r.codeId, gasUsed: Number(r.gasUsed) };
    });
  }

  instantiate(codeId: number, msg: unknown, label: string, admin?: string): Promise<{ address: string; gasUsed: number }> {
    return this.serialized(async (signer, sender) => {
      const r = await signer.instantiate(sender, codeId, msg as Record<string, unknown>, label, this.gasMultiplier, admin ? { admin } : {});
      return { address: r.contractAddress, gasUsed: Number(r.gasUsed) };
    });
  }

  /** The sha256 checksum of stored code (what `instantiate2Address` needs); NOT_FOUND when there is no such code. */
  async codeChecksum(codeId: number): Promise<Uint8Array> {
    try {
      const d = await this.reader.getCodeDetails(codeId);
      return Uint8Array.from(Buffer.from(d.checksum, 'hex'));
    } catch (e) {
      throw new TkmsError('NOT_FOUND', `no code with id ${codeId} on chain ${this.chainId}`, { cause: e });
    }
  }

  /** The admin (who may migrate) and code id of a contract. */
  async contractInfo(address: string): Promise<{ codeId: number; admin: string | undefined; label: string }> {
    const c = await this.reader.getContract(address);
    return { codeId: c.codeId, admin: c.admin, label: c.label };
  }

  /** Sends native tokens (used by the faucet). */
  sendTokens(to: string, amount: readonly Coin[]): Promise<{ txHash: string; height: number; gasUsed: number }> {
    return this.serialized(async (signer, sender) => {
      const r = await signer.sendTokens(sender, to, amount, this.gasMultiplier);
      if (r.code !== 0) throw new ChainTxError(r.rawLog ?? `code ${r.code}`, { txHash: r.transactionHash });
      return { txHash: r.transactionHash, height: r.height, gasUsed: Number(r.gasUsed) };
    });
  }

  /** Signs and broadcasts any messages (e.g. governance); throws ChainTxError if the tx fails. */
  signAndBroadcast(messages: readonly EncodeObject[], opts: { memo?: string; gasMultiplier?: number } = {}): Promise<BroadcastResult> {
    return this.serialized(async (signer, sender) => {
      const r = await signer.signAndBroadcast(sender, messages, opts.gasMultiplier ?? this.gasMultiplier, opts.memo ?? '');
      if (r.code !== 0) throw new ChainTxError(contractErrorMessage(r.rawLog ?? `code ${r.code}`), { details: r.rawLog, txHash: r.transactionHash });
      return { txHash: r.transactionHash, height: r.height, gasUsed: Number(r.gasUsed), events: toChainEvents(r.events, r.height, r.transactionHash) };
    });
  }

  /** Raw ABCI query (protobuf request and response), e.g. `/cosmos.gov.v1.Query/Proposal`. */
  async abciQuery(path: string, request: Uint8Array): Promise<Uint8Array> {
    const { value } = await new QueryClient(this.comet).queryAbci(path, request);
    return value;
  }

  async balance(address: string, denom: string): Promise<Coin> {
    const c = await this.reader.getBalance(address, denom);
    return { denom: c.denom, amount: c.amount };
  }

  watchEvents(filter: EventFilter, fromHeight: number, onEvent: (e: ChainEvent) => Promise<void>): Subscription {
    const sub = watchCometEvents(this.comet, this.rpcUrl, filter, fromHeight, onEvent);
    this.subs.add(sub);
    void sub.done.catch(() => {}).finally(() => this.subs.delete(sub));
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subs = [...this.subs];
    for (const s of subs) s.close();
    await Promise.allSettled(subs.map((s) => s.done));
    await this.queue.catch(() => {});
    this.comet.disconnect();
  }

  /** Runs signing operations one at a time: each reads the account sequence after the previous one was included. */
  private serialized<T>(fn: (signer: SigningCosmWasmClient, sender: string) => Promise<T>): Promise<T> {
    const { signer, senderAddress } = this;
    if (!signer || !senderAddress) return Promise.reject(new TkmsError('NO_SIGNER', 'this chain client is read-only: no wallet'));
    const run = this.queue.then(async () => {
      try {
        return await fn(signer, senderAddress);
      } catch (e) {
        if (e instanceof TkmsError) throw e;
        throw txError(e);
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }
}

interface TxResultLike {
  readonly code: number;
  readonly events: readonly CosmEvent[];
}

function matching(events: readonly CosmEvent[], filter: EventFilter): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (e.type === filter.eventType && e.attributes.some((a) => a.key === '_contract_address' && a.value === filter.contract)) out.push(i);
  });
  return out;
}

/**
 * The event loop behind `watchEvents`. Catch-up pages through `tx_search` up to
 * one block below the tip (the indexer runs behind the block store, so the tip
 * may not be indexed yet); from there each height is read with `block_results`
 * (from the state store, complete once readable) and `block` (for tx hashes).
 * A cursor (height, tx, event) makes sure nothing is delivered twice.
 */
export function watchCometEvents(
  comet: Comet38Client,
  rpcUrl: string,
  filter: EventFilter,
  fromHeight: number,
  onEvent: (e: ChainEvent) => Promise<void>,
  opts: { pollMs?: number; pageSize?: number } = {},
): Subscription {
  let closed = false;
  // A block signal that arrives while the loop is busy is kept in `pending`, so the next sleep returns at once.
  let pending = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    const w = wake;
    wake = undefined;
    if (w) w();
    else pending = true;
  };
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      if (pending || closed) {
        pending = false;
        return r();
      }
      const t = setTimeout(() => nudge(), ms);
      wake = () => {
        clearTimeout(t);
        pending = false;
        r();
      };
    });
  const ws = blockHeaderSocket(rpcUrl, nudge);
  let cursor: Cursor = ZERO;
  let lastPollAt: number | undefined;
  let failingSince: number | undefined;
  let lastError: string | undefined;
  let tip = 0;
  const deliver = async (e: ChainEvent, pos: Cursor) => {
    if (!after(pos, cursor)) return;
    await onEvent(e);
    cursor = pos;
  };

  /**
   * Retries transient RPC failures with backoff; gives up (rejecting `done`)
   * after 12 attempts, ~43 s of waiting. The subscription is then over: a
   * consumer that must keep listening subscribes again from its checkpoint.
   */
  const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fn();
        lastPollAt = Date.now();
        failingSince = undefined;
        return r;
      } catch (e) {
        failingSince ??= Date.now();
        lastError = e instanceof Error ? e.message : String(e);
        if (closed || attempt >= 12) throw e;
        await sleep(Math.min(250 * 2 ** attempt, 5000));
      }
    }
  };

  const done = (async () => {
    try {
      const from = Math.max(1, fromHeight);
      // Catch-up through the tx index.
      tip = (await retry(() => comet.status())).syncInfo.latestBlockHeight;
      let next = from;
      if (tip - 1 >= from) {
        const query = `${filter.eventType}._contract_address='${filter.contract}' AND tx.height>=${from} AND tx.height<=${tip - 1}`;
        const perPage = opts.pageSize ?? 100;
        for (let page = 1; !closed; page++) {
          const res = await retry(() => comet.txSearch({ query, page, per_page: perPage, order_by: 'asc' }));
          const txs = [...res.txs].sort((a, b) => a.height - b.height || a.index - b.index);
          for (const tx of txs) {
            const hash = toHex(tx.hash).toUpperCase();
            for (const i of matching(tx.result.events, filter)) {
              if (closed) return;
              const [e] = toChainEvents([tx.result.events[i]!], tx.height, hash);
              await deliver(e!, [tx.height, tx.index, i]);
            }
          }
          if (page * perPage >= res.totalCount) break;
        }
        next = tip;
      }
      // Then block by block.
      while (!closed) {
        if (next > tip) {
          tip = (await retry(() => comet.status())).syncInfo.latestBlockHeight;
          if (next > tip) {
            await sleep(opts.pollMs ?? 1000);
            continue;
          }
        }
        // The block store runs a moment ahead of the results store: retry covers it.
        const results = await retry(() => comet.blockResults(next));
        const txResults = results.results as readonly TxResultLike[];
        const hits = txResults.map((r) => (r.code === 0 ? matching(r.events, filter) : []));
        if (hits.some((h) => h.length > 0)) {
          const block = await retry(() => comet.block(next));
          for (const [t, idx] of hits.entries()) {
            const hash = toHex(sha256(block.block.txs[t]!)).toUpperCase();
            for (const i of idx) {
              if (closed) return;
              const [e] = toChainEvents([txResults[t]!.events[i]!], next, hash);
              await deliver(e!, [next, t, i]);
            }
          }
        }
        next++;
      }
    } catch (e) {
      // A read that fails after close() (e.g. the node stopping) is no failure of the subscription.
      if (!closed) throw e;
    } finally {
      ws.close();
    }
  })();
  return {
    close() {
      closed = true;
      nudge();
    },
    done,
    progress: () => ({ lastPollAt, height: tip, ...(failingSince !== undefined ? { failingSince, lastError } : {}) }),
  };
}

/**
 * Calls `onBlock` on every new block header from the node's websocket, and
 * reconnects with backoff; the watcher also polls, so a lost socket only slows it.
 */
function blockHeaderSocket(rpcUrl: string, onBlock: () => void): { close(): void } {
  const url = rpcUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/websocket';
  let socket: WebSocket | undefined;
  let closed = false;
  let backoff = 250;
  let timer: NodeJS.Timeout | undefined;
  const open = () => {
    if (closed) return;
    const s = new WebSocket(url);
    socket = s;
    s.on('open', () => {
      backoff = 250;
      s.send(JSON.stringify({ jsonrpc: '2.0', method: 'subscribe', id: 1, params: { query: "tm.event='NewBlockHeader'" } }));
    });
    s.on('message', () => onBlock());
    s.on('error', () => {});
    s.on('close', () => {
      if (closed) return;
      timer = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 5000);
    });
  };
  open();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.terminate();
    },
  };
}
