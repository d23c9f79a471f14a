/**
 * The decryption pools of n parties on the in-memory network: agreement on
 * the pooled batch, background refill with its low-water mark, restart of one
 * party, concurrent requests, and a cheater excluded from later work.
 */
import { describe, expect, test } from '@jest/globals';
import type { FheType } from '../../../common/fheTypes.js';
import { parseCiphertext, type ParsedCiphertext } from '../../engine/tfhe/ciphertext.js';
import { parseClientKey } from '../../engine/tfhe/clientKey.js';
import { encryptWithClientKey, tfheDecrypt } from '../../engine/tfhe/_testUtils.js';
import { useTestKeys } from '../../engine/tfhe/_jestKeys.js';
import { ringForParties, type GaloisRing, type GrVector } from '../../engine/mpc/algebra/galoisRing.js';
import { seededRng } from '../../engine/mpc/algebra/random.js';
import { dealKeyShares } from '../../engine/mpc/decryption/keyShares.js';
import { OffsetLiarParty } from '../../engine/mpc/malicious/online.js';
import { CryingWolfTriples } from '../../engine/mpc/malicious/triples.js';
import type { RealTripleGeneration } from '../../engine/mpc/preprocessing/triples.js';
import { InMemoryHub } from '../../engine/mpc/network/inMemory.js';
import { runParties } from '../../engine/mpc/network/runParties.js';
import { Prss, prssSetup, type PrssKeys } from '../../engine/mpc/prss/prss.js';
import type { RealRobustOpen } from '../../engine/mpc/sharing/robustOpen.js';
import { overrideNetwork, type Network } from '../../engine/mpc/network/network.js';
import { encodeAgreementRound } from '../../engine/mpc/agreement/agreement.js';
import { DecryptionPool, type PooledDecryption } from './decryptionPool.js';
import { reconstruct } from '../../engine/mpc/sharing/shamir.js';
import { recombineDigits } from '../../engine/mpc/decryption/bitDecomposition.js';

const keys = useTestKeys();

interface Net {
  n: number;
  t: number;
  R: GaloisRing;
  hub: InMemoryHub;
  prss: Map<number, PrssKeys>;
  shares: GrVector[];
  pools: Map<number, DecryptionPool>;
  opener?: Map<number, RealRobustOpen>;
  tripleGeneration?: Map<number, RealTripleGeneration>;
}

const POOL = { batchBlocks: 4, lowWater: 2, highWater: 8 };

async function network(n: number, t: number, opener?: Map<number, RealRobustOpen>, timeoutMs = 3000, tripleGeneration?: Map<number, RealTripleGeneration>): Promise<Net> {
  const R = ringForParties(n);
  const hub = new InMemoryHub({ timeoutMs });
  const setup = await runParties(n, t, (net) => prssSetup(net, t, seededRng(100 + net.self)), { hub });
  const prss = setup.outputs as Map<number, PrssKeys>;
  const shares = dealKeyShares(R, parseClientKey(keys.clientKeyBytes).bigKey.bits, n, t, seededRng(n)) as GrVector[];
  const net: Net = { n, t, R, hub, prss, shares, pools: new Map(), ...(opener ? { opener } : {}), ...(tripleGeneration ? { tripleGeneration } : {}) };
  for (let p = 1; p <= n; p++) net.pools.set(p, newPool(net, p));
  return net;
}

function newPool(net: Net, p: number): DecryptionPool {
  const op = net.opener?.get(p);
  const tg = net.tripleGeneration?.get(p);
  return new DecryptionPool({
    R: net.R,
    t: net.t,
    prss: new Prss(net.R, net.prss.get(p)!),
    open: (sid) => Object.assign(net.hub.endpoints(sid, net.n)[p - 1]!, { close: () => undefined }),
    ...POOL,
    ...(op ? { opener: op } : {}),
    ...(tg ? { tripleGeneration: tg } : {}),
  });
}

function encrypt(type: FheType, value: bigint): { ct: ParsedCiphertext; expected: bigint } {
  const bytes = encryptWithClientKey(keys.ck, type, value);
  return { ct: parseCiphertext(bytes, type), expected: tfheDecrypt(keys.ck, type, bytes) };
}

let requestNo = 0;
/** Every party (or `which`) decrypts `cts` in one session; `delay` staggers a party's start. */
async function decrypt(net: Net, cts: ParsedCiphertext[], which = [...net.pools.keys()], delay: (p: number) => number = () => 0, sid = `req-${++requestNo}`, mayFail: readonly number[] = []): Promise<Map<number, PooledDecryption>> {
  const out = new Map<number, PooledDecryption>();
  await Promise.all(
    which.map(async (p) => {
      await new Promise((r) => setTimeout(r, delay(p)));
      const run = net.pools.get(p)!.decrypt(net.hub.endpoints(sid, net.n)[p - 1]!, cts, net.shares[p - 1]!);
      // A convicted party's own run may fail: nobody listens to it any more.
      const result = await (mayFail.includes(p) ? run.catch(() => undefined) : run);
      if (result) out.set(p, result);
    }),
  );
  return out;
}

/**
 * A view of `net` whose child session `decide` (the pool's agreement) sends
 * `lie(round, to, payload)` instead of the honest payload.
 */
function lyingInDecide(net: Network, lie: (round: number, to: number, payload: Uint8Array) => Uint8Array, send?: (to: number, payload: Uint8Array) => void): Network {
  return overrideNetwork(net, {
    ...(send ? { send } : {}),
    child: (name) => {
      const c = net.child(name);
      if (name !== 'decide') return c;
      return Object.assign(overrideNetwork(c, { send: (to, payload) => c.send(to, lie(c.round, to, payload)) }), { close: () => c.close() });
    },
  });
}

/** An offer (round 0) with its vote, the trailing 4-byte batch numbers, replaced by "no batch". */
function withoutVote(offer: Uint8Array): Uint8Array {
  const held = new DataView(offer.buffer, offer.byteOffset, offer.byteLength).getUint32(37);
  const out = new Uint8Array(41 + 4 * held + 4);
  out.set(offer.subarray(0, 41 + 4 * held));
  out.fill(0xff, 41 + 4 * held);
  return out;
}

/**
 * Party `liar` behaves honestly except that, in its offer, it tells `fooled`
 * it votes for no batch, and in the agreement's status round it tells
 * `fooled` "not ready".
 */
function equivocatingVotes(net: Network, fooled: number): Network {
  return lyingInDecide(
    net,
    (round, to, payload) => (to === fooled && round === 0 ? Uint8Array.of(0) : payload),
    (to, payload) => net.send(to, to === fooled && net.round === 0 ? withoutVote(payload) : payload),
  );
}

/** Honest but for R1 of the decision agreement (its round 1), where it tells `fooled` "no". */
function equivocatingR1(net: Network, fooled: number): Network {
  return lyingInDecide(net, (round, to, payload) => (to === fooled && round === 1 ? encodeAgreementRound([Uint8Array.of(0)]) : payload));
}

async function idle(net: Net): Promise<void> {
  await Promise.all([...net.pools.values()].map((p) => p.idle()));
}

describe('DecryptionPool', () => {
  test('default: first request inline, then pooled batches agreed by all, never reused; refill below the low-water mark', async () => {
    const net = await network(4, 1);
    const a = encrypt('euint8', 201n);
    const first = await decrypt(net, [a.ct]);
    for (const r of first.values()) {
      expect(r.source).toBe('inline');
      expect(r.plaintexts).toEqual([a.expected]);
      // Nobody ready, everyone said so: "inline" decided early (agreement.ts).
      expect(r.earlyDecision).toBe(true);
    }
    await idle(net);
    const epochs = new Set([...net.pools.values()].map((p) => p.status().epoch));
    expect(epochs.size).toBe(1);
    for (const p of net.pools.values()) expect(p.status().batches).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const used = new Set<number>();
    const cases: [FheType, bigint][] = [['ebool', 1n], ['euint16', 0xbeefn], ['euint8', 7n], ['euint32', 0xdeadbeefn]];
    for (const [type, value] of cases) {
      const c = encrypt(type, value);
      const r = await decrypt(net, [c.ct]);
      const batches = new Set([...r.values()].map((x) => JSON.stringify(x.batches)));
      expect(batches.size).toBe(1); // every party used the same batches
      for (const x of r.values()) {
        expect(x.source).toBe('pool');
        expect(x.plaintexts).toEqual([c.expected]);
        expect(x.earlyDecision).toBe(true);
      }
      for (const b of r.get(1)!.batches) {
        expect(used.has(b)).toBe(false);
        used.add(b);
      }
      await idle(net);
    }
    // ebool 1 batch, euint16 2, euint8 1, euint32 4: the pool ran empty and was refilled.
    const s = net.pools.get(1)!.status();
    expect(s.pooled).toBe(4);
    expect(s.produced).toBeGreaterThan(8);
    expect(s.batches.length).toBeGreaterThanOrEqual(POOL.lowWater);
    for (const b of s.batches) expect(used.has(b)).toBe(false);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 120_000);

  test('default: user decryption shares come from pooled batches too (agreed, single-use) and reconstruct to the plaintexts', async () => {
    const net = await network(4, 1);
    await decrypt(net, [encrypt('ebool', 0n).ct]); // fills the pools
    await idle(net);
    const a = encrypt('euint16', 0xcafen);
    const b = encrypt('ebool', 1n);
    const sid = `user-${++requestNo}`;
    const out = new Map<number, Awaited<ReturnType<DecryptionPool['decryptShares']>>>();
    await Promise.all(
      [...net.pools.keys()].map(async (p) => out.set(p, await net.pools.get(p)!.decryptShares(net.hub.endpoints(sid, net.n)[p - 1]!, [a.ct, b.ct], net.shares[p - 1]!))),
    );
    expect(new Set([...out.values()].map((r) => `${r.source}:${JSON.stringify(r.batches)}`))).toEqual(new Set([`pool:${JSON.stringify(out.get(1)!.batches)}`]));
    // What the user does with the parties' shares (cli/userDecryptResult.ts lifts them the same way): reconstruct V, keep the digit bits.
    const blocks = a.ct.blocks.length + b.ct.blocks.length;
    const V = reconstruct(net.R, net.t, new Map([...out].map(([p, r]) => [p, r.shares])), blocks);
    const W = out.get(1)!.W;
    const digits = Array.from({ length: blocks }, (_, k) => Number(net.R.toBigints(V, k)[0]! & BigInt((1 << W) - 1)));
    expect(recombineDigits(a.ct, digits.slice(0, a.ct.blocks.length))).toBe(a.expected);
    expect(recombineDigits(b.ct, digits.slice(a.ct.blocks.length))).toBe(b.expected);
    // The batches are spent: a public decryption right after uses others.
    await idle(net);
    const next = await decrypt(net, [encrypt('ebool', 1n).ct]);
    for (const x of next.values()) for (const used of x.batches) expect(out.get(1)!.batches).not.toContain(used);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 120_000);

  test('behavior: a restarted party (empty pool) makes everyone preprocess inline once, drop what it lacks, and refill together; no batch reused', async () => {
    const net = await network(4, 1);
    await decrypt(net, [encrypt('ebool', 0n).ct]);
    await idle(net);
    const before = net.pools.get(1)!.status();
    const c1 = encrypt('euint8', 99n);
    const r1 = await decrypt(net, [c1.ct]);
    expect(r1.get(1)!.source).toBe('pool');
    const usedBefore = r1.get(1)!.batches;

    // Party 4 restarts: a fresh pool with the same key (what `load` gives after a reboot).
    await net.pools.get(4)!.close();
    net.pools.set(4, newPool(net, 4));
    expect(net.pools.get(4)!.status().epoch).toBeUndefined();
    const c2 = encrypt('euint16', 4242n);
    const r2 = await decrypt(net, [c2.ct]);
    for (const x of r2.values()) {
      expect(x.source).toBe('inline'); // the others' batches are not held by party 4
      expect(x.plaintexts).toEqual([c2.expected]);
    }
    for (const p of [1, 2, 3]) expect(net.pools.get(p)!.status().dropped).toBeGreaterThan(0);
    expect(net.pools.get(4)!.status().epoch).toBe(before.epoch);
    await idle(net);
    const after = [...net.pools.values()].map((p) => p.status().batches);
    for (const b of after) expect(b).toEqual(after[0]);
    // Everything now pooled was made after the restart: above every batch made before it.
    expect(Math.min(...after[0]!)).toBeGreaterThanOrEqual(before.nextBatch);
    const c3 = encrypt('euint8', 17n);
    const r3 = await decrypt(net, [c3.ct]);
    for (const x of r3.values()) {
      expect(x.source).toBe('pool');
      expect(x.plaintexts).toEqual([c3.expected]);
      for (const b of x.batches) expect(usedBefore.includes(b)).toBe(false);
    }
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 120_000);

  test('behavior: concurrent requests started in different orders agree on the source, decrypt right and never share a batch', async () => {
    const net = await network(4, 1);
    await decrypt(net, [encrypt('ebool', 1n).ct]);
    await idle(net);
    const x = encrypt('euint8', 3n);
    const y = encrypt('euint8', 250n);
    const z = encrypt('ebool', 1n);
    // Parties 1, 2 see X first; 3, 4 see Y first.
    const [rx, ry, rz] = await Promise.all([
      decrypt(net, [x.ct], undefined, (p) => (p <= 2 ? 0 : 40), 'cx'),
      decrypt(net, [y.ct], undefined, (p) => (p <= 2 ? 40 : 0), 'cy'),
      decrypt(net, [z.ct], undefined, (p) => 10 * p, 'cz'),
    ]);
    const seen = new Map<number, string>();
    for (const [name, r, c] of [['x', rx, x], ['y', ry, y], ['z', rz, z]] as const) {
      expect(new Set([...r.values()].map((v) => `${v.source}:${v.batches.join(',')}`)).size).toBe(1);
      for (const v of r.values()) {
        expect(v.plaintexts).toEqual([c.expected]);
        for (const b of v.batches) {
          expect(seen.get(b) ?? name).toBe(name);
          seen.set(b, name);
        }
      }
    }
    await idle(net);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 120_000);

  /**
   * A first decryption right at the honest parties, which then exclude `bad`
   * from the key's later sessions; a second one pooled and right. `bad` may
   * fail its own runs (`mayFail`).
   */
  async function expectExcludedAndRight(net: Net, bad: readonly number[], mayFail: readonly number[] = []): Promise<void> {
    const honest = [...net.pools.keys()].filter((p) => !bad.includes(p));
    const c = encrypt('euint8', 77n);
    const r = await decrypt(net, [c.ct], undefined, undefined, undefined, mayFail);
    for (const p of honest) expect(r.get(p)!.plaintexts).toEqual([c.expected]);
    await idle(net);
    for (const p of honest) expect(net.pools.get(p)!.status().excluded).toEqual(bad);
    const d = encrypt('euint16', 31337n);
    const r2 = await decrypt(net, [d.ct], undefined, undefined, undefined, mayFail);
    for (const p of honest) {
      expect(r2.get(p)!.source).toBe('pool');
      expect(r2.get(p)!.plaintexts).toEqual([d.expected]);
    }
    await idle(net);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }

  test.each([
    [4, 1, [4]],
    [7, 2, [3, 6]],
  ])('malicious: at (%i, %i) liars %j are named by the honest parties, excluded from later sessions, and decryption stays right', async (n, t, liars) => {
    const R = ringForParties(n);
    await expectExcludedAndRight(await network(n, t, new Map<number, RealRobustOpen>(liars.map((p) => [p, new OffsetLiarParty(R.constant(12345n))]))), liars);
  }, 180_000);

  test.each([
    [4, 1, [4]],
    [7, 2, [3, 6]],
  ])('malicious: at (%i, %i) parties %j crying wolf in every triple check are convicted, excluded from the key’s later sessions, and decryption stays right', async (n, t, wolves) => {
    // A convicted wolf's own run may fail: nobody listens to it any more.
    await expectExcludedAndRight(await network(n, t, undefined, 3000, new Map(wolves.map((p) => [p, new CryingWolfTriples() as RealTripleGeneration]))), wolves, wolves);
  }, 180_000);

  test('malicious: a party that equivocates its vote and status cannot split honest parties: same source everywhere, every honest answer right, no batch used twice', async () => {
    const net = await network(4, 1, undefined, 400);
    await decrypt(net, [encrypt('ebool', 1n).ct]);
    await idle(net);
    const usedBy = new Map<number, string>();
    let wrong = 0;
    let failed = 0;
    let right = 0;
    let split = 0;
    for (let i = 0; i < 4; i++) {
      const c = encrypt('euint8', BigInt(10 + i));
      const sid = `eq-${i}`;
      const results = await Promise.all(
        [1, 2, 3, 4].map(async (p) => {
          const base = net.hub.endpoints(sid, net.n)[p - 1]!;
          try {
            return await net.pools.get(p)!.decrypt(p === 4 ? equivocatingVotes(base, 3) : base, [c.ct], net.shares[p - 1]!);
          } catch {
            return undefined;
          }
        }),
      );
      const honest = results.slice(0, 3);
      if (new Set(honest.map((r) => r?.source)).size > 1) split++;
      for (const r of honest) {
        if (r === undefined) failed++;
        else if (r.plaintexts[0] === c.expected) right++;
        else wrong++;
        for (const b of r?.source === 'pool' ? r.batches : []) {
          expect(usedBy.get(b) ?? sid).toBe(sid);
          usedBy.set(b, sid);
        }
      }
      await idle(net);
    }
    expect(wrong).toBe(0);
    expect(failed).toBe(0);
    expect(split).toBe(0);
    expect(right).toBe(12);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 180_000);

  test('malicious: a party that says "no" to one honest party in R1 of the decision: the others decide early, the fooled one runs the full agreement, all use the same pooled batches', async () => {
    const net = await network(4, 1, undefined, 400);
    await decrypt(net, [encrypt('ebool', 1n).ct]);
    await idle(net);
    const before = new Map([...net.pools].map(([p, pool]) => [p, pool.status().early]));
    const c = encrypt('euint8', 77n);
    const results = await Promise.all(
      [1, 2, 3, 4].map(async (p) => {
        const base = net.hub.endpoints('r1-liar', net.n)[p - 1]!;
        return net.pools.get(p)!.decrypt(p === 4 ? equivocatingR1(base, 3) : base, [c.ct], net.shares[p - 1]!);
      }),
    );
    await idle(net);
    const honest = results.slice(0, 3);
    expect(honest.map((r) => r.earlyDecision)).toEqual([true, true, false]);
    expect(new Set(honest.map((r) => JSON.stringify(r.batches))).size).toBe(1);
    for (const r of honest) {
      expect(r.source).toBe('pool');
      expect(r.plaintexts).toEqual([c.expected]);
    }
    for (const p of [1, 2, 3]) expect(net.pools.get(p)!.status().early - before.get(p)!).toBe(p === 3 ? 0 : 1);
    await Promise.all([...net.pools.values()].map((p) => p.close()));
  }, 180_000);
});
