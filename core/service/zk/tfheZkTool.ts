/**
 * @module core/service/zk/tfheZkTool
 * Typed wrapper around `tkms-tfhe-zk` (tools/tfhe-zk), the native tfhe-rs 1.7
 * helper that verifies proofs of encryption and expands compact ciphertext
 * lists. node-tfhe cannot do it in a core: `verify_and_expand` casts the list
 * from the dedicated compact key to the compute key, which needs a server key
 * in the thread, and node-tfhe builds one only from the client key, which a
 * threshold core never holds (bench/zk.bench.ts). The tool loads the
 * compressed server key instead.
 *
 * The service layer runs it as a child process (the engine stays pure): inputs
 * go to a private temporary directory (0700, removed afterwards), the process
 * runs asynchronously under a timeout, and its one JSON line on stdout is
 * mapped to typed results or TkmsError codes. Outputs are each value's
 * `safe_serialize` bytes, the format of node-tfhe's `FheUint8.safe_serialize`
 * that `parseCiphertext` (core/engine) reads.
 *
 * Each call here starts a process that decompresses the server key again
 * (~0.8 s, ~370 MB resident): a core verifying many lists should keep one
 * `TfheZkServer` (./tfheZkServer.ts) instead.
 *
 * @example
 * const values = await verifyAndExpand({ crs, compactPublicKey, compressedServerKey, list, metadata });
 * values[0]; // { fheType: 'euint8', ciphertext: Uint8Array(66101) }
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TkmsError } from '../../../common/errors.js';
import { MAX_CRS_NUM_BITS } from '../../engine/tfhe/crs.js';
import { readItems, type ExpandedValue } from './_toolAnswer.js';
import { runTool, withPrivateDir, writePrivate, type TfheZkToolOptions } from './_toolRun.js';

export { TFHE_ZK_BIN_ENV, tfheZkToolPath, type ExpandedValue } from './_toolAnswer.js';
export type { TfheZkToolOptions } from './_toolRun.js';

/** Covers a server-key decompression plus verifying a full 2048-bit list on a loaded machine. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 180_000;
/** A 2048-bit CRS takes ~15 s natively (one core); leave room for 4096 bits on a loaded machine. */
export const DEFAULT_CRSGEN_TIMEOUT_MS = 600_000;

export interface VerifyAndExpandParameters {
  /** `CompactPkeCrs` in safe_serialize format (what `tkms crsgen` publishes). */
  crs: Uint8Array;
  /** `TfheCompactPublicKey.safe_serialize` of the key the list claims to be encrypted under. */
  compactPublicKey: Uint8Array;
  /** `TfheCompressedServerKey.safe_serialize` of the same key set (carries the casting key). */
  compressedServerKey: Uint8Array;
  /** `ProvenCompactCiphertextList.safe_serialize`, packed (`build_with_proof_packed`). */
  list: Uint8Array;
  /** The bytes the proof was bound to (e.g. contract address, user, chain id). */
  metadata: Uint8Array;
}

export interface ExpandParameters {
  compressedServerKey: Uint8Array;
  /** `CompactCiphertextList.safe_serialize` under the dedicated compact key, packed (`build_packed`). */
  list: Uint8Array;
}

/**
 * Verifies the list's proof against the CRS, public key and metadata, then
 * expands it under the compute key. Throws PROOF_INVALID when the proof does
 * not verify (tampered proof or ciphertext, other metadata, other public key),
 * CIPHERTEXT_MALFORMED when the list is not a conformant packed proven list,
 * UNSUPPORTED_TYPE for values TKMS does not handle.
 *
 * @example
 * const [v] = await verifyAndExpand({ crs, compactPublicKey, compressedServerKey, list, metadata: new TextEncoder().encode('app') });
 */
export async function verifyAndExpand(params: VerifyAndExpandParameters, options: TfheZkToolOptions = {}): Promise<ExpandedValue[]> {
  return withPrivateDir(options, async (dir) => {
    const files = {
      crs: path.join(dir, 'crs.bin'),
      publicKey: path.join(dir, 'public-key.bin'),
      serverKey: path.join(dir, 'server-key.bin'),
      list: path.join(dir, 'list.bin'),
    };
    await Promise.all([
      writePrivate(files.crs, params.crs),
      writePrivate(files.publicKey, params.compactPublicKey),
      writePrivate(files.serverKey, params.compressedServerKey),
      writePrivate(files.list, params.list),
    ]);
    const outDir = path.join(dir, 'out');
    const answer = await runTool(
      [
        'verify-expand',
        '--crs', files.crs,
        '--public-key', files.publicKey,
        '--server-key', files.serverKey,
        '--list', files.list,
        '--metadata-hex', Buffer.from(params.metadata).toString('hex'),
        '--out-dir', outDir,
      ],
      options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
      options,
    );
    return readItems(answer, outDir);
  });
}

/**
 * Expands a non-proven packed `CompactCiphertextList` made under the
 * dedicated compact key (it needs the casting key of the server key too).
 *
 * @example
 * const values = await expand({ compressedServerKey, list });
 */
export async function expand(params: ExpandParameters, options: TfheZkToolOptions = {}): Promise<ExpandedValue[]> {
  return withPrivateDir(options, async (dir) => {
    const serverKey = path.join(dir, 'server-key.bin');
    const list = path.join(dir, 'list.bin');
    await Promise.all([writePrivate(serverKey, params.compressedServerKey), writePrivate(list, params.list)]);
    const outDir = path.join(dir, 'out');
    const answer = await runTool(
      ['expand', '--server-key', serverKey, '--list', list, '--out-dir', outDir],
      options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
      options,
    );
    return readItems(answer, outDir);
  });
}

export type ComputeOp = 'add' | 'mul' | 'lt' | 'select';

export interface ComputeParameters {
  compressedServerKey: Uint8Array;
  op: ComputeOp;
  /** `FheUint8.safe_serialize` operands under the key set of `compressedServerKey`. */
  lhs: Uint8Array;
  rhs: Uint8Array;
  /** `select` only: an `FheBool` (e.g. an `lt` result); the result is `cond ? lhs : rhs`. */
  cond?: Uint8Array;
}

/**
 * One FheUint8 operation (`lhs + rhs`, `lhs * rhs`, `lhs < rhs`, `cond ? lhs : rhs`) with the
 * server key alone, as an fhEVM coprocessor computes: node-tfhe has no
 * homomorphic operation, and tests need computed ciphertexts (every one has
 * been through PBS) to check that a key set bootstraps correctly. Returns the
 * result's `safe_serialize` bytes: an euint8, or an ebool for `lt`.
 *
 * @example
 * const r = await compute({ compressedServerKey, op: 'add', lhs, rhs }); // { fheType: 'euint8', ciphertext }
 */
export async function compute(params: ComputeParameters, options: TfheZkToolOptions = {}): Promise<{ fheType: 'euint8' | 'ebool'; ciphertext: Uint8Array }> {
  return withPrivateDir(options, async (dir) => {
    const [serverKey, lhs, rhs, cond, out] = ['server-key.bin', 'lhs.bin', 'rhs.bin', 'cond.bin', 'out.bin'].map((f) => path.join(dir, f)) as [string, string, string, string, string];
    await Promise.all([writePrivate(serverKey, params.compressedServerKey), writePrivate(lhs, params.lhs), writePrivate(rhs, params.rhs), ...(params.cond ? [writePrivate(cond, params.cond)] : [])]);
    const condArgs = params.cond ? ['--cond', cond] : [];
    await runTool(['compute', '--server-key', serverKey, '--op', params.op, '--lhs', lhs, '--rhs', rhs, ...condArgs, '--out', out], options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, options);
    return { fheType: params.op === 'lt' ? 'ebool' : 'euint8', ciphertext: new Uint8Array(await readFile(out)) };
  });
}

/**
 * A CRS for the fhEVM-style configuration (core/engine/tfhe/crs.ts), made
 * natively: the same bytes format as node-tfhe's `CompactPkeCrs.safe_serialize`.
 *
 * @example
 * const crs = await generateCrs(2048); // loadCrs(crs) accepts it
 */
export async function generateCrs(maxNumBits: number, options: TfheZkToolOptions = {}): Promise<Uint8Array> {
  if (!Number.isInteger(maxNumBits) || maxNumBits < 1 || maxNumBits > MAX_CRS_NUM_BITS) {
    throw new TkmsError('CRS_BAD_PARAMETERS', `max_num_bits must be an integer in 1..${MAX_CRS_NUM_BITS}, got ${maxNumBits}`);
  }
  return withPrivateDir(options, async (dir) => {
    const out = path.join(dir, 'crs.bin');
    await runTool(['crsgen', '--max-bits', String(maxNumBits), '--out', out], options.timeoutMs ?? DEFAULT_CRSGEN_TIMEOUT_MS, options);
    return new Uint8Array(await readFile(out));
  });
}
