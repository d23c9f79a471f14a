/**
 * @module core/engine/mpc/malicious/prss
 * Adversaries for the PRSS key agreement (`prss/prss.ts`), as party programs
 * that speak the protocol's wire format. Tests only.
 */
import type { Rng } from '../algebra/random.js';
import { overrideNetwork, type Network } from '../network/network.js';
import type { PartyProgram } from '../network/runParties.js';
import { prssClaimBytes, prssSets, prssSetup } from '../prss/prss.js';

function commonSetCount(n: number, t: number, a: number, b: number): number {
  return prssSets(n, t).filter((A) => A.includes(a) && A.includes(b)).length;
}

/** Silent in both rounds (crashed before setup). */
export function droppingSetupParty(): PartyProgram<unknown> {
  return async () => undefined;
}

/**
 * Sends a different random contribution to every co-member (so honest views
 * of its contributions differ) and random bytes in round 2.
 */
export function randomValuesSetupParty(t: number, rng: Rng): PartyProgram<unknown> {
  return async (net: Network) => {
    for (let round = 0; round < 2; round++) {
      for (let j = 1; j <= net.n; j++) {
        const c = j === net.self ? 0 : commonSetCount(net.n, t, net.self, j);
        if (c > 0) net.send(j, rng.bytes(32 * c));
      }
      net.nextRound();
    }
  };
}

/** Runs round 1 honestly, then sends wrong contribution fingerprints in round 2 (and noise in the agreement rounds). */
export function lyingDigestSetupParty(t: number, rng: Rng): PartyProgram<unknown> {
  return lyingTo(t, rng, () => true, (round) => round >= 1);
}

/**
 * Equivocates: honest everywhere (agreement included) except that it sends
 * `victim` wrong contribution fingerprints in round 2, so only the victim sees a dispute.
 * Without an agreed outcome the victim fails while the others accept keys.
 */
export function equivocatingDigestSetupParty(t: number, rng: Rng, victim: number): PartyProgram<unknown> {
  return lyingTo(t, rng, (to) => to === victim, (round) => round === 1);
}

/**
 * Honest in rounds 1 and 2, then reports every contribution of *every* set,
 * its own and others' (the claim broadcast starts in round 3, index 2): it
 * must only be able to drop contributions in the sets it belongs to.
 */
export function overclaimingSetupParty(t: number, rng: Rng): PartyProgram<unknown> {
  return async (net: Network) => {
    const claimBytes = prssClaimBytes(net.n, t);
    const liar = overrideNetwork(net, {
      send: (to, payload) => net.send(to, net.round === 2 ? new Uint8Array(claimBytes).fill(0xff) : payload),
    });
    await prssSetup(liar, t, rng).catch(() => undefined);
  };
}

function lyingTo(t: number, rng: Rng, target: (to: number) => boolean, inRound: (round: number) => boolean): PartyProgram<unknown> {
  return async (net: Network) => {
    const liar = overrideNetwork(net, {
      send: (to, payload) => net.send(to, inRound(net.round) && target(to) ? rng.bytes(payload.length) : payload),
    });
    await prssSetup(liar, t, rng).catch(() => undefined);
  };
}
