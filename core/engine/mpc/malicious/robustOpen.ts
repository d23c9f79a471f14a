/**
 * @module core/engine/mpc/malicious/robustOpen
 * Adversaries for the robust opening protocol, named by behaviour. Each one
 * is a `RealRobustOpen` with one step replaced, as threshold-fhe's
 * `malicious_execution/` mirrors `execution/`. Tests only: they are exported
 * so that every protocol built on `robustOpen` can reuse them.
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Rng } from '../algebra/random.js';
import type { Network } from '../network/network.js';
import type { PartyProgram } from '../network/runParties.js';
import { evaluateShares } from '../sharing/shamir.js';
import { RealRobustOpen } from '../sharing/robustOpen.js';

/** Never sends its shares (a crashed or silent party). */
export class DroppingParty extends RealRobustOpen {
  override sendShares(): void {}
}

/** Sends fresh uniform garbage of the right length, different to each recipient. */
export class RandomValuesParty extends RealRobustOpen {
  constructor(private readonly rng: Rng) {
    super();
  }
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const count = myShares.length / R.limbs;
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, R.toBytes(R.random(this.rng, count)));
  }
}

/**
 * Sends its share of f + h instead of f, where h is a polynomial of degree ≤ t
 * common to all liars (`liePolynomial`): the liars' shares are consistent with
 * each other, as if the secret were s + h(0). With h constant this is a fixed
 * offset on every liar's share.
 */
export class ConsistentLiarParty extends RealRobustOpen {
  /** @param lie coefficients of h, lowest first, each a vector of `count` elements. */
  constructor(private readonly lie: readonly GrVector[]) {
    super();
  }
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const count = myShares.length / R.limbs;
    const [h0, ...hs] = this.lie;
    const offset = evaluateShares(R, h0!, hs, count, net.n)[net.self - 1]!;
    const lied = R.alloc(count);
    for (let v = 0; v < count; v++) R.addInto(lied, v, myShares, v, offset, v);
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, R.toBytes(lied));
  }
}

/** Tells the truth to some parties and a consistent lie (offset `delta`) to the others. */
export class EquivocatingParty extends RealRobustOpen {
  constructor(
    private readonly lieTo: ReadonlySet<number>,
    private readonly delta: GrVector,
  ) {
    super();
  }
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const count = myShares.length / R.limbs;
    const lied = R.alloc(count);
    for (let v = 0; v < count; v++) R.addInto(lied, v, myShares, v, this.delta, v);
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, R.toBytes(this.lieTo.has(j) ? lied : myShares));
  }
}

/** Sends bytes that do not parse as `count` ring elements (a truncated message). */
export class MalformedMessageParty extends RealRobustOpen {
  override sendShares(net: Network, R: GaloisRing, myShares: GrVector): void {
    const bytes = R.toBytes(myShares);
    for (let j = 1; j <= net.n; j++) if (j !== net.self) net.send(j, bytes.subarray(0, bytes.length - 1));
  }
}

/** The program of a party that runs `strategy`'s version of the opening. */
export function openProgram(strategy: RealRobustOpen, R: GaloisRing, t: number, myShares: GrVector, count: number, timeoutMs?: number): PartyProgram<unknown> {
  return (net) => strategy.open(net, R, t, myShares, count, timeoutMs === undefined ? {} : { timeoutMs });
}
