/**
 * @module core/engine/mpc/network/inMemory
 * An in-memory `Network`: one hub routes messages between party endpoints in
 * the same process. Used by tests and simulations; it keeps the same rules as
 * the real transport (session binding, rounds, first message wins, timeouts)
 * and counts messages and bytes for benchmarks.
 */
import { childSessionId, type ClosableNetwork, type Network } from './network.js';

/** A message on the wire, as the hub stores it. */
export interface WireMessage {
  sessionId: string;
  round: number;
  from: number;
  to: number;
  payload: Uint8Array;
}

interface Waiter {
  resolve: (m: Uint8Array | undefined) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface InMemoryHubOptions {
  /** Default receive timeout in ms (tests keep it small). */
  timeoutMs?: number;
}

/**
 * Routes messages between endpoints. One hub may carry several sessions at
 * once; an endpoint only sees its own session.
 *
 * @example
 * const hub = new InMemoryHub({ timeoutMs: 50 });
 * const nets = hub.endpoints('sess-1', 4); // parties 1..4
 */
export class InMemoryHub {
  readonly timeoutMs: number;
  /** Messages delivered and their payload bytes (session-agnostic counters). */
  stats = { messages: 0, bytes: 0, rejectedDuplicates: 0 };
  private readonly mailbox = new Map<string, Uint8Array>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(options: InMemoryHubOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 1000;
  }

  /** Endpoints for parties 1..n of session `sessionId`. */
  endpoints(sessionId: string, n: number): Network[] {
    const out: Network[] = [];
    for (let i = 1; i <= n; i++) out.push(new InMemoryNetwork(this, sessionId, i, n));
    return out;
  }

  /** Puts a message on the wire (also usable by tests to inject forged traffic). */
  deliver(m: WireMessage): void {
    const key = keyOf(m.sessionId, m.round, m.from, m.to);
    if (this.mailbox.has(key)) {
      this.stats.rejectedDuplicates++;
      return;
    }
    this.stats.messages++;
    this.stats.bytes += m.payload.length;
    this.mailbox.set(key, m.payload);
    const waiting = this.waiters.get(key);
    if (waiting) {
      this.waiters.delete(key);
      for (const w of waiting) {
        clearTimeout(w.timer);
        w.resolve(m.payload);
      }
    }
  }

  /** @internal */
  take(sessionId: string, round: number, from: number, to: number, timeoutMs: number): Promise<Uint8Array | undefined> {
    const key = keyOf(sessionId, round, from, to);
    const m = this.mailbox.get(key);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const rest = (this.waiters.get(key) ?? []).filter((w) => w !== waiter);
          if (rest.length > 0) this.waiters.set(key, rest);
          else this.waiters.delete(key);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), waiter]);
    });
  }

  /** Frees the mailboxes of a finished session (only party `to`'s with `to`). */
  close(sessionId: string, to?: number): void {
    const prefix = `${sessionId.length}:${sessionId}|`;
    for (const k of this.mailbox.keys()) if (k.startsWith(prefix) && (to === undefined || k.endsWith(`|${to}`))) this.mailbox.delete(k);
  }
}

// The session id is length-prefixed so that no id can forge another's keys.
function keyOf(sessionId: string, round: number, from: number, to: number): string {
  return `${sessionId.length}:${sessionId}|${round}|${from}|${to}`;
}

class InMemoryNetwork implements Network {
  round = 0;
  constructor(
    private readonly hub: InMemoryHub,
    readonly sessionId: string,
    readonly self: number,
    readonly n: number,
  ) {}

  send(to: number, payload: Uint8Array): void {
    if (!Number.isInteger(to) || to < 1 || to > this.n) throw new RangeError(`party ${this.self}: no party ${to} in 1..${this.n}`);
    // Copy: the receiver must not see later mutations of the sender's buffer.
    this.hub.deliver({ sessionId: this.sessionId, round: this.round, from: this.self, to, payload: payload.slice() });
  }

  receive(from: number, timeoutMs?: number): Promise<Uint8Array | undefined> {
    if (!Number.isInteger(from) || from < 1 || from > this.n) throw new RangeError(`party ${this.self}: no party ${from} in 1..${this.n}`);
    return this.hub.take(this.sessionId, this.round, from, this.self, timeoutMs ?? this.hub.timeoutMs);
  }

  nextRound(): void {
    this.round++;
  }

  child(name: string): ClosableNetwork {
    const net = new InMemoryNetwork(this.hub, childSessionId(this.sessionId, name), this.self, this.n);
    // Only this party's mailboxes: the others may still be reading theirs.
    return Object.assign(net, { close: () => this.hub.close(net.sessionId, this.self) });
  }
}
