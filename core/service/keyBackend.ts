/**
 * @module core/service/keyBackend
 * Where the two backends differ (core.proto's API is the same for both): how a
 * key set comes to exist and what this party keeps of it, and how a parsed
 * ciphertext becomes a plaintext. Centralized: the whole client key, decrypted
 * locally. Threshold: a share of the key, decrypted by MPC with the other
 * parties (core/service/threshold).
 */
import type { CoreEngine } from './engine.js';

export interface GeneratedKey {
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  parameters: string;
  /** What this party stores privately (sealed by the vault outside dev mode). */
  privateMaterial: Uint8Array;
}

export interface KeyBackend {
  readonly kind: 'centralized' | 'threshold';
  /** Private data type the material is stored under (`ClientKey` or `KeyShare`). */
  readonly privateDataType: string;
  generate(requestId: string, onProgress: (stage: string) => void): Promise<GeneratedKey>;
  /** Turns stored private material into what `decrypt` takes. */
  load(privateMaterial: Uint8Array): unknown;
  /** Decrypts one parsed ciphertext (centralized: locally; threshold: an MPC session named after the request). */
  decrypt(requestId: string, ciphertext: unknown, secret: unknown): Promise<bigint>;
  /** Stops background work (threshold: the preprocessing pools' refills). */
  close?(): Promise<void>;
}

export function centralizedBackend(engine: CoreEngine): KeyBackend {
  return {
    kind: 'centralized',
    privateDataType: 'ClientKey',
    async generate(_requestId, onProgress) {
      const k = await engine.generateKeySet({ onProgress });
      return { compactPublicKey: k.compactPublicKey, compressedServerKey: k.compressedServerKey, parameters: k.parameters, privateMaterial: k.clientKey };
    },
    load: (bytes) => engine.parseClientKey(bytes),
    decrypt: async (_requestId, ct, secret) => engine.decryptCiphertext(ct, secret),
  };
}
