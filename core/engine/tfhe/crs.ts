/**
 * @module core/engine/tfhe/crs
 * The common reference string for zero-knowledge proofs of encryption
 * (tfhe-rs `CompactPkeCrs`). The default parameters refuse ZK, so the CRS is
 * made for the fhEVM-style configuration: the default compute parameters with
 * dedicated compact-public-key parameters (DESIGN.md §4). Generation is
 * CPU-bound for about a minute whatever `maxNumBits` is.
 *
 * @example
 * const { crs } = generateCrs(2048); // bytes in node-tfhe's safe_serialize format
 */
import * as tfhe from 'node-tfhe';
import { TkmsError } from '../../../common/errors.js';
import { FHEVM_PKE_PARAMETERS, tfheConfig } from './keyset.js';

export const CRS_PKE_PARAMETERS = FHEVM_PKE_PARAMETERS;
export const MAX_CRS_BYTES = 64 * (1 << 20);
/** tfhe-rs bounds a proven list by the CRS size; 2048 bits is fhEVM's input limit. */
export const MAX_CRS_NUM_BITS = 4096;

export interface GeneratedCrs {
  crs: Uint8Array;
  maxNumBits: number;
  parameters: string;
}


/** Refuses a max bit length no CRS generator here takes (node-tfhe or the native tool). */
export function checkCrsNumBits(maxNumBits: number): void {
  if (!Number.isInteger(maxNumBits) || maxNumBits < 1 || maxNumBits > MAX_CRS_NUM_BITS) {
    throw new TkmsError('CRS_BAD_PARAMETERS', `max_num_bits must be an integer in 1..${MAX_CRS_NUM_BITS}, got ${maxNumBits}`);
  }
}

export function generateCrs(maxNumBits: number): GeneratedCrs {
  checkCrsNumBits(maxNumBits);
  const crs = tfhe.CompactPkeCrs.from_config(tfheConfig('fhevm'), maxNumBits);
  return { crs: crs.safe_serialize(BigInt(MAX_CRS_BYTES)), maxNumBits, parameters: CRS_PKE_PARAMETERS };
}

/** Checks that bytes are a CRS node-tfhe can load (e.g. after download). */
export function loadCrs(bytes: Uint8Array): tfhe.CompactPkeCrs {
  try {
    return tfhe.CompactPkeCrs.safe_deserialize(bytes, BigInt(MAX_CRS_BYTES));
  } catch (e) {
    throw new TkmsError('CRS_MALFORMED', 'bytes are not a CompactPkeCrs in safe_serialize format', { cause: e });
  }
}
