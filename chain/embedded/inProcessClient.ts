/**
 * @module chain/embedded/inProcessClient
 * `KmsChainClient` over an `EmbeddedChain` in the same process: used by fast
 * tests and by the embedded node itself. The sender is trusted as given, as a
 * transaction signature would be checked before reaching this layer.
 */
import type { ChainEvent, Coin, EventFilter, ExecuteResult, KmsChainClient, Subscription } from '../client.js';
import type { EmbeddedChain, SequencedEvent } from './embeddedChain.js';
import { TkmsError } from '../../common/errors.js';

export class InProcessChainClient implements KmsChainClient {
  constructor(
    private readonly chain: EmbeddedChain,
    readonly senderAddress: string | undefined,
  ) {}

  get chainId(): string {
    return this.chain.chainId;
  }

  /** A client for the same chain that signs as another address. */
  as(address: string): InProcessChainClient {
    return new InProcessChainClient(this.chain, address);
  }

  async height(): Promise<number> {
    return this.chain.height;
  }

  queryContract<T>(contract: string, msg: unknown): Promise<T> {
    return this.chain.query<T>(contract, msg);
  }

  executeContract(contract: string, msg: unknown, funds?: readonly Coin[]): Promise<ExecuteResult> {
    return this.chain.execute(this.sender(), contract, msg, funds);
  }

  upload(wasm: Uint8Array): Promise<{ codeId: number; gasUsed: number }> {
    return this.chain.upload(this.sender(), wasm);
  }

  instantiate(codeId: number, msg: unknown, label: string, admin?: string): Promise<{ address: string; gasUsed: number }> {
    return this.chain.instantiate(this.sender(), codeId, msg, label, admin);
  }

  balance(address: string, denom: string): Promise<Coin> {
    return this.chain.balance(address, denom);
  }

  watchEvents(filter: EventFilter, fromHeight: number, onEvent: (e: ChainEvent) => Promise<void>): Subscription {
    return pollEvents(async (pos) => this.chain.eventsSince(pos, filter), fromHeight, onEvent, { subscribe: (wake) => this.chain.onBlock(wake) });
  }

  async close(): Promise<void> {}

  private sender(): string {
    if (!this.senderAddress) throw new TkmsError('NO_SIGNER', 'this chain client is read-only: no sender address');
    return this.senderAddress;
  }
}

/**
 * Delivers events in order, awaiting each handler, from a source that can be
 * asked "what came after position X". `subscribe` wakes the loop early when
 * new blocks arrive; without it the loop polls.
 *
 * A failed read is retried with capped backoff for `retryForMs` (default
 * 30 s, as the wasmd watcher), then `done` rejects: the subscription is over
 * and a consumer that must keep listening subscribes again from its own
 * checkpoint (the KMS connector does, connector/kms-connector/eventWatch.ts).
 */
export function pollEvents(
  fetchSince: (pos: { afterSeq?: number; fromHeight?: number }) => Promise<SequencedEvent[]>,
  fromHeight: number,
  onEvent: (e: ChainEvent) => Promise<void>,
  opts: PollEventsOptions = {},
): Subscription {
  const pollMs = opts.pollMs ?? 200;
  const retryForMs = opts.retryForMs ?? 30_000;
  let closed = false;
  let wake: (() => void) | undefined;
  let lastPollAt: number | undefined;
  let failingSince: number | undefined;
  let lastError: string | undefined;
  const unsubscribe = opts.subscribe?.(() => wake?.());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));
  /** One read, retried while the source fails for less than `retryForMs`. */
  const read = async (pos: { afterSeq?: number; fromHeight?: number }): Promise<SequencedEvent[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const batch = await fetchSince(pos);
        lastPollAt = Date.now();
        failingSince = undefined;
        return batch;
      } catch (e) {
        failingSince ??= Date.now();
        lastError = e instanceof Error ? e.message : String(e);
        if (closed || Date.now() - failingSince >= retryForMs) throw e;
        await sleep(Math.min(250 * 2 ** attempt, 5000));
        if (closed) throw e;
      }
    }
  };
  const done = (async () => {
    let afterSeq: number | undefined;
    try {
      while (!closed) {
        const batch = await read(afterSeq === undefined ? { fromHeight } : { afterSeq });
        for (const e of batch) {
          if (closed) return;
          const { seq, ...event } = e;
          await onEvent(event);
          afterSeq = seq;
        }
        if (batch.length === 0 && !closed) await sleep(pollMs);
      }
    } catch (e) {
      // A read that fails after close() (e.g. the node stopping) is no failure of the subscription.
      if (!closed) throw e;
    } finally {
      unsubscribe?.();
    }
  })();
  return {
    close() {
      closed = true;
      wake?.();
    },
    done,
    progress: () => ({ lastPollAt, ...(failingSince !== undefined ? { failingSince, lastError } : {}) }),
  };
}

export interface PollEventsOptions {
  /** Registers a callback that wakes the loop early (new block); returns the unsubscribe. */
  subscribe?: (wake: () => void) => () => void;
  /** Wait between two empty reads, ms (default 200). */
  pollMs?: number;
  /** How long failing reads are retried before the subscription ends with the error, ms (default 30000). */
  retryForMs?: number;
}
