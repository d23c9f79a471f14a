/**
 * @module core/engine/tfhe/safeSerialization
 * The header tfhe-rs writes in front of every `safe_serialize` output
 * (`SerializationHeader` in tfhe-rs `tfhe/src/safe_serialization.rs`):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0  | 8 | u64 length of `header_version` (3) |
 * | 8  | 3 | `header_version` = `"0.5"` (`SERIALIZATION_VERSION`) |
 * | 11 | 4 | u32 `SerializationVersioningMode` variant: 0 = `Versioned` |
 * | 15 | 8 | u64 length of `versioning_version` (3) |
 * | 23 | 3 | `versioning_version` = `"0.1"` (`VERSIONING_VERSION`) |
 * | 26 | 8 | u64 length of `name` |
 * | 34 | n | `name`, the `Named::NAME` of the type, e.g. `high_level_api::FheUint` |
 *
 * The versioned bincode of the object follows at `34 + n`. Note that the name
 * does not carry the bit width: every `FheUint<Id>` is `high_level_api::FheUint`;
 * the width is only visible as the number of radix blocks.
 */
import type { BincodeReader } from './_bincode.js';

export const SERIALIZATION_VERSION = '0.5';
export const VERSIONING_VERSION = '0.1';
/** Longest type name we accept in a header (real names are < 64 characters). */
const MAX_NAME_LENGTH = 128;

export interface SafeSerializationHeader {
  readonly headerVersion: string;
  readonly versioningVersion: string;
  readonly name: string;
}

/**
 * Reads and checks the header; leaves the reader at the start of the object.
 * Rejects unversioned payloads and any other header or versioning scheme: they
 * come from a tfhe-rs we have not checked the layout of.
 *
 * @example
 * const r = new BincodeReader(bytes, (m) => new CiphertextFormatError(m));
 * const { name } = readSafeSerializationHeader(r); // 'high_level_api::FheUint'
 */
export function readSafeSerializationHeader(r: BincodeReader): SafeSerializationHeader {
  const headerVersion = r.str('header version', 16);
  if (headerVersion !== SERIALIZATION_VERSION) {
    throw r.error('header version', `expected "${SERIALIZATION_VERSION}", found "${printable(headerVersion)}"`);
  }
  const mode = r.u32('versioning mode');
  if (mode !== 0) throw r.error('versioning mode', `expected 0 (Versioned), found ${mode}${mode === 1 ? ' (Unversioned)' : ''}`);
  const versioningVersion = r.str('versioning version', 16);
  if (versioningVersion !== VERSIONING_VERSION) {
    throw r.error('versioning version', `expected "${VERSIONING_VERSION}", found "${printable(versioningVersion)}"`);
  }
  const name = r.str('type name', MAX_NAME_LENGTH);
  if (!/^[A-Za-z0-9_:<>]+$/.test(name)) throw r.error('type name', `not a tfhe-rs type name: "${printable(name)}"`);
  return { headerVersion, versioningVersion, name };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
