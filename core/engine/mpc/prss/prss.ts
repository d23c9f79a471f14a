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
 * ## Key agreement (`prssSetup`), two rounds
 * 1. Every member m of every set A sends a fresh 32-byte contribution c_{A,m}
 *    to the other members of A (one message per peer, all common sets).
 *    k_A = SHAKE256(domain ‖ session ‖ A ‖ c_{A,m} for m ∈ A), a silent member
 *    contributing a fixed "absent" marker. A set whose members include at least
 *    one honest party gets a key unknown outside A; in particular the set of
 *    honest parties (for |T| = t) gets a key the adversary does not know.
 * 2. Members exchange a digest of each common key. A corrupt member that sent
 *    different contributions to different members (or lies about its digest)
 *    makes views differ.
 * 3. Dispute resolution by disclosure: every party broadcasts
 *    (`broadcastFromAll`, 1 + 3(t+1) rounds) the sets in which it saw a
 *    mismatch (a wrong or missing digest from a member that spoke in round 1).
 *    A set named by at least one of its *own members* in the agreed claims is
 *    **disclosed**: every member replaces its key by the public
 *    k_A = SHAKE256(domain ‖ session ‖ A). All honest parties decide the same
 *    sets (the claims are agreed), so every set's members end with one key.
 * Why this keeps PRSS private and correct (at most t corrupt, n ≥ 3t+1):
 *  - Correct: in a set nobody disclosed, no honest member saw a mismatch, and
 *    honest members compared digests with each other directly, so their keys
 *    are equal; a disclosed set's key is public, hence equal too.
 *  - Private: the privacy of r = Σ_A ψ(k_A, tag) against the corrupt set T
 *    rests on the set(s) without a corrupt member (some set of n − t honest
 *    parties exists). Such a set sees no mismatch (honest contributions and
 *    digests agree), and only its members can disclose it, so it is never
 *    disclosed. A disclosed set therefore has a corrupt member, whose
 *    adversary may know its key anyway.
 * So a corrupt party can no longer make the setup fail: equivocation only
 * discloses sets it belongs to (the parties named are logged). Only outside
 * the model can every set end disclosed; then it throws `PrssSetupError`.
 * (The earlier version agreed on the outcome and failed: a corrupt member
 * could force retries forever. Threshold-fhe resolves with VSS-based
 * `AgreeRandom`; disclosure is enough here because a set's key only needs to
 * stay secret when all its members are honest.)
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

const DOMAIN_KEY = utf8ToBytes('tkms/prss/v1/key');
const DOMAIN_CHECK = utf8ToBytes('tkms/prss/v1/check');
const DOMAIN_DISCLOSED = utf8ToBytes('tkms/prss/v1/disclosed');
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

/** What `prssSetupDetailed` agreed besides the keys: the disclosed sets and who named them. */
export interface PrssSetupOutcome {
  keys: PrssKeys;
  /** Sets whose key was replaced by the public one, with the members that reported a mismatch in them (identical at every honest party). */
  disclosed: { set: readonly number[]; claimedBy: readonly number[] }[];
}

/**
 * Agreement on the subset keys (module doc; 2 + 1 + 3(t+1) rounds). Returns
 * this party's keys, identical among the members of every set at every
 * honest party.
 *
 * @example
 * const keys = await prssSetup(net, 1, cryptoRng);
 * const prss = new Prss(ringForParties(net.n), keys);
 */
export async function prssSetup(net: Network, t: number, rng: Rng, options: { timeoutMs?: number } = {}): Promise<PrssKeys> {
  return (await prssSetupDetailed(net, t, rng, options)).keys;
}

/** `prssSetup`, also returning the disclosed sets (for logs and tests). */
export async function prssSetupDetailed(net: Network, t: number, rng: Rng, options: { timeoutMs?: number } = {}): Promise<PrssSetupOutcome> {
  const { n, self } = net;
  if (!(n >= 3 * t + 1) || t < 0) throw new MpcParameterError(`PRSS needs n ≥ 3t+1, got (n, t) = (${n}, ${t})`);
  const mine = prssSets(n, t).filter((A) => A.includes(self));
  const common = (j: number): number[][] => mine.filter((A) => A.includes(j));
  const peers = [...Array(n).keys()].map((i) => i + 1).filter((j) => j !== self);

  // Round 1: contributions.
  const own = new Map<string, Uint8Array>(mine.map((A) => [A.join(','), rng.bytes(CONTRIBUTION_BYTES)]));
  for (const j of peers) {
    const sets = common(j);
    if (sets.length === 0) continue;
    net.send(j, concat(sets.map((A) => own.get(A.join(','))!)));
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
  const keys = mine.map((A) => {
    const parts: Uint8Array[] = [DOMAIN_KEY, lengthPrefixed(utf8ToBytes(net.sessionId)), Uint8Array.of(A.length, ...A)];
    for (const m of A) {
      if (m === self) {
        parts.push(Uint8Array.of(1), own.get(A.join(','))!);
        continue;
      }
      const msg = received.get(m);
      const idx = common(m).findIndex((B) => B.join(',') === A.join(','));
      if (msg) parts.push(Uint8Array.of(1), msg.subarray(idx * CONTRIBUTION_BYTES, (idx + 1) * CONTRIBUTION_BYTES));
      else parts.push(Uint8Array.of(0));
    }
    return { members: A, key: shake256(concat(parts), { dkLen: 32 }) };
  });

  // Round 2: compare key digests with every co-member.
  const digest = (key: Uint8Array): Uint8Array => sha3_256(concat([DOMAIN_CHECK, key]));
  const keyOf = new Map(keys.map((k) => [k.members.join(','), k.key]));
  for (const j of peers) {
    const sets = common(j);
    if (sets.length > 0) net.send(j, concat(sets.map((A) => digest(keyOf.get(A.join(','))!))));
  }
  const disputes = new Map<string, number[]>();
  await Promise.all(
    peers.map(async (j) => {
      const sets = common(j);
      if (sets.length === 0) return;
      // A peer silent in both rounds is simply absent; one that spoke in round 1 must confirm.
      const m = await net.receive(j, options.timeoutMs);
      if (m === undefined && !received.get(j)) return;
      sets.forEach((A, idx) => {
        const theirs = m?.subarray(idx * 32, (idx + 1) * 32);
        const ours = digest(keyOf.get(A.join(','))!);
        if (theirs === undefined || theirs.length !== 32 || !equalBytes(theirs, ours)) {
          const key = A.join(',');
          disputes.set(key, [...(disputes.get(key) ?? []), j]);
        }
      });
    }),
  );
  net.nextRound();
  // Round 3+: broadcast the sets we saw a mismatch in; a set named by one of its members is disclosed.
  const all = prssSets(n, t);
  const claim = new Uint8Array(Math.ceil(all.length / 8));
  all.forEach((A, i) => {
    if (disputes.has(A.join(','))) claim[i >> 3]! |= 1 << (i & 7);
  });
  const absent = new Set(peers.filter((j) => !received.get(j)));
  const claims = await broadcastFromAll(net, t, claim, { ignore: absent, maxValueBytes: claim.length, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  const disclosed: { set: number[]; claimedBy: number[] }[] = [];
  all.forEach((A, i) => {
    const claimedBy = A.filter((m) => {
      const c = claims.get(m);
      return c !== undefined && c.length === claim.length && ((c[i >> 3]! >> (i & 7)) & 1) === 1;
    });
    if (claimedBy.length > 0) disclosed.push({ set: A, claimedBy });
  });
  if (disclosed.length === all.length) {
    throw new PrssSetupError([...disputes].map(([set, parties]) => ({ set: set.split(',').map(Number), parties: parties.sort((a, b) => a - b) })));
  }
  const publicKey = (A: readonly number[]): Uint8Array => shake256(concat([DOMAIN_DISCLOSED, lengthPrefixed(utf8ToBytes(net.sessionId)), Uint8Array.of(A.length, ...A)]), { dkLen: 32 });
  const isDisclosed = new Set(disclosed.map((d) => d.set.join(',')));
  const sets = keys.map((k) => (isDisclosed.has(k.members.join(',')) ? { members: k.members, key: publicKey(k.members) } : k));
  return { keys: { n, t, party: self, sets }, disclosed };
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
  }

  /** This party's degree-t shares of `count` pseudo-random values, for a tag unique to this use. */
  random(tag: string | Uint8Array, count: number): GrVector {
    const R = this.R;
    const out = R.alloc(count);
    const tagBytes = typeof tag === 'string' ? utf8ToBytes(tag) : tag;
    this.keys.sets.forEach(({ key }, s) => {
      const psi = this.psi(DOMAIN_PRSS, key, tagBytes, 0, count);
      for (let v = 0; v < count; v++) R.mulAddInto(out, v, psi, v, this.fAtSelf, s);
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
        for (let v = 0; v < count; v++) R.mulAddInto(out, v, psi, v, this.zeroWeights, s * t + j - 1);
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
