/**
 * @module core/service/mpc/peerTransport
 * The MPC engine's `Network` over gRPC with mutual TLS between the parties'
 * cores (DESIGN.md §5). Each party runs one `MpcPeer` server and one client per
 * peer; protocols get a session-bound `Network` from `endpoint(sessionId)`.
 *
 * Identity: every party's certificate is pinned by its SHA-256 fingerprint
 * (as registered in Config). The receiver takes the sender id from the client
 * certificate, never from the message, and the sender checks the server's
 * fingerprint before it sends. A certificate signed by the right CA but not
 * pinned is refused.
 *
 * Liveness: `send` never blocks the protocol; a dead or slow peer costs the
 * others at most one receive timeout (its message is treated as an erasure).
 * Delivery is retried with backoff until that timeout, so a peer that restarts
 * within it still gets the message.
 *
 * Wire: messages (up to 256 KB; larger ones by `Deliver`) go on one long-lived bidirectional stream per peer (`Stream`):
 * a unary call per message cost ≈ 1 ms of CPU, more than a small round's
 * compute (a bare round took 16 ms at n = 4 on 2 shared cores). The receiver
 * acks cumulatively (`DeliverAck.count` messages, in order), at most
 * `ACK_DELAY_MS` after the first unacknowledged message: an ack per message
 * was a third of a small round's CPU, and nothing waits for acks. When a
 * stream breaks, the unacknowledged messages are resent with the unary
 * `Deliver` (and its retries), and the stream is reopened on a later send.
 * Duplicates are harmless: the first message for (session, round, sender)
 * wins. gRPC's own retries are off on these channels: our calls never need
 * them (Deliver retries itself, the stream falls back to Deliver), and on a
 * long-lived stream they buffer every written message.
 */
import { X509Certificate, createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { Metadata, Server, ServerCredentials, credentials, status, type ClientDuplexStream, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MpcPeerClient, MpcPeerService, type DeliverAck, type PeerMessage } from '../../../proto/gen/tkms/mpc/v1/mpc.js';
import { childSessionId, type ClosableNetwork, type Network } from '../../engine/mpc/network/network.js';

export interface PeerInfo {
  partyId: number;
  /** host:port of the peer's MPC server. */
  address: string;
  /** SHA-256 of the peer certificate's DER, lower-case hex (what Config registers). */
  certFingerprint: string;
}

export interface PeerTransportOptions {
  partyId: number;
  /** Every party, this one included. */
  peers: PeerInfo[];
  tls: { caPem: string; certPem: string; keyPem: string };
  listen: { host: string; port: number };
  /** Default receive timeout (the synchronous model's round bound). */
  timeoutMs?: number;
  /**
   * Timeout of a session's first round: parties start a session when each of
   * them sees the chain event and has fetched its inputs, so their clocks are
   * skewed by more than a round (default 10 s).
   */
  startTimeoutMs?: number;
  /** Per-sender cap on buffered payload bytes (a flooding peer cannot exhaust memory). */
  maxBufferedBytesPerPeer?: number;
  logger?: Logger;
}

export function certFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

interface OutStream {
  call: ClientDuplexStream<PeerMessage, DeliverAck>;
  /** Written, not yet acknowledged (acks come in order). */
  unacked: { message: PeerMessage; deadline: number }[];
  broken: boolean;
}

/** Payloads above this go by unary `Deliver` (see `deliver`). */
const STREAM_MAX_BYTES = 256 * 1024;

/** After a stream to a peer broke, use unary calls for this long before trying a stream again. */
const STREAM_RETRY_MS = 1000;

/** A stream's receiver acks at most this long after the first message it has not acked yet… */
const ACK_DELAY_MS = 50;
/** …or as soon as this many are waiting (keeps the sender's resend list short). */
const ACK_MAX_PENDING = 256;

interface Waiter {
  resolve: (m: Uint8Array | undefined) => void;
  timer: NodeJS.Timeout;
}

const key = (sessionId: string, round: number, from: number): string => `${sessionId.length}:${sessionId}|${round}|${from}`;

/**
 * Errors a retry can outlive: the peer is down or restarting (UNAVAILABLE), or
 * a call was cut by a server shutting down (CANCELLED, INTERNAL "RST_STREAM",
 * UNKNOWN, ABORTED). Retrying is safe: a receiver keeps the first message per
 * (session, round, sender) and drops copies.
 */
const TRANSIENT: ReadonlySet<number> = new Set([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL, status.UNKNOWN, status.ABORTED]);

export class PeerTransport {
  readonly partyId: number;
  readonly n: number;
  readonly timeoutMs: number;
  readonly startTimeoutMs: number;
  private server: Server | undefined;
  private readonly clients = new Map<number, MpcPeerClient>();
  private readonly mailbox = new Map<string, { payload: Uint8Array; from: number }>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly buffered = new Map<number, number>();
  private readonly byFingerprint = new Map<string, number>();
  /** Traffic counters for benchmarks and health. */
  readonly stats = { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0, refused: 0, sendFailures: 0, streamBreaks: 0, acksReceived: 0 };
  private closed = false;
  private readonly outStreams = new Map<number, OutStream>();
  private readonly streamRetryAt = new Map<number, number>();
  private readonly inStreams = new Set<ServerDuplexStream<PeerMessage, DeliverAck>>();

  private constructor(private readonly o: PeerTransportOptions) {
    this.partyId = o.partyId;
    this.n = o.peers.length;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.startTimeoutMs = Math.max(this.timeoutMs, o.startTimeoutMs ?? 10_000);
    for (const p of o.peers) this.byFingerprint.set(p.certFingerprint.toLowerCase(), p.partyId);
  }

  static async start(o: PeerTransportOptions): Promise<PeerTransport> {
    const t = new PeerTransport(o);
    await t.listen();
    t.connectPeers();
    return t;
  }

  get port(): number {
    return this.boundPort;
  }
  private boundPort = 0;

  private async listen(): Promise<void> {
    const server = new Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    server.addService(MpcPeerService, {
      deliver: (call: ServerUnaryCall<PeerMessage, DeliverAck>, cb: sendUnaryData<DeliverAck>) => this.onDeliver(call, cb),
      stream: (call: ServerDuplexStream<PeerMessage, DeliverAck>) => this.onStream(call),
    });
    const creds = ServerCredentials.createSsl(Buffer.from(this.o.tls.caPem), [{ private_key: Buffer.from(this.o.tls.keyPem), cert_chain: Buffer.from(this.o.tls.certPem) }], true);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.o.listen.host}:${this.o.listen.port}`, creds, (e, port) => (e ? reject(e) : resolve(port))),
    );
    this.server = server;
  }

  private connectPeers(): void {
    for (const p of this.o.peers) {
      if (p.partyId === this.partyId) continue;
      const expected = p.certFingerprint.toLowerCase();
      const creds = credentials.createSsl(Buffer.from(this.o.tls.caPem), Buffer.from(this.o.tls.keyPem), Buffer.from(this.o.tls.certPem), {
        // Pinning: the CA signature is not enough, the server must be that party.
        checkServerIdentity: (_host, cert) => {
          const fp = cert.raw ? createHash('sha256').update(cert.raw).digest('hex') : '';
          return fp === expected ? undefined : new Error(`party ${p.partyId}'s certificate is not the pinned one`);
        },
      });
      this.clients.set(p.partyId, new MpcPeerClient(p.address, creds, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.max_send_message_length': 64 * 1024 * 1024, 'grpc.enable_retries': 0 }));
    }
  }

  private senderOf(call: Pick<ServerUnaryCall<PeerMessage, DeliverAck>, 'getAuthContext'>): number | undefined {
    const cert = call.getAuthContext()?.sslPeerCertificate as PeerCertificate | undefined;
    if (!cert?.raw) return undefined;
    return this.byFingerprint.get(createHash('sha256').update(cert.raw).digest('hex'));
  }

  private onDeliver(call: ServerUnaryCall<PeerMessage, DeliverAck>, cb: sendUnaryData<DeliverAck>): void {
    const from = this.senderOf(call);
    if (from === undefined || from === this.partyId) {
      this.stats.refused++;
      cb({ code: status.UNAUTHENTICATED, details: 'client certificate is not pinned to any party' }, null);
      return;
    }
    const r = this.accept(from, call.request);
    if (r.code !== undefined) cb({ code: r.code, details: r.details }, null);
    else cb(null, { accepted: r.accepted, count: 1 });
  }

  private onStream(call: ServerDuplexStream<PeerMessage, DeliverAck>): void {
    const from = this.senderOf(call);
    if (from === undefined || from === this.partyId) {
      this.stats.refused++;
      call.emit('error', { code: status.UNAUTHENTICATED, details: 'client certificate is not pinned to any party' });
      return;
    }
    this.inStreams.add(call);
    // Cumulative acks (module doc). A refused message is acked too (as Deliver's
    // non-retried errors: the sender counts it, never resends it).
    let pending = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (pending === 0 || call.writableEnded || call.destroyed) return;
      call.write({ accepted: false, count: pending });
      pending = 0;
    };
    call.on('data', (m: PeerMessage) => {
      this.accept(from, m);
      pending++;
      if (pending >= ACK_MAX_PENDING) flush();
      else if (!timer) timer = setTimeout(flush, ACK_DELAY_MS).unref();
    });
    call.on('end', () => (flush(), call.end()));
    call.on('error', () => undefined);
    call.on('close', () => {
      if (timer) clearTimeout(timer);
      this.inStreams.delete(call);
    });
  }

  /** Stores a message from an authenticated peer (first message per (session, round, sender) wins). */
  private accept(from: number, m: PeerMessage): { accepted: boolean; code?: status; details?: string } {
    if (m.to !== this.partyId) {
      this.stats.refused++;
      return { accepted: false, code: status.INVALID_ARGUMENT, details: `message for party ${m.to} delivered to party ${this.partyId}` };
    }
    const cap = this.o.maxBufferedBytesPerPeer ?? 256 * 1024 * 1024;
    const used = this.buffered.get(from) ?? 0;
    if (used + m.payload.length > cap) {
      this.stats.refused++;
      return { accepted: false, code: status.RESOURCE_EXHAUSTED, details: `party ${from} has ${used} bytes waiting` };
    }
    const k = key(m.sessionId, m.round, from);
    if (this.mailbox.has(k)) return { accepted: false };
    const payload = new Uint8Array(m.payload);
    this.stats.received++;
    this.stats.receivedBytes += payload.length;
    this.buffered.set(from, used + payload.length);
    this.mailbox.set(k, { payload, from });
    const w = this.waiters.get(k);
    if (w) {
      this.waiters.delete(k);
      clearTimeout(w.timer);
      w.resolve(payload);
    }
    return { accepted: true };
  }

  /**
   * Sends with retries until `sendTimeoutMs` (default: the receive timeout) has
   * passed; failures are counted and logged, never thrown.
   */
  deliver(to: number, sessionId: string, round: number, payload: Uint8Array, sendTimeoutMs = this.timeoutMs): void {
    if (!this.clients.has(to)) throw new RangeError(`party ${this.partyId}: no peer ${to}`);
    this.stats.sent++;
    this.stats.sentBytes += payload.length;
    const deadline = Date.now() + sendTimeoutMs;
    const message: PeerMessage = { sessionId, round, to, payload: Buffer.from(payload) };
    // Large payloads go by unary calls: each call has its own HTTP/2 flow-control
    // window, while one stream's 64 KB window throttles a multi-MB message to a
    // busy receiver (its window updates wait for its event loop).
    const stream = payload.length <= STREAM_MAX_BYTES ? this.streamTo(to) : undefined;
    if (stream) {
      stream.unacked.push({ message, deadline });
      stream.call.write(message);
    } else this.deliverUnary(to, message, deadline);
  }

  /** Messages written to the peers' streams and not acknowledged yet (they would be resent if a stream broke). */
  unacknowledged(): number {
    let n = 0;
    for (const s of this.outStreams.values()) n += s.unacked.length;
    return n;
  }

  /** The open stream to `to`, opening one unless a recent one broke. */
  private streamTo(to: number): OutStream | undefined {
    if (this.closed) return undefined;
    const open = this.outStreams.get(to);
    if (open) return open;
    if ((this.streamRetryAt.get(to) ?? 0) > Date.now()) return undefined;
    const call = this.clients.get(to)!.stream();
    const s: OutStream = { call, unacked: [], broken: false };
    call.on('data', (ack: DeliverAck) => {
      this.stats.acksReceived++;
      s.unacked.splice(0, Math.max(1, ack.count));
    });
    const broken = (): void => {
      if (s.broken) return;
      s.broken = true;
      if (this.outStreams.get(to) === s) this.outStreams.delete(to);
      if (this.closed) return;
      this.stats.streamBreaks++;
      this.streamRetryAt.set(to, Date.now() + STREAM_RETRY_MS);
      for (const u of s.unacked.splice(0)) this.deliverUnary(to, u.message, u.deadline);
    };
    call.on('error', broken);
    call.on('end', broken);
    call.on('close', broken);
    this.outStreams.set(to, s);
    return s;
  }

  private deliverUnary(to: number, message: PeerMessage, deadline: number): void {
    const client = this.clients.get(to)!;
    const attempt = (delay: number): void => {
      if (this.closed) return;
      client.deliver(message, new Metadata(), { deadline: Math.max(deadline, Date.now() + 200) }, (e) => {
        if (!e) return;
        if (TRANSIENT.has(e.code) && Date.now() + delay < deadline) {
          setTimeout(() => attempt(Math.min(delay * 2, 500)), delay);
          return;
        }
        this.stats.sendFailures++;
        this.o.logger?.warn({ to, sessionId: message.sessionId, round: message.round, code: e.code, err: e.details }, 'MPC message not delivered');
      });
    };
    attempt(50);
  }

  /** A party's message to itself: no wire, same first-message-wins rule. */
  deliverToSelf(sessionId: string, round: number, payload: Uint8Array): void {
    const k = key(sessionId, round, this.partyId);
    if (this.mailbox.has(k)) return;
    this.mailbox.set(k, { payload, from: this.partyId });
    const w = this.waiters.get(k);
    if (w) {
      this.waiters.delete(k);
      clearTimeout(w.timer);
      w.resolve(payload);
    }
  }

  take(sessionId: string, round: number, from: number, timeoutMs: number): Promise<Uint8Array | undefined> {
    const k = key(sessionId, round, from);
    const m = this.mailbox.get(k);
    if (m) return Promise.resolve(m.payload);
    return new Promise((resolve) => {
      this.waiters.set(k, { resolve, timer: setTimeout(() => (this.waiters.delete(k), resolve(undefined)), timeoutMs) });
    });
  }

  /**
   * A `Network` for one protocol session. `sendTimeoutMs` gives large
   * messages (a dealt key set with its 60 MB server key) the time they need.
   */
  endpoint(sessionId: string, options: { sendTimeoutMs?: number } = {}): Network & { close(): void } {
    return new PeerNetwork(this, sessionId, options.sendTimeoutMs);
  }

  /** Frees a finished session's buffered messages. */
  release(sessionId: string): void {
    const prefix = `${sessionId.length}:${sessionId}|`;
    for (const [k, m] of this.mailbox) {
      if (!k.startsWith(prefix)) continue;
      this.buffered.set(m.from, (this.buffered.get(m.from) ?? 0) - m.payload.length);
      this.mailbox.delete(k);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.outStreams.values()) s.call.end();
    this.outStreams.clear();
    for (const c of this.inStreams) c.end();
    for (const c of this.clients.values()) c.close();
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiters.clear();
    const server = this.server;
    if (server) {
      // Peers' streams may stay open: give them a moment, then cut them.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => (server.forceShutdown(), resolve()), 1000);
        server.tryShutdown(() => (clearTimeout(force), resolve()));
      });
    }
  }
}

class PeerNetwork implements Network {
  round = 0;
  private readonly silent = new Set<number>();
  readonly self: number;
  readonly n: number;
  constructor(
    private readonly t: PeerTransport,
    readonly sessionId: string,
    private readonly sendTimeoutMs?: number,
    /** A child session (network.ts): its round 0 is not a session start. */
    private readonly isChild = false,
  ) {
    this.self = t.partyId;
    this.n = t.n;
  }

  send(to: number, payload: Uint8Array): void {
    if (!Number.isInteger(to) || to < 1 || to > this.n) throw new RangeError(`party ${this.self}: no party ${to} in 1..${this.n}`);
    if (to === this.self) {
      // Loopback without the wire, under the same first-message-wins rule.
      this.t.deliverToSelf(this.sessionId, this.round, payload.slice());
      return;
    }
    this.t.deliver(to, this.sessionId, this.round, payload, this.sendTimeoutMs);
  }

  /**
   * A party that let one receive time out is taken as down for the rest of the
   * session: later rounds do not wait for it again (a message that did arrive
   * is still taken). So a dead party costs the others one timeout per session,
   * not one per round.
   */
  async receive(from: number, timeoutMs?: number): Promise<Uint8Array | undefined> {
    if (!Number.isInteger(from) || from < 1 || from > this.n) throw new RangeError(`party ${this.self}: no party ${from} in 1..${this.n}`);
    const wait = this.silent.has(from) ? 0 : (timeoutMs ?? (this.round === 0 && !this.isChild ? this.t.startTimeoutMs : this.t.timeoutMs));
    const m = await this.t.take(this.sessionId, this.round, from, wait);
    if (m === undefined) this.silent.add(from);
    return m;
  }

  nextRound(): void {
    this.round++;
  }

  close(): void {
    this.t.release(this.sessionId);
  }

  /** Messages for the child that came early are already in the mailbox under its id (`accept` keeps any session's). */
  child(name: string): ClosableNetwork {
    return new PeerNetwork(this.t, childSessionId(this.sessionId, name), this.sendTimeoutMs, true);
  }
}
