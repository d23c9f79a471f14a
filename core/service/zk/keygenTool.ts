/**
 * @module core/service/zk/keygenTool
 * The native side of distributed key generation (tools/tfhe-zk/src/dkg.rs):
 * the shape of a set's key (`dkg-shape`, what a preprocessing plan needs),
 * tfhe-rs expands every public mask of a key set from the agreed seed
 * (`dkg-masks`), and assembles the compressed server key and the compact
 * public key from that seed and the bodies the parties opened
 * (`dkg-assemble`). Nothing secret crosses this boundary: masks, bodies and
 * seed are public, so no file here needs more than the private temporary
 * directory every tool run gets.
 *
 * @example
 * const { shape, masks } = await expandKeygenMasks({ parameters: 'test-insecure', seed });
 * // … every party computes and opens the bodies (core/engine/mpc/keygen) …
 * const { compactPublicKey, compressedServerKey } = await assembleKeySet({ parameters: 'test-insecure', seed, bodies });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TkmsError } from '../../../common/errors.js';
import type { FheParameterSet } from '../../engine/index.js';
import type { KeygenShape, PkeShape } from '../../engine/mpc/keygen/keygen.js';
import { runTool, withPrivateDir, writePrivate, type TfheZkToolOptions } from './_toolRun.js';

/** tfhe-rs `Seed` (u128) bytes. */
export const KEYGEN_SEED_BYTES = 16;
/** Mask expansion (90 MB of masks) and assembly (a 30 MB server key) take about a second each at `default`; generous for a loaded machine. */
const DEFAULT_TIMEOUT_MS = 600_000;

export interface KeygenMasks {
  shape: KeygenShape;
  /** Every public mask, in the layout of `keygenLayout(shape)`. */
  masks: BigUint64Array;
}

function seedHex(seed: Uint8Array): string {
  if (!(seed instanceof Uint8Array) || seed.length !== KEYGEN_SEED_BYTES) throw new TkmsError('INVALID_ARGUMENT', `a key-generation seed is ${KEYGEN_SEED_BYTES} bytes`);
  return Buffer.from(seed).toString('hex');
}

function shapeOf(answer: Record<string, unknown>): KeygenShape {
  const integer = (from: Record<string, unknown>, name: string, what = name): number => {
    const v = from[name];
    const least = name.endsWith('NoiseBoundLog2') ? 0 : 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < least) throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk answered without a valid ${what}`);
    return v;
  };
  const field = (name: Exclude<keyof KeygenShape, 'pke'>): number => integer(answer, name);
  const pke = answer['pke'];
  let dedicated: PkeShape | undefined;
  if (pke !== null && pke !== undefined) {
    if (typeof pke !== 'object') throw new TkmsError('ZK_TOOL_FAILED', 'tkms-tfhe-zk answered with a pke that is not an object');
    const o = pke as Record<string, unknown>;
    const pkeField = (name: keyof PkeShape): number => integer(o, name, `pke.${name}`);
    dedicated = { dimension: pkeField('dimension'), castingLevel: pkeField('castingLevel'), castingBaseLog: pkeField('castingBaseLog'), castingNoiseBoundLog2: pkeField('castingNoiseBoundLog2') };
  }
  return {
    lweDimension: field('lweDimension'),
    glweDimension: field('glweDimension'),
    polynomialSize: field('polynomialSize'),
    ksLevel: field('ksLevel'),
    ksBaseLog: field('ksBaseLog'),
    pbsLevel: field('pbsLevel'),
    pbsBaseLog: field('pbsBaseLog'),
    lweNoiseBoundLog2: field('lweNoiseBoundLog2'),
    glweNoiseBoundLog2: field('glweNoiseBoundLog2'),
    cpkNoiseBoundLog2: field('cpkNoiseBoundLog2'),
    ...(dedicated ? { pke: dedicated } : {}),
  };
}

function u64s(bytes: Uint8Array): BigUint64Array {
  if (bytes.length % 8 !== 0) throw new TkmsError('ZK_TOOL_FAILED', `mask file of ${bytes.length} bytes is not whole u64 words`);
  // Copy into an aligned buffer (readFile's may be pooled and unaligned).
  const out = new BigUint64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The shape of a set's key (dimensions, levels, noise bounds): public, no seed, no masks. */
export async function keygenShape(parameters: FheParameterSet, options: TfheZkToolOptions = {}): Promise<KeygenShape> {
  const answer = await runTool(['dkg-shape', '--params', parameters], options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options);
  return shapeOf(answer as unknown as Record<string, unknown>);
}

/** The key set's shape and every public mask tfhe-rs derives from `seed`. */
export async function expandKeygenMasks(p: { parameters: FheParameterSet; seed: Uint8Array }, options: TfheZkToolOptions = {}): Promise<KeygenMasks> {
  const seed = seedHex(p.seed);
  return withPrivateDir(options, async (dir) => {
    const out = path.join(dir, 'masks.bin');
    const answer = await runTool(['dkg-masks', '--params', p.parameters, '--seed', seed, '--out', out], options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options);
    const shape = shapeOf(answer as unknown as Record<string, unknown>);
    return { shape, masks: u64s(new Uint8Array(await readFile(out))) };
  });
}

export interface AssembledKeySet {
  /** `TfheCompactPublicKey.safe_serialize` bytes. */
  compactPublicKey: Uint8Array;
  /** `TfheCompressedServerKey.safe_serialize` bytes. */
  compressedServerKey: Uint8Array;
}

/** The public key set from the seed and the opened bodies (same bytes at every party that opened the same bodies). */
export async function assembleKeySet(p: { parameters: FheParameterSet; seed: Uint8Array; bodies: BigUint64Array }, options: TfheZkToolOptions = {}): Promise<AssembledKeySet> {
  const seed = seedHex(p.seed);
  return withPrivateDir(options, async (dir) => {
    const bodies = path.join(dir, 'bodies.bin');
    const serverKey = path.join(dir, 'server-key.bin');
    const publicKey = path.join(dir, 'public-key.bin');
    await writePrivate(bodies, new Uint8Array(p.bodies.buffer, p.bodies.byteOffset, p.bodies.byteLength));
    await runTool(['dkg-assemble', '--params', p.parameters, '--seed', seed, '--bodies', bodies, '--out-server-key', serverKey, '--out-public-key', publicKey], options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options);
    return { compactPublicKey: new Uint8Array(await readFile(publicKey)), compressedServerKey: new Uint8Array(await readFile(serverKey)) };
  });
}
