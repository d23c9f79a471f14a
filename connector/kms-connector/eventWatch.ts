/**
 * @module connector/kms-connector/eventWatch
 * Keeps the connector's subscription to ASC request events alive.
 *
 * A chain client's subscription ends for good when its RPC stays unreachable
 * past the watcher's own retries (~43 s on wasmd, 30 s on the embedded chain,
 * whose watcher used to end at the first failed read) — and a connector that
 * only logged that went deaf while still running. Here a lost subscription
 * (ended, failed, or stalled: no read from the chain succeeded for `stallMs`
 * while no event was being handled) is
 * opened again from the connector's checkpoint, after a capped exponential
 * backoff, for as long as it takes; each loss is logged and counted. Events
 * before the checkpoint are done, so nothing is missed; the ones after it
 * that are delivered a second time are the connector's to recognise (it keeps
 * the ids of requests it took, connector.ts).
 *
 * Where a supervisor restarts the process, `giveUpAfterMs` turns a long
 * outage into an exit instead (`onGiveUp`); the default is to keep trying.
 *
 * @example
 * const watch = new EventWatch({
 *   subscribe: (from, onEvent) => chain.watchEvents({ contract: asc, eventType: ASC_EVENTS.request }, from, onEvent),
 *   resumeHeight: () => checkpointHeight(), onEvent: handle, logger });
 * watch.start(from);
 * watch.status(); // { watching: true, reconnects: 0, lastEventHeight: …, lastPollAt: … }
 */
import type { Logger } from 'pino';
import type { ChainEvent, Subscription } from '../../chain/client.js';

export interface EventWatchOptions {
  /** Opens a subscription delivering events from `fromHeight` on. */
  subscribe(fromHeight: number, onEvent: (e: ChainEvent) => Promise<void>): Subscription;
  /** Where to start again after a loss: the height below which everything is done (the checkpoint). */
  resumeHeight(): number;
  onEvent(e: ChainEvent): Promise<void>;
  logger: Logger;
  /** First wait before re-subscribing, ms (default 1000); doubles per failed attempt. */
  reconnectBaseMs?: number;
  /** Longest wait between two attempts, ms (default 30000). */
  reconnectMaxMs?: number;
  /**
   * A subscription with no successful read for this long (and no event being
   * handled) is lost, ms (default 30000). Keep it above the client's long-poll
   * wait (embedded chain: 5 s): an idle subscription reads that rarely.
   */
  stallMs?: number;
  /** After this long without a working subscription call `onGiveUp` and stop trying, ms; 0 never (default). */
  giveUpAfterMs?: number;
  onGiveUp?(err: unknown): void;
}

export interface EventWatchStatus {
  /** A subscription is open and reading the chain. */
  watching: boolean;
  /** Height of the last event delivered. */
  lastEventHeight: number | undefined;
  /** When a read from the chain last succeeded (ms since the epoch). */
  lastPollAt: number | undefined;
  /** Chain height the watcher last saw, when the client tells. */
  chainHeight: number | undefined;
  /** Subscriptions opened again after a loss. */
  reconnects: number;
  /** Height the current (or last) subscription started from. */
  subscribedFromHeight: number | undefined;
  /** Since when no subscription has been working (ms since the epoch); undefined while watching. */
  downSince: number | undefined;
  /** Why the last read failed or the last subscription was lost. */
  lastError: string | undefined;
}

interface Current {
  sub: Subscription;
  from: number;
  openedAt: number;
  /** Read from the chain or delivered an event at least once. */
  established: boolean;
  /** Ends the wait on this subscription (it stalled, or the watch stops). */
  abandon(reason: unknown): void;
}

export class EventWatch {
  private current: Current | undefined;
  private generation = 0;
  private stopped = false;
  private delivering = false;
  /** When the last handler call ended (ms since the epoch). */
  private deliveredAt = 0;
  private reconnects = 0;
  private lastEventHeight: number | undefined;
  private lastPollAt: number | undefined;
  private chainHeight: number | undefined;
  private subscribedFrom: number | undefined;
  private downSince: number | undefined;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;

  constructor(private readonly o: EventWatchOptions) {}

  private get stallMs(): number {
    return this.o.stallMs ?? 30_000;
  }

  start(fromHeight: number): void {
    this.ticker = setInterval(() => this.tick(), Math.max(20, Math.min(1000, this.stallMs / 4)));
    this.ticker.unref();
    this.loop = this.run(fromHeight);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    this.wakeSleep?.();
    const cur = this.current;
    cur?.sub.close();
    cur?.abandon(undefined);
    await this.loop;
  }

  status(): EventWatchStatus {
    this.readProgress();
    return {
      watching: this.observe(Date.now()),
      lastEventHeight: this.lastEventHeight,
      lastPollAt: this.lastPollAt,
      chainHeight: this.chainHeight,
      reconnects: this.reconnects,
      subscribedFromHeight: this.subscribedFrom,
      downSince: this.downSince,
      lastError: this.lastError,
    };
  }

  private async run(fromHeight: number): Promise<void> {
    let from = fromHeight;
    let failures = 0;
    for (;;) {
      const { lost, established } = await this.watchOnce(from);
      if (this.stopped) return;
      this.downSince ??= Date.now();
      this.lastError = lost instanceof Error ? lost.message : String(lost);
      // A subscription that worked for a while starts the backoff over.
      failures = established ? 1 : failures + 1;
      const delayMs = Math.min(this.o.reconnectMaxMs ?? 30_000, (this.o.reconnectBaseMs ?? 1000) * 2 ** Math.min(failures - 1, 30));
      this.o.logger.warn({ err: lost, attempt: failures, retryInMs: delayMs, checkpoint: this.o.resumeHeight() }, 'ASC event subscription lost; subscribing again from the checkpoint');
      await this.sleep(delayMs);
      if (this.stopped) return;
      from = this.o.resumeHeight();
      this.reconnects += 1;
      this.o.logger.info({ fromHeight: from, reconnects: this.reconnects }, 'ASC event subscription opened again');
    }
  }

  /** One subscription, until it ends, fails or stalls; resolves with why (undefined when the watch stopped). */
  private async watchOnce(from: number): Promise<{ lost: unknown; established: boolean }> {
    const generation = ++this.generation;
    let cur: Current | undefined;
    const deliver = async (e: ChainEvent): Promise<void> => {
      // An abandoned subscription may still be finishing a read: it delivers nothing more.
      if (generation !== this.generation || this.stopped) return;
      this.delivering = true;
      try {
        await this.o.onEvent(e);
      } finally {
        this.delivering = false;
        this.deliveredAt = Date.now();
      }
      this.lastEventHeight = Math.max(this.lastEventHeight ?? 0, e.height);
      if (cur) cur.established = true;
    };
    let sub: Subscription;
    try {
      sub = this.o.subscribe(from, deliver);
    } catch (err) {
      return { lost: err, established: false };
    }
    this.subscribedFrom = from;
    const lost = await new Promise<unknown>((resolve) => {
      cur = { sub, from, openedAt: Date.now(), established: false, abandon: resolve };
      this.current = cur;
      sub.done.then(
        () => resolve(this.stopped ? undefined : new Error('the event subscription ended')),
        (err: unknown) => resolve(this.stopped ? undefined : err),
      );
    });
    this.readProgress();
    this.current = undefined;
    this.generation += 1;
    return { lost, established: cur!.established };
  }

  /** Runs every stallMs/4 (at most every second): tracks outages, drops stalled subscriptions, gives up if told to. */
  private tick(): void {
    if (this.stopped) return;
    const cur = this.current;
    const now = Date.now();
    if (!this.observe(now)) {
      const since = cur && Math.max(cur.openedAt, cur.sub.progress?.().lastPollAt ?? 0, this.deliveredAt);
      if (cur && since !== undefined && now - since >= this.stallMs) {
        const p = cur.sub.progress?.();
        const err = new Error(
          p?.failingSince !== undefined
            ? `reads from the chain failing for ${now - p.failingSince} ms: ${p.lastError ?? 'unknown error'}`
            : `no answer from the chain for ${now - since} ms`,
        );
        cur.sub.close();
        cur.abandon(err);
      }
    }
    const giveUpAfter = this.o.giveUpAfterMs ?? 0;
    if (giveUpAfter > 0 && this.downSince !== undefined && now - this.downSince >= giveUpAfter) {
      const err = new Error(`no working ASC event subscription for ${now - this.downSince} ms (last error: ${this.lastError ?? 'none'})`);
      this.o.logger.error({ err }, 'giving up on the ASC event subscription');
      void this.stop().then(() => this.o.onGiveUp?.(err));
    }
  }

  /** Whether a subscription is working now; keeps `downSince` and `established` in step. */
  private observe(now: number): boolean {
    const cur = this.current;
    const ok = cur !== undefined && this.healthy(cur);
    if (ok) {
      cur.established = true;
      this.downSince = undefined;
    } else this.downSince ??= now;
    return ok;
  }

  /**
   * Working: an event is being handled (a busy handler holds the watcher's
   * loop; that is not the chain's fault), or the client's reads are not
   * failing and one succeeded within `stallMs`. A client that reports nothing
   * is taken on trust.
   */
  private healthy(cur: Current): boolean {
    if (this.delivering) return true;
    if (!cur.sub.progress) return true;
    const { lastPollAt: at, failingSince } = cur.sub.progress();
    if (failingSince !== undefined) return false;
    // Right after a long handler the watcher has not read again yet: give it stallMs from then.
    return (at !== undefined && Date.now() - at < this.stallMs) || (at !== undefined && Date.now() - this.deliveredAt < this.stallMs);
  }

  private readProgress(): void {
    const p = this.current?.sub.progress?.();
    if (!p) return;
    if (p.lastPollAt !== undefined) this.lastPollAt = Math.max(this.lastPollAt ?? 0, p.lastPollAt);
    if (p.height !== undefined) this.chainHeight = p.height;
    if (p.lastError !== undefined) this.lastError = p.lastError;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeSleep = done;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => (this.wakeSleep = undefined));
  }
}
