/**
 * @module core/engine/tfhe/clientKey
 * Extracts the secret keys from a node-tfhe 1.7 `TfheClientKey.safe_serialize`.
 * Under every TKMS parameter set (parameters.ts: encryption key choice Big)
 * every ciphertext TKMS decrypts is an LWE ciphertext under the GLWE secret
 * key flattened into an LWE key of dimension k·N (2048 by default, 512 for
 * `test-insecure`): the "big key". We also return the small LWE key
 * (dimension n: 918 by default, 64 for `test-insecure`; the key-switch
 * target) for completeness; decryption never uses it. The dimensions read
 * must be those of one parameter set, which is returned with the keys.
 *
 * Layout of the prefix we read (little-endian; u32 version tags as observed
 * for node-tfhe 1.7, with the default, the fhEVM-style and the custom
 * `test-insecure` config; offsets for the default set):
 *
 * ```
 * 0      safe-serialization header, name "high_level_api::ClientKey" (25 bytes)
 * 59     u32 1     ClientKeyVersions::V1            (hl ClientKey { key, tag })
 * 63     u32 8     IntegerClientKeyVersions::V8     (hl IntegerClientKey)
 * 67     u32 0     integer::ClientKey version
 * 71     u32 1     shortint::ClientKey version (the atomic-pattern client key)
 * 75     u32 0     AtomicPatternClientKey version
 * 79     u32 0     AtomicPatternClientKey::Standard
 * 83     u32 0     StandardAtomicPatternClientKey version
 * 87     u32 0     GlweSecretKeyVersions::V0
 * 91     u64 2048  GLWE key data length (k·N = 1·2048)
 * 99     2048 u64  GLWE key coefficients, each 0 or 1  ← the big LWE key
 * 16483  u32 0 + u64 2048   PolynomialSize
 * 16495  u32 0     LweSecretKeyVersions::V0
 * 16499  u64 918   small LWE key length
 * 16507  918 u64   small LWE key coefficients, each 0 or 1
 * 23851  parameters, the optional keys (compact-public-key secret key in the
 *        fhEVM config, OPRF key, …) and the tag: not parsed here.
 * ```
 *
 * Sources: tfhe-rs `high_level_api/backward_compatibility/keys.rs`
 * (`ClientKeyVersions`, `IntegerClientKeyVersions`),
 * `core_crypto/entities/glwe_secret_key.rs` (`GlweSecretKey { data, polynomial_size }`),
 * `core_crypto/entities/lwe_secret_key.rs`.
 */
import { ClientKeyFormatError } from '../errors.js';
import { BincodeReader } from './_bincode.js';
import { LWE_DIMENSION } from './ciphertext.js';
import { FHE_PARAMETER_PROFILES, MAX_LWE_DIMENSION, parameterProfile, type FheParameterSet } from './parameters.js';
import { readSafeSerializationHeader } from './safeSerialization.js';

/** Small LWE dimension of the default parameters. */
export const SMALL_LWE_DIMENSION = parameterProfile('default').smallLweDimension;
/** Cap on client key input (default config 31,458 B; fhEVM config 47,998 B). */
export const MAX_CLIENT_KEY_BYTES = 1 << 20;
const CLIENT_KEY_NAME = 'high_level_api::ClientKey';

/** A binary LWE secret key in the two forms the decryption hot path wants. */
export interface LweSecretKey {
  readonly dimension: number;
  /** `s_i ∈ {0, 1}`. */
  readonly bits: Uint8Array;
  /** Indices `i` with `s_i = 1`, ascending: `<a, s>` is the sum of `a_i` over them. */
  readonly ones: Uint32Array;
}

export interface ParsedClientKey {
  /** The flattened GLWE key (dimension k·N, 2048 by default): decrypts every ciphertext TKMS sees. */
  readonly bigKey: LweSecretKey;
  /** The small LWE key (dimension n, 918 by default), target of the key switch. */
  readonly smallKey: LweSecretKey;
  /**
   * The parameter sets whose dimensions these are (`default` and `fhevm`
   * share theirs; this parser does not read past the keys to tell them apart).
   */
  readonly parameterSets: readonly FheParameterSet[];
}

function fail(message: string): ClientKeyFormatError {
  return new ClientKeyFormatError(`malformed client key: ${message}`);
}

/**
 * Builds an `LweSecretKey` from coefficients, checking they are binary and
 * that there are `dimension` of them.
 *
 * @example
 * const key = lweSecretKeyFromBits(Uint8Array.from({ length: 2048 }, () => Math.random() < 0.5 ? 1 : 0));
 */
export function lweSecretKeyFromBits(bits: ArrayLike<number | bigint>, dimension: number = LWE_DIMENSION): LweSecretKey {
  if (bits.length !== dimension) throw fail(`secret key has ${bits.length} coefficients, expected ${dimension}`);
  const out = new Uint8Array(dimension);
  const ones: number[] = [];
  for (let i = 0; i < dimension; i++) {
    const v = bits[i];
    if (v === 1 || v === 1n) {
      out[i] = 1;
      ones.push(i);
    } else if (v !== 0 && v !== 0n) {
      throw fail(`secret key coefficient ${i} is ${String(v)}, not binary`);
    }
  }
  return { dimension, bits: out, ones: Uint32Array.from(ones) };
}

/**
 * Parses `TfheClientKey.safe_serialize` bytes (node-tfhe 1.7, any TKMS
 * parameter set) and returns its big and small LWE secret keys.
 *
 * @example
 * const { bigKey } = parseClientKey(TfheClientKey.generate(cfg).safe_serialize(1n << 30n));
 * decryptCiphertext(parseCiphertext(ctBytes, 'euint8'), bigKey); // 42n
 */
export function parseClientKey(bytes: Uint8Array): ParsedClientKey {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw fail('empty input');
  if (bytes.length > MAX_CLIENT_KEY_BYTES) throw fail(`${bytes.length} bytes exceeds the ${MAX_CLIENT_KEY_BYTES}-byte limit`);
  const r = new BincodeReader(bytes, fail);
  const { name } = readSafeSerializationHeader(r);
  if (name !== CLIENT_KEY_NAME) throw fail(`type name "${name}" is not ${CLIENT_KEY_NAME}`);
  r.expectU32('ClientKeyVersions', 1);
  r.expectU32('IntegerClientKeyVersions', 8);
  r.expectU32('integer::ClientKey version', 0);
  r.expectU32('shortint::ClientKey version', 1);
  r.expectU32('AtomicPatternClientKey version', 0);
  r.expectU32('AtomicPatternClientKey variant (Standard)', 0);
  r.expectU32('StandardAtomicPatternClientKey version', 0);
  r.expectU32('GlweSecretKeyVersions', 0);
  const at = r.offset;
  const bigDim = r.u64('GLWE secret key length');
  // Bounded before reading: the length comes from the input.
  if (bigDim > MAX_LWE_DIMENSION) throw fail(`GLWE secret key length ${bigDim} at byte ${at} exceeds ${MAX_LWE_DIMENSION}`);
  const big = r.u64Array('GLWE secret key', bigDim);
  r.expectU32('PolynomialSize version', 0);
  const polynomialSize = r.u64('polynomial size');
  r.expectU32('LweSecretKeyVersions', 0);
  const smallAt = r.offset;
  const smallDim = r.u64('small LWE secret key length');
  const sets = Object.values(FHE_PARAMETER_PROFILES)
    .filter((p) => p.lweDimension === bigDim && p.polynomialSize === polynomialSize && p.smallLweDimension === smallDim)
    .map((p) => p.set);
  if (sets.length === 0) {
    throw fail(
      `key dimensions (GLWE ${bigDim / polynomialSize} × ${polynomialSize}, LWE ${smallDim} at byte ${smallAt}) are those of no TKMS parameter set (${Object.values(FHE_PARAMETER_PROFILES)
        .map((p) => `${p.set}: ${p.glweDimension} × ${p.polynomialSize}, ${p.smallLweDimension}`)
        .join('; ')})`,
    );
  }
  const small = r.u64Array('small LWE secret key', smallDim);
  return { bigKey: lweSecretKeyFromBits(big, bigDim), smallKey: lweSecretKeyFromBits(small, smallDim), parameterSets: sets };
}
