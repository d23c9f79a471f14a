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
 * core.startKeyGen(requestId);
 * const kg = await core.getKeyGenResult(requestId, Date.now() + 60_000);
 */
import type { Logger } from 'pino';
import { REQUEST_ID } from '../../common/ciphertext.js';
import { TkmsError } from '../../common/errors.js';
import { isFheType } from '../../common/fheTypes.js';
import { publicDecryptDigest, userDecryptDigest, type Eip712Domain } from '../../common/eip712.js';
import { ML_KEM_512_PUBLIC_KEY_BYTES } from '../../common/signcryption.js';
import type { SignedResponse } from '../../common/signing.js';
import type { CoreEngine } from './engine.js';
import { centralizedBackend, type KeyBackend } from './keyBackend.js';
import { CoreRequestError } from './errors.js';
import type { CoreMetrics } from './metrics.js';
import type { Signer } from './signer.js';
import { DataType, sha3Hex, type ObjectStorage, type PublicStorage } from './storage.js';

/** A signed job failure; `reason` is `${code}: ${message}`, the signed string. */
export interface JobFailure {
  code: string;
  reason: string;
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
}

export interface DecryptOutcome {
  requestId: string;
  keyId: string;
  fheType: string;
  ciphertextDigest: string;
  /** Decimal; empty when `failure` is set, and always empty for a user decryption. */
  plaintext: string;
  signature: string;
  failure?: JobFailure;
  /** EIP-712 signature (0x, 65 bytes) when the request named a domain. */
  eip712Signature?: string;
  /** User decryption: the plaintext signcrypted to the user's key, hex. */
  signcryptedShare?: string;
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
  /** User decryption: signcrypt the plaintext to this ML-KEM-512 key instead of returning it. */
  user?: { publicKey: Uint8Array; clientAddress: string };
}

/** What a user decryption's signcryption carries (UTF-8 JSON). */
export interface UserDecryptPayload {
  request_id: string;
  fhe_type: string;
  plaintext: string;
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
}

interface Job<T> {
  readonly done: Promise<T>;
  result?: T;
}

interface LoadedKey {
  info: KeyGenOutcome;
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
  /** Keys whose public material no longer matches the digests kept privately. */
  private readonly publicMismatch = new Set<string>();
  private readonly keygens = new Map<string, Job<KeyGenOutcome>>();
  private readonly decrypts = new Map<string, Job<DecryptOutcome>>();
  private readonly crsgens = new Map<string, Job<CrsGenOutcome>>();
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
    return core;
  }

  private get log(): Logger {
    return this.o.logger;
  }

  private async loadKeys(): Promise<void> {
    const priv = this.o.privateStorage;
    // KeyInfo is written last, so it marks a complete key generation.
    for (const id of await priv.list(DataType.KeyInfo)) {
      try {
        const info = JSON.parse(new TextDecoder().decode(await priv.read(DataType.KeyInfo, id))) as KeyGenOutcome;
        const material = await priv.read(this.backend.privateDataType, id);
        if (!material) throw new Error(`${this.backend.privateDataType} missing`);
        this.keys.set(id, { info, secretKey: this.backend.load(material) });
        this.keygens.set(id, { done: Promise.resolve(info), result: info });
        await this.checkPublicMaterial(id, info);
      } catch (e) {
        this.log.error({ keyId: id, err: errorMessage(e) }, 'cannot load key; skipped');
      }
    }
    this.log.info({ keys: [...this.keys.keys()] }, 'keys loaded from private storage');
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

  // ---- key generation ----

  /** Starts a key generation whose key id is the request id. Returns at once. */
  startKeyGen(requestId: string): void {
    this.checkRequestId(requestId);
    if (this.keygens.has(requestId)) throw new CoreRequestError('ALREADY_EXISTS', `request ${requestId} already used for a key generation`);
    const started = Date.now();
    this.log.info({ requestId }, 'keygen queued');
    const j = job(async () => {
      // Serialized: each key generation takes the CPU for ~10 s.
      const prev = this.keygenQueue;
      let release!: () => void;
      this.keygenQueue = new Promise<void>((r) => (release = r));
      try {
        await prev.catch(() => undefined);
        return await this.runKeyGen(requestId, started);
      } finally {
        release();
      }
    });
    this.keygens.set(requestId, j);
  }

  private async runKeyGen(requestId: string, started: number): Promise<KeyGenOutcome> {
    const keyId = requestId;
    const log = this.log.child({ requestId });
    const base = { requestId, keyId, publicKeyDigest: '', publicKeyUri: '', serverKeyDigest: '', serverKeyUri: '', parameters: '' };
    try {
      // Yield first so the KeyGen reply leaves before the (synchronous) engine holds the thread.
      await new Promise((r) => setTimeout(r, 20));
      log.info('keygen started');
      let stageAt = Date.now();
      const keySet = await this.backend.generate(requestId, (stage) => {
        const now = Date.now();
        log.info({ stage, previousStageMs: now - stageAt }, 'keygen progress');
        stageAt = now;
      });
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
      const outcome: KeyGenOutcome = { ...signed, keyId, parameters: keySet.parameters, signature: this.o.signer.sign(signed) };
      await priv.write(DataType.KeyInfo, keyId, JSON.stringify(outcome));
      this.keys.set(keyId, { info: outcome, secretKey });
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

  /** Starts a decryption. Returns at once; failures found later are signed. */
  startDecrypt(p: DecryptParameters): void {
    this.checkRequestId(p.requestId);
    if (this.decrypts.has(p.requestId) || this.o.privateStorage.has(DataType.DecryptResult, p.requestId)) {
      throw new CoreRequestError('ALREADY_EXISTS', `request ${p.requestId} already used for a decryption`);
    }
    const started = Date.now();
    this.log.info({ requestId: p.requestId, keyId: p.keyId, fheType: p.fheType, user: p.user !== undefined, backend: this.backend.kind }, 'decrypt started');
    const j = job(async () => {
      await new Promise((r) => setImmediate(r));
      const outcome = await this.runDecrypt(p, started);
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
      if (p.user) {
        if (p.user.publicKey.length !== ML_KEM_512_PUBLIC_KEY_BYTES) {
          return failWith('USER_KEY_INVALID', `user key must be an ML-KEM-512 public key (${ML_KEM_512_PUBLIC_KEY_BYTES} bytes), got ${p.user.publicKey.length}`);
        }
        if (!/^0x[0-9a-fA-F]{40}$/.test(p.user.clientAddress)) return failWith('CLIENT_ADDRESS_INVALID', 'client address must be a 0x-prefixed 20-byte hex address');
        if (p.eip712 && p.eip712.domain.verifyingContract.toLowerCase() === p.user.clientAddress.toLowerCase()) {
          return failWith('CLIENT_ADDRESS_INVALID', 'the EIP-712 verifying contract must differ from the client address');
        }
      }
      const max = this.o.maxCiphertextBytes ?? Number.POSITIVE_INFINITY;
      if (p.ciphertext.length > max) return failWith('CIPHERTEXT_TOO_LARGE', `ciphertext is ${p.ciphertext.length} bytes, limit ${max}`);
      // The connector sends no bytes when the KV-store has nothing under the digest.
      if (p.ciphertext.length === 0) return failWith('CIPHERTEXT_UNAVAILABLE', `no ciphertext with digest ${ciphertextDigest.slice(0, 80)} could be fetched from the KV-store`);
      const digest = sha3Hex(p.ciphertext);
      // Exact match: the digest is signed back as given, so it must be the canonical lower-case hex.
      if (digest !== ciphertextDigest) {
        return failWith('DIGEST_MISMATCH', `ciphertext digest ${digest} does not match requested ${ciphertextDigest.slice(0, 80)}`);
      }
      if (!isFheType(fheType)) return failWith('FHE_TYPE_UNKNOWN', `unknown FHE type "${fheType.slice(0, 40)}"`);
      const key = this.keys.get(keyId);
      if (!key) return failWith('UNKNOWN_KEY', `unknown key ${keyId.slice(0, 80)}`);
      let ct: unknown;
      try {
        ct = this.o.engine.parseCiphertext(p.ciphertext, fheType);
      } catch (e) {
        return failWith(errorCode(e, 'CIPHERTEXT_MALFORMED'), errorMessage(e));
      }
      const plaintext = (await this.backend.decrypt(requestId, ct, key.secretKey)).toString(10);
      const outcome = p.user ? this.sealForUser(p, digest, plaintext) : this.signPublic(p, digest, plaintext);
      const ms = Date.now() - started;
      this.o.metrics?.observe(p.user ? 'user_decrypt' : 'decrypt', 'ok', ms);
      log.info({ durationMs: ms, ciphertextBytes: p.ciphertext.length, user: p.user !== undefined }, 'decrypt done');
      return outcome;
    } catch (e) {
      return failWith(errorCode(e, 'DECRYPT_FAILED'), errorMessage(e));
    }
  }

  private signPublic(p: DecryptParameters, digest: string, plaintext: string): DecryptOutcome {
    const { requestId, keyId, fheType } = p;
    const signed: SignedResponse = { kind: 'decrypt', requestId, keyId, ciphertextDigest: digest, fheType, plaintext };
    const outcome: DecryptOutcome = { requestId, keyId, fheType, ciphertextDigest: digest, plaintext, signature: this.o.signer.sign(signed) };
    if (p.eip712) {
      const m = { handles: [p.ciphertextHandle], plaintexts: [BigInt(plaintext)], ...(p.eip712.extraData ? { extraData: p.eip712.extraData } : {}) };
      outcome.eip712Signature = this.o.signer.signTypedDigest(publicDecryptDigest(p.eip712.domain, m));
    }
    return outcome;
  }

  /**
   * User decryption: the plaintext leaves only signcrypted to the user's key;
   * what is signed (and may go on chain) is the digest of that blob.
   */
  private sealForUser(p: DecryptParameters, digest: string, plaintext: string): DecryptOutcome {
    const user = p.user!;
    const { requestId, keyId, fheType } = p;
    const payload: UserDecryptPayload = { request_id: requestId, fhe_type: fheType, plaintext };
    const share = this.o.signer.signcrypt(new TextEncoder().encode(JSON.stringify(payload)), user.publicKey, new TextEncoder().encode(requestId));
    const signed: SignedResponse = {
      kind: 'user_decrypt',
      requestId,
      keyId,
      ciphertextDigest: digest,
      fheType,
      shareDigest: sha3Hex(share),
      userKeyDigest: sha3Hex(user.publicKey),
    };
    const outcome: DecryptOutcome = {
      requestId,
      keyId,
      fheType,
      ciphertextDigest: digest,
      plaintext: '',
      signature: this.o.signer.sign(signed),
      signcryptedShare: Buffer.from(share).toString('hex'),
    };
    if (p.eip712) {
      const m = { publicKey: user.publicKey, handles: [p.ciphertextHandle], userDecryptedShare: share, ...(p.eip712.extraData ? { extraData: p.eip712.extraData } : {}) };
      outcome.eip712Signature = this.o.signer.signTypedDigest(userDecryptDigest(p.eip712.domain, m));
    }
    return outcome;
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
    this.crsgens.set(
      requestId,
      job(async () => {
        const prev = this.keygenQueue;
        let release!: () => void;
        this.keygenQueue = new Promise<void>((r) => (release = r));
        try {
          await prev.catch(() => undefined);
          return await this.runCrsGen(requestId, maxNumBits, started);
        } finally {
          release();
        }
      }),
    );
  }

  private async runCrsGen(requestId: string, maxNumBits: number, started: number): Promise<CrsGenOutcome> {
    const log = this.log.child({ requestId, maxNumBits });
    const base = { requestId, crsId: requestId, crsDigest: '', crsUri: '', maxNumBits, parameters: '' };
    try {
      await new Promise((r) => setTimeout(r, 20));
      log.info('CRS generation started (about a minute)');
      const { crs, parameters } = await this.o.engine.generateCrs(maxNumBits);
      await this.o.publicStorage.write(DataType.CRS, requestId, crs, 0o644);
      const signed = { kind: 'crsgen' as const, requestId, crsDigest: sha3Hex(crs), crsUri: this.o.publicUri(DataType.CRS, requestId), maxNumBits: String(maxNumBits) };
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

  health(): { status: string; partyId: number; signerPubkey: string; keyIds: string[] } {
    return {
      status: this.closing ? 'SHUTTING_DOWN' : this.publicMismatch.size > 0 ? 'DEGRADED' : 'SERVING',
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
