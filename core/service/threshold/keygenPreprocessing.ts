/**
 * @module core/service/threshold/keygenPreprocessing
 * The DKG's offline phase as a threshold core runs it: every random bit and
 * triple the key generation will consume, made chunk by chunk
 * (core/engine/mpc/keygen/preprocessing.ts), each chunk sealed in the vault
 * as soon as it exists, with progress persisted, so that a crash or restart
 * of any party costs at most the chunk in flight.
 *
 * Keeping the parties' chunk i matched across restarts:
 * - chunk i is made in a session named after the rendezvous the parties last
 *   met at (fresh session ids: fresh PRSS tags), and a party goes on only
 *   once every party said it stored chunk i ("stored" round): a party that
 *   died cannot be left behind while the others finish without it;
 * - on any failure, and on every start, the parties meet at a rendezvous:
 *   they wait for each other's hello (round 0), then agree by Byzantine
 *   broadcast on how many chunks each has stored, so every honest party sees
 *   the same counts whatever a liar tells whom, and all keep the common
 *   prefix k = min (everything from k on is dropped and made again; a count
 *   missing from the agreed vector sends everyone to the next rendezvous).
 *   Chunks below k were made in the same sessions at every party, by
 *   induction on rendezvous;
 * - rendezvous are numbered; a party persists the next number once it met
 *   the others. One that restarts may have missed that step, so it waits at
 *   its number and the next, and takes the lower if both fill.
 * A rendezvous waits for all n parties, re-sending its hello: a party that
 * is down pauses the preprocessing (the log names whom it waits for) until
 * it is back; material is only ever dropped, never reused. Chunk generation
 * itself tolerates t parties that lie or send garbage (the triple protocol's
 * checks, robust opens); a silent party stops at the "stored" round.
 *
 * A pause is not forever: when the number of chunks every party stored has
 * not grown for `stallTimeoutMs` (default 1 h) — a party down too long, or
 * one that keeps interrupting and then reporting fewer chunks so that all
 * redo them — the preprocessing fails with PREPROC_STALLED, naming the
 * parties it last waited for, that left chunks unconfirmed, or that reported
 * the least chunks. Its material is wiped and the request gets a signed
 * failure; a new keygen_preproc starts over.
 */
import type { Logger } from 'pino';
import type { GaloisRing } from '../../engine/mpc/algebra/galoisRing.js';
import { encodeChunk, generateChunk, type KeygenPreprocessingPlan } from '../../engine/mpc/keygen/preprocessing.js';
import type { ClosableNetwork } from '../../engine/mpc/network/network.js';
import { MpcSession } from '../../engine/mpc/online/session.js';
import { Prss, type PrssKeys } from '../../engine/mpc/prss/prss.js';
import type { RealRobustOpen } from '../../engine/mpc/sharing/robustOpen.js';
import { PreprocessingError, RobustOpenError } from '../../engine/mpc/errors.js';
import { broadcastFromAll } from '../../engine/mpc/agreement/agreement.js';
import { TkmsError } from '../../../common/errors.js';

/** What a party has persisted of one preprocessing. */
export interface PreprocProgress {
  /** Chunks 0 … stored − 1 are in storage. */
  stored: number;
  /** The next rendezvous number. */
  rendezvous: number;
}

/** Where a party keeps its chunks (sealed by the vault in the core) and progress. */
export interface PreprocStore {
  load(): Promise<PreprocProgress | undefined>;
  save(p: PreprocProgress): Promise<void>;
  writeChunk(index: number, bytes: Uint8Array): Promise<void>;
  dropChunk(index: number): Promise<void>;
}

export interface RunKeygenPreprocessingParameters {
  preprocId: string;
  open: (name: string) => ClosableNetwork;
  R: GaloisRing;
  t: number;
  prss: PrssKeys;
  plan: KeygenPreprocessingPlan;
  store: PreprocStore;
  logger: Logger;
  onProgress?: (done: number, total: number, stage: string) => void;
  /** How long a party waits for the others' "stored" and stored counts (default 60 s). */
  confirmTimeoutMs?: number;
  /** Re-send and log interval while waiting at a rendezvous (default 10 s). */
  rendezvousPollMs?: number;
  /** Fail (PREPROC_STALLED) when the common stored count has not grown for this long (default 1 h; module doc). */
  stallTimeoutMs?: number;
  /** Test-only: this party's opening protocol as an adversary runs it. */
  opener?: RealRobustOpen;
  /** Test-only: called after chunk `index` is stored, before "stored" is sent. */
  afterStore?: (index: number) => Promise<void> | void;
}

const STORED = Uint8Array.of(0x53);
const HELLO = Uint8Array.of(0x48);

class PreprocessingInterrupted extends Error {
  constructor(
    message: string,
    readonly parties: number[],
  ) {
    super(message);
  }
}

/** Where the preprocessing stands against its stall deadline, and whom to name if it passes. */
class StallWatch {
  private best: number;
  private since = Date.now();
  /** Why the last round did not advance, and the parties involved. */
  private last: { why: string; parties: number[] } = { why: 'no progress', parties: [] };

  constructor(
    stored: number,
    private readonly timeoutMs: number,
    private readonly preprocId: string,
  ) {
    this.best = stored;
  }
  /** The common stored count reached `k`: the clock restarts if it grew. */
  reached(k: number): void {
    if (k > this.best) {
      this.best = k;
      this.since = Date.now();
    }
  }
  blame(why: string, parties: number[]): void {
    this.last = { why, parties };
  }
  remainingMs(): number {
    return this.timeoutMs - (Date.now() - this.since);
  }
  /** Throws PREPROC_STALLED once the deadline passed. */
  check(): void {
    if (this.remainingMs() > 0) return;
    const who = this.last.parties.length ? ` (part${this.last.parties.length > 1 ? 'ies' : 'y'} ${this.last.parties.join(', ')})` : '';
    throw new TkmsError(
      'PREPROC_STALLED',
      `keygen preprocessing ${this.preprocId} made no progress for ${Math.round(this.timeoutMs / 1000)} s, stuck at ${this.best} chunks stored by every party: ${this.last.why}${who}`,
    );
  }
}

export async function runKeygenPreprocessing(p: RunKeygenPreprocessingParameters): Promise<void> {
  const total = p.plan.chunks.length;
  const log = p.logger.child({ preprocId: p.preprocId });
  const loaded = await p.store.load();
  let progress: PreprocProgress = loaded ?? { stored: 0, rendezvous: 0 };
  const save = async (next: PreprocProgress): Promise<void> => {
    progress = next;
    await p.store.save(next);
  };
  // After a restart the last rendezvous may have completed unrecorded: try the next one too.
  let unsure = loaded !== undefined;
  if (loaded) log.info({ stored: loaded.stored, total }, 'keygen preprocessing resumes from its stored chunks');
  const prss = new Prss(p.R, p.prss);
  const stall = new StallWatch(progress.stored, p.stallTimeoutMs ?? 3_600_000, p.preprocId);

  for (;;) {
    stall.check();
    p.onProgress?.(progress.stored, total, 'waiting for every party');
    const met = await meet(p, unsure ? [progress.rendezvous, progress.rendezvous + 1] : [progress.rendezvous], progress.stored, log, stall);
    unsure = false;
    if (met.k === undefined) {
      // Every honest party saw the same incomplete vector: all meet again at the next number.
      await save({ ...progress, rendezvous: met.number + 1 });
      continue;
    }
    const { number, k } = met;
    if (met.least.length > 0) stall.blame(`the least stored count at rendezvous ${number} was ${k}`, met.least);
    for (let i = progress.stored - 1; i >= k; i--) await p.store.dropChunk(i);
    if (k < progress.stored) log.warn({ dropped: progress.stored - k, from: k }, 'keygen preprocessing: chunks not every party stored were dropped and will be made again');
    await save({ stored: k, rendezvous: number + 1 });
    if (k === total) {
      log.info({ chunks: total }, 'keygen preprocessing: every chunk stored by every party');
      return;
    }
    try {
      for (let i = k; i < total; i++) await makeChunk(i, number);
    } catch (e) {
      // A protocol failure (a party died or stalled) leads back to a rendezvous;
      // anything else (storage, a bug) ends this run: the core retries on restart.
      if (!(e instanceof PreprocessingInterrupted || e instanceof RobustOpenError || e instanceof PreprocessingError)) throw e;
      if (e instanceof PreprocessingInterrupted) stall.blame(e.message, e.parties);
      log.warn({ err: e.message, stored: progress.stored }, 'keygen preprocessing interrupted; meeting the other parties again');
    }
  }

  async function makeChunk(i: number, rendezvous: number): Promise<void> {
    const spec = p.plan.chunks[i]!;
    const net = p.open(`dkg-preproc/${rendezvous}/chunk-${i}`);
    try {
      const session = new MpcSession(net, p.R, p.t, prss, p.opener ? { opener: p.opener } : {});
      const chunk = await generateChunk(session, spec);
      await p.store.writeChunk(i, encodeChunk(p.R, spec, chunk));
      if (chunk.kind === 'bits') chunk.bits.fill(0);
      else for (const v of [chunk.triples.a, chunk.triples.b, chunk.triples.c]) v.fill(0);
      await save({ ...progress, stored: i + 1 });
      await p.afterStore?.(i);
      // Only when everyone stored it does the next chunk start.
      net.nextRound();
      for (const j of others(net.n, net.self)) net.send(j, STORED);
      const acks = await Promise.all(others(net.n, net.self).map((j) => net.receive(j, p.confirmTimeoutMs ?? 60_000)));
      const missing = others(net.n, net.self).filter((_, x) => acks[x] === undefined);
      if (missing.length > 0) throw new PreprocessingInterrupted(`chunk ${i} not confirmed`, missing);
      stall.reached(i + 1);
      if (session.excluded.size > 0) log.warn({ chunk: i, excluded: [...session.excluded] }, 'keygen preprocessing: parties deviated or were silent in a chunk; corrected');
      p.onProgress?.(i + 1, total, `chunk ${i + 1} of ${total} (${spec.kind})`);
    } finally {
      net.close();
    }
  }
}

function others(n: number, self: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((j) => j !== self);
}

function u32(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, x);
  return b;
}

/**
 * Rendezvous (module doc): waits until every party said hello at one of the
 * `numbers` (the lower wins when both fill), then agrees on every party's
 * stored count (Byzantine broadcast: all honest parties get the same vector,
 * whatever a liar sends to whom). Resolves with the rendezvous taken and
 * k = the least count, or k undefined when some count is missing or
 * malformed in the agreed vector (then every honest party meets again at the
 * next number). `least`: the parties whose count was k while some count was
 * higher (who made the others redo chunks). Throws PREPROC_STALLED (`stall`)
 * when waiting for hellos outlasts the deadline.
 */
async function meet(p: RunKeygenPreprocessingParameters, numbers: number[], stored: number, log: Logger, stall: StallWatch): Promise<{ number: number; k: number | undefined; least: number[] }> {
  const poll = p.rendezvousPollMs ?? 10_000;
  const nets = numbers.map((number) => ({ number, net: p.open(`dkg-preproc/rendezvous-${number}`) }));
  try {
    const heard = nets.map(() => new Set<number>());
    const full = (x: number): boolean => heard[x]!.size === nets[x]!.net.n - 1;
    for (let waited = 0, graceUsed = false; ; waited += poll) {
      for (const { net } of nets) for (const j of others(net.n, net.self)) net.send(j, HELLO);
      await Promise.all(
        nets.map(async ({ net }, x) => {
          const pending = others(net.n, net.self).filter((j) => !heard[x]!.has(j));
          const got = await Promise.all(pending.map((j) => net.receive(j, poll)));
          pending.forEach((j, y) => got[y] !== undefined && heard[x]!.add(j));
        }),
      );
      // The lower number if it filled; the higher only after one more poll without the lower.
      const chosen = full(0) ? 0 : nets.length > 1 && full(1) && graceUsed ? 1 : -1;
      if (nets.length > 1 && full(1)) graceUsed = true;
      if (chosen >= 0) {
        const { number, net } = nets[chosen]!;
        // A last hello: a party that came back late may have missed ours.
        for (const j of others(net.n, net.self)) net.send(j, HELLO);
        net.nextRound();
        const agreed = await broadcastFromAll(net, p.t, u32(stored), { timeoutMs: p.confirmTimeoutMs ?? 60_000, maxValueBytes: 4 });
        // The agreed vector, own entry included: what every honest party computes k from.
        const counts = Array.from({ length: net.n }, (_, x) => agreed.get(x + 1));
        const missing = counts.flatMap((c, x) => (c === undefined || c.length !== 4 ? [x + 1] : []));
        if (missing.length > 0) {
          log.warn({ rendezvous: number, missing }, 'keygen preprocessing: parties met but their stored counts are not agreed; meeting again');
          stall.blame(`stored counts not agreed at rendezvous ${number}`, missing);
          return { number, k: undefined, least: [] };
        }
        const values = counts.map((c) => new DataView(c!.buffer, c!.byteOffset, 4).getUint32(0));
        const k = Math.min(...values);
        const least = values.some((v) => v > k) ? values.flatMap((v, x) => (v === k ? [x + 1] : [])) : [];
        return { number, k, least };
      }
      const missing = others(nets[0]!.net.n, nets[0]!.net.self).filter((j) => heard.every((h) => !h.has(j)));
      log.info({ waitedMs: waited + poll, missing, rendezvous: numbers }, 'keygen preprocessing waits for every party to continue');
      stall.blame('parties never came to the rendezvous', missing);
      stall.check();
    }
  } finally {
    for (const { net } of nets) net.close();
  }
}
