/**
 * @module core/engine/tfhe/_nodeTfhe
 * The node-tfhe 1.7 names behind each FheType: the ciphertext class, the
 * `CompactCiphertextListBuilder.push_*` and `CompactCiphertextListExpander.get_*`
 * methods. Kept in one place so the rest of the engine stays typed.
 */
import * as tfhe from 'node-tfhe';
import type { FheType } from '../../../common/fheTypes.js';

/** The `safe_serialize` / `safe_deserialize` size limit we pass to node-tfhe for ciphertexts. */
export const TFHE_CIPHERTEXT_SERIALIZE_LIMIT = 1n << 26n;

export interface NodeTfheCiphertext {
  safe_serialize(limit: bigint): Uint8Array;
  decrypt(ck: tfhe.TfheClientKey): number | bigint | boolean;
  free(): void;
}

export interface NodeTfheCiphertextClass {
  encrypt_with_client_key(value: never, ck: tfhe.TfheClientKey): NodeTfheCiphertext;
  safe_deserialize(bytes: Uint8Array, limit: bigint): NodeTfheCiphertext;
}

interface TypeBinding {
  readonly cls: string;
  readonly push: string;
  readonly get: string;
  /** node-tfhe takes `number` up to 32 bits and `bigint` above. */
  readonly arg: 'boolean' | 'number' | 'bigint';
}

const BINDINGS: Readonly<Record<FheType, TypeBinding>> = {
  ebool: { cls: 'FheBool', push: 'push_boolean', get: 'get_bool', arg: 'boolean' },
  euint4: { cls: 'FheUint4', push: 'push_u4', get: 'get_uint4', arg: 'number' },
  euint8: { cls: 'FheUint8', push: 'push_u8', get: 'get_uint8', arg: 'number' },
  euint16: { cls: 'FheUint16', push: 'push_u16', get: 'get_uint16', arg: 'number' },
  euint32: { cls: 'FheUint32', push: 'push_u32', get: 'get_uint32', arg: 'number' },
  euint64: { cls: 'FheUint64', push: 'push_u64', get: 'get_uint64', arg: 'bigint' },
  euint128: { cls: 'FheUint128', push: 'push_u128', get: 'get_uint128', arg: 'bigint' },
  euint160: { cls: 'FheUint160', push: 'push_u160', get: 'get_uint160', arg: 'bigint' },
  euint256: { cls: 'FheUint256', push: 'push_u256', get: 'get_uint256', arg: 'bigint' },
};

export function binding(type: FheType): TypeBinding {
  return BINDINGS[type];
}

/** The node-tfhe class for `type`, e.g. `FheUint8` (and `CompressedFheUint8` with `compressed`). */
export function ciphertextClass(type: FheType, compressed = false): NodeTfheCiphertextClass {
  const name = (compressed ? 'Compressed' : '') + BINDINGS[type].cls;
  return (tfhe as unknown as Record<string, NodeTfheCiphertextClass>)[name]!;
}

/** Converts a checked plaintext to the JS type node-tfhe's method for `type` takes. */
export function toTfheArg(type: FheType, value: bigint): boolean | number | bigint {
  const arg = BINDINGS[type].arg;
  return arg === 'boolean' ? value === 1n : arg === 'number' ? Number(value) : value;
}
