/**
 * @module core/engine/mpc/preprocessing/triples
 * Beaver triples ([a], [b], [c = a·b]) of degree t over GR(2^64, d) from
 * PRSS/PRZS, without a dealer, with a check that catches and names cheaters.
 *
 * ## Construction (DN07 masking with PRSS double sharings)
 * The "small session" triple generation of eprint 2025/699 (threshold-fhe
 * `small_execution/offline.rs`): for a fresh tag,
 *   1. [a], [b], [r] ← PRSS (degree t), [z] ← PRZS (degree 2t, a sharing of 0).
 *      Locally y_i = a_i·b_i + r_i + z_i: a degree-2t sharing of a·b + r.
 *   2. Round 1: everyone sends y_i to everyone and *decodes with detection*:
 *      the shares of the parties not missing and not excluded must lie on one
 *      polynomial of degree 2t. Then y = a·b + r and [c] = y − [r].
 *   3. Round 2, agreed: `agreeAll` (agreement/agreement.ts: a status round
 *      plus a phase-king agreement, 1 + 3(t+1) rounds) on "my decode was
 *      consistent and I got the share of every party I listen to" (full:
 *      every party not proven, not eliminated and not in dispute with me).
 *      A party keeps only if the agreement says yes *and* its own status was
 *      yes. Every honest party keeps the batch or every honest party discards
 *      it: a "no" from one honest party reaches every honest party's input,
 *      so it forces a discard; a corrupt party telling some honest parties
 *      "failed" and others "ok" can only make all discard. Outside the model
 *      (more than t parties down or corrupt) the agreement may fail; a party
 *      that is not full still never keeps, and it reveals (step 4) only if it
 *      detected the failure itself.
 *   4. Round 3 (only after the agreed discard): every party that got at least
 *      2t+1 shares in round 1 (a party that got fewer ran the session alone,
 *      e.g. a pooled batch the others never started, and reveals nothing) and
 *      either got every share or detected the failure itself
 *      reveals the PRSS/PRZS terms ψ(k_A, tag) of the discarded batch.
 *      A set's term is accepted when ≥ t+1 of its members reveal the same value
 *      (so at least one honest member vouches for it; each set has ≥ n − 2t ≥
 *      t+1 honest members, so every set is accepted). Value by value, where
 *      its view is still inconsistent, a party recomputes the correct
 *      y_j of every party whose sets are all determined and compares it with
 *      what that party sent *to it*. Mismatches (and members revealing another
 *      term than the accepted one) are proven cheaters in this party's eyes —
 *      never an honest party — and it excludes them from later batches.
 *   5. Dispute control (`online/disputes.ts`): each party broadcasts
 *      (`broadcastFromAll`, 1 + 3(t+1) rounds) a claim: the status it sent in
 *      round 2, the status it heard from each party, and its accusations —
 *      the parties it proved wrong in step 4 ("deviation") and the parties
 *      that were silent towards it in round 1 without being in dispute with
 *      it yet ("silence"). From these agreed claims every honest party
 *      derives the same new pairs in dispute: accuser–accused, and i–j when i
 *      says j told it one status while j claims the other (one of the two
 *      lies; when j's claim is missing, a "no" heard from it is a silence
 *      pair, so that a lost broadcast never brands an honest party a liar).
 *      If the batch gave no new pair, every party that claimed "failed" is
 *      convicted (crying wolf, see below). A party with t+1 partners is
 *      convicted too (never more than t in a session: that is outside the
 *      model, and the batch then counts as a discard without progress).
 *      Convicted parties are eliminated at every honest party
 *      (excluded, and `proven` unless all their disputes were silence); in
 *      later batches a party also ignores the round-1 shares and the status
 *      of its own partners, and counts itself full without them.
 *
 * ## Why every discarded batch makes progress (the retry bound)
 * An honest party accuses only parties that deviated or were silent towards
 * it, so every pair has a corrupt member and an honest party has at most t
 * partners: t+1 partners convict only corrupt parties. A discard needs an
 * honest party whose agreement input was "no" (validity of the agreement):
 *  - it was not full: it accuses the missing party (outside its disputes,
 *    not eliminated) of silence: a new pair.
 *  - it detected an inconsistency among the shares of parties outside its
 *    disputes. If every PRSS set's terms were accepted in step 4, it proves
 *    one of them wrong: a new pair. If some set was not accepted, an honest
 *    member of that set did not reveal, so it was not full: some party
 *    outside its disputes was silent towards it, and it accuses that party:
 *    a new pair.
 *  - or it heard "no" from a party j outside its disputes: if j claims
 *    "ok", the pair i–j is new; if j claims "failed" and is honest, the first
 *    case applies to j; if j is corrupt and no new pair appears, j is
 *    convicted as a crying wolf (an honest "failed" always yields a pair).
 * So each discard either adds a pair with a corrupt member or convicts a
 * party; a corrupt party has at most t+1 pairs before it is convicted and
 * pairs with convicted parties are no longer counted, so at most t(t+1)
 * batches are discarded before every corrupt party is either convicted or
 * following the protocol (`generateTriples` allows t(t+1) + 2 attempts, and
 * stops at once after a discard without progress, which can only happen with
 * more than t parties deviating or down).

 * ## Why this is correct over GR(2^64, d)
 * - Privacy: y = a·b + r with r uniform (pseudo-random to any t parties, as
 *   the set of honest parties holds a PRSS key the adversary lacks) hides a·b.
 *   The revealed terms of step 4 belong to a discarded batch and to its tag
 *   only (ψ is a PRF: other tags stay pseudo-random). Step 4 is only run by a
 *   party that itself detected an inconsistency, which it reported to every
 *   honest party in step 3, so no honest party keeps that batch.
 * - Correctness: with at most t corrupt parties and n ≥ 3t+1, the n − t ≥
 *   2t+1 honest shares are all present and lie on f (degree 2t); a degree-2t
 *   polynomial consistent with all alive shares agrees with f on 2t+1
 *   exceptional points, hence equals f (the Vandermonde system on an
 *   exceptional set is invertible over the Galois ring). So a kept triple is
 *   always correct: c = a·b. Missing shares are erasures (at most t).
 * - Detection at n = 3t+1 (no correction: degree 2t has distance n − 2t = t+1)
 *   is why a failure needs the blame step rather than error correction; at
 *   n ≥ 4t+1 decoding could correct instead.
 *
 * Limits: disputes live in one session (every honest party starts a session
 * with none, so they stay identical); only convictions (`proven`) reach later
 * sessions through the service. Within a session a corrupt party can cost
 * at most t+1 discarded batches before it is convicted.
 */
import { MpcParameterError, PreprocessingError } from '../errors.js';
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { agreeAllDetailed, broadcastFromAll, type AgreeAllDetails } from '../agreement/agreement.js';
import { prssSets } from '../prss/prss.js';
import { receiveFromAll, sendToAll, type Network } from '../network/network.js';
import { lagrangeCoefficients } from '../sharing/shamir.js';
import type { MpcSession } from '../online/session.js';
import type { DisputeKind } from '../online/disputes.js';

/** `count` Beaver triples: this party's shares of a, b and c = a·b. */
export interface Triples {
  count: number;
  a: GrVector;
  b: GrVector;
  c: GrVector;
}

/** Triples [from, from + count) of `tr`, sharing its memory. */
export function sliceTriples(R: GaloisRing, tr: Triples, from: number, count: number): Triples {
  if (from < 0 || from + count > tr.count) throw new MpcParameterError(`triples [${from}, ${from + count}) outside a batch of ${tr.count}`);
  const lo = from * R.limbs;
  const hi = (from + count) * R.limbs;
  return { count, a: tr.a.subarray(lo, hi), b: tr.b.subarray(lo, hi), c: tr.c.subarray(lo, hi) };
}

/** Concatenates triple batches. */
export function concatTriples(R: GaloisRing, parts: readonly Triples[]): Triples {
  const count = parts.reduce((s, p) => s + p.count, 0);
  const out: Triples = { count, a: R.alloc(count), b: R.alloc(count), c: R.alloc(count) };
  let o = 0;
  for (const p of parts) {
    out.a.set(p.a, o);
    out.b.set(p.b, o);
    out.c.set(p.c, o);
    o += p.count * R.limbs;
  }
  return out;
}

export interface GenerateTriplesOptions {
  /** Batches tried before giving up; default t(t+1) + 2, enough for any t corrupt parties (module doc). */
  maxAttempts?: number;
  /** The generation protocol (an adversary's in tests). */
  generation?: RealTripleGeneration;
}

/**
 * A discarded batch: who was convicted (identical at every honest party) and
 * whether the batch created a dispute or a conviction (module doc: without
 * one, more than t parties deviate and retrying cannot help).
 */
export class DiscardedBatchError extends PreprocessingError {
  constructor(
    readonly convicted: readonly number[],
    readonly progress: boolean,
  ) {
    super(progress ? 'triple batch discarded (degree-2t shares inconsistent)' : 'triple batch discarded without a dispute or a conviction', convicted);
  }
}

/**
 * Generates `count` triples (2 + 3(t+1) rounds per batch when nobody cheats);
 * on a failed check, settles disputes, convicts whom they prove corrupt and
 * retries with a fresh tag. Throws `PreprocessingError`, at every honest
 * party alike, when a discard made no progress or `maxAttempts` batches failed.
 *
 * @example
 * const triples = await generateTriples(session, 1024);
 */
export async function generateTriples(session: MpcSession, count: number, options: GenerateTriplesOptions = {}): Promise<Triples> {
  const gen = options.generation ?? session.tripleGeneration ?? new RealTripleGeneration();
  const maxAttempts = options.maxAttempts ?? session.t * (session.t + 1) + 2;
  const convicted = new Set<number>();
  let last: DiscardedBatchError | undefined;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts++;
    try {
      return await gen.batch(session, count);
    } catch (e) {
      if (!(e instanceof DiscardedBatchError)) throw e;
      last = e;
      e.convicted.forEach((p) => convicted.add(p));
      if (!e.progress) break;
    }
  }
  const why = last && !last.progress ? 'the last discard proved nobody: more than t parties deviate or are down' : 'too many discards';
  throw new PreprocessingError(`triple generation failed after ${attempts} discarded batches (${why})`, [...convicted].sort((a, b) => a - b), { cause: last });
}

/** What a party claims, by broadcast, after a discarded batch (step 5). */
export interface BlameClaim {
  /** The status it sent in round 2: its decode was consistent. */
  ok: boolean;
  /** The status it heard from each party in round 2 (true = yes). */
  heard: ReadonlyMap<number, boolean>;
  accused: readonly { party: number; kind: DisputeKind }[];
}

/** Claim wire format: ok (1 byte), heard from party 1..n (0 none, 1 yes, 2 no), then (party, kind) pairs. */
export function encodeClaim(n: number, c: BlameClaim): Uint8Array {
  const out = new Uint8Array(1 + n + 2 * c.accused.length);
  out[0] = c.ok ? 1 : 0;
  for (const [j, yes] of c.heard) if (j >= 1 && j <= n) out[j] = yes ? 1 : 2;
  c.accused.forEach(({ party, kind }, i) => {
    out[1 + n + 2 * i] = party;
    out[2 + n + 2 * i] = kind === 'deviation' ? 0 : 1;
  });
  return out;
}

/** The claim in `m`, or `undefined` when it is missing or malformed. */
export function decodeClaim(n: number, m: Uint8Array | undefined): BlameClaim | undefined {
  if (!m || m.length < 1 + n || (m.length - 1 - n) % 2 !== 0 || m[0]! > 1) return undefined;
  const heard = new Map<number, boolean>();
  for (let j = 1; j <= n; j++) {
    if (m[j]! > 2) return undefined;
    if (m[j]! > 0) heard.set(j, m[j] === 1);
  }
  const accused: { party: number; kind: DisputeKind }[] = [];
  for (let o = 1 + n; o < m.length; o += 2) {
    const party = m[o]!;
    if (party < 1 || party > n || m[o + 1]! > 1) return undefined;
    accused.push({ party, kind: m[o + 1] === 0 ? 'deviation' : 'silence' });
  }
  return { ok: m[0] === 1, heard, accused };
}

/** Result of decoding the degree-2t sharing of a·b + r. */
interface MaskedProduct {
  values: GrVector | undefined;
  /** Parties whose shares were used (present, not excluded). */
  alive: number[];
  /** Shares as received (self included), `undefined` when missing. */
  shares: Map<number, GrVector | undefined>;
}

/**
 * The honest triple generation, split into its rounds so adversaries can
 * replace one (as threshold-fhe's `malicious_execution/`).
 */
export class RealTripleGeneration {
  /** One batch: steps 1–5 of the module doc. Throws `DiscardedBatchError` when the batch is discarded. */
  async batch(session: MpcSession, count: number): Promise<Triples> {
    const { R, prss, net } = session;
    const tag = session.nextTag('triple');
    const a = prss.random(`${tag}/a`, count);
    const b = prss.random(`${tag}/b`, count);
    const r = prss.random(`${tag}/r`, count);
    const y = prss.zero(`${tag}/z`, count);
    for (let v = 0; v < count; v++) {
      R.mulAddInto(y, v, a, v, b, v);
      R.addInto(y, v, y, v, r, v);
    }
    const opened = await this.round1OpenMasked(session, y, count);
    // Full: every party not proven corrupt, not eliminated and not in dispute
    // with us sent us its share, so every honest party runs this batch and the
    // agreement's guarantees hold (module doc). Eliminated parties must not
    // count: one that stays silent would stop every honest party from ever
    // revealing again, and an honest detector could then prove nothing.
    const missing: number[] = [];
    const partners = myPartners(session);
    for (let j = 1; j <= net.n; j++) if (!session.proven.has(j) && !partners.has(j) && !session.disputes.isEliminated(j) && opened.shares.get(j) === undefined) missing.push(j);
    const full = missing.length === 0;
    // Our status: consistent *and* full. A party that is not full cannot vouch
    // that every honest party ran this batch, so it says "no" (and accuses the
    // missing party below); it never keeps on a "yes" it did not give. (A
    // local "keep unless I heard no" rule let one corrupt party's "no" split
    // honest parties, keep versus discard, while the agreement said keep.)
    const ok = opened.values !== undefined && full;
    const status = await this.round2Status(session, ok);
    if (status.agreed && ok) {
      const c = R.alloc(count);
      for (let v = 0; v < count; v++) R.subInto(c, v, opened.values!, v, r, v);
      return { count, a, b, c };
    }
    // Reveal only after an agreed discard that binds every honest party: when
    // all ran the batch (full), or when we detected the cheat ourselves (our
    // "failed" reached every honest party, so none of them keeps).
    const reveal = !status.agreed && opened.alive.length >= 2 * session.t + 1 && (full || opened.values === undefined);
    const proved = await this.round3Blame(session, tag, count, opened, reveal);
    for (const p of proved) {
      session.excluded.add(p);
      session.proven.add(p);
    }
    // Silent towards us this batch or an earlier one, and not yet in dispute with us.
    const silent: number[] = [];
    for (let j = 1; j <= net.n; j++) {
      if (j === net.self || session.proven.has(j) || partners.has(j) || session.disputes.isEliminated(j)) continue;
      if (opened.shares.get(j) === undefined || session.excluded.has(j)) silent.push(j);
    }
    const claim: BlameClaim = {
      ok,
      heard: status.heard,
      accused: [...proved.map((party) => ({ party, kind: 'deviation' as const })), ...silent.map((party) => ({ party, kind: 'silence' as const }))],
    };
    const { convicted, progress } = await this.round4Disputes(session, claim);
    throw new DiscardedBatchError(convicted, progress);
  }

  /**
   * Step 5: broadcasts our claim, derives the new disputes and convictions
   * from the agreed claims (identical at every honest party) and eliminates
   * the convicted.
   */
  async round4Disputes(session: MpcSession, claim: BlameClaim): Promise<{ convicted: number[]; progress: boolean }> {
    const { net, t, disputes } = session;
    const n = net.n;
    const agreed = await broadcastFromAll(net, t, encodeClaim(n, claim), { ...agreementOptions(session), maxValueBytes: 1 + 3 * n });
    const claims = new Map<number, BlameClaim | undefined>();
    for (let j = 1; j <= n; j++) claims.set(j, decodeClaim(n, agreed.get(j)));
    let fresh = 0;
    for (const [i, c] of claims) {
      if (!c || disputes.isEliminated(i)) continue;
      for (const { party, kind } of c.accused) if (!disputes.isEliminated(party) && disputes.add(i, party, kind)) fresh++;
      for (const [j, saidYes] of c.heard) {
        if (j === i || disputes.isEliminated(j)) continue;
        const theirs = claims.get(j);
        // j's claim missing: i's "no" from j stands against j's silence (not a proven lie: a lost
        // broadcast must not brand an honest party); otherwise a status j denies.
        if (theirs === undefined ? !saidYes && disputes.add(i, j, 'silence') : saidYes !== theirs.ok && disputes.add(i, j, 'deviation')) fresh++;
      }
    }
    const convicted = new Set(disputes.overLimit(t));
    const cryingWolves = new Set<number>();
    if (fresh === 0) {
      for (const [j, c] of claims) if (c && !c.ok && !disputes.isEliminated(j)) cryingWolves.add(j);
    }
    for (const p of cryingWolves) convicted.add(p);
    // More than t convictions in one session cannot happen with at most t
    // corrupt parties: we are outside the model (e.g. t+1 parties crying
    // wolf, after which honest parties' decodes fail). Convict nobody rather
    // than risk naming honest parties, and stop (no progress).
    const already = [...claims.keys()].filter((p) => disputes.isEliminated(p)).length;
    if (already + convicted.size > t) return { convicted: [], progress: false };
    for (const p of convicted) {
      disputes.eliminate(p);
      session.excluded.add(p);
      if (cryingWolves.has(p) || !disputes.onlySilence(p)) session.proven.add(p);
    }
    return { convicted: [...convicted].sort((x, y) => x - y), progress: fresh > 0 || convicted.size > 0 };
  }

  /** Round 1, send: the masked product shares (the opener's step, so open adversaries apply). */
  sendMasked(session: MpcSession, y: GrVector): void {
    session.opener.sendShares(session.net, session.R, y);
  }

  /** Round 1: exchange y_i and decode a·b + r with error detection at degree 2t. */
  async round1OpenMasked(session: MpcSession, y: GrVector, count: number): Promise<MaskedProduct> {
    const { net, R, t } = session;
    this.sendMasked(session, y);
    const got = await receiveFromAll(net, session.timeoutMs);
    net.nextRound();
    const shares = new Map<number, GrVector | undefined>();
    for (const [j, bytes] of got) shares.set(j, bytes && R.fromBytes(bytes, count));
    shares.set(net.self, y);
    const alive: number[] = [];
    const partners = myPartners(session);
    for (let j = 1; j <= net.n; j++) {
      // Excluded parties and our partners in dispute are ignored (module doc, step 5).
      if (session.excluded.has(j) || partners.has(j)) continue;
      if (shares.get(j) === undefined) session.excluded.add(j); // silent: an erasure from now on
      else alive.push(j);
    }
    return { values: decodeWithDetection(R, 2 * t, alive, shares, count), alive, shares };
  }

  /** Round 2, agreed: keep iff every honest party's decode was consistent (same answer everywhere). */
  async round2Status(session: MpcSession, mine: boolean): Promise<AgreeAllDetails> {
    const ignore = new Set([...session.excluded, ...myPartners(session)]);
    return agreeAllDetailed(this.statusNetwork(session), session.t, mine, { ...agreementOptions(session), ignore });
  }

  /** The network the status round runs on (an adversary's rewriting view in tests). */
  statusNetwork(session: MpcSession): Network {
    return session.net;
  }

  /**
   * Round 3 (after a failure): reveal the batch's PRSS terms if we saw the
   * failure ourselves, then blame. Value by value, only where our view is
   * inconsistent once the parties blamed so far are dropped: a share that lies
   * on the honest parties' polynomial is right, so every party that sent us a
   * wrong share shows up at some inconsistent value.
   */
  async round3Blame(session: MpcSession, tag: string, count: number, opened: MaskedProduct, reveal: boolean): Promise<number[]> {
    const { net, R, t } = session;
    const n = net.n;
    // `reveal` (see batch): the discard binds every honest party. With fewer
    // than 2t+1 shares, too many parties are missing (e.g. a party that
    // started a pooled-preprocessing session the others have not started, or
    // already finished without it): revealing the terms of a tag the others
    // may still use would hand that batch to the adversary, so it stays quiet.
    const mine = ownTerms(session, tag, count);
    sendToAll(net, reveal ? R.toBytes(mine) : new Uint8Array(0));
    const got = await receiveFromAll(net, session.timeoutMs);
    net.nextRound();
    if (!reveal) return [];

    const sets = prssSets(n, t);
    const perSet = (3 + t) * count;
    const reveals = new Map<string, Map<number, GrVector>>();
    const addReveal = (party: number, v: GrVector): void => {
      sets
        .filter((A) => A.includes(party))
        .forEach((A, s) => {
          const k = A.join(',');
          if (!reveals.has(k)) reveals.set(k, new Map());
          reveals.get(k)!.set(party, v.subarray(s * perSet * R.limbs, (s + 1) * perSet * R.limbs));
        });
    };
    addReveal(net.self, mine);
    for (const [j, bytes] of got) {
      if (!bytes || bytes.length === 0 || session.excluded.has(j)) continue;
      const v = R.fromBytes(bytes, sets.filter((A) => A.includes(j)).length * perSet);
      if (v) addReveal(j, v);
    }
    // A set's terms are accepted when t+1 members (so one honest) reveal them.
    const cheaters = new Set<number>();
    const accepted = new Map<string, GrVector>();
    for (const A of sets) {
      const k = A.join(',');
      const byMember = reveals.get(k) ?? new Map<number, GrVector>();
      for (const v of byMember.values()) {
        if ([...byMember.values()].filter((w) => equalVectors(w, v)).length >= t + 1) {
          accepted.set(k, v);
          break;
        }
      }
      const good = accepted.get(k);
      if (good) for (const [p, v] of byMember) if (!equalVectors(v, good)) cheaters.add(p);
    }
    let alive = opened.alive.filter((p) => !cheaters.has(p));
    for (let v = 0; v < count; v++) {
      if (consistentAt(R, 2 * t, alive, opened.shares, v)) continue;
      for (const j of alive) {
        if (j === net.self) continue;
        const theirSets = sets.filter((A) => A.includes(j));
        if (!theirSets.every((A) => accepted.has(A.join(',')))) continue;
        const expected = recomputeMaskedShare(R, n, t, j, theirSets, theirSets.map((A) => accepted.get(A.join(','))!), count, v);
        if (!R.equals(opened.shares.get(j)!, v, expected, 0)) cheaters.add(j);
      }
      alive = alive.filter((p) => !cheaters.has(p));
    }
    return [...cheaters].sort((x, y) => x - y);
  }
}

/**
 * The parties whose shares and statuses we ignore for being in dispute with
 * us. None once we are eliminated ourselves: nobody listens to us any more,
 * and ignoring every partner (possibly every other party) would only stop us
 * from finishing — the disputes protect honest parties, not a convicted one.
 */
function myPartners(session: MpcSession): ReadonlySet<number> {
  const self = session.net.self;
  return new Set(session.disputes.isEliminated(self) ? [] : session.disputes.partnersOf(self));
}

/** Agreement rounds share the session's timeout and ignore the parties it already excluded. */
function agreementOptions(session: MpcSession): { timeoutMs?: number; ignore: ReadonlySet<number> } {
  return session.timeoutMs === undefined ? { ignore: session.excluded } : { timeoutMs: session.timeoutMs, ignore: session.excluded };
}

/** This party's PRSS/PRZS terms of a batch, per set: ψ_a, ψ_b, ψ_r, then ψ_z for j = 1..t. */
function ownTerms(session: MpcSession, tag: string, count: number): GrVector {
  const { R, t, prss } = session;
  const ra = prss.randomTerms(`${tag}/a`, count);
  const rb = prss.randomTerms(`${tag}/b`, count);
  const rr = prss.randomTerms(`${tag}/r`, count);
  const rz = prss.zeroTerms(`${tag}/z`, count);
  const perSet = (3 + t) * count * R.limbs;
  const out = R.alloc(ra.length * (3 + t) * count);
  for (let s = 0; s < ra.length; s++) {
    let o = s * perSet;
    for (const part of [ra[s]!, rb[s]!, rr[s]!, ...rz[s]!]) {
      out.set(part, o);
      o += part.length;
    }
  }
  return out;
}

/** y_j[v] = a_j·b_j + r_j + z_j of party j for value v, from the accepted terms of its sets. */
function recomputeMaskedShare(R: GaloisRing, n: number, t: number, j: number, sets: readonly number[][], terms: readonly GrVector[], count: number, v: number): GrVector {
  const a = R.alloc();
  const b = R.alloc();
  const y = R.alloc();
  const alpha = R.embedParty(j);
  sets.forEach((A, s) => {
    const f = prssPolyAt(R, n, A, j);
    const term = terms[s]!;
    // Element v of part k (ψ_a, ψ_b, ψ_r, ψ_z1..ψ_zt) is element k·count + v.
    R.mulAddInto(a, 0, term, v, f, 0);
    R.mulAddInto(b, 0, term, count + v, f, 0);
    R.mulAddInto(y, 0, term, 2 * count + v, f, 0);
    let w = f;
    for (let l = 1; l <= t; l++) {
      w = R.mul(w, alpha);
      R.mulAddInto(y, 0, term, (2 + l) * count + v, w, 0);
    }
  });
  R.mulAddInto(y, 0, a, 0, b, 0);
  return y;
}

/** f_A(α_j) with f_A of degree t, f_A(0) = 1, f_A(α_m) = 0 for m ∉ A (as in `Prss`). */
function prssPolyAt(R: GaloisRing, n: number, A: readonly number[], j: number): GrVector {
  const alpha = R.embedParty(j);
  let num = R.one();
  let den = R.one();
  for (let m = 1; m <= n; m++) {
    if (A.includes(m)) continue;
    num = R.mul(num, R.sub(alpha, R.embedParty(m)));
    den = R.mul(den, R.neg(R.embedParty(m)));
  }
  return R.mul(num, R.inv(den));
}

/** Do the shares of `alive` for value v lie on one polynomial of degree `degree`? */
function consistentAt(R: GaloisRing, degree: number, alive: readonly number[], shares: ReadonlyMap<number, GrVector | undefined>, v: number): boolean {
  if (alive.length < degree + 1) return false;
  const base = alive.slice(0, degree + 1);
  const acc = R.alloc();
  for (const j of alive.slice(degree + 1)) {
    const lambda = lagrangeCoefficients(R, base, j);
    acc.fill(0);
    for (let k = 0; k < base.length; k++) R.mulAddInto(acc, 0, lambda, k, shares.get(base[k]!)!, v);
    if (!R.equals(acc, 0, shares.get(j)!, v)) return false;
  }
  return true;
}

/**
 * The secrets of a degree-`degree` sharing if the shares of `alive` all lie on
 * one such polynomial (and there are at least degree + 1 of them), else
 * `undefined` (error detection, no correction).
 */
export function decodeWithDetection(R: GaloisRing, degree: number, alive: readonly number[], shares: ReadonlyMap<number, GrVector | undefined>, count: number): GrVector | undefined {
  if (alive.length < degree + 1) return undefined;
  const base = alive.slice(0, degree + 1);
  const baseShares = base.map((p) => shares.get(p)!);
  const acc = R.alloc();
  for (const j of alive.slice(degree + 1)) {
    const lambda = lagrangeCoefficients(R, base, j);
    const sj = shares.get(j)!;
    for (let v = 0; v < count; v++) {
      acc.fill(0);
      for (let k = 0; k < base.length; k++) R.mulAddInto(acc, 0, lambda, k, baseShares[k]!, v);
      if (!R.equals(acc, 0, sj, v)) return undefined;
    }
  }
  const lambda0 = lagrangeCoefficients(R, base, 0);
  const out = R.alloc(count);
  for (let k = 0; k < base.length; k++) for (let v = 0; v < count; v++) R.mulAddInto(out, v, lambda0, k, baseShares[k]!, v);
  return out;
}

function equalVectors(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
