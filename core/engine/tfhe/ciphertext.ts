/**
 * @module core/engine/tfhe/ciphertext
 * Strict parser for the `safe_serialize` bytes of node-tfhe 1.7 `FheBool` and
 * `FheUint{4,8,16,32,64,128,160,256}` under a TKMS parameter set
 * (parameters.ts): the ciphertexts a client encrypts with the client key,
 * those expanded from a `CompactCiphertextList`, and everything an fhEVM
 * computes. All of them are radix blocks of LWE ciphertexts under the big
 * (flattened GLWE) key, of the key's dimension: 2048 for `default` and
 * `fhevm`, 512 for `test-insecure`. The layout below is for 2048; with
 * dimension d a block is 16 + 8·(d + 1) + 92 bytes.
 *
 * Layout (found by experiment and matched against tfhe-rs; all integers
 * little-endian, enum variants and version tags u32, lengths u64):
 *
 * ```
 * 0     safe-serialization header (see ./safeSerialization.ts), name is
 *       "high_level_api::FheUint" (23 bytes) or "high_level_api::FheBool"
 * 57    u32 2   FheUintVersions::V2 / FheBoolVersions::V2 (hl FheUint<Id> / FheBool)
 * 61    u32 0   UnsignedRadixCiphertextVersionedOwned::V0 / InnerBoolean V0
 * 65    u32 0   BaseRadixCiphertextVersions::V0 / BooleanBlockVersions::V0
 * 69    u64 k   number of radix blocks            (FheUint only; FheBool has 1 block
 *                                                   and no count, so blocks start at 69)
 * 77    k blocks of shortint::Ciphertext, 16,500 bytes each:
 *   +0     u32 1     CiphertextVersions::V1 (shortint::Ciphertext with atomic_pattern)
 *   +4     u32 0     LweCiphertextVersions::V0
 *   +8     u64 2049  LweCiphertext data length (lwe_size = 2048 + 1)
 *   +16    2048 u64  mask a_0..a_2047
 *   +16400 u64       body b
 *   +16408 u32 0     SerializableCiphertextModulusVersions::V0
 *   +16412 u128 0    modulus (0 = native 2^64)
 *   +16428 u64 64    scalar_bits
 *   +16436 u32 0 + u64  Degree (largest value the block may hold, ≤ msg·carry − 1)
 *   +16448 u32 0 + u64  NoiseLevel
 *   +16460 u32 0 + u64  MessageModulus (4)
 *   +16472 u32 0 + u64  CarryModulus (4)
 *   +16484 u32 0     AtomicPatternKindVersions::V0
 *   +16488 u32 0     AtomicPatternKind::Standard
 *   +16492 u32 0     PBSOrderVersions::V0
 *   +16496 u32 0     PBSOrder::KeyswitchBootstrap (the block is under the big key)
 * then  (the FheUint{N}Id is a unit struct: it takes no bytes)
 *       u32 0 + u64 len + bytes  Tag (TagVersions::V0, usually empty)
 *       u32 0 + u64 len + bytes  ReRandomizationMetadata (usually empty)
 * ```
 *
 * Sizes with empty tag and metadata: FheBool 16,593 bytes; FheUint with k
 * blocks 101 + 16,500·k (FheUint8 66,101; FheUint64 528,101; FheUint256
 * 2,112,101). The bit width of an `FheUint` is visible only as k.
 *
 * Sources: tfhe-rs `shortint/ciphertext/standard.rs` (`Ciphertext`),
 * `core_crypto/entities/lwe_ciphertext.rs`, `core_crypto/commons/ciphertext_modulus.rs`
 * (`SerializableCiphertextModulus`), `high_level_api/backward_compatibility/integers.rs`
 * (`FheUintVersions`), `high_level_api/tag.rs` (`Tag`, serialized as bytes).
 */
import os from 'node:os';
import { FHE_TYPE_INFO, FHE_TYPES, type FheType } from '../../../common/fheTypes.js';
import { CiphertextCarriesError, CiphertextFormatError, CiphertextParametersError, FheTypeMismatchError } from '../errors.js';
import { BincodeReader } from './_bincode.js';
import { DEFAULT_LWE_DIMENSION, describeLweDimension, isParameterSetLweDimension, MAX_LWE_DIMENSION } from './parameters.js';
import { readSafeSerializationHeader } from './safeSerialization.js';

/**
 * LWE dimension of the big key under the default parameters (GLWE dim 1 × N
 * 2048): what the parser expects unless told the key's dimension.
 */
export const LWE_DIMENSION = DEFAULT_LWE_DIMENSION;
/** Every TKMS parameter set: two message bits and two carry bits per block. */
export const MESSAGE_MODULUS = 4;
export const CARRY_MODULUS = 4;
/** Largest noise level we accept (tfhe-rs' max for these parameters is 5; leave room). */
export const MAX_NOISE_LEVEL = 64;
/** Largest tag / re-randomization metadata we accept (both are empty in practice). */
export const MAX_TAG_BYTES = 1024;

/** Serialized size of one radix block of LWE dimension `d`. */
function blockBytes(d: number): number {
  return 4 + 4 + 8 + (d + 1) * 8 + 4 + 16 + 8 + 4 * 12 + 16;
}
const FHE_UINT_NAME = 'high_level_api::FheUint';
const FHE_BOOL_NAME = 'high_level_api::FheBool';
/** Header (57) + 3 version tags + tag and metadata (2 × 12); FheUint adds the u64 block count. */
const BOOL_FIXED_BYTES = 57 + 12 + 2 * 12;
const UINT_FIXED_BYTES = 57 + 12 + 8 + 2 * 12;

/**
 * Exact serialized size of a ciphertext of `type` with empty tag and metadata,
 * under a key of big-key dimension `lweDimension` (default parameters unless given).
 *
 * @example
 * ciphertextByteLength('euint8'); // 66101
 * ciphertextByteLength('euint8', 512); // 16949 (test-insecure)
 */
export function ciphertextByteLength(type: FheType, lweDimension: number = LWE_DIMENSION): number {
  const block = blockBytes(lweDimension);
  return type === 'ebool' ? BOOL_FIXED_BYTES + block : UINT_FIXED_BYTES + FHE_TYPE_INFO[type].blocks * block;
}

/**
 * Hard cap on input size, checked before any parsing: the largest supported
 * type (euint256) under the largest dimension of any set, plus room for a tag
 * and metadata.
 */
export const MAX_CIPHERTEXT_BYTES = ciphertextByteLength('euint256', MAX_LWE_DIMENSION) + 2 * (12 + MAX_TAG_BYTES);

if (os.endianness() !== 'LE') throw new Error('core/engine/tfhe requires a little-endian host');

/** One radix block: an LWE ciphertext `(a, b)` with `b = <a, s> + Δ·m + e`. */
export interface LweBlock {
  /** The mask values `a_i` (as many as the key's dimension), in an 8-byte aligned buffer of their own. */
  readonly mask: BigUint64Array;
  /** The body `b`. */
  readonly body: bigint;
  /** tfhe-rs `Degree`: the largest value (message and carry) the block may hold. */
  readonly degree: number;
  /** tfhe-rs `NoiseLevel` (1 after encryption or a PBS, 0 for trivial blocks). */
  readonly noiseLevel: number;
  readonly messageModulus: number;
  readonly carryModulus: number;
}

export interface ParsedCiphertext {
  readonly type: FheType;
  /** Radix blocks, least significant first. */
  readonly blocks: readonly LweBlock[];
  readonly lweDimension: number;
  /** The tfhe-rs `Tag` bytes (empty unless the encryptor set one). */
  readonly tag: Uint8Array;
}

function fail(message: string): CiphertextFormatError {
  return new CiphertextFormatError(`malformed ciphertext: ${message}`);
}

/** The FheType whose block count is `k`, for messages; `FheUint with k blocks` otherwise. */
function describeUint(k: number): string {
  const t = FHE_TYPES.find((x) => x !== 'ebool' && FHE_TYPE_INFO[x].blocks === k);
  return t ? `${t} (${k} radix blocks)` : `an FheUint with ${k} radix blocks (${2 * k} bits), not a supported type`;
}

function readBlock(r: BincodeReader, i: number, dim: number): LweBlock {
  const f = (s: string): string => `block ${i} ${s}`;
  r.expectU32(f('CiphertextVersions'), 1);
  r.expectU32(f('LweCiphertextVersions'), 0);
  const size = r.u64(f('LWE size'));
  if (size !== dim + 1) throw fail(`block ${i} has LWE size ${size}, expected ${dim + 1} (dimension ${dim})`);
  const data = r.u64Array(f('LWE data'), dim + 1);
  const mask = data.subarray(0, dim);
  const body = data[dim]!;
  r.expectU32(f('CiphertextModulusVersions'), 0);
  const modulus = r.u128(f('ciphertext modulus'));
  if (modulus !== 0n) throw fail(`block ${i} ciphertext modulus is ${modulus}, expected native 2^64`);
  r.expectU64(f('scalar bits'), 64);
  r.expectU32(f('DegreeVersions'), 0);
  const degree = r.u64(f('degree'));
  r.expectU32(f('NoiseLevelVersions'), 0);
  const noiseLevel = r.u64(f('noise level'));
  r.expectU32(f('MessageModulusVersions'), 0);
  const messageModulus = r.u64(f('message modulus'));
  r.expectU32(f('CarryModulusVersions'), 0);
  const carryModulus = r.u64(f('carry modulus'));
  if (messageModulus !== MESSAGE_MODULUS || carryModulus !== CARRY_MODULUS) {
    throw fail(`block ${i} has message modulus ${messageModulus} and carry modulus ${carryModulus}; only message 2 carry 2 (4, 4) parameter sets are supported`);
  }
  if (degree > messageModulus * carryModulus - 1) throw fail(`block ${i} degree ${degree} exceeds ${messageModulus * carryModulus - 1}`);
  if (noiseLevel > MAX_NOISE_LEVEL) throw fail(`block ${i} noise level ${noiseLevel} exceeds ${MAX_NOISE_LEVEL}`);
  r.expectU32(f('AtomicPatternKindVersions'), 0);
  const pattern = r.u32(f('atomic pattern'));
  if (pattern !== 0) throw fail(`block ${i} atomic pattern ${pattern} is not Standard (0)`);
  r.expectU32(f('PBSOrderVersions'), 0);
  const order = r.u32(f('PBS order'));
  if (order !== 0) throw fail(`block ${i} PBS order ${order} is not KeyswitchBootstrap (0): it is not under the big key`);
  return { mask, body, degree, noiseLevel, messageModulus, carryModulus };
}

function readTagAndMetadata(r: BincodeReader): Uint8Array {
  r.expectU32('TagVersions', 0);
  const tag = r.byteVec('tag', MAX_TAG_BYTES);
  r.expectU32('ReRandomizationMetadataVersions', 0);
  r.byteVec('re-randomization metadata', MAX_TAG_BYTES);
  return tag;
}

/**
 * Reads the header and returns the encrypted type, without parsing the blocks.
 * Throws `CiphertextFormatError` when the header is not an FheBool / FheUint
 * header, or the block count matches no supported type.
 *
 * @example
 * detectFheType(fheUint64.safe_serialize(1n << 30n)); // 'euint64'
 */
export function detectFheType(bytes: Uint8Array): FheType {
  const r = startReader(bytes);
  const name = readSafeSerializationHeader(r).name;
  if (name === FHE_BOOL_NAME) return 'ebool';
  checkName(r, name);
  r.expectU32('FheUintVersions', 2);
  r.expectU32('UnsignedRadixCiphertextVersionedOwned', 0);
  r.expectU32('BaseRadixCiphertextVersions', 0);
  const k = r.u64('block count');
  const t = FHE_TYPES.find((x) => x !== 'ebool' && FHE_TYPE_INFO[x].blocks === k);
  if (!t) throw fail(`${describeUint(k)}`);
  return t;
}

function startReader(bytes: Uint8Array): BincodeReader {
  if (!(bytes instanceof Uint8Array)) throw fail(`expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw fail('empty input');
  if (bytes.length > MAX_CIPHERTEXT_BYTES) {
    throw fail(`${bytes.length} bytes exceeds the ${MAX_CIPHERTEXT_BYTES}-byte limit (largest supported type is euint256)`);
  }
  return new BincodeReader(bytes, fail);
}

function checkName(r: BincodeReader, name: string): void {
  if (name === FHE_UINT_NAME) return;
  if (name.startsWith('high_level_api::Compressed')) {
    throw fail(`type name "${name}" is a compressed ciphertext: decompress it first (decompressCiphertext)`);
  }
  throw fail(`type name "${name}" is not ${FHE_UINT_NAME} or ${FHE_BOOL_NAME}`);
}

/**
 * Parses node-tfhe `safe_serialize` bytes of a ciphertext declared as `type`,
 * to be decrypted under a key of big-key dimension `lweDimension` (the
 * default parameters' 2048 unless given: pass the key's, parameters.ts).
 *
 * Checks, in order: input size (before any work), the safe-serialization
 * header, the type name and block count against `type` (a mismatch throws
 * `FheTypeMismatchError` naming both), the first block's LWE dimension
 * against the key's (a ciphertext of another parameter set throws
 * `CiphertextParametersError` naming both sets), then every field of every
 * block, and that no byte is left over. Everything else throws
 * `CiphertextFormatError`.
 *
 * @example
 * const ct = parseCiphertext(FheUint8.encrypt_with_client_key(42, ck).safe_serialize(1n << 30n), 'euint8');
 * ct.blocks.length; // 4
 */
export function parseCiphertext(bytes: Uint8Array, type: FheType, lweDimension: number = LWE_DIMENSION): ParsedCiphertext {
  const info = FHE_TYPE_INFO[type];
  if (!info) throw fail(`unknown FHE type "${String(type)}"`);
  if (!isParameterSetLweDimension(lweDimension)) {
    throw new CiphertextParametersError(`the key's LWE dimension ${lweDimension} is that of no TKMS parameter set`);
  }
  const r = startReader(bytes);
  const { name } = readSafeSerializationHeader(r);

  let blockCount: number;
  if (name === FHE_BOOL_NAME) {
    if (type !== 'ebool') throw new FheTypeMismatchError(type, 'ebool (FheBool)');
    r.expectU32('FheBoolVersions', 2);
    r.expectU32('InnerBoolean version', 0);
    r.expectU32('BooleanBlockVersions', 0);
    blockCount = 1;
  } else {
    checkName(r, name);
    r.expectU32('FheUintVersions', 2);
    r.expectU32('UnsignedRadixCiphertextVersionedOwned', 0);
    r.expectU32('BaseRadixCiphertextVersions', 0);
    const at = r.offset;
    blockCount = r.u64('block count');
    if (type === 'ebool' || blockCount !== info.blocks) {
      if (blockCount === 0 || blockCount > 1024) throw fail(`block count ${blockCount} at byte ${at} is implausible`);
      throw new FheTypeMismatchError(type, describeUint(blockCount), {
        details: `${type} has ${type === 'ebool' ? 'an FheBool' : `${info.blocks} radix blocks`}`,
      });
    }
  }
  // A ciphertext of another parameter set is well formed but meaningless
  // under this key (its phase would decode to garbage): say so before the
  // size checks below would call it truncated or too long.
  const size = r.peekU64(8);
  if (size !== undefined && size !== lweDimension + 1 && isParameterSetLweDimension(size - 1)) {
    throw new CiphertextParametersError(
      `ciphertext is under ${describeLweDimension(size - 1)}, but the key it is decrypted under has ${describeLweDimension(lweDimension)}`,
      { details: 'a ciphertext decrypts only under a key of the parameter set it was encrypted with' },
    );
  }
  // With the block count known the size is fixed up to the tag: reject a
  // wrong length now rather than after copying megabytes.
  const fixed = (type === 'ebool' ? BOOL_FIXED_BYTES : UINT_FIXED_BYTES) + blockCount * blockBytes(lweDimension);
  if (bytes.length < fixed) throw fail(`truncated: ${bytes.length} bytes, a ${type} needs at least ${fixed}`);
  if (bytes.length > fixed + 2 * MAX_TAG_BYTES) throw fail(`${bytes.length} bytes is too long for a ${type} (${fixed} bytes plus tag)`);

  const blocks: LweBlock[] = [];
  for (let i = 0; i < blockCount; i++) blocks.push(readBlock(r, i, lweDimension));
  const tag = readTagAndMetadata(r);
  r.expectEnd(type);
  return { type, blocks, lweDimension, tag };
}

/**
 * Throws `CiphertextCarriesError` when a block may hold carries: its degree
 * (the largest value tfhe-rs says it can hold) exceeds message modulus − 1.
 * Decryption opens one digit per block; a dirty block's digit carries the
 * carry bits too, i.e. more than the plaintext (a sum that overflowed, or
 * bits an attacker placed there). Every ciphertext tfhe-rs hands out after an
 * operation, an encryption or an expansion is clean, so refusing costs honest
 * users nothing. Returns `ct` for chaining.
 *
 * @example
 * requireCleanCarries(parseCiphertext(bytes, 'euint8')); // throws when a block's degree is above 3
 */
export function requireCleanCarries(ct: ParsedCiphertext): ParsedCiphertext {
  ct.blocks.forEach((b, i) => {
    if (b.degree > b.messageModulus - 1) {
      throw new CiphertextCarriesError(
        `block ${i} of the ${ct.type} has degree ${b.degree} > ${b.messageModulus - 1}: it may hold carries, and only message bits are ever decrypted`,
        { details: 'propagate the carries first (tfhe-rs does so in every operation it exposes; e.g. `full_propagate`)' },
      );
    }
  });
  return ct;
}
