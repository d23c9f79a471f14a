/**
 * @module common/fheTypes
 * The encrypted types TKMS decrypts, with their tfhe-rs radix layout under the
 * default parameters (message modulus 4: two plaintext bits per radix block).
 */
import { TkmsError } from './errors.js';

export const FHE_TYPES = ['ebool', 'euint4', 'euint8', 'euint16', 'euint32', 'euint64', 'euint128', 'euint160', 'euint256'] as const;
export type FheType = (typeof FHE_TYPES)[number];

export interface FheTypeInfo {
  /** Plaintext width in bits. */
  readonly bits: number;
  /** Number of radix blocks (2 bits each) in the tfhe-rs ciphertext. */
  readonly blocks: number;
  /** One-byte code used in ciphertext handles (fhEVM numbering). */
  readonly code: number;
  /** node-tfhe class name, e.g. `FheUint8`. */
  readonly tfheClass: string;
}

export const FHE_TYPE_INFO: Readonly<Record<FheType, FheTypeInfo>> = {
  ebool: { bits: 1, blocks: 1, code: 0, tfheClass: 'FheBool' },
  euint4: { bits: 4, blocks: 2, code: 1, tfheClass: 'FheUint4' },
  euint8: { bits: 8, blocks: 4, code: 2, tfheClass: 'FheUint8' },
  euint16: { bits: 16, blocks: 8, code: 3, tfheClass: 'FheUint16' },
  euint32: { bits: 32, blocks: 16, code: 4, tfheClass: 'FheUint32' },
  euint64: { bits: 64, blocks: 32, code: 5, tfheClass: 'FheUint64' },
  euint128: { bits: 128, blocks: 64, code: 6, tfheClass: 'FheUint128' },
  euint160: { bits: 160, blocks: 80, code: 7, tfheClass: 'FheUint160' },
  euint256: { bits: 256, blocks: 128, code: 8, tfheClass: 'FheUint256' },
};

export function isFheType(value: string): value is FheType {
  return (FHE_TYPES as readonly string[]).includes(value);
}

/** Parses a user-supplied type name; throws with the list of valid names. */
export function parseFheType(value: string): FheType {
  if (!isFheType(value)) throw new TkmsError('BAD_FHE_TYPE', `unknown FHE type "${value}"; expected one of ${FHE_TYPES.join(', ')}`);
  return value;
}

/** The largest plaintext a type holds. */
export function maxPlaintext(type: FheType): bigint {
  return (1n << BigInt(FHE_TYPE_INFO[type].bits)) - 1n;
}
