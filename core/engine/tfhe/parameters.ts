/**
 * @module core/engine/tfhe/parameters
 * The FHE parameter sets a TKMS key can be made with, and the dimensions every
 * parser and protocol takes from them (no node-tfhe import: the ciphertext
 * and client-key parsers and the MPC engine read these numbers, keyset.ts
 * turns them into node-tfhe configurations).
 *
 * - `default`: node-tfhe's default configuration
 *   (`PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128`): LWE n = 918, GLWE 1 × 2048.
 * - `fhevm`: the same compute parameters with dedicated compact-public-key
 *   parameters, as fhEVM deploys them (proofs of encryption).
 * - `test-insecure`: INSECURE, for tests only. Message 2 carry 2 like the
 *   default set, with toy dimensions (LWE n = 64, GLWE 1 × 512) so key
 *   generation, a future DKG and decryption take milliseconds. A key made
 *   with it protects nothing: the ASC refuses it unless the network was
 *   instantiated in dev mode, and so does a core whose config is not dev.
 *
 * @example
 * parameterProfile('test-insecure').lweDimension; // 512 (the big key: GLWE 1 × 512)
 */

/** Short names requests use (ASC `keygen {fhe_parameters}`, `tkms keygen --params`). */
export const FHE_PARAMETER_SETS = ['default', 'fhevm', 'test-insecure'] as const;
export type FheParameterSet = (typeof FHE_PARAMETER_SETS)[number];

/** The one parameter set that must never protect anything (named so in every place it appears). */
export const INSECURE_TEST_PARAMETER_SET = 'test-insecure' satisfies FheParameterSet;

export function isFheParameterSet(name: string): name is FheParameterSet {
  return (FHE_PARAMETER_SETS as readonly string[]).includes(name);
}

/** True for a set that gives no security (refused outside dev networks). */
export function isInsecureParameterSet(name: string): boolean {
  return name === INSECURE_TEST_PARAMETER_SET;
}

/** node-tfhe's default configuration, by its tfhe-rs parameter name. */
export const DEFAULT_PARAMETERS = 'PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';
/** The dedicated compact-public-key parameters of the `fhevm` set (users encrypt, and prove, under this key). */
export const FHEVM_PKE_PARAMETERS = 'PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';
/** What key-info records name the `test-insecure` set by (not a tfhe-rs name: tfhe-rs has no such set). */
export const INSECURE_TEST_PARAMETERS = 'TKMS_INSECURE_TEST_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_LWE64_GLWE1X512';

/** The shortint block parameters of a set, as `Shortint.new_parameters` takes them. */
export interface BlockParameters {
  /** Small LWE dimension n (the key-switch target, the bootstrapping key's input). */
  readonly lweDimension: number;
  readonly glweDimension: number;
  readonly polynomialSize: number;
  /** log2 of the TUniform bound of LWE-level (small key) encryptions: key-switching key. */
  readonly lweNoiseBoundLog2: number;
  /** log2 of the TUniform bound of GLWE-level encryptions: bootstrapping key, public key, fresh inputs. */
  readonly glweNoiseBoundLog2: number;
  readonly pbsBaseLog: number;
  readonly pbsLevel: number;
  readonly ksBaseLog: number;
  readonly ksLevel: number;
  readonly messageModulus: number;
  readonly carryModulus: number;
  readonly maxNoiseLevel: number;
  /** Estimated log2 of the failure probability of one PBS (informational in tfhe-rs). */
  readonly log2PFail: number;
}

export interface FheParameterProfile {
  readonly set: FheParameterSet;
  /** What key sets and key-info records report (`parameterNames`). */
  readonly names: string;
  /** Big-key dimension k·N: every ciphertext TKMS decrypts is an LWE ciphertext of this dimension. */
  readonly lweDimension: number;
  readonly glweDimension: number;
  readonly polynomialSize: number;
  /** Small LWE dimension n. */
  readonly smallLweDimension: number;
  readonly messageModulus: number;
  readonly carryModulus: number;
  readonly insecure: boolean;
  /** One line for help texts and errors. */
  readonly description: string;
  /** Custom block parameters; absent: node-tfhe's default configuration. */
  readonly block?: BlockParameters;
}

/**
 * The `test-insecure` block parameters. Correctness, not security, decides
 * every number: with keyswitch-then-PBS the dominant noise is the modulus
 * switch to 2N = 1024, about sqrt((n/2 + 1)/12) ≈ 1.7 units of 2^64/1024
 * against a tolerance of half a box, (2N/2)/(message·carry)/2 = 16 units:
 * ~9.6 σ, below 2^-64 per PBS. Key-switch rounding (16 bits kept of 512
 * coefficients) adds ~0.07 units, the bootstrapping key's noise nothing
 * measurable (≪ Δ = 2^59). Noise is TUniform(2^0) everywhere (−1, 0 or 1):
 * the distributed key generation draws every noise sample from B + 2 shared
 * random bits (~2^16 samples here), so the least bound keeps a CI DKG within
 * half a minute; a real bound would only cost bits, not correctness. A polynomial size of 256 would halve the
 * tolerance to 8 units (~4.8 σ: about one failed PBS in a million).
 * Checked empirically by core/service/zk/tfheZkToolCompute.test.ts (add, mul,
 * lt on FheUint8 with the server key alone).
 */
export const INSECURE_TEST_BLOCK_PARAMETERS: BlockParameters = {
  lweDimension: 64,
  glweDimension: 1,
  polynomialSize: 512,
  lweNoiseBoundLog2: 0,
  glweNoiseBoundLog2: 0,
  pbsBaseLog: 23,
  pbsLevel: 1,
  ksBaseLog: 4,
  ksLevel: 4,
  messageModulus: 4,
  carryModulus: 4,
  maxNoiseLevel: 5,
  log2PFail: -64,
};

const DEFAULT_DIMENSIONS = { lweDimension: 2048, glweDimension: 1, polynomialSize: 2048, smallLweDimension: 918, messageModulus: 4, carryModulus: 4 } as const;

export const FHE_PARAMETER_PROFILES: Readonly<Record<FheParameterSet, FheParameterProfile>> = {
  default: {
    set: 'default',
    names: DEFAULT_PARAMETERS,
    ...DEFAULT_DIMENSIONS,
    insecure: false,
    description: `node-tfhe's default (${DEFAULT_PARAMETERS}); no proofs of encryption`,
  },
  fhevm: {
    set: 'fhevm',
    names: `${DEFAULT_PARAMETERS}+${FHEVM_PKE_PARAMETERS}`,
    ...DEFAULT_DIMENSIONS,
    insecure: false,
    description: `the default compute parameters with fhEVM's dedicated compact public key (${FHEVM_PKE_PARAMETERS}); inputs carry ZK proofs`,
  },
  'test-insecure': {
    set: 'test-insecure',
    names: INSECURE_TEST_PARAMETERS,
    lweDimension: INSECURE_TEST_BLOCK_PARAMETERS.glweDimension * INSECURE_TEST_BLOCK_PARAMETERS.polynomialSize,
    glweDimension: INSECURE_TEST_BLOCK_PARAMETERS.glweDimension,
    polynomialSize: INSECURE_TEST_BLOCK_PARAMETERS.polynomialSize,
    smallLweDimension: INSECURE_TEST_BLOCK_PARAMETERS.lweDimension,
    messageModulus: INSECURE_TEST_BLOCK_PARAMETERS.messageModulus,
    carryModulus: INSECURE_TEST_BLOCK_PARAMETERS.carryModulus,
    insecure: true,
    description: 'INSECURE, for tests only: toy dimensions (LWE 64, GLWE 1 × 512), dev networks only',
    block: INSECURE_TEST_BLOCK_PARAMETERS,
  },
};

export function parameterProfile(set: FheParameterSet): FheParameterProfile {
  return FHE_PARAMETER_PROFILES[set];
}

/** The tfhe-rs parameter names of a set, as keys and key-info records report them. */
export function parameterNames(set: FheParameterSet): string {
  return FHE_PARAMETER_PROFILES[set].names;
}

/** The profile a key-info record's `parameters` names; undefined for names no set reports. */
export function profileOfParameterNames(names: string): FheParameterProfile | undefined {
  return Object.values(FHE_PARAMETER_PROFILES).find((p) => p.names === names);
}

/** Big-key (ciphertext) LWE dimension of the default parameters. */
export const DEFAULT_LWE_DIMENSION = DEFAULT_DIMENSIONS.lweDimension;
/** Largest big-key dimension of any set: bounds ciphertext and client-key input sizes. */
export const MAX_LWE_DIMENSION = Math.max(...Object.values(FHE_PARAMETER_PROFILES).map((p) => p.lweDimension));

/** True when some set's big key has dimension `d`. */
export function isParameterSetLweDimension(d: number): boolean {
  return Object.values(FHE_PARAMETER_PROFILES).some((p) => p.lweDimension === d);
}

/** Which sets use big-key dimension `d`, for error messages ("dimension 512 (test-insecure, INSECURE)"). */
export function describeLweDimension(d: number): string {
  const sets = Object.values(FHE_PARAMETER_PROFILES).filter((p) => p.lweDimension === d);
  if (sets.length === 0) return `LWE dimension ${d}, no TKMS parameter set`;
  return `LWE dimension ${d}, parameter set ${sets.map((p) => (p.insecure ? `${p.set} (INSECURE)` : p.set)).join(' or ')}`;
}
