import { describe, expect, test } from '@jest/globals';
import type { FheType } from '../../../../common/fheTypes.js';
import { parseCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { encryptWithClientKey, sampleValues, seededRandom, tfheDecrypt } from '../../tfhe/_testUtils.js';
import { useTestKeys } from '../../tfhe/_jestKeys.js';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { OffsetLiarParty, runSessions } from '../malicious/online.js';
import { preprocessDecryption, thresholdDecrypt } from './bitDecomposition.js';
import { dealKeyShares } from './keyShares.js';

const keys = useTestKeys();

describe('bit-decomposition decryption, long runs', () => {
  for (const [n, t, corrupt] of [
    [4, 1, [3]],
    [7, 2, [1, 5]],
  ] as const) {
    test(`default: (${n},${t}) every type, edge and random values, one batch, with t consistent liars: equals node-tfhe`, async () => {
      const rand = seededRandom(BigInt(100 + n));
      const types: FheType[] = ['ebool', 'euint4', 'euint8', 'euint16', 'euint32', 'euint64', ...(n === 4 ? (['euint128', 'euint256'] as const) : [])];
      const cts = types.flatMap((type) =>
        sampleValues(type, rand, n === 4 ? 2 : 1).map((value) => {
          const bytes = encryptWithClientKey(keys.ck, type, value);
          return { ct: parseCiphertext(bytes, type), expected: tfheDecrypt(keys.ck, type, bytes) };
        }),
      );
      const R = ringForParties(n);
      const keyShares = dealKeyShares(R, parseClientKey(keys.clientKeyBytes).bigKey.bits, n, t, seededRng(n));
      const blocks = cts.reduce((s, c) => s + c.ct.blocks.length, 0);
      const malicious = new Map(corrupt.map((p) => [p, new OffsetLiarParty(R.random(seededRng(p)))]));
      const run = await runSessions(
        R,
        n,
        t,
        async (s) =>
          thresholdDecrypt(
            s,
            cts.map((c) => c.ct),
            keyShares[s.net.self - 1]!,
            await preprocessDecryption(s, blocks),
          ),
        { malicious, timeoutMs: 200 },
      );
      expect(run.failures).toEqual(new Map());
      for (const out of run.outputs.values()) {
        expect(out.plaintexts).toEqual(cts.map((c) => c.expected));
        expect(out.cheaters).toEqual([...corrupt]);
      }
    });
  }
});
