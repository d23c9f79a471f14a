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
 * client key 31,458 B; compact public key 33,034 B; compressed server key ~60 MB.
 */
import * as tfhe from 'node-tfhe';

/** node-tfhe's default configuration, by its tfhe-rs parameter name. */
export const DEFAULT_PARAMETERS = 'PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';
/** The dedicated compact-public-key parameters of the `fhevm` set (users encrypt, and prove, under this key). */
export const FHEVM_PKE_PARAMETERS = 'PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';

/**
 * The parameter sets a key can be made with, by the short name requests use
 * (ASC `keygen {fhe_parameters}`, `tkms keygen --params`):
 * - `default`: node-tfhe's default configuration. The compact public key
 *   encrypts under the compute key, so clients expand their own ciphertexts;
 *   tfhe-rs refuses proofs of encryption for it.
 * - `fhevm`: the same compute parameters with dedicated compact-public-key
 *   parameters, as fhEVM deploys them: inputs can carry a ZK proof against a
 *   CRS (crs.ts), and expanding them takes the server key's casting key
 *   (the core's tfhe-zk tool), never the client.
 * Both decrypt under the same big key layout (clientKey.ts reads both).
 */
export const FHE_PARAMETER_SETS = ['default', 'fhevm'] as const;
export type FheParameterSet = (typeof FHE_PARAMETER_SETS)[number];

export function isFheParameterSet(name: string): name is FheParameterSet {
  return (FHE_PARAMETER_SETS as readonly string[]).includes(name);
}

/** The tfhe-rs parameter names of a set, as keys and key-info records report them. */
export function parameterNames(set: FheParameterSet): string {
  return set === 'fhevm' ? `${DEFAULT_PARAMETERS}+${FHEVM_PKE_PARAMETERS}` : DEFAULT_PARAMETERS;
}

/** The node-tfhe configuration of a set. */
export function tfheConfig(set: FheParameterSet): tfhe.TfheConfig {
  if (set === 'default') return tfhe.TfheConfigBuilder.default().build();
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
