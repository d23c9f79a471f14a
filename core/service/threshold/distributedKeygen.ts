/**
 * @module core/service/threshold/distributedKeygen
 * Key generation with no dealer (issue 11): one MPC session among the
 * parties, in which
 *   1. a public mask seed is agreed (a PRSS value opened robustly, hashed with
 *      the session id: nobody chooses it);
 *   2. each party has tfhe-rs expand every mask from the seed (native tool);
 *   3. the parties make the secret keys as shared random bits, the noise from
 *      shared bits, the products the bootstrapping key needs, and open every
 *      body robustly (core/engine/mpc/keygen);
 *   4. each party has tfhe-rs assemble the compressed server key and the
 *      compact public key from seed and bodies: byte-identical at every honest
 *      party, so all sign the same digests.
 * A party keeps its share of the big key, in the key-share format decryption
 * already uses; its share of the small key and every intermediate is erased.
 * Up to t parties that lie, send garbage or stay silent are corrected by the
 * robust opens and named (`cheaters`).
 */
import { TkmsError } from '../../../common/errors.js';
import { parameterProfile, type FheParameterSet } from '../../engine/index.js';
import type { GaloisRing } from '../../engine/mpc/algebra/galoisRing.js';
import { agreeMaskSeed, distributedKeygen, type KeygenRandomness } from '../../engine/mpc/keygen/keygen.js';
import type { Network } from '../../engine/mpc/network/network.js';
import { MpcSession } from '../../engine/mpc/online/session.js';
import { Prss, type PrssKeys } from '../../engine/mpc/prss/prss.js';
import type { RealRobustOpen } from '../../engine/mpc/sharing/robustOpen.js';
import { assembleKeySet, expandKeygenMasks } from '../zk/keygenTool.js';
import type { TfheZkToolOptions } from '../zk/_toolRun.js';

/**
 * Parameter sets the DKG makes: every one. For `fhevm` it also makes the
 * dedicated compact public key (under a third shared secret, erased at the
 * end) and the casting key-switching key to the small key.
 */
export const DKG_PARAMETER_SETS: readonly FheParameterSet[] = ['test-insecure', 'default', 'fhevm'];

export function dkgSupports(parameters: FheParameterSet): boolean {
  return DKG_PARAMETER_SETS.includes(parameters);
}

export interface RunDistributedKeygenParameters {
  net: Network;
  R: GaloisRing;
  t: number;
  prss: PrssKeys;
  parameters: FheParameterSet;
  /** Robust-open round timeout (a silent party costs this per round). */
  timeoutMs?: number;
  tool?: TfheZkToolOptions;
  randomness?: KeygenRandomness;
  onProgress?: (stage: string, fraction: number) => void;
  /** Test-only: this party's opening protocol as an adversary runs it. */
  opener?: RealRobustOpen;
  /** How long parties wait for each other after local work (keygen.ts; default 30 min). */
  localWorkTimeoutMs?: number;
}

export interface DistributedKeygenResult {
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  /** This party's big-key share, `R.toBytes` of k·N ring elements. */
  share: Uint8Array;
  lweDimension: number;
  /** The mask seed (public; with the bodies it determines the public key set). */
  seed: Uint8Array;
  /** Parties proven to have deviated or found silent. */
  cheaters: number[];
}

export async function runDistributedKeygen(p: RunDistributedKeygenParameters): Promise<DistributedKeygenResult> {
  if (!dkgSupports(p.parameters)) throw new TkmsError('KEYGEN_UNSUPPORTED', `distributed key generation does not support parameter set ${p.parameters} yet (supported: ${DKG_PARAMETER_SETS.join(', ')})`);
  const profile = parameterProfile(p.parameters);
  const session = new MpcSession(p.net, p.R, p.t, new Prss(p.R, p.prss), {
    ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
    ...(p.opener ? { opener: p.opener } : {}),
  });
  p.onProgress?.('agreeing on the mask seed', 0);
  const seed = await agreeMaskSeed(session, p.localWorkTimeoutMs);
  const { shape, masks } = await expandKeygenMasks({ parameters: p.parameters, seed }, p.tool ?? {});
  if (shape.lweDimension !== profile.smallLweDimension || shape.glweDimension !== profile.glweDimension || shape.polynomialSize !== profile.polynomialSize) {
    throw new TkmsError('ZK_TOOL_FAILED', `the native tool's ${p.parameters} shape (n=${shape.lweDimension}, k=${shape.glweDimension}, N=${shape.polynomialSize}) is not the parameter set's`);
  }
  const result = await distributedKeygen(session, shape, masks, {
    ...(p.randomness ? { randomness: p.randomness } : {}),
    ...(p.onProgress ? { onProgress: p.onProgress } : {}),
    ...(p.localWorkTimeoutMs === undefined ? {} : { localWorkTimeoutMs: p.localWorkTimeoutMs }),
  });
  try {
    p.onProgress?.('assembling the public keys', 1);
    const assembled = await assembleKeySet({ parameters: p.parameters, seed, bodies: result.bodies }, p.tool ?? {});
    return {
      ...assembled,
      share: p.R.toBytes(result.bigKeyShare),
      lweDimension: profile.lweDimension,
      seed,
      cheaters: [...session.excluded].sort((a, b) => a - b),
    };
  } finally {
    result.bigKeyShare.fill(0);
  }
}
