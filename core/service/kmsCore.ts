/**
 * @module core/service/kmsCore
 * One party's KMS core: jobs, signatures and storage, the same
 * for both backends; how keys are made and used is the `KeyBackend`
 * (centralized: the whole client key here; threshold: a share, MPC with the
 * other parties). Knows nothing of gRPC; `grpcService.ts` maps it to the wire.
 *
 * Every job is "start, then wait for the result". Bad input found before a job
 * starts (malformed or reused request id) is a `CoreRequestError`; bad input
 * found by the job (digest, key, ciphertext) becomes a *signed* failure, so the
 * connector can record it on chain (core.proto, `Failure`).
 *
 * @example
 * const core = await KmsCore.open({ partyId: 1, engine, privateStorage, publicStorage, signer, logger, publicUri });
 * core.startKeyGenPreproc(preprocId, 'fhevm');      // keygen_preproc {fhe_parameters}
 * core.startKeyGen(requestId, preprocId, 'fhevm');  // keygen {preproc_id, fhe_parameters}: the same set
 * const kg = await core.getKeyGenResult(requestId, Date.now() + 60_000);
 */
import type { Logger } from 'pino';
import { REQUEST_ID, ciphertextHandle } from '../../common/ciphertext.js';
import { TkmsError } from '../../common/errors.js';
import { isFheType } from '../../common/fheTypes.js';
import { publicDecryptDigest, type Eip712Domain } from '../../common/eip712.js';
import type { FheType } from '../../common/fheTypes.js';
import type { UserDecryptPayload } from '../../common/userDecryptPayload.js';
import { sealUserDecrypt, type UserDecryptOutcome, type UserDecryptParameters } from './userDecrypt.js';
import { ML_KEM_512_PUBLIC_KEY_BYTES } from '../../common/signcryption.js';
import type { SignedResponse } from '../../common/signing.js';
import type { CoreEngine } from './engine.js';
import { FHE_PARAMETER_SETS, isFheParameterSet, isInsecureParameterSet, parameterNames, parameterProfile, profileOfParameterNames, type FheParameterSet } from '../engine/index.js';
import { provenInputMetadata } from '../../common/provenInput.js';
import { centralizedBackend, type KeyBackend } from './keyBackend.js';
import { CoreRequestError } from './errors.js';
import type { CoreMetrics } from './metrics.js';
import type { Signer } from './signer.js';
import { DataType, sha3Hex, type ObjectStorage, type PublicStorage } from './storage.js';
import { PREPROCESSING_PART, preprocessingStorage } from './preprocessingStorage.js';
import { decryptRefusal, isKeyState, type KeyLifecycleState, type KeyStateRecord } from './keyLifecycle.js';

/** Most ciphertexts one public decryption may carry (= the ASC's MAX_BATCH). */
export const MAX_DECRYPT_BATCH = 32;

/** A signed job failure; `reason` is `${code}: ${message}`, the signed string. */
export interface JobFailure {
  code: string;
  reason: string;
}

/** A job's progress as `GET /progress/<request id>` serves it. */
export interface JobProgress {
  requestId: string;
  op: 'keygen' | 'keygen_preproc';
  stage: string;
  fraction: number;
  updatedAt: string;
}

export interface KeyGenOutcome {
  requestId: string;
  keyId: string;
  publicKeyDigest: string;
  publicKeyUri: string;
  serverKeyDigest: string;
  serverKeyUri: string;
  parameters: string;
  /** Over `{kind:'keygen',…}`, or over `{kind:'failure',…}` when `failure` is set. */
  signature: string;
  failure?: JobFailure;
  /** The keygen preprocessing the key was made from (absent: preprocessed inline). */
  preprocId?: string;
}

/** A key generation preprocessing (ASC keygen_preproc); its id is the request id. */
export interface KeyGenPreprocOutcome {
  requestId: string;
  /** Over `{kind:'keygen_preproc', requestId}`, or over the failure. */
  signature: string;
  failure?: JobFailure;
  /**
   * The parameter set the material is for: a keygen naming the preprocessing
   * must ask for the same. Absent on a failure, and in info stored before it was
   * recorded (read as `default`, the only set preprocessed then).
   */
  fheParameters?: FheParameterSet;
}

export interface DecryptOutcome {
  requestId: string;
  keyId: string;
  fheType: string;
  ciphertextDigest: string;
  /** Decimal; empty when `failure` is set. */
  plaintext: string;
  signature: string;
  failure?: JobFailure;
  /** EIP-712 signature (0x, 65 bytes) when the request named a domain. */
  eip712Signature?: string;
  /** Public decryption: one decimal plaintext per ciphertext, in request order (empty on failure). */
  plaintexts?: string[];
}

/** One ciphertext of a batch public decryption. */
export interface BatchCiphertext {
  ciphertextHandle: string;
  ciphertextDigest: string;
  fheType: string;
  ciphertext: Uint8Array;
}

export interface CrsGenOutcome {
  requestId: string;
  crsId: string;
  crsDigest: string;
  crsUri: string;
  maxNumBits: number;
  parameters: string;
  signature: string;
  failure?: JobFailure;
}

export interface DecryptParameters {
  requestId: string;
  keyId: string;
  fheType: string;
  ciphertextHandle: string;
  ciphertextDigest: string;
  ciphertext: Uint8Array;
  /** Also sign the result as EIP-712 typed data under this domain. */
  eip712?: { domain: Eip712Domain; extraData?: Uint8Array };
  /** Public batch decryption of 1..MAX_DECRYPT_BATCH ciphertexts (the single-ciphertext fields are then unused). */
  batch?: BatchCiphertext[];
  /** Verify each ciphertext's proof of encryption against this CRS first. */
  crsId?: string;
  /** The application the ASC admitted the request through: handles are recomputed under (key, app). */
  appId: string;
  /** The KMS-chain account that made the request: a proof of encryption must be bound to it (common/provenInput.ts). */
  requester?: string;
}

/** The request fields a ciphertext's provenance is checked against. */
interface AdmissionContext {
  keyId: string;
  appId: string;
  crsId: string;
  requester: string;
}


export interface KmsCoreOptions {
  partyId: number;
  engine: CoreEngine;
  /** How keys come to exist and are used; the centralized backend when omitted. */
  keyBackend?: KeyBackend;
  privateStorage: ObjectStorage;
  publicStorage: PublicStorage;
  signer: Signer;
  logger: Logger;
  /** URI under which public storage serves `{prefix}/{dataType}/{id}`. */
  publicUri: (dataType: string, id: string) => string;
  maxCiphertextBytes?: number;
  metrics?: CoreMetrics;
  /** How many finished decrypt results to keep in memory (older ones are read back from private storage). */
  maxDecryptResults?: number;
  /** Verifies and expands proven inputs (core/service/zk); without it requests naming a CRS fail with PROOF_UNSUPPORTED. */
  provenInputs?: ProvenInputExpander;
  /**
   * The core config's `devMode`. Only a dev core generates keys with an
   * INSECURE parameter set (`test-insecure`): the ASC already refuses them
   * outside dev networks, this is the second line (absent: not dev).
   */
  devMode?: boolean;
}

/** What the core needs to accept a proven input (a `ProvenCompactCiphertextList`) for decryption. */
export interface ProvenInputExpander {
  /**
   * Verifies the list's proof against the CRS, the key's compact public key
   * and `metadata`, then expands it with the key's server key into ordinary
   * ciphertexts (safe_serialize of FheBool/FheUintN). Rejects with a TkmsError
   * coded PROOF_INVALID for a proof that does not verify, CIPHERTEXT_MALFORMED
   * for bytes that are no proven list.
   */
  verifyAndExpand(input: {
    crs: Uint8Array;
    compactPublicKey: Uint8Array;
    compressedServerKey: Uint8Array;
    list: Uint8Array;
    metadata: Uint8Array;
  }): Promise<{ fheType: FheType; ciphertext: Uint8Array }[]>;
}

interface ProofContext {
  crs: Uint8Array;
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  metadata: Uint8Array;
}

/** Whether bytes start like a tfhe-rs safe_serialize of a proven compact list (for a helpful error only). */
function looksProven(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 120));
  return head.includes('ProvenCompactCiphertextList');
}

interface Job<T> {
  readonly done: Promise<T>;
  result?: T;
}

interface LoadedKey {
  info: KeyGenOutcome;
  /** Undefined once the key is destroyed. */
  secretKey: unknown;
}

/** GetResult calls wait at most this long when the caller set no deadline. */
const MAX_WAIT_MS = 60_000;

function job<T>(run: () => Promise<T>): Job<T> {
  const j: { done: Promise<T>; result?: T } = { done: undefined as unknown as Promise<T> };
  j.done = run().then((r) => {
    j.result = r;
    return r;
  });
  return j;
}

function errorCode(e: unknown, fallback: string): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : fallback;
}

function errorMessage(e: unknown): string {
  if (e instanceof TkmsError) return e.shortMessage;
  return e instanceof Error ? e.message : String(e);
}

export class KmsCore {
  readonly partyId: number;
  private readonly keys = new Map<string, LoadedKey>();
  /** Lifecycle states mirrored from the ASC; a key absent here is active. */
  private readonly keyStates = new Map<string, KeyLifecycleState>();
  /** Keys whose public material no longer matches the digests kept privately. */
  private readonly publicMismatch = new Set<string>();
  /**
   * Keys found in private storage that failed to load at boot, with why. Their
   * ids stay taken (a new key generation would overwrite their material) and
   * their decryptions fail KEY_UNAVAILABLE; the core reports DEGRADED.
   */
  private readonly unavailable = new Map<string, string>();
  private readonly keygens = new Map<string, Job<KeyGenOutcome>>();
  /** Where each key generation or preprocessing job stands (public: `GET /progress/<id>` on the public storage server). */
  private readonly progress = new Map<string, JobProgress>();
  private readonly preprocs = new Map<string, Job<KeyGenPreprocOutcome>>();
  private readonly decrypts = new Map<string, Job<DecryptOutcome>>();
  private readonly crsgens = new Map<string, Job<CrsGenOutcome>>();
  private readonly userDecrypts = new Map<string, Job<UserDecryptOutcome>>();
  private keygenQueue: Promise<unknown> = Promise.resolve();
  private closing = false;

  private readonly backend: KeyBackend;

  private constructor(private readonly o: KmsCoreOptions) {
    this.partyId = o.partyId;
    this.backend = o.keyBackend ?? centralizedBackend(o.engine);
  }

  /** Opens the core and loads every finished key from private storage. */
  static async open(options: KmsCoreOptions): Promise<KmsCore> {
    const core = new KmsCore(options);
    await core.loadKeys();
    await core.resumePreprocessings();
    return core;
  }

  private get log(): Logger {
    return this.o.logger;
  }

  /**
   * Keygen preprocessings this core had started and not finished (a `job`
   * part without a KeyGenPreprocInfo) start again: the backend resumes from
   * what it stored (threshold DKG: sealed chunks, keygenPreprocessing.ts).
   */
  private async resumePreprocessings(): Promise<void> {
    const priv = this.o.privateStorage;
    for (const part of await priv.list(PREPROCESSING_PART)) {
      if (!part.endsWith('-job')) continue;
      const requestId = part.slice(0, -'-job'.length);
      if (!REQUEST_ID.test(requestId) || priv.has(DataType.KeyGenPreprocInfo, requestId)) continue;
      const job = JSON.parse(new TextDecoder().decode(await priv.read(PREPROCESSING_PART, part))) as { parameters: FheParameterSet };
      this.log.info({ requestId, parameters: job.parameters }, 'keygen preprocessing interrupted by a restart: resuming');
      this.preprocs.set(requestId, this.queued(() => this.runKeyGenPreproc(requestId, Date.now(), job.parameters)));
    }
  }

  private async loadKeys(): Promise<void> {
    const priv = this.o.privateStorage;
    // KeyInfo is written last, so it marks a complete key generation.
    for (const id of await priv.list(DataType.KeyInfo)) {
      try {
        const info = JSON.parse(new TextDecoder().decode(await priv.read(DataType.KeyInfo, id))) as KeyGenOutcome;
        const stateBytes = await priv.read(DataType.KeyState, id);
        if (stateBytes) this.keyStates.set(id, (JSON.parse(new TextDecoder().decode(stateBytes)) as KeyStateRecord).state);
        if (this.keyStates.get(id) === 'destroyed') {
          this.keys.set(id, { info, secretKey: undefined });
          this.keygens.set(id, { done: Promise.resolve(info), result: info });
          continue;
        }
        const material = await priv.read(this.backend.privateDataType, id);
        if (!material) throw new Error(`${this.backend.privateDataType} missing`);
        this.keys.set(id, { info, secretKey: this.backend.load(material) });
        this.keygens.set(id, { done: Promise.resolve(info), result: info });
        await this.checkPublicMaterial(id, info);
      } catch (e) {
        this.keys.delete(id);
        this.keygens.delete(id);
        this.unavailable.set(id, errorMessage(e).slice(0, 200));
        this.log.error({ keyId: id, err: errorMessage(e) }, 'cannot load key: it stays reserved, its decryptions fail KEY_UNAVAILABLE, the core reports DEGRADED');
      }
    }
    this.log.info({ keys: [...this.keys.keys()], unavailable: [...this.unavailable.keys()], states: Object.fromEntries(this.keyStates) }, 'keys loaded from private storage');
  }

  /**
   * Public storage is untrusted: at boot, compare what it holds with the
   * digests kept in private storage. Clients verify digests anyway, so a
   * mismatch does not stop decryption, but the core reports itself DEGRADED.
   */
  private async checkPublicMaterial(id: string, info: KeyGenOutcome): Promise<void> {
    const pub = this.o.publicStorage;
    for (const [dataType, expected] of [
      [DataType.PublicKey, info.publicKeyDigest],
      [DataType.ServerKey, info.serverKeyDigest],
    ] as const) {
      const bytes = await pub.read(dataType, id);
      const actual = bytes ? sha3Hex(bytes) : 'missing';
      if (actual !== expected) {
        this.publicMismatch.add(id);
        this.log.error({ keyId: id, dataType, expected, actual }, 'public material does not match its private digest');
      }
    }
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  // ---- key lifecycle (mirrored from the ASC, core/service/keyLifecycle.ts) ----

  /** A known key's lifecycle state (active unless told otherwise); undefined for unknown keys. */
  keyState(keyId: string): KeyLifecycleState | undefined {
    if (!this.keys.has(keyId)) return undefined;
    return this.keyStates.get(keyId) ?? 'active';
  }

  /**
   * Records a key's state as the ASC has it. Destroyed wipes the private
   * material (storage and memory) and is final. Returns the previous state.
   */
  async setKeyState(keyId: string, state: string): Promise<KeyLifecycleState> {
    if (this.closing) throw new CoreRequestError('UNAVAILABLE', 'core is shutting down');
    if (!isKeyState(state)) throw new CoreRequestError('INVALID_ARGUMENT', `unknown key state "${state.slice(0, 40)}"`);
    const key = this.keys.get(keyId);
    if (!key) throw new CoreRequestError('NOT_FOUND', `unknown key ${keyId.slice(0, 80)}`);
    const previous = this.keyState(keyId)!;
    if (previous === state) return previous;
    if (previous === 'destroyed') throw new CoreRequestError('INVALID_ARGUMENT', `key ${keyId} is destroyed: its material is gone, it cannot become ${state}`);
    const record: KeyStateRecord = { state, previous, changedAt: new Date().toISOString() };
    // State first: a crash between the two steps leaves a destroyed key whose
    // material loading skips, never usable material under a destroyed state.
    await this.o.privateStorage.write(DataType.KeyState, keyId, JSON.stringify(record));
    this.keyStates.set(keyId, state);
    if (state === 'destroyed') {
      key.secretKey = undefined;
      for (const dataType of [DataType.PublicKey, DataType.ServerKey]) this.verifiedMaterial.delete(`${dataType}/${keyId}`);
      await this.o.privateStorage.wipe(this.backend.privateDataType, keyId);
      this.log.warn({ keyId, previous }, 'key destroyed: private material wiped');
    } else if (state === 'compromised') {
      this.log.warn({ keyId, previous }, 'key flagged compromised: decryptions go on, each flagged');
    } else {
      this.log.info({ keyId, previous, state }, 'key state changed');
    }
    return previous;
  }

  /** A signed-failure reason when `keyId` may not decrypt; logs every use of a compromised key. */
  private keyUseRefusal(keyId: string, log: Logger): { code: string; message: string } | undefined {
    const unavailable = this.unavailable.get(keyId);
    if (unavailable !== undefined) return { code: 'KEY_UNAVAILABLE', message: `key ${keyId} is known but its private material failed to load at boot (${unavailable})` };
    const state = this.keyState(keyId);
    if (state === undefined) return { code: 'UNKNOWN_KEY', message: `unknown key ${keyId.slice(0, 80)}` };
    if (state === 'compromised') log.warn({ keyId }, 'decrypting under a compromised key');
    return decryptRefusal(keyId, state);
  }

  private checkRequestId(requestId: string): void {
    if (this.closing) throw new CoreRequestError('UNAVAILABLE', 'core is shutting down');
    if (!REQUEST_ID.test(requestId)) {
      throw new CoreRequestError('INVALID_ARGUMENT', `request id must be 40 lower-case hex chars, got "${requestId.slice(0, 80)}"`);
    }
  }

  private fail(requestId: string, code: string, message: string): { failure: JobFailure; signature: string } {
    const reason = `${code}: ${message}`;
    return { failure: { code, reason }, signature: this.o.signer.sign({ kind: 'failure', requestId, reason }) };
  }

  /** Runs `run` after every key generation, preprocessing and CRS generation queued before it (each holds the CPU or every party). */
  private queued<T>(run: () => Promise<T>): Job<T> {
    return job(async () => {
      const prev = this.keygenQueue;
      let release!: () => void;
      this.keygenQueue = new Promise<void>((r) => (release = r));
      try {
        await prev.catch(() => undefined);
        return await run();
      } finally {
        release();
      }
    });
  }

  // ---- key generation preprocessing (ASC keygen_preproc) ----

  /**
   * The parameter set a keygen or keygen preprocessing (`what` it would make)
   * names, empty meaning `default`: INVALID_ARGUMENT when unknown, or when
   * INSECURE and this core is not in dev mode (as the ASC refuses it outside
   * dev networks; the core does not rely on the chain for that).
   */
  private parameterSet(fheParameters: string, what: string): FheParameterSet {
    const parameters = fheParameters === '' ? 'default' : fheParameters;
    if (!isFheParameterSet(parameters)) {
      throw new CoreRequestError('INVALID_ARGUMENT', `unknown FHE parameter set "${fheParameters.slice(0, 40)}" (expected ${FHE_PARAMETER_SETS.join(', ')})`);
    }
    if (isInsecureParameterSet(parameters) && this.o.devMode !== true) {
      throw new CoreRequestError(
        'INVALID_ARGUMENT',
        `FHE parameter set "${parameters}" is INSECURE (for tests only): this core is not in dev mode and refuses to make ${what} with it`,
      );
    }
    return parameters;
  }

  /**
   * Starts a key generation preprocessing whose id is the request id, for
   * parameter set `fheParameters` (empty: `default`; checked as startKeyGen
   * checks it): the backend's `preprocess` material is stored privately (sealed
   * by the vault) until a keygen for the same set names it. Queued with key
   * generations: a keygen naming it that arrives later runs after it.
   */
  startKeyGenPreproc(requestId: string, fheParameters = ''): void {
    this.checkRequestId(requestId);
    const parameters = this.parameterSet(fheParameters, 'a keygen preprocessing');
    if (this.preprocs.has(requestId) || this.o.privateStorage.has(DataType.KeyGenPreprocInfo, requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${requestId} already used for a keygen preprocessing`);
    }
    const started = Date.now();
    this.log.info({ requestId, parameters }, 'keygen preprocessing queued');
    this.preprocs.set(requestId, this.queued(() => this.runKeyGenPreproc(requestId, started, parameters)));
  }

  private async runKeyGenPreproc(requestId: string, started: number, parameters: FheParameterSet): Promise<KeyGenPreprocOutcome> {
    const log = this.log.child({ requestId });
    try {
      await new Promise((r) => setTimeout(r, 20));
      log.info({ parameters }, 'keygen preprocessing started');
      const storage = preprocessingStorage(this.o.privateStorage, requestId);
      // Written first: a restarted core finds the job and resumes it.
      await storage.write('job', JSON.stringify({ parameters }));
      let lastPct = -1;
      const material = await this.backend.preprocess(
        requestId,
        (stage, fraction) => {
          if (fraction !== undefined) {
            this.noteProgress(requestId, 'keygen_preproc', stage, fraction);
            const pct = Math.floor(fraction * 100);
            if (pct === lastPct) return;
            lastPct = pct;
          }
          log.info({ stage, ...(fraction === undefined ? {} : { percent: Math.floor(fraction * 100) }) }, 'keygen preprocessing progress');
        },
        parameters,
        storage,
      );
      await this.o.privateStorage.write(DataType.KeyGenPreproc, requestId, material);
      const outcome: KeyGenPreprocOutcome = { requestId, signature: this.o.signer.sign({ kind: 'keygen_preproc', requestId }), fheParameters: parameters };
      await this.o.privateStorage.write(DataType.KeyGenPreprocInfo, requestId, JSON.stringify(outcome));
      await storage.wipe('job');
      const ms = Date.now() - started;
      this.o.metrics?.observe('keygen_preproc', 'ok', ms);
      log.info({ durationMs: ms, backend: this.backend.kind }, 'keygen preprocessing done');
      return outcome;
    } catch (e) {
      this.o.metrics?.observe('keygen_preproc', 'failure', Date.now() - started);
      log.error({ err: errorMessage(e) }, 'keygen preprocessing failed');
      // Material of a failed preprocessing is never used: wipe it (the job record too).
      await preprocessingStorage(this.o.privateStorage, requestId).wipeAll().catch(() => undefined);
      const f = this.fail(requestId, errorCode(e, 'PREPROC_FAILED'), errorMessage(e));
      return { requestId, ...f };
    }
  }

  /** Waits for a keygen preprocessing; finished ones are read back from private storage after a restart. */
  async getKeyGenPreprocResult(requestId: string, deadline?: number): Promise<KeyGenPreprocOutcome> {
    if (!this.preprocs.has(requestId) && REQUEST_ID.test(requestId)) {
      const stored = await this.o.privateStorage.read(DataType.KeyGenPreprocInfo, requestId);
      if (stored) return JSON.parse(new TextDecoder().decode(stored)) as KeyGenPreprocOutcome;
    }
    return this.waitFor(this.preprocs, 'keygen preprocessing', requestId, deadline);
  }

  /**
   * The stored material of a finished preprocessing a keygen for `parameters`
   * may use; throws a coded error otherwise. Checked here, not when the keygen
   * starts: the preprocessing may still be running then.
   */
  private async preprocMaterial(preprocId: string, parameters: FheParameterSet, keygenId: string): Promise<Uint8Array> {
    const running = this.preprocs.get(preprocId);
    const outcome = running ? await running.done : await this.getKeyGenPreprocResult(preprocId).catch(() => undefined);
    if (!outcome) throw new TkmsError('UNKNOWN_PREPROC', `keygen preprocessing ${preprocId} is unknown to this core`);
    if (outcome.failure) throw new TkmsError('PREPROC_FAILED', `keygen preprocessing ${preprocId} failed: ${outcome.failure.reason}`);
    // The ASC refuses such a keygen already; a core asked directly must not build a key on material of another set.
    const made = outcome.fheParameters ?? 'default';
    if (made !== parameters) {
      throw new TkmsError('PREPROC_MISMATCH', `keygen preprocessing ${preprocId} was made for parameter set ${made}, the keygen asks for ${parameters}`);
    }
    const material = await this.o.privateStorage.read(DataType.KeyGenPreproc, preprocId);
    const storage = preprocessingStorage(this.o.privateStorage, preprocId);
    if (!material || (await storage.read('consumed'))) throw new TkmsError('PREPROC_CONSUMED', `keygen preprocessing ${preprocId} was already used by a key generation`);
    // Marked before any of it is used: random bits and triples must never serve two keys, even after a failed keygen.
    await storage.write('consumed', keygenId);
    return material;
  }

  // ---- key generation ----

  /**
   * Where a key generation or keygen preprocessing job stands at this party
   * (fraction 0..1 and stage), or undefined for a job it never started. Not
   * secret: what `tkms keygen` shows per party while it waits.
   */
  jobProgress(requestId: string): JobProgress | undefined {
    return this.progress.get(requestId);
  }

  /** One place for a job's progress: the metrics gauge and `jobProgress`. */
  private noteProgress(requestId: string, op: JobProgress['op'], stage: string, fraction: number): void {
    this.o.metrics?.progress(op, requestId, fraction);
    // Bounded: the oldest entries go first (jobs are minutes to hours apart).
    if (!this.progress.has(requestId) && this.progress.size >= 256) this.progress.delete(this.progress.keys().next().value!);
    this.progress.set(requestId, { requestId, op, stage, fraction: Math.max(0, Math.min(1, fraction)), updatedAt: new Date().toISOString() });
  }

  /**
   * Starts a key generation whose key id is the request id. Returns at once.
   * `preprocId`: the finished keygen preprocessing to make the key from (its
   * material is wiped once the key is stored); empty: preprocess inline. It must
   * have been made for `fheParameters` (empty: `default`), else the keygen fails
   * signed with PREPROC_MISMATCH. `insecureDealerAllowed`: the ASC request says
   * its network lets cores deal keys (Config `insecure_dealer_keys`, INSECURE
   * test networks); only then does a core with `threshold.insecureDealerKeygen`
   * deal (thresholdBackend.ts).
   */
  startKeyGen(requestId: string, preprocId = '', fheParameters = '', options: { insecureDealerAllowed?: boolean } = {}): void {
    this.checkRequestId(requestId);
    if (preprocId !== '' && !REQUEST_ID.test(preprocId)) {
      throw new CoreRequestError('INVALID_ARGUMENT', `preproc id must be 40 lower-case hex chars, got "${preprocId.slice(0, 80)}"`);
    }
    const parameters = this.parameterSet(fheParameters, 'a key');
    if (this.keygens.has(requestId) || this.unavailable.has(requestId) || this.o.privateStorage.has(DataType.KeyInfo, requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${requestId} already used for a key generation`);
    }
    const started = Date.now();
    this.log.info({ requestId, parameters, ...(preprocId ? { preprocId } : {}) }, 'keygen queued');
    // Serialized: each key generation takes the CPU for ~10 s.
    const dealerAllowed = options.insecureDealerAllowed === true;
    this.keygens.set(requestId, this.queued(() => this.runKeyGen(requestId, started, preprocId, parameters, dealerAllowed)));
  }

  private async runKeyGen(requestId: string, started: number, preprocId: string, parameters: FheParameterSet, dealerAllowed: boolean): Promise<KeyGenOutcome> {
    const keyId = requestId;
    const log = this.log.child({ requestId });
    const base = { requestId, keyId, publicKeyDigest: '', publicKeyUri: '', serverKeyDigest: '', serverKeyUri: '', parameters: '' };
    try {
      // Yield first so the KeyGen reply leaves before the (synchronous) engine holds the thread.
      await new Promise((r) => setTimeout(r, 20));
      const preproc = preprocId ? await this.preprocMaterial(preprocId, parameters, requestId) : undefined;
      log.info({ ...(preprocId ? { preprocId } : {}) }, 'keygen started');
      let stageAt = Date.now();
      const keySet = await this.backend.generate(
        requestId,
        (stage, fraction) => {
          const now = Date.now();
          if (fraction !== undefined) {
            this.noteProgress(requestId, 'keygen', stage, fraction);
          }
          log.info({ stage, previousStageMs: now - stageAt }, 'keygen progress');
          stageAt = now;
        },
        preproc,
        parameters,
        preprocId ? preprocessingStorage(this.o.privateStorage, preprocId) : undefined,
        { networkAllowsDealer: dealerAllowed },
      );
      const { privateStorage: priv, publicStorage: pub } = this.o;
      await pub.write(DataType.PublicKey, keyId, keySet.compactPublicKey, 0o644);
      await pub.write(DataType.ServerKey, keyId, keySet.compressedServerKey, 0o644);
      await priv.write(this.backend.privateDataType, keyId, keySet.privateMaterial);
      const secretKey = this.backend.load(keySet.privateMaterial);
      const signed = {
        kind: 'keygen' as const,
        requestId,
        publicKeyDigest: sha3Hex(keySet.compactPublicKey),
        publicKeyUri: this.o.publicUri(DataType.PublicKey, keyId),
        serverKeyDigest: sha3Hex(keySet.compressedServerKey),
        serverKeyUri: this.o.publicUri(DataType.ServerKey, keyId),
      };
      const outcome: KeyGenOutcome = { ...signed, keyId, parameters: keySet.parameters, signature: this.o.signer.sign(signed), ...(preprocId ? { preprocId } : {}) };
      await priv.write(DataType.KeyInfo, keyId, JSON.stringify(outcome));
      this.keys.set(keyId, { info: outcome, secretKey });
      // The preprocessing now lives in the key's material: one key per preprocessing.
      if (preprocId) {
        await priv.wipe(DataType.KeyGenPreproc, preprocId);
        await preprocessingStorage(priv, preprocId).wipeAll();
      }
      const ms = Date.now() - started;
      this.o.metrics?.observe('keygen', 'ok', ms);
      log.info(
        { keyId, durationMs: ms, publicKeyBytes: keySet.compactPublicKey.length, serverKeyBytes: keySet.compressedServerKey.length },
        'keygen done',
      );
      return outcome;
    } catch (e) {
      const ms = Date.now() - started;
      this.o.metrics?.observe('keygen', 'failure', ms);
      log.error({ err: errorMessage(e), durationMs: ms }, 'keygen failed');
      // Material a failed keygen began to use never serves another: wipe it (a later keygen naming it gets PREPROC_CONSUMED).
      const consumedBy = preprocId ? await preprocessingStorage(this.o.privateStorage, preprocId).read('consumed').catch(() => undefined) : undefined;
      if (preprocId && consumedBy && new TextDecoder().decode(consumedBy) === requestId) {
        await this.o.privateStorage.wipe(DataType.KeyGenPreproc, preprocId).catch(() => undefined);
        await preprocessingStorage(this.o.privateStorage, preprocId).wipeAll().catch(() => undefined);
      }
      return { ...base, ...this.fail(requestId, errorCode(e, 'KEYGEN_FAILED'), errorMessage(e)) };
    }
  }

  /** Waits (until `deadline`, epoch ms) for a key generation; NOT_FOUND if unknown, UNAVAILABLE if still running. */
  async getKeyGenResult(requestId: string, deadline?: number): Promise<KeyGenOutcome> {
    return this.waitFor(this.keygens, 'key generation', requestId, deadline);
  }

  /** Public material of a finished key; NOT_FOUND when unknown. */
  publicKeyInfo(keyId: string): KeyGenOutcome {
    const k = this.keys.get(keyId);
    if (!k) throw new CoreRequestError('NOT_FOUND', `unknown key ${keyId.slice(0, 80)}`);
    return k.info;
  }

  // ---- decryption ----

  /**
   * Why `handle` is not the handle of (`digest`, `fheType`) (common/ciphertext.ts),
   * or undefined when it is. The ASC already refuses such pairs; checked again
   * here (defense in depth, security review S1): the application's ISC judged the
   * handle, the core decrypts what the digest names, so they must be one ciphertext.
   */
  /**
   * What verifying proven inputs under `keyId` against CRS `crsId` needs, read
   * from this party's own storage and checked against its private records
   * (public storage is untrusted: a swapped CRS or key would make a forged
   * proof verify), or why the request cannot be served.
   */
  private async proofContext(a: AdmissionContext): Promise<ProofContext | { code: string; message: string }> {
    const { keyId, crsId } = a;
    if (!a.requester) return { code: 'REQUESTER_MISSING', message: 'a proven input is bound to the account that submits it, and the request names none' };
    const key = this.keys.get(keyId);
    if (!key) return { code: 'KEY_NOT_FOUND', message: `key ${keyId.slice(0, 80)} is unknown to this core` };
    if (!this.o.provenInputs) return { code: 'PROOF_UNSUPPORTED', message: 'this core runs without the tfhe-zk tool (`make tfhe-zk`): it cannot verify proofs of encryption' };
    if (key.info.parameters !== parameterNames('fhevm')) {
      return { code: 'PROOF_UNSUPPORTED', message: `key ${keyId.slice(0, 80)} uses ${key.info.parameters}, without the dedicated compact-public-key parameters proofs of encryption need (tkms keygen --params fhevm)` };
    }
    if (!REQUEST_ID.test(crsId)) return { code: 'UNKNOWN_CRS', message: `crs id must be 40 lower-case hex chars, got "${crsId.slice(0, 80)}"` };
    const info = await this.o.privateStorage.read(DataType.CrsInfo, crsId);
    const crsInfo = info ? (JSON.parse(new TextDecoder().decode(info)) as CrsGenOutcome) : undefined;
    if (!crsInfo || crsInfo.failure) return { code: 'UNKNOWN_CRS', message: `CRS ${crsId} was not generated by this core` };
    const material: Uint8Array[] = [];
    for (const [dataType, id, digest] of [
      [DataType.CRS, crsId, crsInfo.crsDigest],
      [DataType.PublicKey, keyId, key.info.publicKeyDigest],
      [DataType.ServerKey, keyId, key.info.serverKeyDigest],
    ] as const) {
      const bytes = await this.verifiedPublic(dataType, id, digest);
      if ('code' in bytes) return bytes;
      material.push(bytes);
    }
    const [crs, compactPublicKey, compressedServerKey] = material as [Uint8Array, Uint8Array, Uint8Array];
    return { crs, compactPublicKey, compressedServerKey, metadata: provenInputMetadata({ keyId, crsId, appId: a.appId, requester: a.requester }) };
  }

  /**
   * Public material read back from storage, checked once against the digest
   * this core signed and then kept in memory: every later proven input uses
   * the checked copy, so neither a swap in storage afterwards nor rehashing a
   * ~60 MB server key per request.
   */
  private readonly verifiedMaterial = new Map<string, Uint8Array>();

  private async verifiedPublic(dataType: string, id: string, digest: string): Promise<Uint8Array | { code: string; message: string }> {
    const at = `${dataType}/${id}`;
    const cached = this.verifiedMaterial.get(at);
    if (cached) return cached;
    const bytes = await this.o.publicStorage.read(dataType, id);
    if (!bytes) return { code: 'PUBLIC_MATERIAL_MISSING', message: `${dataType} ${id} is missing from this core's public storage` };
    if (sha3Hex(bytes) !== digest) return { code: 'PUBLIC_MATERIAL_TAMPERED', message: `${dataType} ${id} in public storage no longer matches the digest this core signed` };
    this.verifiedMaterial.set(at, bytes);
    return bytes;
  }

  /** Verifies one proven input and returns its single expanded ciphertext, which must be of `fheType`. */
  private async expandProvenInput(ctx: ProofContext, list: Uint8Array, fheType: FheType): Promise<Uint8Array> {
    const items = await this.o.provenInputs!.verifyAndExpand({ ...ctx, list });
    if (items.length !== 1) throw new TkmsError('CIPHERTEXT_MALFORMED', `a proven input carries one value, this list carries ${items.length}`);
    if (items[0]!.fheType !== fheType) throw new TkmsError('FHE_TYPE_MISMATCH', `the proven input holds an ${items[0]!.fheType}, the request says ${fheType}`);
    return items[0]!.ciphertext;
  }

  private handleMismatch(handle: string, digest: string, fheType: FheType, a: { keyId: string; appId: string }): string | undefined {
    const want = ciphertextHandle(digest, fheType, a);
    if (handle.replace(/^0x/, '').toLowerCase() === want) return undefined;
    return `ciphertext handle ${handle.slice(0, 80) || '(empty)'} is not the handle of digest ${digest.slice(0, 80)} as ${fheType} under key ${a.keyId.slice(0, 80)} and application ${a.appId.slice(0, 80)} (expected ${want})`;
  }

  /**
   * Checks a request's fetched ciphertexts, every one before any is
   * decrypted: size, presence, digest, type, and the handle under the
   * request's key and application (a handle admitted through one application
   * is refused through another); then the key's state; then, for proven
   * inputs, each proof (bound to key, CRS, application and requester) and the
   * expansion; then parses each for decryption (clean carries only). Returns
   * the parsed ciphertexts, or the coded reason to sign as a failure.
   */
  private async admitCiphertexts(
    items: readonly { handle: string; digest: string; fheType: string; bytes: Uint8Array }[],
    a: AdmissionContext,
    log: Logger,
    at: (i: number) => string,
  ): Promise<{ parsed: unknown[] } | { code: string; message: string }> {
    const refuse = (code: string, message: string) => ({ code, message });
    if (!a.appId) return refuse('APP_ID_MISSING', 'the request names no application: handles are bound to one (ASC app_id)');
    const max = this.o.maxCiphertextBytes ?? Number.POSITIVE_INFINITY;
    for (const [i, c] of items.entries()) {
      if (c.bytes.length > max) return refuse('CIPHERTEXT_TOO_LARGE', `${at(i)}ciphertext is ${c.bytes.length} bytes, limit ${max}`);
      // The connector sends no bytes when the KV-store has nothing under the digest.
      if (c.bytes.length === 0) return refuse('CIPHERTEXT_UNAVAILABLE', `${at(i)}no ciphertext with digest ${c.digest.slice(0, 80)} could be fetched from the KV-store`);
      const digest = sha3Hex(c.bytes);
      // Exact match: the digest is signed back as given, so it must be the canonical lower-case hex.
      if (digest !== c.digest) return refuse('DIGEST_MISMATCH', `${at(i)}ciphertext digest ${digest} does not match requested ${c.digest.slice(0, 80)}`);
      if (!isFheType(c.fheType)) return refuse('FHE_TYPE_UNKNOWN', `${at(i)}unknown FHE type "${c.fheType.slice(0, 40)}"`);
      const mismatch = this.handleMismatch(c.handle, digest, c.fheType, a);
      if (mismatch) return refuse('HANDLE_MISMATCH', at(i) + mismatch);
    }
    const refused = this.keyUseRefusal(a.keyId, log);
    if (refused) return refused;
    let proof: ProofContext | undefined;
    if (a.crsId !== '') {
      const ctx = await this.proofContext(a);
      if ('code' in ctx) return ctx;
      proof = ctx;
    }
    // Ciphertexts are parsed for the key's dimension: one of another
    // parameter set is refused (CIPHERTEXT_PARAMETERS_MISMATCH), never
    // decrypted to a wrong plaintext. Records that name no known set (none
    // are written today) are read as the default set's.
    const lweDimension = (profileOfParameterNames(this.keys.get(a.keyId)?.info.parameters ?? '') ?? parameterProfile('default')).lweDimension;
    const parsed: unknown[] = [];
    for (const [i, c] of items.entries()) {
      const fheType = c.fheType as FheType;
      let bytes = c.bytes;
      if (proof) {
        try {
          bytes = await this.expandProvenInput(proof, c.bytes, fheType);
        } catch (e) {
          return refuse(errorCode(e, 'PROOF_INVALID'), at(i) + errorMessage(e));
        }
      }
      try {
        parsed.push(this.o.engine.parseCiphertext(bytes, fheType, lweDimension));
      } catch (e) {
        const hint = !proof && looksProven(c.bytes) ? ' (a proven input: request its decryption with the CRS it was proven against, crs_id)' : '';
        return refuse(errorCode(e, 'CIPHERTEXT_MALFORMED'), at(i) + errorMessage(e) + hint);
      }
    }
    return { parsed };
  }

  /** Starts a decryption. Returns at once; failures found later are signed. */
  startDecrypt(p: DecryptParameters): void {
    this.checkRequestId(p.requestId);
    if (this.decrypts.has(p.requestId) || this.o.privateStorage.has(DataType.DecryptResult, p.requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${p.requestId} already used for a decryption`);
    }
    const started = Date.now();
    this.log.info({ requestId: p.requestId, keyId: p.keyId, fheType: p.fheType, ...(p.batch ? { ciphertexts: p.batch.length } : {}), backend: this.backend.kind }, 'decrypt started');
    const j = job(async () => {
      await new Promise((r) => setImmediate(r));
      const outcome = p.batch ? await this.runBatchDecrypt(p, started) : await this.runDecrypt(p, started);
      // Kept on disk so a restarted core still answers (and still refuses the id).
      // Not fsynced: losing the last results in a power cut only means re-decrypting.
      await this.o.privateStorage
        .write(DataType.DecryptResult, p.requestId, JSON.stringify(outcome), 0o600, false)
        .catch((e: unknown) => this.log.error({ requestId: p.requestId, err: errorMessage(e) }, 'cannot persist decrypt result'));
      return outcome;
    });
    this.decrypts.set(p.requestId, j);
    const max = this.o.maxDecryptResults ?? 10_000;
    if (this.decrypts.size > max) {
      // Forget the oldest finished results in memory (Map iterates in insertion order); they stay on disk.
      for (const [id, old] of this.decrypts) {
        if (this.decrypts.size <= max) break;
        if (old.result) this.decrypts.delete(id);
      }
    }
  }

  private async runDecrypt(p: DecryptParameters, started: number): Promise<DecryptOutcome> {
    const { requestId, keyId, fheType, ciphertextDigest } = p;
    const log = this.log.child({ requestId, keyId, fheType });
    const base = { requestId, keyId, fheType, ciphertextDigest, plaintext: '' };
    const failWith = (code: string, message: string): DecryptOutcome => {
      const ms = Date.now() - started;
      this.o.metrics?.observe('decrypt', 'failure', ms);
      log.warn({ code, reason: message, durationMs: ms }, 'decrypt failed');
      return { ...base, ...this.fail(requestId, code, message) };
    };
    try {
      const admitted = await this.admitCiphertexts(
        [{ handle: p.ciphertextHandle, digest: ciphertextDigest, fheType, bytes: p.ciphertext }],
        { keyId, appId: p.appId, crsId: p.crsId ?? '', requester: p.requester ?? '' },
        log,
        () => '',
      );
      if ('code' in admitted) return failWith(admitted.code, admitted.message);
      const key = this.keys.get(keyId)!;
      const ct = admitted.parsed[0];
      const plaintext = (await this.backend.decrypt(requestId, ct, key.secretKey)).toString(10);
      const outcome = this.signPublic(p, ciphertextDigest, plaintext);
      const ms = Date.now() - started;
      this.o.metrics?.observe('decrypt', 'ok', ms);
      log.info({ durationMs: ms, ciphertextBytes: p.ciphertext.length }, 'decrypt done');
      return outcome;
    } catch (e) {
      return failWith(errorCode(e, 'DECRYPT_FAILED'), errorMessage(e));
    }
  }

  private signPublic(p: DecryptParameters, digest: string, plaintext: string): DecryptOutcome {
    const { requestId, keyId, fheType } = p;
    const signed: SignedResponse = { kind: 'decrypt', requestId, keyId, ciphertexts: [{ ciphertextDigest: digest, fheType, plaintext }] };
    const outcome: DecryptOutcome = { requestId, keyId, fheType, ciphertextDigest: digest, plaintext, plaintexts: [plaintext], signature: this.o.signer.sign(signed) };
    if (p.eip712) {
      const m = { handles: [p.ciphertextHandle], plaintexts: [BigInt(plaintext)], ...(p.eip712.extraData ? { extraData: p.eip712.extraData } : {}) };
      outcome.eip712Signature = this.o.signer.signTypedDigest(publicDecryptDigest(p.eip712.domain, m));
    }
    return outcome;
  }

  /**
   * Public decryption of a batch, all or nothing: every ciphertext is checked
   * (size, digest, type, parse) before any is decrypted, and one signature
   * covers request id, key id and every (digest, type, plaintext) in order
   * (common/signing.ts). MPC sessions are `requestId` for the first ciphertext
   * and `requestId#i` for the others, the same at every party.
   */
  private async runBatchDecrypt(p: DecryptParameters, started: number): Promise<DecryptOutcome> {
    const { requestId, keyId } = p;
    const items = p.batch ?? [];
    const log = this.log.child({ requestId, keyId, ciphertexts: items.length });
    const base = { requestId, keyId, fheType: '', ciphertextDigest: '', plaintext: '' };
    const failWith = (code: string, message: string): DecryptOutcome => {
      const ms = Date.now() - started;
      this.o.metrics?.observe('decrypt', 'failure', ms);
      log.warn({ code, reason: message, durationMs: ms }, 'decrypt failed');
      return { ...base, ...this.fail(requestId, code, message) };
    };
    try {
      if (items.length < 1 || items.length > MAX_DECRYPT_BATCH) return failWith('BATCH_SIZE', `a decryption carries 1..${MAX_DECRYPT_BATCH} ciphertexts, got ${items.length}`);
      const admitted = await this.admitCiphertexts(
        items.map((c) => ({ handle: c.ciphertextHandle, digest: c.ciphertextDigest, fheType: c.fheType, bytes: c.ciphertext })),
        { keyId, appId: p.appId, crsId: p.crsId ?? '', requester: p.requester ?? '' },
        log,
        (i) => `ciphertexts[${i}]: `,
      );
      if ('code' in admitted) return failWith(admitted.code, admitted.message);
      const parsed = admitted.parsed;
      const key = this.keys.get(keyId)!;
      const plaintexts: string[] = [];
      for (const [i, ct] of parsed.entries()) {
        plaintexts.push((await this.backend.decrypt(i === 0 ? requestId : `${requestId}#${i}`, ct, key.secretKey)).toString(10));
      }
      const signed: SignedResponse = {
        kind: 'decrypt',
        requestId,
        keyId,
        ciphertexts: items.map((c, i) => ({ ciphertextDigest: c.ciphertextDigest, fheType: c.fheType, plaintext: plaintexts[i]! })),
      };
      const outcome: DecryptOutcome = { ...base, plaintexts, signature: this.o.signer.sign(signed) };
      if (p.eip712) {
        const m = { handles: items.map((c) => c.ciphertextHandle), plaintexts: plaintexts.map((x) => BigInt(x)), ...(p.eip712.extraData ? { extraData: p.eip712.extraData } : {}) };
        outcome.eip712Signature = this.o.signer.signTypedDigest(publicDecryptDigest(p.eip712.domain, m));
      }
      const ms = Date.now() - started;
      this.o.metrics?.observe('decrypt', 'ok', ms);
      log.info({ durationMs: ms, ciphertextBytes: items.reduce((n, c) => n + c.ciphertext.length, 0), keyState: this.keyState(keyId) }, 'decrypt done');
      return outcome;
    } catch (e) {
      return failWith(errorCode(e, 'DECRYPT_FAILED'), errorMessage(e));
    }
  }

  // ---- CRS generation ----

  /** Starts a CRS generation (queued behind key generations: both hold the CPU). The CRS id is the request id. */
  startCrsGen(requestId: string, maxNumBits: number): void {
    this.checkRequestId(requestId);
    if (this.crsgens.has(requestId) || this.o.privateStorage.has(DataType.CrsInfo, requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${requestId} already used for a CRS generation`);
    }
    if (!Number.isInteger(maxNumBits) || maxNumBits < 1) throw new CoreRequestError('INVALID_ARGUMENT', `max_num_bits must be a positive integer, got ${maxNumBits}`);
    const started = Date.now();
    this.crsgens.set(requestId, this.queued(() => this.runCrsGen(requestId, maxNumBits, started)));
  }

  private async runCrsGen(requestId: string, maxNumBits: number, started: number): Promise<CrsGenOutcome> {
    const log = this.log.child({ requestId, maxNumBits });
    const base = { requestId, crsId: requestId, crsDigest: '', crsUri: '', maxNumBits, parameters: '' };
    try {
      await new Promise((r) => setTimeout(r, 20));
      log.info('CRS generation started (about a minute)');
      const { crs, parameters, transcript } = this.backend.generateCrs ? await this.backend.generateCrs(requestId, maxNumBits) : await this.o.engine.generateCrs(maxNumBits);
      if (transcript) await this.o.publicStorage.write(DataType.CrsTranscript, requestId, transcript, 0o644);
      await this.o.publicStorage.write(DataType.CRS, requestId, crs, 0o644);
      const signed = { kind: 'crs_gen' as const, requestId, maxNumBits: String(maxNumBits), crsDigest: sha3Hex(crs), crsUri: this.o.publicUri(DataType.CRS, requestId) };
      const outcome: CrsGenOutcome = { ...base, crsDigest: signed.crsDigest, crsUri: signed.crsUri, parameters, signature: this.o.signer.sign(signed) };
      await this.o.privateStorage.write(DataType.CrsInfo, requestId, JSON.stringify(outcome));
      const ms = Date.now() - started;
      this.o.metrics?.observe('crsgen', 'ok', ms);
      log.info({ durationMs: ms, crsBytes: crs.length }, 'CRS generation done');
      return outcome;
    } catch (e) {
      this.o.metrics?.observe('crsgen', 'failure', Date.now() - started);
      log.error({ err: errorMessage(e) }, 'CRS generation failed');
      return { ...base, ...this.fail(requestId, errorCode(e, 'CRSGEN_FAILED'), errorMessage(e)) };
    }
  }

  async getCrsGenResult(requestId: string, deadline?: number): Promise<CrsGenOutcome> {
    if (!this.crsgens.has(requestId) && REQUEST_ID.test(requestId)) {
      const stored = await this.o.privateStorage.read(DataType.CrsInfo, requestId);
      if (stored) return JSON.parse(new TextDecoder().decode(stored)) as CrsGenOutcome;
    }
    return this.waitFor(this.crsgens, 'CRS generation', requestId, deadline);
  }

  async getDecryptResult(requestId: string, deadline?: number): Promise<DecryptOutcome> {
    if (!this.decrypts.has(requestId) && REQUEST_ID.test(requestId)) {
      const stored = await this.o.privateStorage.read(DataType.DecryptResult, requestId);
      if (stored) return JSON.parse(new TextDecoder().decode(stored)) as DecryptOutcome;
    }
    return this.waitFor(this.decrypts, 'decryption', requestId, deadline);
  }

  private async waitFor<T>(jobs: Map<string, Job<T>>, what: string, requestId: string, deadline?: number): Promise<T> {
    const j = jobs.get(requestId);
    if (!j) throw new CoreRequestError('NOT_FOUND', `no ${what} with request id ${requestId.slice(0, 80)}`);
    if (j.result) return j.result;
    // Answer a little before the caller's deadline so it gets UNAVAILABLE (retryable), not a bare timeout.
    const waitMs = Math.min(MAX_WAIT_MS, (deadline ?? Number.POSITIVE_INFINITY) - Date.now() - 250);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CoreRequestError('UNAVAILABLE', `${what} ${requestId} is still running`)),
        Math.max(0, waitMs),
      );
    });
    try {
      return await Promise.race([j.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- user decryption of a batch (ASC user_decrypt) ----

  /** Starts a user decryption of 1..32 ciphertexts; one signcrypted answer covers them all. Returns at once. */
  startUserDecrypt(p: UserDecryptParameters): void {
    this.checkRequestId(p.requestId);
    if (this.userDecrypts.has(p.requestId) || this.o.privateStorage.has(DataType.DecryptResult, p.requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${p.requestId} already used for a decryption`);
    }
    if (p.ciphertexts.length < 1 || p.ciphertexts.length > 32) throw new CoreRequestError('INVALID_ARGUMENT', `a user decryption takes 1..32 ciphertexts, got ${p.ciphertexts.length}`);
    const started = Date.now();
    this.log.info({ requestId: p.requestId, keyId: p.keyId, ciphertexts: p.ciphertexts.length, backend: this.backend.kind }, 'user decrypt started');
    this.userDecrypts.set(
      p.requestId,
      job(async () => {
        await new Promise((r) => setImmediate(r));
        const outcome = await this.runUserDecrypt(p, started);
        await this.o.privateStorage
          .write(DataType.DecryptResult, p.requestId, JSON.stringify(outcome), 0o600, false)
          .catch((e: unknown) => this.log.error({ requestId: p.requestId, err: errorMessage(e) }, 'cannot persist user decrypt result'));
        return outcome;
      }),
    );
  }

  private async runUserDecrypt(p: UserDecryptParameters, started: number): Promise<UserDecryptOutcome> {
    const { requestId, keyId } = p;
    const log = this.log.child({ requestId, keyId });
    const failWith = (code: string, message: string): UserDecryptOutcome => {
      const ms = Date.now() - started;
      this.o.metrics?.observe('user_decrypt', 'failure', ms);
      log.warn({ code, reason: message, durationMs: ms }, 'user decrypt failed');
      return { requestId, keyId, signcryption: '', eip712Signature: '', ...this.fail(requestId, code, message) };
    };
    try {
      if (p.userPublicKey.length !== ML_KEM_512_PUBLIC_KEY_BYTES) {
        return failWith('USER_KEY_INVALID', `user key must be an ML-KEM-512 public key (${ML_KEM_512_PUBLIC_KEY_BYTES} bytes), got ${p.userPublicKey.length}`);
      }
      if (!/^0x[0-9a-fA-F]{40}$/.test(p.clientAddress)) return failWith('CLIENT_ADDRESS_INVALID', 'client address must be a 0x-prefixed 20-byte hex address');
      if (p.eip712 && p.eip712.domain.verifyingContract.toLowerCase() === p.clientAddress.toLowerCase()) {
        return failWith('CLIENT_ADDRESS_INVALID', 'the EIP-712 verifying contract must differ from the client address');
      }
      const admitted = await this.admitCiphertexts(
        p.ciphertexts.map((c) => ({ handle: c.handle, digest: c.digest, fheType: c.fheType, bytes: c.bytes })),
        { keyId, appId: p.appId, crsId: p.crsId ?? '', requester: p.requester ?? '' },
        log,
        (i) => `ciphertext ${i + 1} of ${p.ciphertexts.length}: `,
      );
      if ('code' in admitted) return failWith(admitted.code, admitted.message);
      const parsed = admitted.parsed;
      const key = this.keys.get(keyId)!;
      const base = { version: 2 as const, request_id: requestId, key_id: keyId, party_id: this.partyId };
      let payload: UserDecryptPayload;
      if (this.backend.decryptShare) {
        // Threshold: this party's shares only; the plaintext exists nowhere but at the user.
        const r = await this.backend.decryptShare(requestId, parsed, key.secretKey);
        payload = {
          ...base,
          mode: 'share',
          ring_degree: r.ringDegree,
          digit_bits: r.digitBits,
          results: r.ciphertexts.map((c, i) => ({
            fhe_type: p.ciphertexts[i]!.fheType as FheType,
            message_modulus: c.messageModulus,
            blocks: c.blocks,
            shares: Buffer.from(c.shares).toString('base64'),
          })),
        };
      } else {
        const results = [];
        for (const [i, ct] of parsed.entries()) {
          results.push({ fhe_type: p.ciphertexts[i]!.fheType as FheType, plaintext: (await this.backend.decrypt(requestId, ct, key.secretKey)).toString(10) });
        }
        payload = { ...base, mode: 'plaintext', results };
      }
      const outcome = sealUserDecrypt(this.o.signer, { ...p, ciphertexts: p.ciphertexts }, payload);
      const ms = Date.now() - started;
      this.o.metrics?.observe('user_decrypt', 'ok', ms);
      log.info({ durationMs: ms, ciphertexts: p.ciphertexts.length, signcryptionBytes: outcome.signcryption.length / 2, mode: payload.mode }, 'user decrypt done');
      return outcome;
    } catch (e) {
      return failWith(errorCode(e, 'DECRYPT_FAILED'), errorMessage(e));
    }
  }

  async getUserDecryptResult(requestId: string, deadline?: number): Promise<UserDecryptOutcome> {
    if (!this.userDecrypts.has(requestId) && REQUEST_ID.test(requestId)) {
      const stored = await this.o.privateStorage.read(DataType.DecryptResult, requestId);
      if (stored) return JSON.parse(new TextDecoder().decode(stored)) as UserDecryptOutcome;
    }
    return this.waitFor(this.userDecrypts, 'user decryption', requestId, deadline);
  }

  /** DEGRADED: some public material does not match its digest, or some key failed to load (`unavailableKeyIds`). */
  health(): { status: string; partyId: number; signerPubkey: string; keyIds: string[]; keyStates: { keyId: string; state: KeyLifecycleState }[]; unavailableKeyIds: string[] } {
    return {
      keyStates: this.keyIds().map((keyId) => ({ keyId, state: this.keyState(keyId)! })),
      unavailableKeyIds: [...this.unavailable.keys()],
      status: this.closing ? 'SHUTTING_DOWN' : this.publicMismatch.size > 0 || this.unavailable.size > 0 ? 'DEGRADED' : 'SERVING',
      partyId: this.partyId,
      signerPubkey: this.o.signer.publicKeyHex,
      keyIds: this.keyIds(),
    };
  }

  /** Refuses new jobs and waits for running key generations to finish. */
  async close(): Promise<void> {
    this.closing = true;
    await this.keygenQueue.catch(() => undefined);
    await this.backend.close?.();
  }
}
