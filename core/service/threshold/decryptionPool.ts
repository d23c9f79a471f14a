/**
 * @module core/service/threshold/decryptionPool
 * Background-filled pools of decryption material (random bits + triples, what
 * `preprocessDecryption` makes) for one loaded key, and the agreement that
 * makes every party consume the *same* pooled batch for the same request
 * although requests reach the parties concurrently and in different orders.
 * Without a pool every decryption preprocesses inline (169 triples per block
 * for the lean circuit, then 7 online rounds); with one, the online phase
 * starts at once (pooled batches are made for the shallow circuit: 299
 * triples per block, 4 online rounds; borrowCircuit.ts).
 *
 * ## Batches
 * A batch is `batchBlocks` blocks of material made in its own MPC session
 * `pool/<epoch>/<k>` (epoch: below, a digest that includes the id of a
 * decryption session of this key, so no two keys share one; k: the batch
 * number, counting up). PRSS keys are per key, so the material of a batch is
 * tied to its key and its tags (session id + counter). Party i's
 * shares of batch (epoch, k) only match the other parties' shares of the
 * same batch. A party starts the session for `nextBatch` and increments
 * `nextBatch` at once, so it never runs a batch session twice in one life.
 * Refill: when fewer than `lowWater` batches are left (after a request took
 * some), a background loop makes batches until `highWater`, among the parties
 * that answered that request (it does not wait for the others). All parties
 * consume in step, so they refill at about the same time; a party that starts
 * a batch alone waits the first-round timeout, fails without revealing
 * anything (triples.ts: no blame reveal with fewer than 2t+1 shares), and
 * stops refilling until the next request; the others make that batch without
 * it. Such a batch is held by some parties only and is dropped (stale rule
 * below).
 *
 * ## Which batch a request uses (round 0 of the decryption session, then an agreement)
 * Round 0 ("offer", the only round before the decision): each party first
 * *reserves* its candidate, the lowest ⌈blocks / batchBlocks⌉ batches it
 * holds in its epoch (none without an epoch or enough batches): they leave
 * its pool and will be used or dropped, never offered again (a concurrent
 * request's offer no longer lists them). It then sends its epoch,
 * `nextBatch`, a fresh 16-byte nonce, the numbers of the batches it still
 * holds and its candidate (its *vote*). Let V be the parties that answered
 * (self included). A party is *ready* iff |V| ≥ n − t and *every* answer has
 * its epoch and its candidate. Then, on the offers of V (if |V| ≥ n − t):
 *  - Epoch: if ≥ n − t members of V report the same epoch E, a party on
 *    another epoch (or none: it just started) adopts E with its pool empty and
 *    nextBatch := the (t+1)-th largest nextBatch reported with E (so at most t
 *    liars cannot push it above every honest value, and it is above every
 *    batch an honest majority finished). Otherwise every party starts a new
 *    epoch H(session, nonces of V in party order), nextBatch 0, pool empty: a
 *    fresh honest nonce makes its session ids new, so even after every party
 *    restarted no batch session id (hence no PRSS tag) is ever reused. A
 *    ready party never changes epoch (all of V, ≥ n − t, reported its own).
 *  - Stale rule: a party drops every batch that some member of V does not
 *    hold (a batch is only usable when all participants hold it), e.g. all
 *    batches made before a party restarted. After such a drop (or an epoch
 *    change) batches still being made are discarded when they complete: the
 *    restarted party does not run them.
 * (Until this version the candidate was the lowest batches held by all of V,
 * sent in a second round. Voting in the offer saves that round; the price is
 * that parties whose lowest held batches differ, e.g. one batch finished at
 * some parties only, go inline once, after which the stale rule has
 * realigned them. The single-use argument below only needs "reserved before
 * it is voted for" and "ready = unanimous votes", which both versions keep.)
 * Decide: `agreeAllEarly(ready)` (engine agreement/agreement.ts: a status
 * round and a phase-king agreement, 1 + 3(t+1) rounds) in the child session
 * `<session>/decide`, with its own rounds. Every honest party gets the same
 * answer: pool (each uses its candidate) or inline. A party that receives the
 * same R1 value from all n parties knows it is every honest party's input and
 * decides after 2 rounds (early decision, agreement.ts); it starts the online
 * phase in the main session (round 1 on) at once while its last agreement
 * round (one "decided" message to each party, which stands for all its later
 * rounds) goes on in the child session, so that a party a corrupt one denied
 * unanimity still ends with the same answer (a few rounds later; the early
 * parties' first online round waits for it like for any late party).
 * Skew: if the corrupt party is also silent towards it in a later agreement
 * round, the late party loses one round timeout (then that party counts as
 * silent in the child session) and may reach the online phase just after the
 * early parties' wait for it ended — the same skew a silence in the old,
 * sequential agreement caused; it costs liveness (a failed request), never a
 * wrong answer. Nothing earlier is enough: unanimous votes or statuses are
 * what *this* party was told, and another honest party may have been told
 * otherwise and be not ready (agreement.ts, early decision). The child
 * network is closed only when its rounds end; `close()` and `idle()` wait for
 * them, the answer does not. A reserved batch that is not used is dropped,
 * and so is any pooled batch that t+1 parties voted for.
 * ## Why a batch is never used twice, and what honest parties agree on
 * - Locally: a batch is reserved once and then removed.
 * - Across parties: if an honest party P uses batch b in request X, every
 *   answer P received was b, from ≥ n − t parties, so ≥ n − 2t ≥ t+1 honest
 *   parties voted b and hold it no longer (it was reserved before the vote
 *   was sent), so they never vote for it again. Any later use of b needs a
 *   vote for b from every one of ≥ n − t answering parties, and with
 *   n ≥ 3t+1 any n − t parties include one of those t+1 (at most t others).
 *   So b is never used again,
 *   even by parties that were down during X, and it is not reused after a
 *   restart either (the restarted party lost b; session ids are per epoch).
 * - Honest parties take the same decision (agreement), and when it is "pool"
 *   they use the same batches: every honest party was ready (an honest party
 *   that was not told every honest party "no", so all honest inputs were no
 *   and the agreed answer is no), and an honest party is ready only if the
 *   votes of all honest parties, which are the same to everyone, equal its
 *   candidate. Concurrent requests seen in different orders make votes
 *   differ: then *everyone* preprocesses inline. An equivocating party
 *   (different offers, votes or statuses to different honest parties) can
 *   only push everyone to inline (slower, correct), never split them; claiming
 *   no batches does the same. decryptionPool.test.ts shows it: a party lying in
 *   its vote and its status to one honest party, every honest answer right.
 * - Remaining (documented): equivocated *offers* can still move honest
 *   parties to different epochs or nextBatch values; their candidates then
 *   differ, so requests go inline (agreed) until the next offer round
 *   resynchronises them — a cost in speed, never in correctness.
 * - Cost: 3 rounds before the online phase when no party equivocates or is
 *   silent (offer, status, R1), else 1 + 1 + 3(t+1) (8 at (4,1), 11 at
 *   (7,2)); the version before early decision took 2 + 1 + 3(t+1) every
 *   time. Messages of a few bytes: n(n−1) offers, then the agreement's
 *   3n(n−1) when everyone decides early (36 at (4,1), 126 at (7,2); the
 *   "decided" third round in the background), else up to n(n−1) +
 *   (t+1)(2n(n−1) + n − 1) (66, 312). Before: 2n(n−1) + 66 / 312.
 *
 * ## Restart
 * Pools live in memory only and are empty after a restart (persisting them
 * would need encryption at rest and agreement on what was consumed). The
 * restarted party offers no epoch and no batches: it adopts the others'
 * epoch, the others drop every batch it lacks (stale rule), everyone
 * preprocesses that request inline and refills in step from the agreed
 * nextBatch. Tested in thresholdCore.test.ts and decryptionPool.test.ts.
 *
 * ## Cheaters
 * Parties *proven* wrong (a wrong share in a robust open, a wrong masked
 * product in the triple check; never a party that was merely silent) in any
 * pooled or decryption session are recorded per key, logged, and excluded
 * from every later session of the key: their messages are ignored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { GaloisRing, GrVector } from '../../engine/mpc/algebra/galoisRing.js';
import { CIRCUIT_LEAN } from '../../engine/mpc/decryption/borrowCircuit.js';
import { DecryptionMaterial, joinMaterial, preprocessDecryption, thresholdDecrypt, thresholdDecryptShares, type DecryptionSharesReturnType, type ThresholdDecryptionReturnType } from '../../engine/mpc/decryption/bitDecomposition.js';
import { agreeAllEarly, type EarlyAgreeAll, type EarlyAgreeAllDecision } from '../../engine/mpc/agreement/agreement.js';
import { overrideNetwork, receiveFromAll, sendToAll, type Network } from '../../engine/mpc/network/network.js';
import { MpcSession } from '../../engine/mpc/online/session.js';
import type { Prss } from '../../engine/mpc/prss/prss.js';
import type { RealRobustOpen } from '../../engine/mpc/sharing/robustOpen.js';
import type { RealTripleGeneration } from '../../engine/mpc/preprocessing/triples.js';
import type { ParsedCiphertext } from '../../engine/tfhe/ciphertext.js';

/** Opens a session-bound network; `close` frees its buffered messages. */
export type OpenSession = (sessionId: string) => Network & { close(): void };

export interface DecryptionPoolOptions {
  R: GaloisRing;
  t: number;
  prss: Prss;
  /** For logs only. */
  label?: string;
  open: OpenSession;
  /** Blocks per batch (default 8: an ebool takes one batch, an euint64 four). */
  batchBlocks?: number;
  /** Refill starts below this many batches (default 8). */
  lowWater?: number;
  /** Refill stops at this many batches (default 16). */
  highWater?: number;
  logger?: Logger;
  /** First-round wait for a party that did not answer the last request (default 2 000 ms). */
  absentWaitMs?: number;
  /** The opening protocol of this party's sessions (an adversary's in tests). */
  opener?: RealRobustOpen;
  /** The triple generation protocol of this party's sessions (an adversary's in tests). */
  tripleGeneration?: RealTripleGeneration;
}

/** How one decryption got its material. */
/** Where a decryption's preprocessed material came from. */
export interface MaterialChoice {
  source: 'pool' | 'inline';
  /** The batch numbers used (pool) — for tests and logs. */
  batches: number[];
  /** The pool-or-inline decision was taken early (R1 of the agreement was unanimous). */
  earlyDecision: boolean;
}

export interface PooledDecryption extends ThresholdDecryptionReturnType, MaterialChoice {}

export interface DecryptionPoolStatus {
  epoch: string | undefined;
  nextBatch: number;
  batches: number[];
  excluded: number[];
  pooled: number;
  inline: number;
  produced: number;
  productionFailures: number;
  dropped: number;
  /** Decisions taken early (agreement.ts, early decision). */
  early: number;
}

const NONE = 0xffffffff;

/**
 * A network on which parties outside `expected` get no waiting: their
 * message is taken if it is already there, else they are an erasure at once
 * (a party that was down for the request that triggered a refill does not
 * refill; waiting the first-round timeout for it in every batch would stall
 * the pool).
 */
function expectOnly(net: Network & { close?(): void }, expected: ReadonlySet<number>, othersWaitMs = 1, firstRoundOnly = false): Network & { close(): void } {
  return {
    ...overrideNetwork(net, {
      receive: (from, timeoutMs) => net.receive(from, expected.has(from) || (firstRoundOnly && net.round > 0) ? timeoutMs : othersWaitMs),
    }),
    close: () => net.close?.(),
  };
}

interface Offer {
  epoch: string | undefined;
  nextBatch: number;
  nonce: Uint8Array;
  batches: number[];
  /** The candidate batches (the vote), `undefined` for none. */
  vote: number[] | undefined;
}

/** Wire: epoch flag and 16 bytes, nextBatch, nonce, held count and numbers, then the vote (NONE for none) to the end. */
function encodeOffer(o: Offer): Uint8Array {
  const vote = o.vote ?? [NONE];
  const out = new Uint8Array(41 + 4 * o.batches.length + 4 * vote.length);
  const v = new DataView(out.buffer);
  if (o.epoch !== undefined) {
    out[0] = 1;
    out.set(Buffer.from(o.epoch, 'hex'), 1);
  }
  v.setUint32(17, o.nextBatch);
  out.set(o.nonce, 21);
  v.setUint32(37, o.batches.length);
  o.batches.forEach((b, i) => v.setUint32(41 + 4 * i, b));
  vote.forEach((b, i) => v.setUint32(41 + 4 * o.batches.length + 4 * i, b));
  return out;
}

function decodeOffer(m: Uint8Array | undefined): Offer | undefined {
  if (!m || m.length < 45) return undefined;
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const count = v.getUint32(37);
  const votes = (m.length - 41 - 4 * count) / 4;
  if (count > 4096 || !Number.isInteger(votes) || votes < 1 || votes > 4096 || m[0]! > 1) return undefined;
  const batches: number[] = [];
  for (let i = 0; i < count; i++) batches.push(v.getUint32(41 + 4 * i));
  const vote: number[] = [];
  for (let i = 0; i < votes; i++) vote.push(v.getUint32(41 + 4 * count + 4 * i));
  if (vote.includes(NONE) && votes !== 1) return undefined;
  return {
    epoch: m[0] === 1 ? Buffer.from(m.subarray(1, 17)).toString('hex') : undefined,
    nextBatch: v.getUint32(17),
    nonce: m.slice(21, 37),
    batches,
    vote: vote[0] === NONE ? undefined : vote,
  };
}

/** What readiness compares: the epoch and the candidate (the same candidate in another epoch is other material). */
function voteKeyOf(o: Offer): string {
  return `${o.epoch ?? '-'}|${o.vote?.join(',') ?? '-'}`;
}

/**
 * One party's pool for one key.
 *
 * @example
 * const pool = new DecryptionPool({ R, t, prss, open: (sid) => transport.endpoint(sid) });
 * const r = await pool.decrypt(transport.endpoint(sessionIdFor(requestId, 'decrypt')), [ct], keyShare.share);
 */
export class DecryptionPool {
  private epoch: string | undefined;
  private nextBatch = 0;
  private readonly held = new Map<number, DecryptionMaterial>();
  private readonly excluded = new Set<number>();
  private producing: Promise<void> | undefined;
  private closed = false;
  private readonly counters = { pooled: 0, inline: 0, produced: 0, productionFailures: 0, dropped: 0, early: 0 };
  readonly batchBlocks: number;
  readonly lowWater: number;
  readonly highWater: number;

  constructor(private readonly o: DecryptionPoolOptions) {
    this.batchBlocks = o.batchBlocks ?? 8;
    this.lowWater = o.lowWater ?? 8;
    this.highWater = Math.max(this.lowWater, o.highWater ?? 16);
  }

  status(): DecryptionPoolStatus {
    return {
      epoch: this.epoch,
      nextBatch: this.nextBatch,
      batches: this.sortedHeld(),
      excluded: [...this.excluded].sort((a, b) => a - b),
      ...this.counters,
    };
  }

  /**
   * Resolves when no refill and no decision agreement is running (tests and
   * benchmarks wait for a full pool, or for every message of a request, with it).
   */
  async idle(): Promise<void> {
    while (this.producing || this.deciding.size > 0) await Promise.all([this.producing, ...this.deciding]);
  }

  /** Resolves when every decision agreement has sent its last round (benchmarks count messages after it). */
  async decisionsSettled(): Promise<void> {
    while (this.deciding.size > 0) await Promise.all(this.deciding);
  }

  /** Stops refilling; running sessions and decision agreements finish or time out. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.producing?.catch(() => undefined), ...this.deciding]);
  }

  private sortedHeld(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  private newSession(net: Network): MpcSession {
    const s = new MpcSession(net, this.o.R, this.o.t, this.o.prss, { ...(this.o.opener ? { opener: this.o.opener } : {}), ...(this.o.tripleGeneration ? { tripleGeneration: this.o.tripleGeneration } : {}) });
    for (const p of this.excluded) s.excluded.add(p);
    return s;
  }

  private record(session: MpcSession, where: string): void {
    const fresh = [...session.proven].filter((p) => !this.excluded.has(p));
    if (fresh.length === 0) return;
    for (const p of fresh) this.excluded.add(p);
    this.o.logger?.warn({ key: this.o.label, cheaters: fresh, where }, 'parties proven to deviate: excluded from this key’s later MPC sessions');
  }

  private drop(b: number): void {
    if (this.held.delete(b)) this.counters.dropped++;
  }

  /**
   * Decrypts `cts` in the session `net` (every party passes the same session):
   * agrees on pooled material (offer and vote in round 0, agreed in the child
   * session `decide`), else preprocesses inline, then runs the online phase. May
   * return before the agreement's last rounds are sent (module doc); the
   * caller may close `sessionNet` at once.
   */
  async decrypt(sessionNet: Network, cts: readonly ParsedCiphertext[], keyShare: GrVector): Promise<PooledDecryption> {
    const { result, ...how } = await this.withMaterial(sessionNet, cts, (session, material) => thresholdDecrypt(session, cts, keyShare, material));
    return { ...result, ...how };
  }

  /**
   * User decryption (threshold `decryptShare`): the same choice of pooled or
   * inline material as `decrypt`, then every party's shares of the masked
   * digits instead of an open (the user reconstructs them).
   */
  async decryptShares(sessionNet: Network, cts: readonly ParsedCiphertext[], keyShare: GrVector): Promise<DecryptionSharesReturnType & MaterialChoice> {
    const { result, ...how } = await this.withMaterial(sessionNet, cts, (session, material) => thresholdDecryptShares(session, cts, keyShare, material));
    return { ...result, ...how };
  }

  /** Agrees on pooled material for `cts` (module doc), else preprocesses inline, then runs `online` with it. */
  private async withMaterial<T>(
    sessionNet: Network,
    cts: readonly ParsedCiphertext[],
    online: (session: MpcSession, material: DecryptionMaterial) => Promise<T>,
  ): Promise<{ result: T } & MaterialChoice> {
    const { t } = this.o;
    // A party that did not answer the last request gets the ordinary round
    // timeout, not the first round's (which absorbs start skew): a dead party
    // then costs each request ~2 s, not ~10 s. If it answers, it is back.
    const net = this.participants.size === 0 ? sessionNet : expectOnly(sessionNet, this.participants, this.o.absentWaitMs ?? 2000, true);
    const n = net.n;
    const blocks = cts.reduce((s, c) => s + c.blocks.length, 0);
    const need = Math.ceil(blocks / this.batchBlocks);
    const session = this.newSession(net);
    let reserved: number[] | undefined;
    try {
      // Round 0: offer and vote in one message (module doc). The candidate is
      // reserved before it is sent: it leaves the pool, used or dropped.
      reserved = this.reserveCandidate(need);
      const mine: Offer = { epoch: this.epoch, nextBatch: this.nextBatch, nonce: randomBytes(16), batches: this.sortedHeld(), vote: reserved };
      sendToAll(net, encodeOffer(mine));
      const got = await receiveFromAll(net);
      net.nextRound();
      const offers = new Map<number, Offer>([[net.self, mine]]);
      // Parties silent in the offer round are not waited for in the agreement.
      const silent = new Set<number>();
      const mineKey = voteKeyOf(mine);
      let unanimous = true;
      const tally = new Map<number, number>();
      for (const [j, m] of got) {
        if (m === undefined) silent.add(j);
        if (session.excluded.has(j)) continue;
        const off = decodeOffer(m);
        if (!off) continue;
        offers.set(j, off);
        if (voteKeyOf(off) !== mineKey) unanimous = false;
        for (const b of off.vote ?? []) tally.set(b, (tally.get(b) ?? 0) + 1);
      }
      const answered = offers.size;
      if (answered >= n - t) this.settle(net.sessionId, offers);
      for (const [b, c] of tally) if (c >= t + 1) this.drop(b);
      let material: DecryptionMaterial;
      let source: 'pool' | 'inline';
      // The same decision at every honest party (module doc), in the child
      // session `decide`, whose rounds may go on while we decrypt.
      const ready = reserved !== undefined && unanimous && answered >= n - t && this.epoch === mine.epoch;
      const decision = this.decide(sessionNet, ready, new Set([...session.excluded, ...silent]));
      const { agreed: usePool, early } = await decision;
      this.counters.early += early ? 1 : 0;
      // `ready` too: outside the model (more than t parties down or corrupt)
      // the agreement may fail; a party then still uses a batch only with a
      // unanimous vote of n − t parties, the rule that keeps batches single-use.
      if (usePool && ready && reserved) {
        material = joinMaterial(this.o.R, reserved.map((b) => this.reservedMaterial.get(b)!));
        source = 'pool';
        this.counters.pooled++;
      } else {
        // Made to be used at once: the circuit with fewer triples (borrowCircuit.ts).
        material = await preprocessDecryption(session, blocks, 4, CIRCUIT_LEAN);
        source = 'inline';
        this.counters.inline++;
      }
      const result = await online(session, material);
      return { result, source, batches: source === 'pool' ? reserved! : [], earlyDecision: early };
    } finally {
      for (const b of reserved ?? []) this.reservedMaterial.delete(b);
      this.record(session, 'decryption');
      // After the online phase, so the refill does not compete with it.
      this.kick();
    }
  }

  /** Decision agreements still sending their last rounds (`close` and `idle` wait for them). */
  private readonly deciding = new Set<Promise<void>>();

  /**
   * `agreeAllEarly(ready)` in the child session `decide` of `sessionNet`:
   * resolves with the decision (after 2 rounds when R1 was unanimous) while
   * its last round ("decided", agreement.ts) finishes in the background,
   * tracked in `deciding`; the child network is closed when it ends, never
   * before. The caller may close `sessionNet` meanwhile: the child's
   * messages live under their own session id.
   */
  private decide(sessionNet: Network, ready: boolean, ignore: ReadonlySet<number>): Promise<EarlyAgreeAllDecision> {
    const net = sessionNet.child('decide');
    let a: EarlyAgreeAll;
    try {
      a = agreeAllEarly(net, this.o.t, ready, { ignore });
    } catch (e) {
      net.close();
      throw e;
    }
    const tracked: Promise<void> = a.done.then((end) => {
      if ('error' in end) this.o.logger?.warn({ key: this.o.label, session: net.sessionId, err: end.error.message }, 'pool decision agreement failed');
      net.close();
      this.deciding.delete(tracked);
    });
    this.deciding.add(tracked);
    return a.decided;
  }

  private readonly reservedMaterial = new Map<number, DecryptionMaterial>();
  /** Highest nextBatch this party reached per epoch (never run a batch session twice in one life). */
  private readonly lastBatchOf = new Map<string, number>();
  /** The parties that answered the last offer round: refills do not wait for the others. */
  private participants = new Set<number>();
  /** Batches numbered below this (begun before the last resync) are discarded when they complete. */
  private minUsable = 0;

  /**
   * The candidate (module doc): the lowest `need` batches this party holds in
   * its epoch, taken out of the pool at once; none without an epoch or enough batches.
   */
  private reserveCandidate(need: number): number[] | undefined {
    if (this.epoch === undefined || need === 0) return undefined;
    const held = this.sortedHeld();
    if (held.length < need) return undefined;
    const take = held.slice(0, need);
    for (const b of take) {
      this.reservedMaterial.set(b, this.held.get(b)!);
      this.held.delete(b);
    }
    return take;
  }

  /** Epoch, nextBatch and stale rules on the offers (module doc). */
  private settle(sessionId: string, offers: Map<number, Offer>): void {
    const { t } = this.o;
    const n = this.o.prss.keys.n;
    const before = this.epoch;
    this.participants = new Set(offers.keys());
    const support = new Map<string, number[]>();
    for (const [, off] of offers) {
      if (off.epoch === undefined) continue;
      support.set(off.epoch, [...(support.get(off.epoch) ?? []), off.nextBatch]);
    }
    let agreed: string | undefined;
    for (const [e, nb] of support) if (nb.length >= n - t) agreed = e;
    if (agreed !== undefined) {
      const nbs = support.get(agreed)!.sort((a, b) => b - a);
      const floor = nbs[Math.min(t, nbs.length - 1)]!;
      if (this.epoch !== agreed) {
        this.o.logger?.info({ key: this.o.label, from: this.epoch, to: agreed, nextBatch: floor }, 'decryption pool joins the parties’ epoch');
        for (const b of [...this.held.keys()]) this.drop(b);
        this.epoch = agreed;
        this.nextBatch = Math.max(floor, this.lastBatchOf.get(agreed) ?? 0);
      } else this.nextBatch = Math.max(this.nextBatch, floor);
      this.lastBatchOf.set(agreed, this.nextBatch);
    } else {
      const h = createHash('sha256').update(`TKMS-POOL-EPOCH|${sessionId}`);
      for (const j of [...offers.keys()].sort((a, b) => a - b)) h.update(offers.get(j)!.nonce);
      const fresh = h.digest('hex').slice(0, 32);
      this.o.logger?.info({ key: this.o.label, from: this.epoch, to: fresh }, 'decryption pool starts a new epoch');
      for (const b of [...this.held.keys()]) this.drop(b);
      this.epoch = fresh;
      this.nextBatch = 0;
    }
    // Stale rule: only batches every participant holds (in this epoch) are usable.
    const common = this.sortedHeld().filter((b) => [...offers.values()].every((off) => off.epoch === this.epoch && off.batches.includes(b)));
    const stale = this.sortedHeld().filter((b) => !common.includes(b));
    for (const b of stale) this.drop(b);
    // After a resync, a batch still in flight here may be missing elsewhere
    // (a party that restarted after it began): keep only batches begun from now.
    if (stale.length > 0 || this.epoch !== before) this.minUsable = this.nextBatch;
  }

  /** Starts the background refill when the pool is below the low-water mark. */
  private kick(): void {
    if (this.closed || this.producing || this.epoch === undefined || this.held.size >= this.lowWater) return;
    this.producing = this.refill().finally(() => (this.producing = undefined));
  }


  private async refill(): Promise<void> {
    while (!this.closed && this.epoch !== undefined && this.held.size < this.highWater) {
      const epoch = this.epoch;
      const k = this.nextBatch++;
      this.lastBatchOf.set(epoch, this.nextBatch);
      const net = expectOnly(this.o.open(`pool/${epoch}/${k}`), this.participants);
      const session = this.newSession(net);
      try {
        const material = await preprocessDecryption(session, this.batchBlocks);
        if (this.epoch === epoch && k >= this.minUsable && !this.closed) {
          this.held.set(k, material);
          this.counters.produced++;
        }
      } catch (e) {
        this.counters.productionFailures++;
        this.o.logger?.warn({ key: this.o.label, epoch, batch: k, err: (e as Error).message }, 'pooled preprocessing batch failed');
        // Typically this party started alone (the others are full or already
        // past k). Stop: the next request's offers re-synchronise nextBatch and
        // drop what not everyone holds, and kick the refill again.
        return;
      } finally {
        this.record(session, 'preprocessing');
        net.close();
      }
    }
  }
}
