/**
 * @module core/engine/tfhe/keyset
 * Generates a full TFHE key set with node-tfhe's default configuration
 * (`PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128`): the client key (secret),
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
  const config = tfhe.TfheConfigBuilder.default().build();
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
    return { clientKey, compactPublicKey, compressedServerKey, parameters: DEFAULT_PARAMETERS };
  } finally {
    ck.free();
  }
}
