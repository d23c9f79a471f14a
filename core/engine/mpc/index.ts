/**
 * @module core/engine/mpc
 * The threshold engine's MPC layers: Galois-ring algebra, Shamir sharing with
 * robust opening, the `Network` abstraction with an in-memory implementation
 * and test runner, and PRSS/PRZS. Pure code: no gRPC, chain or storage.
 * See README.md in this folder for the design and what comes next.
 */
export { MpcParameterError, PreprocessingError, PrssSetupError, RobustOpenError, type RobustOpenFailure } from './errors.js';
export { GaloisRing, IRREDUCIBLE_TAPS, MAX_EXTENSION_DEGREE, MIN_EXTENSION_DEGREE, galoisRing, ringForParties, type GrVector } from './algebra/galoisRing.js';
export { gaoDecode, gf2d, type Gf2d, type GfPoly } from './algebra/gf2d.js';
export { cryptoRng, seededRng, type Rng } from './algebra/random.js';
export { add64, fromU64s, getU64, limbsOf, mul64, mulAdd64, setU64, sub64, toU64s } from './algebra/z64.js';
export { checkThresholdParameters, evaluateShares, interpolate, lagrangeCoefficients, reconstruct, shamirShare } from './sharing/shamir.js';
export { RealRobustOpen, robustOpen, robustReconstruct, type RobustOpenParameters, type RobustOpenReturnType } from './sharing/robustOpen.js';
export { childSessionId, receiveFromAll, sendToAll, type ClosableNetwork, type Network } from './network/network.js';
export { InMemoryHub, type InMemoryHubOptions, type WireMessage } from './network/inMemory.js';
export { runParties, type PartyProgram, type RunPartiesOptions, type RunPartiesReturnType } from './network/runParties.js';
export { Prss, prssSets, prssSetup, prssSetupDetailed, type PrssKeys, type PrssSetupOutcome } from './prss/prss.js';
export { agreeAll, agreeAllDetailed, agreeAllEarly, agreeValues, agreementRounds, broadcastFromAll, type AgreeAllDetails, type AgreedValue, type AgreementOptions, type EarlyAgreeAll, type EarlyAgreeAllDecision, type EarlyAgreeAllOutcome } from './agreement/agreement.js';
export { dealKeyShares, phaseShare } from './decryption/keyShares.js';
export { openPhaseInsecureForTesting, type InsecureDecryptionReturnType } from './decryption/insecurePhaseOpen.js';
export { MpcSession, type MpcSessionOptions, type OpenRecord } from './online/session.js';
export { beaverMultiply } from './online/multiply.js';
export { DiscardedBatchError, RealTripleGeneration, concatTriples, decodeClaim, decodeWithDetection, encodeClaim, generateTriples, sliceTriples, type BlameClaim, type GenerateTriplesOptions, type Triples } from './preprocessing/triples.js';
export { DisputeSet, type DisputeKind } from './online/disputes.js';
export { generateRandomBits, solveArtinSchreier } from './preprocessing/randomBits.js';
export {
  DecryptionMaterial,
  type BlockMaterial,
  blockLayout,
  borrowCircuitCost,
  decryptionCost,
  joinMaterial,
  preprocessDecryption,
  recombineDigits,
  thresholdDecrypt,
  type ThresholdDecryptionReturnType,
} from './decryption/bitDecomposition.js';
export { CIRCUIT_LEAN, CIRCUIT_SHALLOW, borrowCircuitPlan, leafPolynomials, type BorrowCircuitPlan, type CircuitShape } from './decryption/borrowCircuit.js';
export { DecryptionMaterialPool, type DecryptionMaterialPoolOptions } from './preprocessing/pool.js';
