/**
 * @module core/engine/mpc/prss
 * Pseudo-random secret sharing (PRSS) and pseudo-random zero sharing (PRZS):
 * after a one-time agreement on subset keys, every party computes its share of
 * a fresh random value (degree t) or of zero (degree 2t) without talking to
 * anyone. Cramer–Damgård–Ishai, "Share conversion, pseudorandom secret-sharing
 * and applications to secure computation" (TCC 2005), in the Galois-ring form
 * of eprint 2025/699 (threshold-fhe `small_execution/prss.rs`). Practical for
 * small C(n, t): 4 keys at (4,1), 21 at (7,2), 715 at (13,4).
 *
 * For every set A of n − t parties (the complement of a maximal corrupt set T),
 * the members of A share a key k_A. With f_A the polynomial of degree t such
 * that f_A(0) = 1 and f_A(α_j) = 0 for j ∉ A:
 *
 *   PRSS: share_i = Σ_{A ∋ i} ψ(k_A, tag) · f_A(α_i)
 *         (a degree-t sharing of r = Σ_A ψ(k_A, tag); T misses k_{A = complement of T},
 *         so r is pseudo-random to T)
 *   PRZS: share_i = Σ_{A ∋ i} Σ_{j=1..t} ψ(k_A, tag, j) · α_i^j · f_A(α_i)
 *         (a degree-2t sharing whose polynomial has no constant term: zero)
 *
 * ψ is SHAKE256(domain ‖ k_A ‖ tag ‖ j), read as ring elements. The tag must be
 * unique per use (derive it from the session id and a counter); all parties
 * must use the same tag for the same sharing.
 *
 * ## Key agreement (`prssSetup`)
 * 1. Every member m of every set A sends a fresh 32-byte contribution c_{A,m}
 *    to the other members of A (one message per peer, all common sets).
 * 2. Every member sends each co-member, for every common set A and every
 *    member m of A, a fingerprint SHA3(domain ‖ session ‖ A ‖ m ‖ c_{A,m} as
 *    it got it, or "missing"). A member *suspects* (A, m) when it lacks
 *    c_{A,m} or a co-member's fingerprint of it differs from its own.
 * 3. Every party broadcasts its suspects (`broadcastFromAll`, 1 + 3(t+1)
 *    rounds). A contribution suspected by at least one member of its own set
 *    is **dropped**: k_A = SHAKE256(domain ‖ session ‖ A ‖ for each m ∈ A:
 *    c_{A,m}, or a "dropped" marker). The claims are agreed, so every honest
 *    party drops the same contributions.
 * Why (at most t corrupt, n ≥ 3t+1, honest messages arrive in time):
 *  - Correct: for a contribution that is not dropped, no honest member of A
 *    lacked it or saw a co-member's fingerprint differ, and honest members
 *    exchanged fingerprints directly, so all honest members of A hold the
 *    same c_{A,m}: their keys are equal.
 *  - Private: PRSS privacy against the corrupt set T rests on the set(s)
 *    made only of honest parties (at least one exists, as there are ≥ n − t
 *    honest parties). In such a set contributions and fingerprints
 *    agree, and only its members can have a contribution dropped, so nothing
 *    is dropped and its key mixes only secret honest contributions.
 *  - Live: nothing here fails or retries; a corrupt party can only have
 *    contributions dropped in sets it belongs to (whose key it may know
 *    anyway). A network fault between two honest parties (outside the model)
 *    drops the one contribution that was lost, never a whole set's secrecy.
 * A set whose contributions were all dropped has a public key (it has a
 * corrupt member); only if that happens to every set (outside the model)
 * does the setup throw `PrssSetupError`. This replaces an earlier version
 * that compared key digests and failed on any mismatch (a corrupt member
 * could force retries forever); threshold-fhe resolves the same problem
 * with VSS-based `AgreeRandom`.
 */
import { createHash } from 'node:crypto';
import { shake256, sha3_256 } from '@noble/hashes/sha3';
import { utf8ToBytes } from '@noble/hashes/utils';
import { broadcastFromAll } from '../agreement/agreement.js';
import { PrssSetupError, MpcParameterError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import type { Rng } from '../algebra/random.js';
import type { Network } from '../network/network.js';
import { checkThresholdParameters } from '../sharing/shamir.js';

const DOMAIN_KEY = utf8ToBytes('tkms/prss/v2/key');
const DOMAIN_CHECK = utf8ToBytes('tkms/prss/v2/contribution');
const DOMAIN_PRSS = utf8ToBytes('tkms/prss/v1/random');
const DOMAIN_PRZS = utf8ToBytes('tkms/prss/v1/zero');
const CONTRIBUTION_BYTES = 32;

/** The sets of size n − t, each sorted, in lexicographic order. */
export function prssSets(n: number, t: number): number[][] {
  const out: number[][] = [];
  const k = n - t;
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === k) return void out.push(acc.slice());
    for (let i = start; i <= n; i++) rec(i + 1, [...acc, i]);
  };
  rec(1, []);
  return out;
}

/** One party's PRSS key material: a key for every set it belongs to. */
export interface PrssKeys {
  n: number;
  t: number;
  party: number;
  sets: { members: readonly number[]; key: Uint8Array }[];
}

/** What `prssSetupDetailed` agreed besides the keys: the contributions left out, and who reported them. */
export interface PrssSetupOutcome {
  keys: PrssKeys;
  /** Contributions left out of a set's key (identical at every honest party): set, contributor, reporting members. */
  dropped: { set: readonly number[]; member: number; claimedBy: readonly number[] }[];
  /** Sets left without any contribution: their key is public (each has a deviating member). */
  publicSets: (readonly number[])[];
  /** Parties whose first-round message never came (more than t: the keys are not joint). */
  absent: number[];
}

/** Bytes of a party's claim in step 3: one bit per (set, member position), sets in `prssSets` order. */
export function prssClaimBytes(n: number, t: number): number {
  return Math.ceil((prssSets(n, t).length * (n - t)) / 8);
}

/**
 * Agreement on the subset keys (module doc; 2 + 1 + 3(t+1) rounds). Returns
 * this party's keys, identical among the honest members of every set.
 *
 * @example
 * const keys = await prssSetup(net, 1, cryptoRng);
 * const prss = new Prss(ringForParties(net.n), keys);
 */
export async function prssSetup(net: Network, t: number, rng: Rng, options: { timeoutMs?: number } = {}): Promise<PrssKeys> {
  return (await prssSetupDetailed(net, t, rng, options)).keys;
}

/** `prssSetup`, also returning the contributions left out (for logs and tests). */
export async function prssSetupDetailed(net: Network, t: number, rng: Rng, options: { timeoutMs?: number } = {}): Promise<PrssSetupOutcome> {
  const { n, self } = net;
  if (!(n >= 3 * t + 1) || t < 0) throw new MpcParameterError(`PRSS needs n ≥ 3t+1, got (n, t) = (${n}, ${t})`);
  const all = prssSets(n, t);
  const mine = all.filter((A) => A.includes(self));
  const common = (j: number): number[][] => mine.filter((A) => A.includes(j));
  const peers = [...Array(n).keys()].map((i) => i + 1).filter((j) => j !== self);
  const session = lengthPrefixed(utf8ToBytes(net.sessionId));

  // Round 1: contributions, one per set, to its other members.
  const own = new Map<string, Uint8Array>(mine.map((A) => [A.join(','), rng.bytes(CONTRIBUTION_BYTES)]));
  for (const j of peers) {
    const sets = common(j);
    if (sets.length > 0) net.send(j, concat(sets.map((A) => own.get(A.join(','))!)));
  }
  const received = new Map<number, Uint8Array | undefined>();
  await Promise.all(
    peers.map(async (j) => {
      const sets = common(j);
      if (sets.length === 0) return;
      const m = await net.receive(j, options.timeoutMs);
      received.set(j, m && m.length === sets.length * CONTRIBUTION_BYTES ? m : undefined);
    }),
  );
  net.nextRound();
  /** Member m's contribution to A as we got it (`undefined`: missing). */
  const contribution = (A: readonly number[], m: number): Uint8Array | undefined => {
    if (m === self) return own.get(A.join(','));
    const idx = common(m).findIndex((B) => B.join(',') === A.join(','));
    return received.get(m)?.subarray(idx * CONTRIBUTION_BYTES, (idx + 1) * CONTRIBUTION_BYTES);
  };
  // One fingerprint per (set, member), computed once: every co-member gets the same.
  const fingerprints = new Map<string, Uint8Array>();
  const fingerprint = (A: readonly number[], m: number): Uint8Array => {
    const key = `${A.join(',')}|${m}`;
    let f = fingerprints.get(key);
    if (!f) {
      const c = contribution(A, m);
      f = sha3_256(concat([DOMAIN_CHECK, session, Uint8Array.of(A.length, ...A, m), c ? Uint8Array.of(1, ...c) : Uint8Array.of(0)]));
      fingerprints.set(key, f);
    }
    return f;
  };

  // Round 2: per common set, the fingerprint of every member's contribution as we got it.
  for (const j of peers) {
    const sets = common(j);
    if (sets.length > 0) net.send(j, concat(sets.flatMap((A) => A.map((m) => fingerprint(A, m)))));
  }
  // (set, member) pairs whose contribution is missing here or seen differently by a co-member.
  const suspect = new Set<string>();
  for (const A of mine) for (const m of A) if (!contribution(A, m)) suspect.add(`${A.join(',')}|${m}`);
  await Promise.all(
    peers.map(async (j) => {
      const sets = common(j);
      if (sets.length === 0) return;
      const msg = await net.receive(j, options.timeoutMs);
      // Silent or malformed: nothing to compare (a missing contribution is suspect already).
      if (!msg || msg.length !== sets.reduce((k, A) => k + A.length, 0) * 32) return;
      let o = 0;
      for (const A of sets) {
        for (const m of A) {
          if (!equalBytes(msg.subarray(o, o + 32), fingerprint(A, m))) suspect.add(`${A.join(',')}|${m}`);
          o += 32;
        }
      }
    }),
  );
  net.nextRound();

  // Round 3+: broadcast the suspect contributions; one named by a member of its set is dropped.
  const claim = new Uint8Array(prssClaimBytes(n, t));
  all.forEach((A, i) => A.forEach((m, k) => {
    const bit = i * (n - t) + k;
    if (suspect.has(`${A.join(',')}|${m}`)) claim[bit >> 3]! |= 1 << (bit & 7);
  }));
  const absent = new Set(peers.filter((j) => !received.get(j)));
  const claims = await broadcastFromAll(net, t, claim, { ignore: absent, maxValueBytes: claim.length, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  const dropped: PrssSetupOutcome['dropped'] = [];
  const isDropped = new Set<string>();
  all.forEach((A, i) => A.forEach((m, k) => {
    const bit = i * (n - t) + k;
    const claimedBy = A.filter((x) => {
      const c = claims.get(x);
      return c !== undefined && c.length === claim.length && ((c[bit >> 3]! >> (bit & 7)) & 1) === 1;
    });
    if (claimedBy.length === 0) return;
    dropped.push({ set: A, member: m, claimedBy });
    isDropped.add(`${A.join(',')}|${m}`);
  }));
  const publicSets = all.filter((A) => A.every((m) => isDropped.has(`${A.join(',')}|${m}`)));
  if (publicSets.length === all.length) {
    throw new PrssSetupError(dropped.map((d) => ({ set: [...d.set], parties: [d.member] })));
  }
  const sets = mine.map((A) => {
    const parts: Uint8Array[] = [DOMAIN_KEY, session, Uint8Array.of(A.length, ...A)];
    for (const m of A) {
      // Not dropped ⇒ every honest member holds the same contribution (module doc).
      const c = isDropped.has(`${A.join(',')}|${m}`) ? undefined : contribution(A, m);
      parts.push(c ? Uint8Array.of(1, ...c) : Uint8Array.of(0));
    }
    return { members: A, key: shake256(concat(parts), { dkLen: 32 }) };
  });
  return { keys: { n, t, party: self, sets }, dropped, publicSets, absent: [...absent].sort((a, b) => a - b) };
}

/**
 * Non-interactive shares of random values and of zero from agreed keys.
 *
 * @example
 * const r = prss.random('session-42/0', 64); // this party's shares of 64 random values
 * const z = prss.zero('session-42/1', 64);   // shares of 64 zeros (degree 2t)
 */
export class Prss {
  /** f_A(α_self) for each of this party's sets. */
  private readonly fAtSelf: GrVector;
  /** α_self^j · f_A(α_self) for j = 1..t, per set: element (setIndex · t + j − 1). */
  private readonly zeroWeights: GrVector;
  /** The same constants as multiplication matrices (`constMatrix`): the hot loop's products without reduction. */
  private readonly fMatrices: Uint32Array[];
  private readonly zeroMatrices: Uint32Array[];

  constructor(
    readonly R: GaloisRing,
    readonly keys: PrssKeys,
  ) {
    const { n, t, party } = keys;
    checkThresholdParameters(R, n, t);
    const alpha = R.embedParty(party);
    this.fAtSelf = R.alloc(keys.sets.length);
    this.zeroWeights = R.alloc(keys.sets.length * Math.max(t, 1));
    keys.sets.forEach(({ members }, s) => {
      if (!members.includes(party) || members.length !== n - t) throw new MpcParameterError(`PRSS key set {${members.join(',')}} is not an (n−t)-set of party ${party}`);
      // f_A(x) = Π_{j ∉ A} (x − α_j) / (0 − α_j)
      let num = R.one();
      let den = R.one();
      for (let j = 1; j <= n; j++) {
        if (members.includes(j)) continue;
        num = R.mul(num, R.sub(alpha, R.embedParty(j)));
        den = R.mul(den, R.neg(R.embedParty(j)));
      }
      const f = R.mul(num, R.inv(den));
      R.copyInto(this.fAtSelf, s, f, 0);
      let w = f;
      for (let j = 1; j <= t; j++) {
        w = R.mul(w, alpha);
        R.copyInto(this.zeroWeights, s * t + j - 1, w, 0);
      }
    });
    this.fMatrices = keys.sets.map((_, s) => R.constMatrix(this.fAtSelf, s));
    this.zeroMatrices = Array.from({ length: keys.sets.length * t }, (_, i) => R.constMatrix(this.zeroWeights, i));
  }

  /** This party's degree-t shares of `count` pseudo-random values, for a tag unique to this use. */
  random(tag: string | Uint8Array, count: number): GrVector {
    const R = this.R;
    const out = R.alloc(count);
    const tagBytes = typeof tag === 'string' ? utf8ToBytes(tag) : tag;
    this.keys.sets.forEach(({ key }, s) => {
      const psi = this.psi(DOMAIN_PRSS, key, tagBytes, 0, count);
      const M = this.fMatrices[s]!;
      for (let v = 0; v < count; v++) R.mulConstAddInto(out, v, M, psi, v);
    });
    return out;
  }

  /** This party's degree-2t shares of `count` zeros. */
  zero(tag: string | Uint8Array, count: number): GrVector {
    const R = this.R;
    const { t } = this.keys;
    const out = R.alloc(count);
    const tagBytes = typeof tag === 'string' ? utf8ToBytes(tag) : tag;
    this.keys.sets.forEach(({ key }, s) => {
      for (let j = 1; j <= t; j++) {
        const psi = this.psi(DOMAIN_PRZS, key, tagBytes, j, count);
        const M = this.zeroMatrices[s * t + j - 1]!;
        for (let v = 0; v < count; v++) R.mulConstAddInto(out, v, M, psi, v);
      }
    });
    return out;
  }

  /**
   * The per-set terms behind `random(tag, count)`: ψ(k_A, tag) for each of
   * this party's sets, in `keys.sets` order. Only for revealing the PRSS inputs
   * of a batch that every honest party discards (the triple check's blame step).
   */
  randomTerms(tag: string | Uint8Array, count: number): GrVector[] {
    const tagBytes = typeof tag === 'string' ? utf8ToBytes(tag) : tag;
    return this.keys.sets.map(({ key }) => this.psi(DOMAIN_PRSS, key, tagBytes, 0, count));
  }

  /** The per-set terms behind `zero(tag, count)`: ψ(k_A, tag, j) for j = 1..t, per set. */
  zeroTerms(tag: string | Uint8Array, count: number): GrVector[][] {
    const tagBytes = typeof tag === 'string' ? utf8ToBytes(tag) : tag;
    const { t } = this.keys;
    return this.keys.sets.map(({ key }) => Array.from({ length: t }, (_, j) => this.psi(DOMAIN_PRZS, key, tagBytes, j + 1, count)));
  }

  /** ψ(k_A, tag, j): `count` ring elements from SHAKE256. */
  private psi(domain: Uint8Array, key: Uint8Array, tag: Uint8Array, j: number, count: number): GrVector {
    const R = this.R;
    // The same SHAKE256 as `@noble/hashes` (tested), through OpenSSL: this
    // stream is the bulk of preprocessing (≈ 90 % of triple generation in JS).
    const h = createHash('shake256', { outputLength: count * R.bytesPerElement });
    h.update(concat([domain, key, lengthPrefixed(tag), Uint8Array.of(j)]));
    const out = h.digest();
    return R.fromBytes(new Uint8Array(out.buffer, out.byteOffset, out.length), count)!;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lengthPrefixed(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length, true);
  out.set(b, 4);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
