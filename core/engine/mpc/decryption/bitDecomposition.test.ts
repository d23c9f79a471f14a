import { describe, expect, test } from '@jest/globals';
import type { FheType } from '../../../../common/fheTypes.js';
import { parseCiphertext, type ParsedCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { blockPhaseBig } from '../../tfhe/decrypt.js';
import { encryptWithClientKey, seededRandom, tfheDecrypt } from '../../tfhe/_testUtils.js';
import { useTestKeys } from '../../tfhe/_jestKeys.js';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { getU64 } from '../algebra/z64.js';
import { PreprocessingError, RobustOpenError } from '../errors.js';
import { CiphertextCarriesError } from '../../errors.js';
import { OffsetLiarParty, runSessions } from '../malicious/online.js';
import { DroppingParty, RandomValuesParty } from '../malicious/robustOpen.js';
import type { OpenRecord } from '../online/session.js';
import type { RealRobustOpen } from '../sharing/robustOpen.js';
import { borrowCircuitCost, preprocessDecryption, thresholdDecrypt } from './bitDecomposition.js';
import { CIRCUIT_LEAN, type CircuitShape } from './borrowCircuit.js';
import { dealKeyShares } from './keyShares.js';

const keys = useTestKeys();

interface Case {
  ct: ParsedCiphertext;
  expected: bigint;
}

export function makeCases(specs: readonly [FheType, bigint][]): Case[] {
  return specs.map(([type, value]) => {
    const bytes = encryptWithClientKey(keys.ck, type, value);
    const expected = tfheDecrypt(keys.ck, type, bytes);
    expect(expected).toBe(value);
    return { ct: parseCiphertext(bytes, type), expected };
  });
}

export async function decryptAll(n: number, t: number, cases: readonly Case[], malicious?: ReadonlyMap<number, RealRobustOpen>, transcripts?: Map<number, OpenRecord[]>, maliciousLabels?: ReadonlySet<string>, circuit?: CircuitShape) {
  const R = ringForParties(n);
  const key = parseClientKey(keys.clientKeyBytes).bigKey;
  const keyShares = dealKeyShares(R, key.bits, n, t, seededRng(n));
  const blocks = cases.reduce((s, c) => s + c.ct.blocks.length, 0);
  return runSessions(
    R,
    n,
    t,
    async (s) => {
      const material = await preprocessDecryption(s, blocks, 4, circuit);
      const online = s.transcript?.length ?? 0;
      const out = await thresholdDecrypt(
        s,
        cases.map((c) => c.ct),
        keyShares[s.net.self - 1]!,
        material,
      );
      return { ...out, online, left: material.blocksLeft };
    },
    { ...(malicious ? { malicious } : {}), ...(transcripts ? { transcripts } : {}), ...(maliciousLabels ? { maliciousLabels } : {}) },
  );
}

describe('bit-decomposition threshold decryption (phase never opened)', () => {
  test('default: the borrow circuit over 59 bits: 2 rounds, 31 opened values and 240 preprocessed products per block (lean: 5, 52, 110)', () => {
    expect(borrowCircuitCost(59)).toEqual({ rounds: 2, openedPerBlock: 31, masks: 31, products: 240 });
    expect(borrowCircuitCost(59, CIRCUIT_LEAN)).toEqual({ rounds: 5, openedPerBlock: 52, masks: 52, products: 110 });
  });

  test('default: (4,1) ebool, euint8, euint64 equal node-tfhe, batched in one run; only c, d/e and digits are opened', async () => {
    const rand = seededRandom(4n);
    const cases = makeCases([
      ['ebool', 1n],
      ['ebool', 0n],
      ['euint8', rand(8)],
      ['euint64', rand(64)],
    ]);
    const transcripts = new Map<number, OpenRecord[]>();
    const run = await decryptAll(4, 1, cases, undefined, transcripts);
    expect(run.failures).toEqual(new Map());
    for (const out of run.outputs.values()) {
      expect(out.plaintexts).toEqual(cases.map((c) => c.expected));
      expect(out.cheaters).toEqual([]);
      expect(out.left).toBe(0);
    }
    // What a party sees: preprocessing opens, then exactly 1 mask open, 2 circuit opens, 1 output open.
    const key = parseClientKey(keys.clientKeyBytes).bigKey;
    const phases = cases.flatMap((c) => c.ct.blocks.map((b) => blockPhaseBig(b, key)));
    const secret = new Set(phases.flatMap((p) => [p, (p + (1n << 58n)) & ((1n << 64n) - 1n)]));
    for (const [p, tr] of transcripts) {
      const online = run.outputs.get(p)!.online;
      expect(new Set(tr.slice(0, online).map((r) => r.label))).toEqual(new Set(['beaver', 'bitgen']));
      expect(tr.slice(online).map((r) => r.label)).toEqual(['mask', 'beaver', 'beaver', 'output']);
      for (const r of tr) for (let k = 0; k < r.count; k++) expect(secret.has(getU64(r.values, k * 3))).toBe(false);
    }
  });

  test('malicious: only the message bits leave the MPC: a hidden carry is not opened, a block whose degree admits carries is refused before any round', async () => {
    // Add 4Δ to block 1's body: its digit becomes 3 + 4 = 7 (a carry) while the block still claims degree 3.
    const withCarry = (bytes: Uint8Array, block: number, degree: bigint): Uint8Array => {
      const out = bytes.slice();
      const dv = new DataView(out.buffer);
      const body = 77 + block * 16_500 + 16 + 2048 * 8;
      dv.setBigUint64(body, (dv.getBigUint64(body, true) + (1n << 61n)) & ((1n << 64n) - 1n), true);
      dv.setBigUint64(body + 8 + 28 + 4, degree, true);
      return out;
    };
    const value = 0b10_01_11_10n;
    const hidden = { ct: parseCiphertext(withCarry(encryptWithClientKey(keys.ck, 'euint8', value), 1, 3n), 'euint8'), expected: value };
    const transcripts = new Map<number, OpenRecord[]>();
    const run = await decryptAll(4, 1, [hidden], undefined, transcripts);
    expect(run.failures).toEqual(new Map());
    for (const [p, out] of run.outputs) {
      // The old output opened V mod 16 = 7 for block 1, and the carry moved into block 2 (value + 16).
      expect(out.plaintexts).toEqual([value]);
      expect(out.digits).toEqual([[2, 3, 1, 2]]);
      // The opened V of block 1 is 3 + 4·(uniform): its carry bit (bit 2) is masked, not the carry.
      const opened = transcripts.get(p)!.find((r) => r.label === 'output')!;
      expect(Number(getU64(opened.values, 1 * 3) & 3n)).toBe(3);
    }
    const dirty = { ct: parseCiphertext(withCarry(encryptWithClientKey(keys.ck, 'euint8', value), 1, 15n), 'euint8'), expected: 0n };
    const refused = await decryptAll(4, 1, [dirty]);
    expect(refused.outputs.size).toBe(0);
    for (const err of refused.failures.values()) {
      expect(err).toBeInstanceOf(CiphertextCarriesError);
      expect((err as Error).message).toMatch(/block 1 of the euint8 has degree 15 > 3/);
    }
  });

  test('default: (4,1) the lean circuit (material made inline): ebool, euint8 equal node-tfhe in 1 + 5 + 1 online opens, material used up', async () => {
    const cases = makeCases([
      ['ebool', 0n],
      ['euint8', 0x96n],
    ]);
    const transcripts = new Map<number, OpenRecord[]>();
    const run = await decryptAll(4, 1, cases, undefined, transcripts, undefined, CIRCUIT_LEAN);
    expect(run.failures).toEqual(new Map());
    for (const [p, out] of run.outputs) {
      expect(out.plaintexts).toEqual(cases.map((c) => c.expected));
      expect(out.left).toBe(0);
      expect(transcripts.get(p)!.slice(out.online).map((r) => r.label)).toEqual(['mask', 'beaver', 'beaver', 'beaver', 'beaver', 'beaver', 'output']);
    }
  });

  test('default: (7,2) ebool and euint8 equal node-tfhe', async () => {
    const cases = makeCases([
      ['ebool', 1n],
      ['euint8', 173n],
    ]);
    const run = await decryptAll(7, 2, cases);
    expect(run.failures).toEqual(new Map());
    for (const out of run.outputs.values()) expect(out.plaintexts).toEqual(cases.map((c) => c.expected));
  });

  for (const [n, t, corrupt] of [
    [4, 1, [2]],
    [7, 2, [3, 7]],
  ] as const) {
    const strategies: [string, (p: number) => RealRobustOpen][] = [
      ['DroppingParty', () => new DroppingParty()],
      ['RandomValuesParty', (p) => new RandomValuesParty(seededRng(50 + p))],
      ['OffsetLiarParty', () => new OffsetLiarParty(ringForParties(n).random(seededRng(8)))],
    ];
    for (const [name, make] of strategies) {
      test(`malicious: (${n},${t}), t × ${name} in triples, bits, multiplications and final open: right plaintext, cheaters named`, async () => {
        const cases = makeCases([
          ['ebool', 1n],
          ['euint8', 0x5an],
        ]);
        const run = await decryptAll(n, t, cases, new Map(corrupt.map((p) => [p, make(p)])));
        expect(run.failures).toEqual(new Map());
        for (const out of run.outputs.values()) {
          expect(out.plaintexts).toEqual(cases.map((c) => c.expected));
          expect(out.cheaters).toEqual([...corrupt]);
        }
      });
    }
  }

  for (const label of ['bitgen', 'mask', 'beaver', 'output']) {
    test(`malicious: lies only in the '${label}' opens, at (4,1) and (7,2): right plaintext, liars named by that stage`, async () => {
      const cases = makeCases([['euint8', 0xc3n]]);
      for (const [n, t, corrupt] of [
        [4, 1, [4]],
        [7, 2, [2, 3]],
      ] as const) {
        const malicious = new Map(corrupt.map((p) => [p, new RandomValuesParty(seededRng(p)) as RealRobustOpen]));
        const run = await decryptAll(n, t, cases, malicious, undefined, new Set([label]));
        expect(run.failures).toEqual(new Map());
        for (const out of run.outputs.values()) {
          expect(out.plaintexts).toEqual([cases[0]!.expected]);
          expect(out.cheaters).toEqual([...corrupt]);
        }
      }
    });
  }

  test('malicious: t+1 corrupt parties: every honest party fails with an error, never a wrong plaintext', async () => {
    const cases = makeCases([['ebool', 1n]]);
    for (const [n, t, corrupt] of [
      [4, 1, [1, 4]],
      [7, 2, [1, 2, 6]],
    ] as const) {
      for (const make of [(p: number) => new RandomValuesParty(seededRng(p)) as RealRobustOpen, () => new OffsetLiarParty(ringForParties(n).random(seededRng(2))), () => new DroppingParty()]) {
        const run = await decryptAll(n, t, cases, new Map(corrupt.map((p) => [p, make(p)])));
        for (const out of run.outputs.values()) expect(out.plaintexts).toEqual([cases[0]!.expected]);
        expect(run.failures.size).toBe(n - corrupt.length);
        for (const e of run.failures.values()) expect(e instanceof PreprocessingError || e instanceof RobustOpenError).toBe(true);
      }
    }
  });
});

