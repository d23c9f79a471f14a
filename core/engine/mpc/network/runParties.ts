/**
 * @module core/engine/mpc/network/runParties
 * Runs one protocol among n parties over an in-memory network, some of them
 * replaced by adversaries, and returns what the honest parties output — the
 * TypeScript counterpart of threshold-fhe's
 * `execute_protocol_large_w_disputes_and_malicious` test helper.
 */
import { MpcParameterError } from '../errors.js';
import { InMemoryHub } from './inMemory.js';
import type { Network } from './network.js';

/** What one party runs: everything it knows comes from its closure and its network. */
export type PartyProgram<T> = (net: Network) => Promise<T>;

export interface RunPartiesOptions {
  /** Parties replaced by an adversary, by id. */
  malicious?: ReadonlyMap<number, PartyProgram<unknown>>;
  sessionId?: string;
  /** Receive timeout in ms (a silent party delays the others by at most this per round). */
  timeoutMs?: number;
  hub?: InMemoryHub;
}

export interface RunPartiesReturnType<T> {
  /** Outputs of the honest parties that finished. */
  outputs: Map<number, T>;
  /** Errors thrown by honest parties (a detected failure, with its blame). */
  failures: Map<number, unknown>;
  honest: number[];
  stats: { messages: number; bytes: number };
}

let sessionCounter = 0;

/**
 * Runs `program` for every honest party and the adversary's program for the
 * others, all concurrently.
 *
 * @example
 * const { outputs } = await runParties(4, 1, (net) => robustOpen(net, R, 1, shares[net.self - 1]!, 1));
 *
 * `t` is the corruption bound the protocol runs for; more adversaries than t
 * are accepted, to test what happens beyond the bound.
 */
export async function runParties<T>(
  n: number,
  t: number,
  program: (net: Network) => Promise<T>,
  params: RunPartiesOptions = {},
): Promise<RunPartiesReturnType<T>> {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(t) || t < 0) throw new MpcParameterError(`bad (n, t) = (${n}, ${t})`);
  const malicious = params.malicious ?? new Map<number, PartyProgram<unknown>>();
  for (const p of malicious.keys()) if (p < 1 || p > n) throw new MpcParameterError(`malicious party ${p} outside 1..${n}`);
  const hub = params.hub ?? new InMemoryHub({ timeoutMs: params.timeoutMs ?? 100 });
  const sessionId = params.sessionId ?? `test-session-${++sessionCounter}`;
  const before = { ...hub.stats };
  const nets = hub.endpoints(sessionId, n);
  const outputs = new Map<number, T>();
  const failures = new Map<number, unknown>();
  const honest: number[] = [];
  await Promise.all(
    nets.map(async (net) => {
      const adversary = malicious.get(net.self);
      if (adversary) {
        // An adversary's own output or crash is of no interest.
        await adversary(net).catch(() => undefined);
        return;
      }
      honest.push(net.self);
      try {
        outputs.set(net.self, await program(net));
      } catch (e) {
        failures.set(net.self, e);
      }
    }),
  );
  hub.close(sessionId);
  honest.sort((a, b) => a - b);
  return { outputs, failures, honest, stats: { messages: hub.stats.messages - before.messages, bytes: hub.stats.bytes - before.bytes } };
}
