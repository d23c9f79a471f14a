import { describe, expect, test } from '@jest/globals';
import { parseCiphertext } from '../../tfhe/ciphertext.js';
import { parseClientKey } from '../../tfhe/clientKey.js';
import { encryptWithClientKey, tfheDecrypt } from '../../tfhe/_testUtils.js';
import { useTestKeys } from '../../tfhe/_jestKeys.js';
import { ringForParties } from '../algebra/galoisRing.js';
import { seededRng } from '../algebra/random.js';
import { preprocessDecryption, thresholdDecrypt } from '../decryption/bitDecomposition.js';
import { dealKeyShares } from '../decryption/keyShares.js';
import { MpcParameterError } from '../errors.js';
import { InMemoryHub } from '../network/inMemory.js';
import { runParties } from '../network/runParties.js';
import { MpcSession } from '../online/session.js';
import { Prss, prssSetup, type PrssKeys } from '../prss/prss.js';
import { DecryptionMaterialPool } from './pool.js';

const keys = useTestKeys();

describe('DecryptionMaterialPool', () => {
  test('default: filled in one session, consumed by decryptions in later sessions; low-water mark; restart empties it', async () => {
    const n = 4;
    const t = 1;
    const R = ringForParties(n);
    const hub = new InMemoryHub({ timeoutMs: 200 });
    const prssKeys = (await runParties(n, t, (net) => prssSetup(net, t, seededRng(net.self)), { hub })).outputs as Map<number, PrssKeys>;
    const session = (net: Parameters<Parameters<typeof runParties>[2]>[0]) => new MpcSession(net, R, t, new Prss(R, prssKeys.get(net.self)!));
    const pools = new Map<number, DecryptionMaterialPool>();
    for (let p = 1; p <= n; p++) pools.set(p, new DecryptionMaterialPool(R, { lowWaterBlocks: 4 }));
    expect(pools.get(1)!.needsRefill()).toBe(true);
    // Two refill sessions (fresh session ids), 3 blocks each.
    for (let k = 0; k < 2; k++) await runParties(n, t, async (net) => pools.get(net.self)!.add(await preprocessDecryption(session(net), 3)), { hub });
    expect(pools.get(1)!.blocks).toBe(6);
    expect(pools.get(1)!.needsRefill()).toBe(false);

    const keyShares = dealKeyShares(R, parseClientKey(keys.clientKeyBytes).bigKey.bits, n, t, seededRng(3));
    for (const [type, value] of [['ebool', 1n], ['euint8', 201n]] as const) {
      const bytes = encryptWithClientKey(keys.ck, type, value);
      const ct = parseCiphertext(bytes, type);
      const run = await runParties(n, t, (net) => thresholdDecrypt(session(net), [ct], keyShares[net.self - 1]!, pools.get(net.self)!.take(ct.blocks.length)), { hub });
      expect(run.failures).toEqual(new Map());
      for (const out of run.outputs.values()) expect(out.plaintexts).toEqual([tfheDecrypt(keys.ck, type, bytes)]);
    }
    expect(pools.get(1)!.blocks).toBe(1);
    expect(pools.get(1)!.needsRefill()).toBe(true);
    expect(() => pools.get(1)!.take(2)).toThrow(MpcParameterError);
    pools.get(1)!.clear();
    expect(pools.get(1)!.blocks).toBe(0);
  });
});
