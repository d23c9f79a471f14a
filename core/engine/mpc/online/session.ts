/**
 * @module core/engine/mpc/online/session
 * What the preprocessing and online protocols share while they run among one
 * set of parties: the ring, the threshold, the PRSS keys, the opening protocol
 * (honest `RealRobustOpen`, or an adversary's in tests), a tag counter so that
 * every PRSS use gets a fresh tag, the parties proven to cheat, and an optional
 * transcript of everything this party ever opened (used by tests to show that
 * the phase itself is never opened).
 *
 * Every party must call the protocols in the same order with the same counts:
 * tags are derived from the session id and a counter (eprint 2025/699 requires
 * PRSS inputs to be unique and agreed; threshold-fhe uses a counter too).
 * **A session id must never be reused with the same PRSS keys**: the same tags
 * would give the same triples, bits and masks, and two masked opens
 * c1 − c2 = x1 − x2 would leak the difference of two phases.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Network } from '../network/network.js';
import type { Prss } from '../prss/prss.js';
import { RealRobustOpen } from '../sharing/robustOpen.js';
import { DisputeSet } from './disputes.js';
import type { RealTripleGeneration } from '../preprocessing/triples.js';

/** One robust open as seen by this party: what was opened and why. */
export interface OpenRecord {
  /** 'mask' (c = x + r), 'beaver' (d, e of a multiplication), 'bitgen' (a + a²), 'output' (final digits). */
  label: string;
  count: number;
  values: GrVector;
}

export interface MpcSessionOptions {
  /** The opening protocol (an adversary's in tests). */
  opener?: RealRobustOpen;
  timeoutMs?: number;
  /** When given, every open is appended here. */
  transcript?: OpenRecord[];
  /** The triple generation protocol (an adversary's in tests; `generateTriples` uses it by default). */
  tripleGeneration?: RealTripleGeneration;
}

/**
 * One party's view of a running MPC session.
 *
 * @example
 * const session = new MpcSession(net, R, t, new Prss(R, keys));
 * const triples = await generateTriples(session, 128);
 */
export class MpcSession {
  readonly opener: RealRobustOpen;
  readonly timeoutMs: number | undefined;
  readonly transcript: OpenRecord[] | undefined;
  readonly tripleGeneration: RealTripleGeneration | undefined;
  /** Parties proven to have deviated; their messages are ignored from now on. */
  readonly excluded = new Set<number>();
  /**
   * The subset of `excluded` proven to have sent wrong values (not merely
   * silent): what a service may exclude from later sessions too.
   */
  readonly proven = new Set<number>();
  /** Pairs of parties in dispute, identical at every honest party of this session (`disputes.ts`). */
  readonly disputes = new DisputeSet();
  private counter = 0;

  constructor(
    readonly net: Network,
    readonly R: GaloisRing,
    readonly t: number,
    readonly prss: Prss,
    options: MpcSessionOptions = {},
  ) {
    this.opener = options.opener ?? new RealRobustOpen();
    this.timeoutMs = options.timeoutMs;
    this.transcript = options.transcript;
    this.tripleGeneration = options.tripleGeneration;
  }

  /** A PRSS tag unique to this use (same on every party that calls in the same order). */
  nextTag(label: string): string {
    return `${this.net.sessionId}/${label}/${this.counter++}`;
  }

  /**
   * Robustly opens `count` degree-t shared values (one round). Parties whose
   * shares were proven wrong are added to `excluded`.
   */
  async open(shares: GrVector, count: number, label: string): Promise<GrVector> {
    const opts = this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs };
    const { values, cheaters, missing } = await this.opener.open(this.net, this.R, this.t, shares, count, opts);
    for (const p of cheaters) {
      this.excluded.add(p);
      this.proven.add(p);
    }
    for (const p of missing) this.excluded.add(p);
    this.transcript?.push({ label, count, values });
    return values;
  }
}
