/**
 * @module core/service/zk/oprf
 * Encrypted pseudo-random values made from a key set's public server key, as
 * an fhEVM coprocessor makes them (issue 11 item 6): `tkms-tfhe-zk oprf` runs
 * tfhe-rs 1.7's oblivious pseudo-random generation (tools/tfhe-zk/src/oprf.rs).
 * The output is an ordinary ciphertext under the key set's big key, in
 * node-tfhe's `safe_serialize` format, so the KMS decrypts it like any other
 * (`parseCiphertext`, centralized or threshold).
 *
 * Only the server key is needed: a key set made by tfhe-rs 1.7 / node-tfhe
 * carries a dedicated OPRF bootstrapping key in its server key (`oprfKey:
 * 'dedicated'`), whose secret input key sits only in the client key (the
 * threshold dealer wipes it with the rest). The same seed and server key give
 * byte-identical ciphertexts, so the seed is all a coprocessor has to agree on;
 * it must be unpredictable to whoever could learn the OPRF secret key, and
 * never reused for two values meant to be independent.
 *
 * @example
 * const { ciphertext } = await generateOprf({ compressedServerKey, seed: randomBytes(16), fheType: 'euint64' });
 * parseCiphertext(ciphertext, 'euint64'); // decrypts to a uniform 64-bit value
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { TkmsError } from '../../../common/errors.js';
import { FHE_TYPE_INFO, parseFheType, type FheType } from '../../../common/fheTypes.js';
import type { ExpandedValue, ToolSuccess } from './_toolAnswer.js';
import { runTool, withPrivateDir, writePrivate, type TfheZkToolOptions } from './_toolRun.js';

/** A tfhe-rs `Seed` is a u128; these are its bytes as tfhe-rs feeds them to the PRF (little-endian). */
export const OPRF_SEED_BYTES = 16;
/** Server-key decompression (~1 s) plus an euint256 (~2.5 s on one core) on a loaded machine. */
export const DEFAULT_OPRF_TIMEOUT_MS = 120_000;

export interface GenerateOprfParameters {
  /** `TfheCompressedServerKey.safe_serialize` of the key set (what TKMS publishes). */
  compressedServerKey: Uint8Array;
  /** Exactly 16 bytes. Same seed and server key, same ciphertext. */
  seed: Uint8Array;
  fheType: FheType;
  /** The value is uniform in [0, 2^randomBits); 1 ≤ randomBits ≤ the type's width, which is the default. */
  randomBits?: number;
}

export interface GenerateOprfReturnType extends ExpandedValue {
  randomBits: number;
  /** The server key carried a dedicated OPRF bootstrapping key (tfhe-rs 1.7 default) rather than falling back to the compute one. */
  dedicatedOprfKey: boolean;
  /** The tool's own timings: `load` (includes `serverKeyDecompress` when not cached), `generate`, `write`. */
  timingsMs: Readonly<Record<string, number>>;
}

export type GenerateOprfErrorType = TkmsError;

/**
 * Checks the parameters before any file is written (a 60 MB key is not worth
 * writing for a bad seed). Throws OPRF_BAD_PARAMETERS or BAD_FHE_TYPE; returns
 * the tool's arguments after the server key.
 */
export function oprfArguments(params: Omit<GenerateOprfParameters, 'compressedServerKey'>): { fheType: FheType; randomBits: number; args: string[] } {
  const { seed, randomBits } = params;
  if (!(seed instanceof Uint8Array) || seed.length !== OPRF_SEED_BYTES) {
    const got = seed instanceof Uint8Array ? `${seed.length} bytes` : typeof seed;
    throw new TkmsError('OPRF_BAD_PARAMETERS', `seed must be ${OPRF_SEED_BYTES} bytes, got ${got}`);
  }
  const fheType = parseFheType(String(params.fheType));
  const width = FHE_TYPE_INFO[fheType].bits;
  const bits = randomBits ?? width;
  if (!Number.isInteger(bits) || bits < 1 || bits > width) {
    throw new TkmsError('OPRF_BAD_PARAMETERS', `randomBits must be an integer in 1..${width} for ${fheType}, got ${String(randomBits)}`);
  }
  return {
    fheType,
    randomBits: bits,
    args: ['--seed', Buffer.from(seed).toString('hex'), '--type', fheType, '--random-bits', String(bits)],
  };
}

/** The value the tool wrote to `out`, checked against what was asked for. */
export async function readOprfValue(answer: ToolSuccess, out: string, fheType: FheType, randomBits: number): Promise<GenerateOprfReturnType> {
  if (answer.fheType !== fheType || answer.randomBits !== randomBits || path.resolve(answer.file ?? '') !== path.resolve(out)) {
    throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk oprf answered for another value than the ${fheType} asked for`);
  }
  return {
    fheType,
    ciphertext: new Uint8Array(await readFile(out)),
    randomBits,
    dedicatedOprfKey: answer.oprfKey === 'dedicated',
    timingsMs: { ...(answer.timingsMs ?? {}) },
  };
}

/**
 * One encrypted pseudo-random value of `fheType`, uniform in [0, 2^randomBits),
 * made with the server key alone. Throws OPRF_BAD_PARAMETERS (seed length,
 * randomBits), BAD_FHE_TYPE, SERVER_KEY_MALFORMED, OPRF_FAILED. Each call
 * decompresses the server key again (~1 s): for many values use
 * `TfheZkServer.oprf`, which keeps it.
 *
 * @example
 * const a = await generateOprf({ compressedServerKey, seed, fheType: 'euint8', randomBits: 3 });
 * const b = await generateOprf({ compressedServerKey, seed, fheType: 'euint8', randomBits: 3 });
 * Buffer.from(a.ciphertext).equals(b.ciphertext); // true
 */
export async function generateOprf(params: GenerateOprfParameters, options: TfheZkToolOptions = {}): Promise<GenerateOprfReturnType> {
  const { fheType, randomBits, args } = oprfArguments(params);
  return withPrivateDir(options, async (dir) => {
    const serverKey = path.join(dir, 'server-key.bin');
    const out = path.join(dir, 'value.bin');
    await writePrivate(serverKey, params.compressedServerKey);
    const answer = await runTool(['oprf', '--server-key', serverKey, ...args, '--out', out], options.timeoutMs ?? DEFAULT_OPRF_TIMEOUT_MS, options);
    return readOprfValue(answer, out, fheType, randomBits);
  });
}
