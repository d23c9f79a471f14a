/**
 * @module core/engine/tfhe/compressed
 * `CompressedFheBool` / `CompressedFheUintN` (seeded: a CSPRNG seed replaces
 * each block's mask, only the bodies are stored; 871 B for an FheUint8,
 * 6,247 B for an FheUint64). Regenerating the masks needs tfhe-rs' exact
 * CSPRNG, so we let node-tfhe decompress (no server key needed) and hand the
 * standard bytes to the strict parser, which also checks the declared type.
 */
import type { FheType } from '../../../common/fheTypes.js';
import { CiphertextFormatError } from '../errors.js';
import { ciphertextClass, TFHE_CIPHERTEXT_SERIALIZE_LIMIT } from './_nodeTfhe.js';
import { parseCiphertext, type ParsedCiphertext } from './ciphertext.js';

/** Largest compressed ciphertext accepted (CompressedFheUint256 is 24,679 B). */
export const MAX_COMPRESSED_CIPHERTEXT_BYTES = 64 * 1024;

/**
 * Decompresses `CompressedFheXxx.safe_serialize` bytes to the standard
 * `FheXxx` bytes that `parseCiphertext` reads, checking the declared type.
 *
 * @example
 * const bytes = decompressCiphertext(CompressedFheUint8.encrypt_with_client_key(7, ck).safe_serialize(1n << 20n), 'euint8');
 * parseCiphertext(bytes, 'euint8').blocks.length; // 4
 */
export function decompressCiphertext(bytes: Uint8Array, type: FheType): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new CiphertextFormatError('malformed compressed ciphertext: empty input');
  if (bytes.length > MAX_COMPRESSED_CIPHERTEXT_BYTES) {
    throw new CiphertextFormatError(`malformed compressed ciphertext: ${bytes.length} bytes exceeds the ${MAX_COMPRESSED_CIPHERTEXT_BYTES}-byte limit`);
  }
  const cls = ciphertextClass(type, true) as unknown as {
    safe_deserialize(b: Uint8Array, l: bigint): { decompress(): { safe_serialize(l: bigint): Uint8Array; free(): void }; free(): void };
  };
  let compressed;
  try {
    compressed = cls.safe_deserialize(bytes, BigInt(MAX_COMPRESSED_CIPHERTEXT_BYTES));
  } catch (e) {
    throw new CiphertextFormatError(`malformed compressed ciphertext: node-tfhe rejected it as Compressed${type}`, { details: String(e), cause: e });
  }
  try {
    const ct = compressed.decompress();
    try {
      return ct.safe_serialize(TFHE_CIPHERTEXT_SERIALIZE_LIMIT);
    } finally {
      ct.free();
    }
  } finally {
    compressed.free();
  }
}

/**
 * Decompresses and parses (the parser checks the block count against `type`).
 *
 * @example
 * parseCompressedCiphertext(bytes, 'euint64').blocks.length; // 32
 */
export function parseCompressedCiphertext(bytes: Uint8Array, type: FheType): ParsedCiphertext {
  return parseCiphertext(decompressCiphertext(bytes, type), type);
}
