import { generateKeySet, parseClientKey } from '../../engine/index.js';
import { reconstruct, seededRng } from '../../engine/mpc/index.js';
import { jest } from '@jest/globals';
import { pino } from 'pino';
import { defaultEngine } from '../engine.js';
import type { PeerTransport } from '../mpc/peerTransport.js';
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

describe('the dealer is off unless configured (threshold.insecureDealerKeygen)', () => {
  /** The backend refuses before any network use: a transport that fails the test if touched. */
  const transport = {
    n: 4,
    partyId: 1,
    endpoint: () => {
      throw new Error('the refusal must come before any MPC session');
    },
  } as unknown as PeerTransport;
  const backend = (insecureDealerKeygen?: boolean): ReturnType<typeof thresholdBackend> =>
    thresholdBackend({ transport, t: 1, dealerId: 1, engine: defaultEngine, logger: pino({ level: 'silent' }), ...(insecureDealerKeygen === undefined ? {} : { insecureDealerKeygen }) });

  test('behavior: by default an fhevm keygen (no DKG yet) is refused, never dealt', async () => {
    const engineKeygen = jest.spyOn(defaultEngine, 'generateKeySet');
    try {
      await expect(backend().generate('a'.repeat(40), () => {}, undefined, 'fhevm')).rejects.toMatchObject({ code: 'KEYGEN_UNSUPPORTED' });
      await expect(backend(false).generate('b'.repeat(40), () => {}, undefined, 'fhevm')).rejects.toThrow(/does not deal keys/);
      expect(engineKeygen).not.toHaveBeenCalled();
    } finally {
      engineKeygen.mockRestore();
    }
  });
});
