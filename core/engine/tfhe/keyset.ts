/**
 * @module core/engine/tfhe/keyset
 * Generates a full TFHE key set (node-tfhe; `FHE_PARAMETER_SETS` below): the client key (secret),
 * the compact public key (what users encrypt with) and the compressed server
 * key (what an fhEVM computes with). This is the dealer's step in the
 * threshold design: the dealer shares the big key from `clientKey` and forgets it.
 *
 * The size limits below are what we pass to node-tfhe's `safe_serialize` /
 * `safe_deserialize` (tfhe-rs refuses to write or read more) and what storage
 * layers should accept. Measured sizes (node-tfhe 1.7, default config):
 * client key 31,458 B; compact public key 33,034 B; compressed server key ~60 MB;
 * `test-insecure`: client key 5,506 B; compact public key 8,458 B; compressed
 * server key 1,065,640 B.
 */
import * as tfhe from 'node-tfhe';
import { FHE_PARAMETER_SETS, isFheParameterSet, parameterNames, parameterProfile, type BlockParameters, type FheParameterSet } from './parameters.js';

// The sets themselves live in parameters.ts (no node-tfhe there: parsers read them too).
export {
  DEFAULT_PARAMETERS,
  FHE_PARAMETER_SETS,
  FHEVM_PKE_PARAMETERS,
  INSECURE_TEST_PARAMETERS,
  INSECURE_TEST_PARAMETER_SET,
  isFheParameterSet,
  isInsecureParameterSet,
  parameterNames,
  type FheParameterSet,
} from './parameters.js';

/** node-tfhe shortint parameters from our description (ciphertext modulus 2^64, big encryption key). */
function shortintParameters(b: BlockParameters): tfhe.ShortintParameters {
  const S = tfhe.Shortint;
  return S.new_parameters(
    b.lweDimension,
    b.glweDimension,
    b.polynomialSize,
    S.try_new_t_uniform(b.lweNoiseBoundLog2),
    S.try_new_t_uniform(b.glweNoiseBoundLog2),
    b.pbsBaseLog,
    b.pbsLevel,
    b.ksBaseLog,
    b.ksLevel,
    BigInt(b.messageModulus),
    BigInt(b.carryModulus),
    BigInt(b.maxNoiseLevel),
    b.log2PFail,
    64,
    // Big: inputs are encrypted under the GLWE key, as with the default set,
    // so every ciphertext TKMS decrypts is under the big key.
    tfhe.ShortintEncryptionKeyChoice.Big,
  );
}

/**
 * The node-tfhe configuration of a set. `test-insecure` is built with
 * `TfheConfigBuilder.with_custom_parameters` (its compact public key then
 * encrypts under the compute key, as with `default`).
 */
export function tfheConfig(set: FheParameterSet): tfhe.TfheConfig {
  if (set === 'default') return tfhe.TfheConfigBuilder.default().build();
  const block = parameterProfile(set).block;
  if (block) return tfhe.TfheConfigBuilder.with_custom_parameters(shortintParameters(block)).build();
  const pke = new tfhe.ShortintCompactPublicKeyEncryptionParameters(
    tfhe.ShortintCompactPublicKeyEncryptionParametersName.PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
  );
  return tfhe.TfheConfigBuilder.default().use_dedicated_compact_public_key_parameters(pke).build();
}
export const MAX_CLIENT_KEY_SERIALIZED_BYTES = 1 << 20;
export const MAX_COMPACT_PUBLIC_KEY_BYTES = 1 << 20;
export const MAX_COMPRESSED_SERVER_KEY_BYTES = 256 * (1 << 20);

export interface KeySet {
  /** `TfheClientKey.safe_serialize`: secret. */
  readonly clientKey: Uint8Array;
  /** `TfheCompactPublicKey.safe_serialize`. */
  readonly compactPublicKey: Uint8Array;
  /** `TfheCompressedServerKey.safe_serialize` (~60 MB). */
  readonly compressedServerKey: Uint8Array;
  /** The tfhe-rs parameter set, e.g. `PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128`. */
  readonly parameters: string;
}

export interface GenerateKeySetOptions {
  /** Called at each stage; `fraction` is the share of the total work done (roughly: the server key dominates). */
  onProgress?: (stage: string, fraction?: number) => void;
  /** Skip the server key (seconds of work) when only client and public keys are needed. */
  withoutServerKey?: boolean;
  /** The parameter set (default `default`). */
  parameters?: FheParameterSet;
}

/**
 * Generates a key set. Synchronous and CPU-bound (~7 s, one core, for the
 * compressed server key): run it in a worker where latency matters.
 *
 * @example
 * const ks = generateKeySet({ onProgress: (stage, f) => console.log(stage, f) });
 * ks.compressedServerKey.length; // ~60,000,000
 */
export function generateKeySet(opts: GenerateKeySetOptions = {}): KeySet {
  const progress = opts.onProgress ?? (() => {});
  const set = opts.parameters ?? 'default';
  if (!isFheParameterSet(set)) throw new RangeError(`unknown FHE parameter set "${String(set)}" (expected ${FHE_PARAMETER_SETS.join(', ')})`);
  const config = tfheConfig(set);
  progress('client_key', 0);
  const ck = tfhe.TfheClientKey.generate(config);
  try {
    const clientKey = ck.safe_serialize(BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES));
    progress('compact_public_key', 0.01);
    const pk = tfhe.TfheCompactPublicKey.new(ck);
    const compactPublicKey = pk.safe_serialize(BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES));
    pk.free();
    let compressedServerKey: Uint8Array = new Uint8Array(0);
    if (!opts.withoutServerKey) {
      progress('compressed_server_key', 0.02);
      const sk = tfhe.TfheCompressedServerKey.new(ck);
      compressedServerKey = sk.safe_serialize(BigInt(MAX_COMPRESSED_SERVER_KEY_BYTES));
      sk.free();
    }
    progress('done', 1);
    return { clientKey, compactPublicKey, compressedServerKey, parameters: parameterNames(set) };
  } finally {
    ck.free();
  }
}
