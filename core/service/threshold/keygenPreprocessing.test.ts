/**
 * The DKG preprocessing survives crashes (issue 11 item 2), in memory at
 * (4,1): parties are killed at the worst moments — after storing a chunk but
 * before saying so, and while storing one — and restarted on their stores;
 * the preprocessing completes, every party holds the same number of chunks,
 * and the keygen that streams them produces keys satisfying tfhe-rs's
 * relations (so chunk i matched across parties: a mismatched chunk would give
 * inconsistent shares and wrong keys). Also: a silent party pauses the
 * preprocessing rather than being left behind, and a pause is not forever:
 * past the stall deadline the honest parties fail, naming whom they waited
 * for or who made them redo chunks.
 */
import { describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { ringForParties } from '../../engine/mpc/algebra/galoisRing.js';
import { seededRng } from '../../engine/mpc/algebra/random.js';
import { distributedKeygen, keygenLayout } from '../../engine/mpc/keygen/keygen.js';
import { ChunkedRandomness, decodeChunk, keygenPreprocessingPlan, type KeygenPreprocessingPlan } from '../../engine/mpc/keygen/preprocessing.js';
import { SHAPE, expectWithin, noiseOf, randomMasks, secretsOf } from '../../engine/mpc/keygen/_testUtils.js';
import { InMemoryHub } from '../../engine/mpc/network/inMemory.js';
import { overrideNetwork, type ClosableNetwork } from '../../engine/mpc/network/network.js';
import { robustReconstruct } from '../../engine/mpc/sharing/robustOpen.js';
import { MpcSession } from '../../engine/mpc/online/session.js';
import { Prss, prssSetup, type PrssKeys } from '../../engine/mpc/prss/prss.js';
import { runKeygenPreprocessing, type PreprocProgress, type PreprocStore } from './keygenPreprocessing.js';

const N = 4;
const T = 1;
const silent = pino({ level: 'silent' });

class Crash extends Error {}

/** What survives a party's crash: its chunks and its progress record. */
class MemoryStore implements PreprocStore {
  chunks = new Map<number, Uint8Array>();
  progress: PreprocProgress | undefined;
  crashWhileWriting: number | undefined;
  async load(): Promise<PreprocProgress | undefined> {
    return this.progress && { ...this.progress };
  }
  async save(p: PreprocProgress): Promise<void> {
    this.progress = { ...p };
  }
  async writeChunk(i: number, bytes: Uint8Array): Promise<void> {
    if (this.crashWhileWriting === i) {
      this.crashWhileWriting = undefined;
      throw new Crash(`crashed while writing chunk ${i}`);
    }
    this.chunks.set(i, bytes);
  }
  async dropChunk(i: number): Promise<void> {
    this.chunks.delete(i);
  }
}

function opener(hub: InMemoryHub, party: number): (name: string) => ClosableNetwork {
  return (name) => Object.assign(hub.endpoints(name, N)[party - 1]!, { close: () => hub.close(name, party) });
}

async function setupPrss(hub: InMemoryHub): Promise<PrssKeys[]> {
  const nets = hub.endpoints('prss', N);
  return Promise.all(nets.map((net) => prssSetup(net, T, seededRng(500 + net.self), { timeoutMs: 500 })));
}

/** Runs the keygen on the stored chunks and checks the keys it makes. */
async function expectKeygenFromStores(hub: InMemoryHub, prss: PrssKeys[], plan: KeygenPreprocessingPlan, stores: MemoryStore[]): Promise<void> {
  const R = ringForParties(N);
  const masks = randomMasks(keygenLayout(SHAPE).maskWords, 3);
  const nets = hub.endpoints('keygen', N);
  const outs = await Promise.all(
    nets.map((net, x) => {
      const session = new MpcSession(net, R, T, new Prss(R, prss[x]!), { timeoutMs: 500 });
      const randomness = new ChunkedRandomness(R, plan, async (spec) => decodeChunk(R, spec, stores[x]!.chunks.get(spec.index)!));
      return distributedKeygen(session, SHAPE, masks, { keepSmallKeyShare: true, batch: 64, randomness }).then((r) => ({ r, excluded: [...session.excluded] }));
    }),
  );
  for (const o of outs) {
    expect(o.excluded).toEqual([]); // every party's chunks matched: nobody looked like a cheater
    expect(o.r.bodies).toEqual(outs[0]!.r.bodies);
  }
  const S = secretsOf(R, T, new Map(outs.map((o, x) => [x + 1, o.r.bigKeyShare])), keygenLayout(SHAPE).bigDimension);
  const s = secretsOf(R, T, new Map(outs.map((o, x) => [x + 1, o.r.smallKeyShare!])), SHAPE.lweDimension);
  const noise = noiseOf(SHAPE, masks, outs[0]!.r.bodies, S, s);
  expectWithin(noise.cpk, SHAPE.cpkNoiseBoundLog2);
  expectWithin(noise.ksk, SHAPE.lweNoiseBoundLog2);
  expectWithin(noise.bsk, SHAPE.glweNoiseBoundLog2);
}

describe('keygen preprocessing in sealed chunks, resumable', () => {
  const plan = keygenPreprocessingPlan(keygenLayout(SHAPE), 211);

  test('default: all parties store every chunk; the keygen streams them and makes valid keys', async () => {
    const hub = new InMemoryHub({ timeoutMs: 500 });
    const prss = await setupPrss(hub);
    const stores = Array.from({ length: N }, () => new MemoryStore());
    const R = ringForParties(N);
    const seen: number[] = [];
    await Promise.all(
      stores.map((store, x) =>
        runKeygenPreprocessing({ preprocId: 'p', open: opener(hub, x + 1), R, t: T, prss: prss[x]!, plan, store, logger: silent, rendezvousPollMs: 100, confirmTimeoutMs: 2000, onProgress: (done) => x === 0 && seen.push(done) }),
      ),
    );
    for (const s of stores) expect([...s.chunks.keys()].sort((a, b) => a - b)).toEqual(plan.chunks.map((c) => c.index));
    expect(seen.at(-1)).toBe(plan.chunks.length);
    await expectKeygenFromStores(hub, prss, plan, stores);
  }, 120_000);

  test('behavior: party 3 killed after storing chunk 1 (before saying so) and party 2 killed while storing chunk 3, both restarted: same chunks everywhere, valid keys', async () => {
    expect(plan.chunks.length).toBeGreaterThan(4);
    const hub = new InMemoryHub({ timeoutMs: 500 });
    const prss = await setupPrss(hub);
    const stores = Array.from({ length: N }, () => new MemoryStore());
    stores[1]!.crashWhileWriting = 3;
    const R = ringForParties(N);
    let crashed3 = false;
    const run = (x: number): Promise<void> =>
      runKeygenPreprocessing({
        preprocId: 'p',
        open: opener(hub, x + 1),
        R,
        t: T,
        prss: prss[x]!,
        plan,
        store: stores[x]!,
        logger: silent,
        rendezvousPollMs: 100,
        confirmTimeoutMs: 1500,
        afterStore: (i) => {
          if (x === 2 && i === 1 && !crashed3) {
            crashed3 = true;
            throw new Crash('killed after storing chunk 1');
          }
        },
      });
    // A crashed party comes back after a pause, on the same store (what a restarted core does).
    const withRestart = async (x: number): Promise<number> => {
      let restarts = 0;
      for (;;) {
        try {
          await run(x);
          return restarts;
        } catch (e) {
          if (!(e instanceof Crash)) throw e;
          restarts++;
          await new Promise((r) => setTimeout(r, 700));
        }
      }
    };
    const restarts = await Promise.all(stores.map((_, x) => withRestart(x)));
    expect(restarts).toEqual([0, 1, 1, 0]);
    for (const s of stores) {
      expect([...s.chunks.keys()].sort((a, b) => a - b)).toEqual(plan.chunks.map((c) => c.index));
      expect(s.progress?.stored).toBe(plan.chunks.length);
    }
    await expectKeygenFromStores(hub, prss, plan, stores);
  }, 180_000);

  test('malicious: a party that withholds "stored" and then tells each party a different count at the rendezvous cannot split the honest parties: every chunk stays one sharing, the keys are right', async () => {
    const hub = new InMemoryHub({ timeoutMs: 500 });
    const prss = await setupPrss(hub);
    const stores = Array.from({ length: N }, () => new MemoryStore());
    const R = ringForParties(N);
    const u32 = (x: number): Uint8Array => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, x);
      return b;
    };
    // Party 4's wire (found by review): no "stored" for chunk 2, then at rendezvous 1 "0" to parties 2 and 3 and nothing to 1.
    const liar = (name: string): ClosableNetwork => {
      const net = opener(hub, 4)(name);
      const close = net.close;
      if (name === 'dkg-preproc/0/chunk-2') return Object.assign(overrideNetwork(net, { send: (to, m) => void (!(m.length === 1 && m[0] === 0x53) && net.send(to, m)) }), { close });
      if (name === 'dkg-preproc/rendezvous-1') {
        return Object.assign(
          overrideNetwork(net, {
            send: (to, m) => void (net.round !== 1 ? net.send(to, m) : to !== 1 && net.send(to, u32(0))),
            // …and it goes along with the parties it told "0" (so they can remake chunks with it).
            receive: async (from, ms) => {
              const m = await net.receive(from, ms);
              return net.round === 1 && from === 2 && m ? u32(0) : m;
            },
          }),
          { close },
        );
      }
      return net;
    };
    await Promise.all(
      stores.map((store, x) =>
        runKeygenPreprocessing({ preprocId: 'p', open: x === 3 ? liar : opener(hub, x + 1), R, t: T, prss: prss[x]!, plan, store, logger: silent, rendezvousPollMs: 100, confirmTimeoutMs: 1500 }),
      ),
    );
    for (const c of plan.chunks) {
      const shares = new Map(stores.map((st, x) => [x + 1, decodeChunk(R, c, st.chunks.get(c.index)!)]));
      const first = (v: ReturnType<typeof decodeChunk>): Uint32Array => (v.kind === 'bits' ? v.bits : v.triples.c);
      const r = robustReconstruct(R, { n: N, t: T }, new Map([...shares].map(([p, v]) => [p, first(v)])), c.count);
      expect({ chunk: c.index, cheaters: r.cheaters }).toEqual({ chunk: c.index, cheaters: [] });
    }
    await expectKeygenFromStores(hub, prss, plan, stores);
  }, 180_000);

  test('malicious: a party that never comes, or one that makes everyone redo chunks forever, ends the preprocessing with PREPROC_STALLED naming it', async () => {
    const R = ringForParties(N);
    const run = async (open4: ((hub: InMemoryHub) => (name: string) => ClosableNetwork) | 'absent'): Promise<unknown[]> => {
      const hub = new InMemoryHub({ timeoutMs: 300 });
      const prss = await setupPrss(hub);
      const stores = Array.from({ length: N }, () => new MemoryStore());
      const honest = [0, 1, 2].map((x) =>
        runKeygenPreprocessing({ preprocId: 'p', open: opener(hub, x + 1), R, t: T, prss: prss[x]!, plan, store: stores[x]!, logger: silent, rendezvousPollMs: 100, confirmTimeoutMs: 300, stallTimeoutMs: 2500 }).then(
          () => 'completed',
          (e: unknown) => e,
        ),
      );
      const fourth =
        open4 === 'absent'
          ? Promise.resolve()
          : runKeygenPreprocessing({ preprocId: 'p', open: open4(hub), R, t: T, prss: prss[3]!, plan, store: stores[3]!, logger: silent, rendezvousPollMs: 100, confirmTimeoutMs: 300, stallTimeoutMs: 2500 }).catch(() => undefined);
      const out = await Promise.all(honest);
      await fourth;
      return out;
    };
    // Party 4 down from the start: every honest party gives up, naming it.
    for (const e of await run('absent')) {
      expect(e).toMatchObject({ code: 'PREPROC_STALLED', message: expect.stringMatching(/made no progress for 3 s, stuck at 0 chunks.*parties never came to the rendezvous \(party 4\)/) });
    }
    // Party 4 stores nothing and never confirms a chunk: at each rendezvous its count (0) makes everyone redo everything.
    const reworker = (hub: InMemoryHub) => (name: string): ClosableNetwork => {
      const net = opener(hub, 4)(name);
      if (!name.includes('/chunk-')) return net;
      return Object.assign(overrideNetwork(net, { send: (to, m) => void (!(m.length === 1 && m[0] === 0x53) && net.send(to, m)) }), { close: net.close });
    };
    for (const e of await run(reworker)) {
      expect(e).toMatchObject({ code: 'PREPROC_STALLED', message: expect.stringMatching(/stuck at 0 chunks stored by every party: .*\(party 4\)/) });
    }
  }, 120_000);
});
