/**
 * @module core/engine
 * The engine's public API: TFHE formats (ciphertexts, client keys), key-set
 * generation, client-side encryption and centralized decryption. Pure code:
 * no network, chain or storage.
 */
export { CiphertextCarriesError, CiphertextFormatError, CiphertextParametersError, ClientKeyFormatError, FheTypeMismatchError, PlaintextRangeError } from './errors.js';
export {
  CARRY_MODULUS,
  LWE_DIMENSION,
  MAX_CIPHERTEXT_BYTES,
  MAX_NOISE_LEVEL,
  MAX_TAG_BYTES,
  MESSAGE_MODULUS,
  ciphertextByteLength,
  detectFheType,
  parseCiphertext,
  requireCleanCarries,
  type LweBlock,
  type ParsedCiphertext,
} from './tfhe/ciphertext.js';
export {
  MAX_CLIENT_KEY_BYTES,
  SMALL_LWE_DIMENSION,
  lweSecretKeyFromBits,
  parseClientKey,
  type LweSecretKey,
  type ParsedClientKey,
} from './tfhe/clientKey.js';
export { MAX_COMPRESSED_CIPHERTEXT_BYTES, decompressCiphertext, parseCompressedCiphertext } from './tfhe/compressed.js';
export { blockPhase, blockPhaseBig, decodePhase, decryptCiphertext, decryptCiphertextBytes, type Phase64 } from './tfhe/decrypt.js';
export { checkPlaintext, encryptWithProof, encryptWithPublicKey, MAX_PROVEN_LIST_BYTES } from './tfhe/encrypt.js';
export {
  DEFAULT_PARAMETERS,
  FHE_PARAMETER_PROFILES,
  FHE_PARAMETER_SETS,
  FHEVM_PKE_PARAMETERS,
  INSECURE_TEST_PARAMETERS,
  INSECURE_TEST_PARAMETER_SET,
  INSECURE_TEST_BLOCK_PARAMETERS,
  isFheParameterSet,
  isInsecureParameterSet,
  parameterNames,
  parameterProfile,
  profileOfParameterNames,
  type BlockParameters,
  type FheParameterProfile,
  type FheParameterSet,
} from './tfhe/parameters.js';
export {
  MAX_CLIENT_KEY_SERIALIZED_BYTES,
  MAX_COMPACT_PUBLIC_KEY_BYTES,
  MAX_COMPRESSED_SERVER_KEY_BYTES,
  generateKeySet,
  type GenerateKeySetOptions,
  type KeySet,
} from './tfhe/keyset.js';
export { SERIALIZATION_VERSION, VERSIONING_VERSION, readSafeSerializationHeader, type SafeSerializationHeader } from './tfhe/safeSerialization.js';
export { CRS_PKE_PARAMETERS, MAX_CRS_BYTES, MAX_CRS_NUM_BITS, checkCrsNumBits, generateCrs, loadCrs, type GeneratedCrs } from './tfhe/crs.js';
