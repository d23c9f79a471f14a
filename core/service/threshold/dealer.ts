/**
 * @module core/service/threshold/dealer
 * Dealer key sharing, the first step before distributed key generation
 * (DESIGN.md §5): node-tfhe generates the key set, the big (GLWE) secret key is
 * Shamir-shared bit by bit over GR(2^64, d) among the n parties, and the
 * dealer's copies of the secret are overwritten before this returns. Public
 * material is published exactly as the centralized backend does.
 *
 * @example
 * const dealt = dealKeySet(await engine.generateKeySet({}), { n: 4, t: 1 });
 * // send dealt.shares.get(p) to party p over the mTLS peer channel, publish dealt.publicMaterial
 */
import { parseClientKey } from '../../engine/index.js';
import { cryptoRng, dealKeyShares, ringForParties, type GaloisRing, type GrVector, type Rng } from '../../engine/mpc/index.js';
import { TkmsError } from '../../../common/errors.js';
import type { KeySet } from '../engine.js';

export interface DealtKeySet {
  publicMaterial: { compactPublicKey: Uint8Array; compressedServerKey: Uint8Array; parameters: string };
  /** Party id → its share of the big key, `R.toBytes` of `lweDimension` ring elements (2048 by default, 512 for test-insecure). */
  shares: Map<number, Uint8Array>;
  /** Extension degree of the Galois ring the shares live in. */
  ringDegree: number;
  lweDimension: number;
}

export function dealKeySet(keySet: KeySet, p: { n: number; t: number }, rng: Rng = cryptoRng): DealtKeySet {
  const R = ringForParties(p.n);
  const key = parseClientKey(keySet.clientKey).bigKey;
  try {
    const shares = dealKeyShares(R, key.bits, p.n, p.t, rng);
    return {
      publicMaterial: { compactPublicKey: keySet.compactPublicKey, compressedServerKey: keySet.compressedServerKey, parameters: keySet.parameters },
      shares: new Map(shares.map((s, i) => [i + 1, R.toBytes(s)])),
      ringDegree: R.d,
      lweDimension: key.dimension,
    };
  } finally {
    // The dealer must not keep the secret: overwrite every copy it holds.
    keySet.clientKey.fill(0);
    key.bits.fill(0);
    key.ones.fill(0);
  }
}

/** A party's stored key share, checked for shape before use. */
export function parseKeyShare(bytes: Uint8Array, n: number, lweDimension: number): { R: GaloisRing; share: GrVector } {
  const R = ringForParties(n);
  const share = R.fromBytes(bytes, lweDimension);
  if (!share) throw new TkmsError('KEY_SHARE_MALFORMED', `key share is ${bytes.length} bytes; expected ${lweDimension} elements of GR(2^64, ${R.d})`);
  return { R, share };
}
