/**
 * @module core/engine/mpc/network/network
 * What a protocol sees of the network: authenticated point-to-point channels
 * to parties 1..n, grouped in synchronous rounds, all bound to one session.
 * Protocols take a `Network`; the in-memory implementation (`inMemory.ts`)
 * serves tests and simulations, the gRPC/mTLS one lives in the core service.
 *
 * Rules every implementation keeps:
 * - A message carries (sessionId, round, from, to); a party only ever receives
 *   messages of its own session and current round (no replay across sessions
 *   or rounds).
 * - At most one message per (session, round, from, to): the first one wins, so
 *   a sender cannot overwrite what it said.
 * - `receive` resolves `undefined` when the sender stays silent past the
 *   timeout: protocols treat a missing message as an erasure from a corrupt
 *   party (the synchronous model), never as a reason to hang.
 * - `child(name)` opens the child session `<sessionId>/<name>` of the same
 *   parties with its own round counter from 0, so a sub-protocol can go on in
 *   the background while the session moves on (the pool's decision agreement
 *   finishing after the parties that decided early started decrypting). Its
 *   messages are bound to the child id, so they never mix with the parent's;
 *   messages for it that arrive before a party opens it are kept like any
 *   early message. A child's first round is not a session start (the parties
 *   are already in step): it uses the ordinary round timeout.
 */

export interface Network {
  /** The session every message is bound to (derived from the request id). */
  readonly sessionId: string;
  /** This party's id, 1..n. */
  readonly self: number;
  readonly n: number;
  /** The current round, starting at 0. */
  readonly round: number;
  /** Sends `payload` to party `to` in the current round (sending to oneself is allowed). */
  send(to: number, payload: Uint8Array): void;
  /** The message `from` sent to us in the current round, or `undefined` after the timeout. */
  receive(from: number, timeoutMs?: number): Promise<Uint8Array | undefined>;
  /** Moves to the next round; messages of past rounds can no longer be received. */
  nextRound(): void;
  /**
   * The child session `<sessionId>/<name>` (module doc); `close` frees this
   * party's buffered messages of it once its protocol has finished.
   */
  child(name: string): ClosableNetwork;
}

/** A network whose owner frees it when its protocol has finished. */
export type ClosableNetwork = Network & { close(): void };

/** The id of child session `name` of `sessionId` (one rule for every implementation). */
export function childSessionId(sessionId: string, name: string): string {
  if (name.length === 0 || name.includes('/')) throw new RangeError(`child session name must be non-empty without '/', got '${name}'`);
  return `${sessionId}/${name}`;
}

/** Sends the same payload to every party except oneself. */
export function sendToAll(net: Network, payload: Uint8Array): void {
  for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, payload);
}

/**
 * Receives from every other party in parallel under one deadline; the map
 * holds `undefined` for those that stayed silent.
 */
export async function receiveFromAll(net: Network, timeoutMs?: number): Promise<Map<number, Uint8Array | undefined>> {
  const others: number[] = [];
  for (let j = 1; j <= net.n; j++) if (j !== net.self) others.push(j);
  const got = await Promise.all(others.map((j) => net.receive(j, timeoutMs)));
  return new Map(others.map((j, k) => [j, got[k]]));
}

/**
 * A view of `net` with `send`, `receive` and/or `child` replaced; everything
 * else (the session, the party, the round and moving to the next one) stays
 * `net`'s. For adversaries that lie on the wire and for callers that wait
 * differently. Children are `net`'s own unless `child` is given.
 */
export function overrideNetwork(
  net: Network,
  o: {
    send?: (to: number, payload: Uint8Array) => void;
    receive?: (from: number, timeoutMs?: number) => Promise<Uint8Array | undefined>;
    child?: (name: string) => ClosableNetwork;
  },
): Network {
  return {
    get sessionId() {
      return net.sessionId;
    },
    get self() {
      return net.self;
    },
    get n() {
      return net.n;
    },
    get round() {
      return net.round;
    },
    send: o.send ?? ((to, payload) => net.send(to, payload)),
    receive: o.receive ?? ((from, timeoutMs) => net.receive(from, timeoutMs)),
    nextRound: () => net.nextRound(),
    child: o.child ?? ((name) => net.child(name)),
  };
}
