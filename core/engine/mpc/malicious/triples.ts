/**
 * @module core/engine/mpc/malicious/triples
 * Adversaries for triple generation (`preprocessing/triples.ts`) that attack
 * its check rather than its opens: crying wolf, status equivocation, false
 * accusations, and lies or silence aimed at a different honest party in each
 * batch (the attacks dispute control exists for). Each replaces one step of
 * `RealTripleGeneration` and follows the protocol elsewhere. Tests only.
 */
import type { GrVector } from '../algebra/galoisRing.js';
import type { AgreeAllDetails } from '../agreement/agreement.js';
import type { Network } from '../network/network.js';
import type { MpcSession } from '../online/session.js';
import { RealTripleGeneration, type BlameClaim } from '../preprocessing/triples.js';

/** The honest protocol, counting the batches it ran (discarded ones included). */
export class CountingTripleGeneration extends RealTripleGeneration {
  batches = 0;
  override batch(session: MpcSession, count: number): ReturnType<RealTripleGeneration['batch']> {
    this.batches++;
    return super.batch(session, count);
  }
}

export interface CryingWolfOptions {
  /** What it claims, in the broadcast after the discard, to have said (default: the truth, "failed"). */
  claimOk?: boolean;
  /** Parties it accuses in batch k (default none). */
  accuse?: (batch: number) => readonly number[];
}

/** Says "failed" in every status round although its shares were consistent. */
export class CryingWolfTriples extends CountingTripleGeneration {
  constructor(private readonly o: CryingWolfOptions = {}) {
    super();
  }
  override round2Status(session: MpcSession): Promise<AgreeAllDetails> {
    return super.round2Status(session, false);
  }
  override round4Disputes(session: MpcSession, claim: BlameClaim): ReturnType<RealTripleGeneration['round4Disputes']> {
    const accused = (this.o.accuse?.(this.batches - 1) ?? []).map((party) => ({ party, kind: 'deviation' as const }));
    return super.round4Disputes(session, { ...claim, ok: this.o.claimOk ?? false, accused });
  }
}

export interface RotatingTargetOptions {
  /** The honest parties it targets in batch k (0-based). */
  victims: (batch: number) => readonly number[];
  /** Added to the shares the victims get. */
  delta: GrVector;
  /** Send the victims nothing instead of a wrong share. */
  silent?: boolean;
  /** Batches in which it also says "failed" in the status round (and stands by it). */
  cryWolf?: (batch: number) => boolean;
}

/**
 * Sends a wrong round-1 share (shifted by `delta`) to `victims(k)` in batch k,
 * honest shares to everyone else, or nothing at all to them when `silent`:
 * one honest witness per batch, never t+1. With `cryWolf` it also says
 * "failed" in those batches, so that silence alone forces discards.
 */
export class RotatingTargetTriples extends CountingTripleGeneration {
  constructor(private readonly o: RotatingTargetOptions) {
    super();
  }
  override sendMasked(session: MpcSession, y: GrVector): void {
    const { net, R } = session;
    const victims = this.o.victims(this.batches - 1);
    const count = y.length / R.limbs;
    const lied = R.alloc(count);
    for (let v = 0; v < count; v++) R.addInto(lied, v, y, v, this.o.delta, 0);
    for (let j = 1; j <= net.n; j++) {
      if (j === net.self) continue;
      if (!victims.includes(j)) net.send(j, R.toBytes(y));
      else if (!this.o.silent) net.send(j, R.toBytes(lied));
    }
  }
  private cryingWolf(): boolean {
    return this.o.cryWolf?.(this.batches - 1) ?? false;
  }
  override round2Status(session: MpcSession, mine: boolean): Promise<AgreeAllDetails> {
    return super.round2Status(session, this.cryingWolf() ? false : mine);
  }
  /** When crying wolf, stands by it (claiming "ok" would convict it at once: `CryingWolfTriples`). */
  override round4Disputes(session: MpcSession, claim: BlameClaim): ReturnType<RealTripleGeneration['round4Disputes']> {
    return super.round4Disputes(session, this.cryingWolf() ? { ...claim, ok: false } : claim);
  }
}

/**
 * Consistent shares, but in batch k tells `victims(k)` "failed" and everyone
 * else "ok" in the status round, then claims "ok" in the broadcast.
 */
export class StatusLiarTriples extends CountingTripleGeneration {
  constructor(private readonly victims: (batch: number) => readonly number[]) {
    super();
  }
  override statusNetwork(session: MpcSession): Network {
    return rewriteFirstRound(session.net, this.victims(this.batches - 1), Uint8Array.of(0));
  }
  override round4Disputes(session: MpcSession, claim: BlameClaim): ReturnType<RealTripleGeneration['round4Disputes']> {
    return super.round4Disputes(session, { ...claim, ok: true });
  }
}

/** `net`, except that in its current round the messages to `to` are replaced by `payload`. */
function rewriteFirstRound(net: Network, to: readonly number[], payload: Uint8Array): Network {
  const first = net.round;
  return {
    sessionId: net.sessionId,
    self: net.self,
    n: net.n,
    get round() {
      return net.round;
    },
    send: (j, p) => net.send(j, net.round === first && to.includes(j) ? payload : p),
    receive: (from, timeoutMs) => net.receive(from, timeoutMs),
    nextRound: () => net.nextRound(),
    child: (name) => net.child(name),
  };
}
