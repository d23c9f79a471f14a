import { describe, expect, test } from '@jest/globals';
import type { FheType } from '../../../../common/fheTypes.js';
import { parseCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { blockPhaseBig } from '../../tfhe/decrypt.js';
import { encryptWithClientKey, seededRandom, tfheDecrypt } from '../../tfhe/_testUtils.js';
import { useTestKeys } from '../../tfhe/_jestKeys.js';
import { type GrVector, ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { ConsistentLiarParty, DroppingParty, openProgram } from '../malicious/robustOpen.js';
import { runParties, type PartyProgram } from '../network/runParties.js';
import { reconstruct } from '../sharing/shamir.js';
import { openPhaseInsecureForTesting } from './insecurePhaseOpen.js';
import { dealKeyShares, phaseShare } from './keyShares.js';

const keys = useTestKeys();

describe('openPhaseInsecureForTesting (dealer key, phase opened: NOT secure)', () => {
  test('default: local phase shares reconstruct to the centralized phase', () => {
    const R = ringForParties(4);
    const key = parseClientKey(keys.clientKeyBytes).bigKey;
    const shares = dealKeyShares(R, key.bits, 4, 1, seededRng(1));
    const ct = parseCiphertext(encryptWithClientKey(keys.ck, 'euint8', 200n), 'euint8');
    for (const block of ct.blocks) {
      const ps = new Map<number, GrVector>([1, 3].map((p) => [p, phaseShare(R, block, shares[p - 1]!)]));
      expect(R.toBigints(reconstruct(R, 1, ps, 1))).toEqual([blockPhaseBig(block, key), 0n, 0n]);
    }
  });

  for (const [n, t] of [[4, 1], [7, 2]] as const) {
    test(`default: (n,t) = (${n},${t}) matches node-tfhe for ebool, euint8, euint64, with t parties lying or silent`, async () => {
      const R = ringForParties(n);
      const key = parseClientKey(keys.clientKeyBytes).bigKey;
      const keyShares = dealKeyShares(R, key.bits, n, t, seededRng(n));
      const rand = seededRandom(BigInt(n));
      const cases: [FheType, bigint][] = [
        ['ebool', 1n],
        ['ebool', 0n],
        ['euint8', rand(8)],
        ['euint64', rand(64)],
        ['euint64', (1n << 64n) - 1n],
      ];
      for (const [k, [type, value]] of cases.entries()) {
        const bytes = encryptWithClientKey(keys.ck, type, value);
        const expected = tfheDecrypt(keys.ck, type, bytes);
        expect(expected).toBe(value);
        const ct = parseCiphertext(bytes, type);
        // Alternate adversaries: consistent liars on even cases, silent parties on odd ones.
        const corrupt = n === 4 ? [1 + (k % 4)] : [2, 5 + (k % 3)];
        const malicious = new Map<number, PartyProgram<unknown>>(
          corrupt.map((p) => {
            const shares = R.alloc(ct.blocks.length);
            ct.blocks.forEach((b, i) => phaseShare(R, b, keyShares[p - 1]!, shares, i));
            const strategy = k % 2 === 0 ? new ConsistentLiarParty([R.random(seededRng(k), ct.blocks.length)]) : new DroppingParty();
            return [p, openProgram(strategy, R, t, shares, ct.blocks.length)];
          }),
        );
        const run = await runParties(n, t, (net) => openPhaseInsecureForTesting(net, R, t, ct, keyShares[net.self - 1]!), { malicious, timeoutMs: 40 });
        expect(run.failures.size).toBe(0);
        for (const out of run.outputs.values()) {
          expect(out.plaintext).toBe(expected);
          expect(out.phases).toEqual(ct.blocks.map((b) => blockPhaseBig(b, key)));
          expect(k % 2 === 0 ? out.open.cheaters : out.open.missing).toEqual(corrupt);
        }
      }
    });
  }

  test('behavior: a non-binary key is refused by the dealer', () => {
    const R = ringForParties(4);
    expect(() => dealKeyShares(R, Uint8Array.of(0, 1, 2), 4, 1, seededRng(1))).toThrow(/not a bit/);
  });
});
