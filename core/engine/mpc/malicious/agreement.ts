/**
 * @module core/engine/mpc/malicious/agreement
 * Adversaries for the Byzantine agreement (`agreement/agreement.ts`), as party
 * programs speaking its wire format for a given number of rounds. Tests only.
 */
import type { Rng } from '../algebra/random.js';
import { encodeAgreementRound, type AgreedValue } from '../agreement/agreement.js';
import type { Network } from '../network/network.js';
import type { PartyProgram } from '../network/runParties.js';

/**
 * Sends, in each of `rounds` rounds, `a` to odd parties and `b` to even ones:
 * the first round as the raw value (`broadcastFromAll`/`agreeAll` input round,
 * when `rawFirst`), every other round as phase-king messages for `k` instances.
 * As a king it splits the honest parties too.
 */
export function equivocatingAgreementParty(rounds: number, k: number, a: AgreedValue, b: AgreedValue, rawFirst: boolean): PartyProgram<unknown> {
  return async (net: Network) => {
    for (let r = 0; r < rounds; r++) {
      for (let j = 1; j <= net.n; j++) {
        if (j === net.self) continue;
        const v = j % 2 === 1 ? a : b;
        if (r === 0 && rawFirst) {
          if (v !== undefined) net.send(j, v);
        } else net.send(j, encodeAgreementRound(Array.from({ length: k }, () => v)));
      }
      net.nextRound();
    }
  };
}

/**
 * Sends, per round and recipient, either random bytes (malformed), ⊥, "nothing"
 * or a random short value for each of `k` instances: well-formed noise and garbage.
 */
export function randomAgreementParty(rounds: number, k: number, rng: Rng): PartyProgram<unknown> {
  return async (net: Network) => {
    for (let r = 0; r < rounds; r++) {
      for (let j = 1; j <= net.n; j++) {
        if (j === net.self) continue;
        const pick = rng.bytes(1)[0]! % 4;
        if (pick === 0) net.send(j, rng.bytes(1 + (rng.bytes(1)[0]! % 16)));
        else net.send(j, encodeAgreementRound(Array.from({ length: k }, () => (pick === 1 ? null : pick === 2 ? undefined : rng.bytes(1)))));
      }
      net.nextRound();
    }
  };
}

/** Never sends anything (crashed). */
export function silentAgreementParty(): PartyProgram<unknown> {
  return async () => undefined;
}

/**
 * Sends, in each of `rounds` rounds, what `say(round, to)` returns (nothing
 * for `undefined`): for adversaries that lie to chosen parties in chosen
 * rounds, e.g. honest in `agreeAll`'s status round and split in R1.
 */
export function scriptedAgreementParty(rounds: number, say: (round: number, to: number) => Uint8Array | undefined): PartyProgram<unknown> {
  return async (net: Network) => {
    for (let r = 0; r < rounds; r++) {
      for (let j = 1; j <= net.n; j++) {
        if (j === net.self) continue;
        const m = say(r, j);
        if (m !== undefined) net.send(j, m);
      }
      net.nextRound();
    }
  };
}
