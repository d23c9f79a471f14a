import { generateKeySet, parseClientKey } from '../../engine/index.js';
import { reconstruct, seededRng } from '../../engine/mpc/index.js';
import { jest } from '@jest/globals';
import { pino } from 'pino';
import { defaultEngine } from '../engine.js';
import type { PeerTransport } from '../mpc/peerTransport.js';
import { sessionIdFor } from '../mpc/session.js';
import { dealKeySet, parseKeyShare } from './dealer.js';
import { thresholdBackend } from './thresholdBackend.js';

describe('dealer key sharing', () => {
  const keySet = generateKeySet({ withoutServerKey: true });
  const expected = Uint8Array.from(parseClientKey(keySet.clientKey).bigKey.bits);
  const dealt = dealKeySet({ ...keySet, clientKey: keySet.clientKey }, { n: 4, t: 1 }, seededRng(7));

  test('default: any t+1 shares reconstruct the big key; the dealer keeps no copy', () => {
    expect(dealt.shares.size).toBe(4);
    expect(keySet.clientKey.every((b) => b === 0)).toBe(true);
    for (const subset of [
      [1, 2],
      [2, 4],
      [3, 4],
    ]) {
      const shares = new Map(subset.map((p) => [p, parseKeyShare(dealt.shares.get(p)!, 4, dealt.lweDimension).share]));
      const { R } = parseKeyShare(dealt.shares.get(1)!, 4, dealt.lweDimension);
      const secret = reconstruct(R, 1, shares, dealt.lweDimension);
      const bits = Array.from({ length: dealt.lweDimension }, (_, j) => secret[j * R.limbs]!);
      expect(Uint8Array.from(bits)).toEqual(expected);
    }
  });

  test('behavior: one share alone reveals no key bit pattern and a malformed share is refused', () => {
    const { R, share } = parseKeyShare(dealt.shares.get(1)!, 4, dealt.lweDimension);
    const constant = Array.from({ length: dealt.lweDimension }, (_, j) => share[j * R.limbs]!);
    // Shares are uniformly random ring elements, far from 0/1 bits.
    expect(constant.filter((c) => c === 0 || c === 1).length).toBeLessThan(10);
    expect(() => parseKeyShare(dealt.shares.get(1)!.subarray(1), 4, dealt.lweDimension)).toThrow(expect.objectContaining({ code: 'KEY_SHARE_MALFORMED' }));
  });
});

describe('dealer key sharing, test-insecure parameters', () => {
  test('default: the 512-bit big key of an INSECURE test key is shared and reconstructs', () => {
    const keySet = generateKeySet({ parameters: 'test-insecure' });
    const expected = Uint8Array.from(parseClientKey(keySet.clientKey).bigKey.bits);
    const dealt = dealKeySet(keySet, { n: 4, t: 1 }, seededRng(8));
    expect(dealt.lweDimension).toBe(512);
    expect(dealt.publicMaterial.parameters).toMatch(/INSECURE/);
    const { R } = parseKeyShare(dealt.shares.get(1)!, 4, 512);
    const shares = new Map([2, 3].map((p) => [p, parseKeyShare(dealt.shares.get(p)!, 4, 512).share]));
    const secret = reconstruct(R, 1, shares, 512);
    expect(Uint8Array.from({ length: 512 }, (_, j) => secret[j * R.limbs]!)).toEqual(expected);
    // A share of one dimension is not read as a share of the other.
    expect(() => parseKeyShare(dealt.shares.get(1)!, 4, 2048)).toThrow(expect.objectContaining({ code: 'KEY_SHARE_MALFORMED' }));
  });
});

describe('the dealer is off unless configured (threshold.insecureDealerKeygen) and allowed by the network (Config insecure_dealer_keys)', () => {
  /** Records which MPC session the backend opens first, then stops it there. */
  const opened: string[] = [];
  const transport = {
    n: 4,
    partyId: 1,
    endpoint: (sessionId: string) => {
      opened.push(sessionId);
      throw new Error('stopped at the first MPC session');
    },
  } as unknown as PeerTransport;
  const backend = (insecureDealerKeygen?: boolean): ReturnType<typeof thresholdBackend> =>
    thresholdBackend({ transport, t: 1, dealerId: 1, engine: defaultEngine, logger: pino({ level: 'silent' }), ...(insecureDealerKeygen === undefined ? {} : { insecureDealerKeygen }) });

  test('behavior: every set (fhevm and default included) goes to the distributed keygen unless the core is configured to deal AND the request comes from a network that allows it', async () => {
    const engineKeygen = jest.spyOn(defaultEngine, 'generateKeySet');
    try {
      for (const [id, parameters, flag] of [['a', 'fhevm', undefined], ['b', 'default', false], ['c', 'fhevm', false]] as const) {
        opened.length = 0;
        await expect(backend(flag).generate(id.repeat(40), () => {}, undefined, parameters)).rejects.toThrow('stopped at the first MPC session');
        // No preprocessing named: the DKG's PRSS setup comes first; the dealer would open its deal session.
        expect(opened).toEqual([sessionIdFor(id.repeat(40), 'prss')]);
      }
      expect(engineKeygen).not.toHaveBeenCalled();
      // The core's flag alone is not enough: a request from a network whose Config does not
      // have insecure_dealer_keys (every production network) still runs the DKG.
      for (const [id, options] of [['d', undefined], ['e', { networkAllowsDealer: false }]] as const) {
        opened.length = 0;
        await expect(backend(true).generate(id.repeat(40), () => {}, undefined, 'fhevm', undefined, options)).rejects.toThrow('stopped at the first MPC session');
        expect(opened).toEqual([sessionIdFor(id.repeat(40), 'prss')]);
      }
      expect(engineKeygen).not.toHaveBeenCalled();
      // Flag and network both: the dealer's session is the one opened (the test can fail).
      opened.length = 0;
      await expect(backend(true).generate('f'.repeat(40), () => {}, undefined, 'fhevm', undefined, { networkAllowsDealer: true })).rejects.toThrow('stopped at the first MPC session');
      expect(opened).toEqual([sessionIdFor('f'.repeat(40), 'deal')]);
    } finally {
      engineKeygen.mockRestore();
    }
  });
});
