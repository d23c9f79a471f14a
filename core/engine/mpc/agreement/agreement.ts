/**
 * @module core/engine/mpc/agreement/agreement
 * Byzantine agreement for the synchronous rounds our MPC sessions run in, so
 * that the decisions protocols take from what they were told (keep or discard
 * a triple batch, accept PRSS keys, use a pooled batch) are the *same* at every
 * honest party even when a corrupt party tells different honest parties
 * different things (equivocation). Pure: it only uses the `Network` interface.
 *
 * ## Primitive: multivalued phase king (`agreeValues`)
 * Berman–Garay–Perry's phase king in its n > 3t form (three rounds per phase),
 * which works for any value domain. k independent instances run in lockstep, so
 * one message per peer per round carries all of them. Each party holds v (a
 * byte string or "nothing"). For phase p = 1..t+1, with king p:
 *   R1. Send v to all. prop := the value received (own included) from ≥ n − t
 *       parties, else ⊥.
 *   R2. Send prop to all. If some value b ≠ ⊥ was proposed by ≥ t+1 parties,
 *       v := b; grade := (b proposed by ≥ n − t parties).
 *   R3. The king sends v to all; a party without grade adopts the king's v.
 * Output v after phase t+1. Argument (at most t corrupt, n ≥ 3t+1, every honest
 * message of a round arrives within that round):
 *  - Honest proposals agree: two honest parties proposing b ≠ b' would each
 *    have seen n − t supporters, and the two sets share ≥ n − 2t ≥ t+1 parties,
 *    one honest, who sent the same v to both. So all honest proposals are ⊥ or
 *    one value b*, and any value with t+1 proposers (one honest) is b*.
 *  - Grade spreads: an honest party with grade saw n − t proposals of b*, ≥ n − 2t
 *    ≥ t+1 of them honest, so every honest party sees t+1 and sets v := b*.
 *  - An honest king ends disagreement: in its phase either some honest party
 *    has grade (then every honest v, the king's included, is b*, and those
 *    without grade adopt the king's b*), or none has (all adopt the king's v).
 *    Kings 1..t+1 are distinct, so one of them is honest.
 *  - Persistence (also validity): if all honest parties start a phase with v,
 *    each sees ≥ n − t copies in R1 and R2, gets grade and keeps v whatever the
 *    king says. So once agreed, always agreed, and unanimous inputs decide.
 * A missing or malformed message counts as no vote. Cost: 3(t+1) rounds,
 * 2n(n−1) + (n−1) messages per phase (the king's round is one sender).
 *
 * ## Derived: `broadcastFromAll` and `agreeAll`
 * - `broadcastFromAll` (interactive consistency): one round where everyone
 *   sends its value, then n parallel instances where party j's instance starts
 *   from what j sent us. An honest j's value is what every honest party starts
 *   with, so it is decided (validity); a corrupt j's instance decides one value
 *   (possibly "nothing") for all honest parties. 1 + 3(t+1) rounds.
 * - `agreeAll(mine)`: "did everyone succeed?" One status round (a byte to
 *   everyone), then one instance whose input is "I and every status I got say
 *   yes" (a missing status counts as yes: only a silent party misses it).
 *   Properties: all honest parties return the same bit; if some honest party
 *   said no, it told every honest party, so every honest input is no and the
 *   result is no (validity); if everyone said yes to everyone, it is yes. A
 *   corrupt party can only turn a yes into a no (a retry), never the reverse.
 *   1 + 3(t+1) rounds.
 *
 * ## Early decision (`agreeAllEarly`)
 * Claim: a party that receives in R1 of phase 1 the same value v from all n
 * parties (its own included, none silent, none ignored) may decide v at once.
 * In R1 of phase 1 every honest party sends its input unchanged to everyone,
 * so the honest senders among those n, i.e. all honest parties, have input v;
 * by persistence (above) every honest party ends with v. Persistence needs
 * the honest parties' later messages, so a party that decided early must
 * still give the others everything it would send (R2, R3 if it is a king,
 * the later phases). Those messages are known in advance: in R2 every honest
 * party proposes v (each saw the ≥ n − t honest copies of v in R1), so the
 * early party sees ≥ n − t proposals of v, gets grade and keeps v whatever
 * the king says; by persistence the same holds in every later phase; so all
 * its later messages carry v. It therefore sends, in R2, one "decided v"
 * message (the word 0xffffffff, then the round encoding of v) instead of its
 * proposal, drains that round and stops; a receiver takes v as that party's
 * message in R2 and every later round (king round included) and sends it
 * nothing more. This is only a compression of the honest transcript, and a
 * corrupt party sending "decided" is a corrupt party repeating one value,
 * which it could do anyway. (Timing: a "decided" message that misses its
 * round's deadline makes its sender silent for that receiver for the rest of
 * the run, one of the t faults, as any late message would.) A corrupt party can deny early decision to some
 * honest parties (silence or a different value towards them), never make one
 * decide a value the others do not. For `agreeAll` this is the status round
 * plus R1: 2 rounds to a decision instead of 1 + 3(t+1), and when everyone
 * decides early, 3n(n−1) messages in all instead of the full run's
 * n(n−1)(1 + 2(t+1)) + (t+1)(n−1) (36 instead of 66 at (4,1), 126 instead of
 * 312 at (7,2)). Tests (agreement.test.ts) drop either half — the "decided"
 * message, or its use by the receivers — and the late parties then decide
 * the other value.
 * Earlier points are not enough. Unanimous "yes" in the status round: a
 * corrupt party may have sent "no" to another honest party, whose input is
 * then no (and the agreement may decide no). Unanimous votes in the pool's
 * offer/vote round (decryptionPool.ts): same, another honest party may have got a
 * different vote and not be ready. Both facts are about what one party saw;
 * R1 is the first round whose messages are the other honest parties' inputs.
 * Outside the model (more than t corrupt) an early decision may differ from
 * what other honest parties decide (as a full run may); callers keep their
 * local safety rules.
 *
 * ## Timing
 * The argument needs every honest message of a round to arrive before the
 * receivers give up on that round. With `timeoutMs`, round k of an agreement
 * ends at a deadline start + (k+1)·2·timeoutMs rather than after a per-round
 * timeout, so a corrupt party that is silent towards one honest party (making
 * it wait while the others move on) cannot accumulate skew from round to round:
 * honest parties that start within one timeout of each other stay aligned.
 * Parties in `ignore` (proven cheaters or parties already silent in this
 * session) are not waited for; they count against t. Without `timeoutMs` the
 * network's own per-round timeout applies.
 */
import { MpcParameterError } from '../errors.js';
import type { Network } from '../network/network.js';

/** One party's value in an instance: bytes, or `undefined` ("nothing", itself a value that can be decided). */
export type AgreedValue = Uint8Array | undefined;

export interface AgreementOptions {
  /** Per-round wait basis; rounds end at deadlines 2·timeoutMs apart (module doc). */
  timeoutMs?: number;
  /** Parties not waited for and not listened to (known faulty here). */
  ignore?: ReadonlySet<number>;
  /** Largest value accepted from a peer, in bytes (larger counts as no vote). */
  maxValueBytes?: number;
}

const BOTTOM = 0;
const VALUE = 1;
const NOTHING = 2;

/** ⊥ (no proposal) is `null`; a value is its key string. */
type Slot = string | null;

function keyOf(v: AgreedValue): string {
  return v === undefined ? '-' : `x${Buffer.from(v).toString('hex')}`;
}

function valueOf(k: string): AgreedValue {
  return k === '-' ? undefined : new Uint8Array(Buffer.from(k.slice(1), 'hex'));
}

/**
 * A phase-king round message with these values (`null` = ⊥), as an honest party
 * would send it. @internal For adversaries in tests (`malicious/agreement.ts`).
 */
export function encodeAgreementRound(values: readonly (AgreedValue | null)[]): Uint8Array {
  return encode(values.map((v) => (v === null ? null : keyOf(v))));
}

/** Rounds of `agreeValues` (3(t+1)); `broadcastFromAll` and `agreeAll` add one. */
export function agreementRounds(t: number): number {
  return 3 * (t + 1);
}

function encode(slots: readonly Slot[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let len = 4;
  for (const s of slots) {
    const body = s === null || s === '-' ? new Uint8Array(0) : Buffer.from(s.slice(1), 'hex');
    const head = new Uint8Array(5);
    head[0] = s === null ? BOTTOM : s === '-' ? NOTHING : VALUE;
    new DataView(head.buffer).setUint32(1, body.length);
    parts.push(head, body);
    len += 5 + body.length;
  }
  const out = new Uint8Array(len);
  new DataView(out.buffer).setUint32(0, slots.length);
  let o = 4;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The k slots of a message, or `undefined` if it is malformed (then it counts as missing). */
function decode(m: Uint8Array | undefined, k: number, maxValueBytes: number): Slot[] | undefined {
  if (!m || m.length < 4) return undefined;
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  if (dv.getUint32(0) !== k) return undefined;
  const out: Slot[] = [];
  let o = 4;
  for (let i = 0; i < k; i++) {
    if (o + 5 > m.length) return undefined;
    const kind = m[o]!;
    const len = dv.getUint32(o + 1);
    o += 5;
    if (len > maxValueBytes || o + len > m.length) return undefined;
    if (kind === BOTTOM && len === 0) out.push(null);
    else if (kind === NOTHING && len === 0) out.push('-');
    else if (kind === VALUE) out.push(`x${Buffer.from(m.subarray(o, o + len)).toString('hex')}`);
    else return undefined;
    o += len;
  }
  return o === m.length ? out : undefined;
}

/** Round bookkeeping shared by the agreement functions: deadlines and ignored parties. */
class Rounds {
  private readonly start = Date.now();
  private k = 0;
  /** Rounds ended so far. */
  get count(): number {
    return this.k;
  }
  constructor(
    readonly net: Network,
    private readonly o: AgreementOptions,
  ) {}

  private wait(): number | undefined {
    if (this.o.timeoutMs === undefined) return undefined;
    return Math.max(1, this.start + (this.k + 1) * 2 * this.o.timeoutMs - Date.now());
  }

  /** Receives this round from `from` (all others by default), then moves to the next round. */
  async exchange(from: readonly number[]): Promise<Map<number, Uint8Array | undefined>> {
    const wait = this.wait();
    const listen = from.filter((j) => j !== this.net.self && !this.o.ignore?.has(j));
    const got = await Promise.all(listen.map((j) => this.net.receive(j, wait)));
    this.net.nextRound();
    this.k++;
    return new Map(listen.map((j, i) => [j, got[i]]));
  }

  ignores(j: number): boolean {
    return this.o.ignore?.has(j) ?? false;
  }

  others(): number[] {
    const out: number[] = [];
    for (let j = 1; j <= this.net.n; j++) if (j !== this.net.self) out.push(j);
    return out;
  }

  sendAll(payload: Uint8Array): void {
    for (const j of this.others()) this.net.send(j, payload);
  }
}

function checkParameters(net: Network, t: number): void {
  if (!Number.isInteger(t) || t < 0 || net.n < 3 * t + 1) throw new MpcParameterError(`agreement needs n ≥ 3t+1, got (n, t) = (${net.n}, ${t})`);
}

/**
 * Runs `inputs.length` phase-king instances in parallel (module doc) and
 * returns the decided values, identical at every honest party. 3(t+1) rounds.
 *
 * @example
 * const [decided] = await agreeValues(net, t, [Uint8Array.of(1)], { timeoutMs: 100 });
 */
export async function agreeValues(net: Network, t: number, inputs: readonly AgreedValue[], options: AgreementOptions = {}): Promise<AgreedValue[]> {
  checkParameters(net, t);
  return (await phaseKing(new Rounds(net, options), t, inputs.map(keyOf), options.maxValueBytes ?? 1 << 20)).map(valueOf);
}

/** Leading word of a "decided" message (never a slot count: those are checked against k). */
const DECIDED = 0xffffffff;

function encodeDecided(values: readonly Slot[]): Uint8Array {
  const body = encode(values);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, DECIDED);
  out.set(body, 4);
  return out;
}

function decodeDecided(m: Uint8Array | undefined, k: number, maxValueBytes: number): Slot[] | undefined {
  if (!m || m.length < 8 || new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(0) !== DECIDED) return undefined;
  return decode(m.subarray(4), k, maxValueBytes);
}

/**
 * With `onUnanimous` (early mode, `agreeAllEarly`): called after R1 of phase
 * 1 when every one of the n parties (self included, nobody ignored or
 * silent) sent the same value in every instance; these are then the decided
 * values (module doc, early decision). The party then sends, in R2, one
 * "decided v" message instead of its proposal and stops (after draining R2):
 * the receivers take v as its message in that round and every later one —
 * exactly what it would have sent (module doc) — and send it nothing more.
 */
async function phaseKing(rounds: Rounds, t: number, inputs: readonly string[], maxValueBytes: number, onUnanimous?: (decided: string[]) => void): Promise<string[]> {
  const { net } = rounds;
  const n = net.n;
  const k = inputs.length;
  const v = inputs.slice();
  const everyone = rounds.others();
  /** Early mode: parties that sent "decided", with their values for every later round. */
  const halted = new Map<number, Slot[]>();
  /** Sends `payload` (if any) to every party that has not halted, then receives this round from `from`, decoded. */
  const exchange = async (payload: Uint8Array | undefined, from: readonly number[]): Promise<Map<number, Slot[] | undefined>> => {
    if (payload) for (const j of everyone) if (!halted.has(j)) net.send(j, payload);
    const got = await rounds.exchange(from.filter((j) => !halted.has(j)));
    const out = new Map<number, Slot[] | undefined>();
    for (const j of from) {
      if (j === net.self) continue;
      const before = halted.get(j);
      if (before) {
        out.set(j, before);
        continue;
      }
      const m = got.get(j);
      const decided = onUnanimous ? decodeDecided(m, k, maxValueBytes) : undefined;
      if (decided) halted.set(j, decided);
      out.set(j, decided ?? decode(m, k, maxValueBytes));
    }
    return out;
  };
  /** Per instance: how many parties (self included) sent each non-⊥ slot. */
  const tally = (own: readonly Slot[], got: Map<number, Slot[] | undefined>): Map<string, number>[] => {
    const counts = Array.from({ length: k }, () => new Map<string, number>());
    const add = (slots: readonly Slot[]): void =>
      slots.forEach((s, i) => {
        if (s !== null) counts[i]!.set(s, (counts[i]!.get(s) ?? 0) + 1);
      });
    add(own);
    for (const slots of got.values()) if (slots) add(slots);
    return counts;
  };
  for (let king = 1; king <= t + 1; king++) {
    // R1: values; propose one seen n − t times.
    const c1 = tally(v, await exchange(encode(v), everyone));
    if (king === 1 && onUnanimous && !everyone.some((j) => rounds.ignores(j)) && c1.every((c, i) => c.get(v[i]!) === n)) {
      onUnanimous(v.slice());
      // R2: "decided v" to everyone, drain their R2 messages, stop.
      await exchange(encodeDecided(v), everyone);
      return v;
    }
    const prop: Slot[] = c1.map((c) => {
      for (const [s, m] of c) if (m >= n - t) return s;
      return null;
    });
    // R2: proposals; adopt one proposed t+1 times, grade at n − t.
    const c2 = tally(prop, await exchange(encode(prop), everyone));
    const grade = c2.map((c, i) => {
      let best: string | undefined;
      let most = 0;
      for (const [s, m] of c) if (m > most || (m === most && best !== undefined && s < best)) [best, most] = [s, m];
      if (best !== undefined && most >= t + 1) v[i] = best;
      return most >= n - t;
    });
    // R3: the king's values break ties for parties without grade.
    const kv = (await exchange(net.self === king ? encode(v) : undefined, net.self === king ? [] : [king])).get(king);
    if (kv) kv.forEach((s, i) => {
      if (!grade[i] && s !== null) v[i] = s;
    });
  }
  return v;
}

/**
 * Interactive consistency: every party's `mine` as agreed by all honest
 * parties (an honest party's value exactly; `undefined` for a party whose
 * instance decided "nothing", e.g. a silent one). 1 + 3(t+1) rounds.
 *
 * @example
 * const all = await broadcastFromAll(net, t, encodeAccusations(mine));
 */
export async function broadcastFromAll(net: Network, t: number, mine: Uint8Array, options: AgreementOptions = {}): Promise<Map<number, AgreedValue>> {
  checkParameters(net, t);
  const maxValueBytes = options.maxValueBytes ?? 1 << 20;
  const rounds = new Rounds(net, options);
  rounds.sendAll(mine);
  const got = await rounds.exchange(rounds.others());
  const inputs: string[] = [];
  for (let j = 1; j <= net.n; j++) {
    const m = j === net.self ? mine : got.get(j);
    inputs.push(m === undefined || m.length > maxValueBytes ? '-' : keyOf(m));
  }
  const decided = await phaseKing(rounds, t, inputs, maxValueBytes);
  return new Map(decided.map((s, i) => [i + 1, valueOf(s)]));
}

/**
 * "Did every party succeed?", agreed (module doc): false at every honest party
 * if any honest party passes false; true if every party said true to every
 * party. 1 + 3(t+1) rounds.
 *
 * @example
 * const keep = await agreeAll(net, t, myDecodeWasConsistent, { ignore: session.excluded });
 */
export async function agreeAll(net: Network, t: number, mine: boolean, options: AgreementOptions = {}): Promise<boolean> {
  return (await agreeAllDetailed(net, t, mine, options)).agreed;
}

/**
 * `agreeAll`, also telling whether this party heard a "no" in the status round
 * (a local fact, not agreed): callers that must stay safe when more than t
 * parties are down or corrupt (outside the model, where agreement may fail)
 * add it to their own decision (triples.ts).
 */
export async function agreeAllDetailed(net: Network, t: number, mine: boolean, options: AgreementOptions = {}): Promise<AgreeAllDetails> {
  checkParameters(net, t);
  const rounds = new Rounds(net, options);
  rounds.sendAll(Uint8Array.of(mine ? 1 : 0));
  const got = await rounds.exchange(rounds.others());
  const heard = new Map<number, boolean>();
  for (const [j, m] of got) if (m !== undefined) heard.set(j, m.length === 1 && m[0] === 1);
  const heardNo = [...heard.values()].includes(false);
  const input = mine && !heardNo;
  const [decided] = await phaseKing(rounds, t, [keyOf(Uint8Array.of(input ? 1 : 0))], 1);
  return { agreed: decided === keyOf(Uint8Array.of(1)), heardNo, heard };
}

/** What `agreeAllDetailed` returns: the agreed bit and this party's local view of the status round. */
export interface AgreeAllDetails {
  agreed: boolean;
  /** Some status this party received said no (a malformed one counts as no). */
  heardNo: boolean;
  /** The status each party sent us (not ignored, not silent): true for yes. */
  heard: ReadonlyMap<number, boolean>;
}

/** What `agreeAllEarly`'s decision says. */
export interface EarlyAgreeAllDecision {
  agreed: boolean;
  /** As in `agreeAllDetailed` (a local fact). */
  heardNo: boolean;
  /** Decided after R1 of phase 1 (n identical values) rather than at the end. */
  early: boolean;
  /** Rounds this party had ended when it decided: 2 when early, 1 + 3(t+1) otherwise. */
  rounds: number;
}

/** How the rounds of an `agreeAllEarly` ended (its `done`; never rejects): the final value (the early one when early) and the rounds run. */
export type EarlyAgreeAllOutcome = { agreed: boolean; rounds: number } | { error: Error; rounds: number };

export interface EarlyAgreeAll {
  /** The agreed bit as soon as it is known: after 2 rounds when early, else after 1 + 3(t+1). Rejects only if the network throws. */
  decided: Promise<EarlyAgreeAllDecision>;
  /**
   * Resolves when this party has sent all its messages and ended every round
   * (or failed): one round after an early decision ("decided", then draining
   * that round), else with `decided`. The caller must keep `net` open until
   * then.
   */
  done: Promise<EarlyAgreeAllOutcome>;
}

/**
 * `agreeAllDetailed` with early decision (module doc): when R1 of phase 1
 * brings the same bit from all n parties, `decided` resolves at once while
 * the "decided" round goes on in the background (`done`), so that parties
 * that did not see unanimity still decide the same bit. Run it on a network
 * of its own (`net.child(...)`) so that its last round can overlap what
 * follows.
 *
 * @example
 * const decideNet = net.child('decide');
 * const a = agreeAllEarly(decideNet, t, ready, { ignore });
 * void a.done.finally(() => decideNet.close());
 * const { agreed } = await a.decided;
 */
export function agreeAllEarly(net: Network, t: number, mine: boolean, options: AgreementOptions = {}): EarlyAgreeAll {
  checkParameters(net, t);
  let settle!: (d: EarlyAgreeAllDecision) => void;
  let fail!: (e: Error) => void;
  const decided = new Promise<EarlyAgreeAllDecision>((resolve, reject) => ((settle = resolve), (fail = reject)));
  const rounds = new Rounds(net, options);
  const yes = keyOf(Uint8Array.of(1));
  const run = async (): Promise<boolean> => {
    rounds.sendAll(Uint8Array.of(mine ? 1 : 0));
    const got = await rounds.exchange(rounds.others());
    let heardNo = false;
    for (const m of got.values()) if (m !== undefined && !(m.length === 1 && m[0] === 1)) heardNo = true;
    const input = mine && !heardNo;
    const [final] = await phaseKing(rounds, t, [keyOf(Uint8Array.of(input ? 1 : 0))], 1, ([v]) => settle({ agreed: v === yes, heardNo, early: true, rounds: rounds.count }));
    // A no-op when already settled early.
    settle({ agreed: final === yes, heardNo, early: false, rounds: rounds.count });
    return final === yes;
  };
  const done = run().then(
    (agreed): EarlyAgreeAllOutcome => ({ agreed, rounds: rounds.count }),
    (e: unknown): EarlyAgreeAllOutcome => {
      const error = e instanceof Error ? e : new Error(String(e));
      fail(error);
      return { error, rounds: rounds.count };
    },
  );
  decided.catch(() => undefined); // reported by `done` too: never an unhandled rejection
  return { decided, done };
}
