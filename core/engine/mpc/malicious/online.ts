/**
 * @module core/engine/mpc/malicious/online
 * Adversaries and a runner for the preprocessing and online protocols
 * (triples, random bits, bit-decomposition decryption). An adversary runs the
 * honest protocol with a malicious opening step (`malicious/robustOpen.ts`),
 * so it lies in every open it takes part in — the degree-2t open of triple
 * generation, the d/e opens of multiplications, the masked open and the final
 * open. Tests only.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import type { Network } from '../network/network.js';
import { runParties, type PartyProgram, type RunPartiesReturnType } from '../network/runParties.js';
import { MpcSession, type OpenRecord } from '../online/session.js';
import { Prss, prssSetup } from '../prss/prss.js';
import { RealRobustOpen } from '../sharing/robustOpen.js';

/**
 * Adds the same ring element `delta` to every share it sends, in every open
 * (a consistent liar: all liars of a run use the same delta, as if every
 * opened secret were shifted by a common polynomial).
 */
export class OffsetLiarParty extends RealRobustOpen {
  constructor(private readonly delta: GrVector) {
    super();
  }
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const count = myShares.length / R.limbs;
    const lied = R.alloc(count);
    for (let v = 0; v < count; v++) R.addInto(lied, v, myShares, v, this.delta, 0);
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, R.toBytes(lied));
  }
}

/**
 * Equivocates: sends honest shares to everyone except `victim`, who gets them
 * shifted by `delta` (in every open). Only the victim can see the lie.
 */
export class TargetedLiarParty extends RealRobustOpen {
  constructor(
    private readonly victim: number,
    private readonly delta: GrVector,
  ) {
    super();
  }
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const count = myShares.length / R.limbs;
    const lied = R.alloc(count);
    for (let v = 0; v < count; v++) R.addInto(lied, v, myShares, v, this.delta, 0);
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, R.toBytes(j === this.victim ? lied : myShares));
  }
}

/**
 * A session whose party lies (with `liar`) only in the opens whose label is in
 * `labels` ('mask', 'beaver', 'bitgen', 'output') and is honest elsewhere, to
 * show that each stage on its own corrects and names a cheater.
 */
export class SelectiveLiarSession extends MpcSession {
  constructor(
    net: Network,
    R: GaloisRing,
    t: number,
    prss: Prss,
    private readonly liar: RealRobustOpen,
    private readonly labels: ReadonlySet<string>,
    timeoutMs: number,
  ) {
    super(net, R, t, prss, { timeoutMs });
  }
  override async open(shares: GrVector, count: number, label: string): Promise<GrVector> {
    if (!this.labels.has(label)) return super.open(shares, count, label);
    return (await this.liar.open(this.net, this.R, this.t, shares, count, this.timeoutMs === undefined ? {} : { timeoutMs: this.timeoutMs })).values;
  }
}

export interface RunSessionsOptions {
  /** Openers of the corrupt parties, by id. */
  malicious?: ReadonlyMap<number, RealRobustOpen>;
  /** When set, the corrupt parties lie only in opens with these labels (`SelectiveLiarSession`). */
  maliciousLabels?: ReadonlySet<string>;
  timeoutMs?: number;
  /** Collect every honest party's opens here (by party). */
  transcripts?: Map<number, OpenRecord[]>;
}

/**
 * Runs `program` on every party after a PRSS setup, the corrupt parties with
 * their malicious openers (they otherwise follow the protocol).
 *
 * @example
 * const run = await runSessions(R, 4, 1, (s) => generateTriples(s, 16));
 */
export function runSessions<T>(R: GaloisRing, n: number, t: number, program: (s: MpcSession) => Promise<T>, options: RunSessionsOptions = {}): Promise<RunPartiesReturnType<T>> {
  const timeoutMs = options.timeoutMs ?? 40;
  const start = async (net: Network, opener?: RealRobustOpen, transcript?: OpenRecord[]): Promise<MpcSession> => {
    const keys = await prssSetup(net, t, seededRng(1000 + net.self), { timeoutMs });
    return new MpcSession(net, R, t, new Prss(R, keys), { timeoutMs, ...(opener ? { opener } : {}), ...(transcript ? { transcript } : {}) });
  };
  const malicious = new Map<number, PartyProgram<unknown>>();
  const labels = options.maliciousLabels;
  for (const [p, opener] of options.malicious ?? []) {
    malicious.set(p, async (net) => {
      if (!labels) return program(await start(net, opener));
      const honest = await start(net);
      return program(new SelectiveLiarSession(net, R, t, honest.prss, opener, labels, timeoutMs));
    });
  }
  return runParties(
    n,
    t,
    async (net) => {
      let transcript: OpenRecord[] | undefined;
      if (options.transcripts) options.transcripts.set(net.self, (transcript = []));
      return program(await start(net, undefined, transcript));
    },
    { malicious, timeoutMs },
  );
}
