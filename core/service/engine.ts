/**
 * @module core/service/engine
 * What the centralized core needs from the FHE engine, and how it finds one.
 * The engine proper lives in `core/engine/` (pure library, no I/O: it parses
 * ciphertexts and decrypts them itself, `b − <a,s>` per radix block). If it
 * does not export the four functions below, the core falls back to
 * `nodeTfheEngine`, which calls node-tfhe directly (fine for the centralized
 * backend: one party holds the whole client key anyway).
 */
import type { FheType } from '../../common/fheTypes.js';

export interface KeySet {
  clientKey: Uint8Array;
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  parameters: string;
}

export interface GenerateKeySetParameters {
  /** Called at each stage (e.g. `client-key`, `public-key`, `server-key`, `serialize`). */
  onProgress?: (stage: string) => void;
}

/** The FHE operations the centralized core uses. Parse errors carry a `code` (CIPHERTEXT_MALFORMED, FHE_TYPE_MISMATCH). */
export interface CoreEngine {
  readonly name: string;
  generateKeySet(params: GenerateKeySetParameters): KeySet | Promise<KeySet>;
  parseCiphertext(bytes: Uint8Array, type: FheType): unknown;
  parseClientKey(bytes: Uint8Array): unknown;
  decryptCiphertext(ciphertext: unknown, secretKey: unknown): bigint;
}

const REQUIRED = ['generateKeySet', 'parseCiphertext', 'parseClientKey', 'decryptCiphertext'] as const;

function isEngineModule(m: Record<string, unknown>): boolean {
  return REQUIRED.every((f) => typeof m[f] === 'function');
}

/**
 * Loads `core/engine/index.js` when it exports the engine API, else the
 * node-tfhe engine. The specifier is a variable so the build does not depend
 * on the engine's presence.
 */
export async function loadDefaultEngine(): Promise<CoreEngine> {
  const spec = '../engine/index.js';
  try {
    const m = (await import(spec)) as Record<string, unknown>;
    if (isEngineModule(m)) {
      const f = m as unknown as Omit<CoreEngine, 'name'>;
      return {
        name: 'core/engine',
        generateKeySet: (p) => f.generateKeySet(p),
        parseCiphertext: (b, t) => f.parseCiphertext(b, t),
        // core/engine returns { bigKey, smallKey }; every ciphertext the core sees decrypts under the big key.
        parseClientKey: (b) => {
          const k = f.parseClientKey(b) as { bigKey?: unknown } | null;
          return k && typeof k === 'object' && 'bigKey' in k ? k.bigKey : k;
        },
        decryptCiphertext: (c, k) => f.decryptCiphertext(c, k),
      };
    }
  } catch {
    // Engine not built yet: fall through to node-tfhe.
  }
  const { nodeTfheEngine } = await import('./nodeTfheEngine.js');
  return nodeTfheEngine;
}
