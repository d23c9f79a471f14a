/**
 * @module core/service/keyBackend
 * Where the two backends differ (core.proto's API is the same for both): how a
 * key set comes to exist and what this party keeps of it, and how a parsed
 * ciphertext becomes a plaintext. Centralized: the whole client key, decrypted
 * locally. Threshold: a share of the key, decrypted by MPC with the other
 * parties (core/service/threshold).
 */
import type { PreprocessingStorage } from './preprocessingStorage.js';
import type { FheParameterSet } from '../engine/index.js';
import type { CoreEngine, Crs } from './engine.js';

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
  /**
   * Key generation preprocessing (ASC keygen_preproc): returns what this party
   * keeps privately for a later `generate` naming it. Threshold: the PRSS keys
   * of the party set, agreed with the other parties (the key's decryption
   * sessions need them). Centralized: a recorded marker (nothing to share).
   * `parameters`: the set the preprocessing is for (ASC keygen_preproc
   * fhe_parameters, default `default`); only a keygen for that set may use it.
   * `storage`: private storage of this preprocessing for large material (the
   * DKG's random bits and triples), also what `generate` reads back.
   * `onProgress` `fraction`: share of the work done, for logs and metrics.
   */
  preprocess(preprocId: string, onProgress: (stage: string, fraction?: number) => void, parameters: FheParameterSet, storage?: PreprocessingStorage): Promise<Uint8Array>;
  /**
   * `preproc`: the material `preprocess` returned for the preprocessing the keygen names; absent: preprocess inline.
   * `parameters`: the parameter set the request names (default `default`).
   */
  /** `options.networkAllowsDealer`: the keygen request came from an INSECURE test network whose Config lets cores deal keys. */
  generate(
    requestId: string,
    onProgress: (stage: string, fraction?: number) => void,
    preproc?: Uint8Array,
    parameters?: FheParameterSet,
    storage?: PreprocessingStorage,
    options?: { networkAllowsDealer?: boolean },
  ): Promise<GeneratedKey>;
  /** Turns stored private material into what `decrypt` takes. */
  load(privateMaterial: Uint8Array): unknown;
  /** Decrypts one parsed ciphertext (centralized: locally; threshold: an MPC session named after the request). */
  decrypt(requestId: string, ciphertext: unknown, secret: unknown): Promise<bigint>;
  /**
   * Threshold only (user decryption): runs the decryption of every parsed
   * ciphertext up to, not including, the final open and returns this party's
   * Shamir shares of the masked digits, for the user to reconstruct. Absent on
   * the centralized backend, which seals plaintexts instead.
   */
  decryptShare?(requestId: string, ciphertexts: readonly unknown[], secret: unknown): Promise<DecryptShareResult>;
  /**
   * How a CRS comes to exist when every party must publish the same one
   * (threshold: the dealer makes it and sends it to the others, so 2t+1
   * parties sign one digest). Absent: the core's engine generates it locally.
   */
  generateCrs?(requestId: string, maxNumBits: number): Promise<Crs>;
  /** Stops background work (threshold: the preprocessing pools' refills). */
  close?(): Promise<void>;
}

/** This party's share of a batch's plaintext digits (core/engine/mpc/decryption `thresholdDecryptShares`). */
export interface DecryptShareResult {
  /** The sharing lives in GR(2^64, ringDegree); shares are Shamir degree t at the points of parties 1..n. */
  ringDegree: number;
  /** Digit width W: the digit is V mod 2^W. */
  digitBits: number;
  /** Per ciphertext, in order: its blocks' message modulus and, per block, the ringDegree
   * coefficients of this party's share of V, each reduced mod 2^W (one byte each). */
  ciphertexts: { messageModulus: number; blocks: number; shares: Uint8Array }[];
}

export function centralizedBackend(engine: CoreEngine): KeyBackend {
  return {
    kind: 'centralized',
    privateDataType: 'ClientKey',
    async preprocess(preprocId, _onProgress, parameters) {
      // One key holder: nothing to agree on before the key exists. The marker
      // records that this core took part in the preprocessing request.
      return new TextEncoder().encode(JSON.stringify({ kind: 'centralized-keygen-preproc', preprocId, parameters, at: new Date().toISOString() }));
    },
    async generate(_requestId, onProgress, _preproc, parameters) {
      const k = await engine.generateKeySet({ onProgress, ...(parameters ? { parameters } : {}) });
      return { compactPublicKey: k.compactPublicKey, compressedServerKey: k.compressedServerKey, parameters: k.parameters, privateMaterial: k.clientKey };
    },
    load: (bytes) => engine.parseClientKey(bytes),
    decrypt: async (_requestId, ct, secret) => engine.decryptCiphertext(ct, secret),
  };
}
