/**
 * @module core/engine/errors
 * Errors raised by the engine's TFHE format layer. Codes are stable strings
 * (shared with gRPC status details and the CLI), messages name the offending
 * field and, where it helps, the byte offset.
 */
import { TkmsError, type TkmsErrorOptions } from '../../common/errors.js';
import type { FheType } from '../../common/fheTypes.js';

/** Ciphertext bytes that are not a well-formed node-tfhe `safe_serialize` output. */
export class CiphertextFormatError extends TkmsError {
  override name = 'CiphertextFormatError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('CIPHERTEXT_MALFORMED', shortMessage, options);
  }
}

/**
 * A well-formed ciphertext of another parameter set than the key it is to be
 * decrypted under (e.g. a `test-insecure` ciphertext sent to a `default` key):
 * decrypting it would give a wrong plaintext, never an error, so it is refused.
 */
export class CiphertextParametersError extends TkmsError {
  override name = 'CiphertextParametersError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('CIPHERTEXT_PARAMETERS_MISMATCH', shortMessage, options);
  }
}

/** A well-formed ciphertext whose encrypted type is not the declared one. */
export class FheTypeMismatchError extends TkmsError {
  override name = 'FheTypeMismatchError';
  constructor(
    readonly declared: FheType,
    readonly actual: string,
    options: TkmsErrorOptions = {},
  ) {
    super('FHE_TYPE_MISMATCH', `ciphertext declared as ${declared} but it encrypts ${actual}`, options);
  }
}

/**
 * A well-formed ciphertext whose blocks may hold carries (degree above the
 * message modulus − 1). Decrypting it would reveal more than the plaintext's
 * message bits, so it is refused (DESIGN.md §7: only the plaintext leaves).
 */
export class CiphertextCarriesError extends TkmsError {
  override name = 'CiphertextCarriesError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('CIPHERTEXT_CARRIES', shortMessage, options);
  }
}

/** Client key bytes we cannot use to decrypt (wrong layout, non-binary key, …). */
export class ClientKeyFormatError extends TkmsError {
  override name = 'ClientKeyFormatError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('CLIENT_KEY_MALFORMED', shortMessage, options);
  }
}

/** A plaintext that does not fit the FHE type it is to be encrypted as. */
export class PlaintextRangeError extends TkmsError {
  override name = 'PlaintextRangeError';
  constructor(shortMessage: string, options: TkmsErrorOptions = {}) {
    super('PLAINTEXT_OUT_OF_RANGE', shortMessage, options);
  }
}
