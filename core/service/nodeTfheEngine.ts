/**
 * @module core/service/nodeTfheEngine
 * A `CoreEngine` backed directly by node-tfhe: default tfhe-rs parameters
 * (`PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128`), `safe_serialize` formats.
 * Used by the centralized core when `core/engine` is not available.
 */
import tfhe from 'node-tfhe';
import { TkmsError } from '../../common/errors.js';
import { FHE_TYPE_INFO, type FheType } from '../../common/fheTypes.js';
import type { CoreEngine, KeySet } from './engine.js';

/** Bound for tfhe-rs `safe_deserialize` (the compressed server key is ~60 MB). */
const SIZE_LIMIT = 1n << 32n;

interface TfheCiphertextClass {
  safe_deserialize(bytes: Uint8Array, limit: bigint): { decrypt(ck: unknown): number | bigint | boolean; free(): void };
}

function ciphertextClass(type: FheType): TfheCiphertextClass {
  const cls = (tfhe as unknown as Record<string, unknown>)[FHE_TYPE_INFO[type].tfheClass];
  if (!cls) throw new TkmsError('FHE_TYPE_UNSUPPORTED', `node-tfhe has no class for ${type}`);
  return cls as TfheCiphertextClass;
}

export const nodeTfheEngine: CoreEngine = {
  name: 'node-tfhe',

  generateKeySet({ onProgress } = {}): KeySet {
    onProgress?.('client-key');
    const config = tfhe.TfheConfigBuilder.default().build();
    const ck = tfhe.TfheClientKey.generate(config);
    onProgress?.('public-key');
    const pk = tfhe.TfheCompactPublicKey.new(ck);
    onProgress?.('server-key');
    const sk = tfhe.TfheCompressedServerKey.new(ck);
    onProgress?.('serialize');
    const out: KeySet = {
      clientKey: ck.safe_serialize(SIZE_LIMIT),
      compactPublicKey: pk.safe_serialize(SIZE_LIMIT),
      compressedServerKey: sk.safe_serialize(SIZE_LIMIT),
      parameters: 'PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128',
    };
    sk.free();
    pk.free();
    return out;
  },

  parseCiphertext(bytes: Uint8Array, type: FheType): unknown {
    try {
      return ciphertextClass(type).safe_deserialize(bytes, SIZE_LIMIT);
    } catch (e) {
      const msg = String(e instanceof Error ? e.message : e).replace(/^"|"$/g, '');
      if (/expected type/i.test(msg)) throw new TkmsError('FHE_TYPE_MISMATCH', `ciphertext is not ${type}: ${msg}`, { cause: e });
      throw new TkmsError('CIPHERTEXT_MALFORMED', `cannot parse ${type} ciphertext: ${msg}`, { cause: e });
    }
  },

  parseClientKey(bytes: Uint8Array): unknown {
    return tfhe.TfheClientKey.safe_deserialize(bytes, SIZE_LIMIT);
  },

  decryptCiphertext(ciphertext: unknown, secretKey: unknown): bigint {
    const ct = ciphertext as ReturnType<TfheCiphertextClass['safe_deserialize']>;
    try {
      const v = ct.decrypt(secretKey);
      return typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
    } finally {
      ct.free();
    }
  },
};
