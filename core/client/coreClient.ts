/**
 * @module core/client/coreClient
 * Promise-based client of a KMS core (gRPC over mutual TLS), for the connector
 * and tests. Proto types stay inside; results come back as plain objects, gRPC
 * errors as `CoreRpcError` with the stable TKMS code the core sent (or the gRPC
 * status name). `getKeyGenResult` / `getDecryptResult` keep asking while the
 * core answers UNAVAILABLE ("still running") until `timeoutMs` runs out.
 *
 * @example
 * const core = connectCore('127.0.0.1:50100', { ca, cert, key });
 * await core.keyGen(requestId);
 * const kg = await core.getKeyGenResult(requestId, { timeoutMs: 120_000 });
 * verifyResponse(keyGenSignedResponse(kg), kg.signature, (await core.health()).signerPubkey);
 * core.close();
 */
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { TkmsError } from '../../common/errors.js';
import type { SignedResponse } from '../../common/signing.js';
import type { Eip712Domain } from '../../common/eip712.js';
import {
  CoreServiceClient,
  type CrsGenResult,
  type DecryptResult,
  type KeyGenPreprocResult,
  type KeyGenResult,
  type UserDecryptResult,
} from '../../proto/gen/tkms/core/v1/core.js';

/** PEM text (string or bytes) of the CA that signed the core's certificate, and this client's identity. */
export interface CoreClientTls {
  ca: string | Uint8Array;
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
}

export interface CoreClientOptions {
  /** Deadline of a single call when the caller gives none (default 30 s). */
  defaultTimeoutMs?: number;
  /** Largest ciphertext the client will send (default 33 MiB message). */
  maxSendBytes?: number;
  /** TLS server name to check instead of the URL's host. */
  serverName?: string;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface CoreFailure {
  code: string;
  reason: string;
}

export interface CoreKeyGenResult {
  requestId: string;
  keyId: string;
  publicKeyDigest: string;
  publicKeyUri: string;
  serverKeyDigest: string;
  serverKeyUri: string;
  signature: string;
  partyId: number;
  failure?: CoreFailure;
  /** Lifecycle state the core mirrors from the ASC (GetPublicKeyInfo; empty in keygen results). */
  keyState: string;
}

/** A key generation preprocessing's result (signature over `{kind:'keygen_preproc', requestId}` or the failure). */
export interface CoreKeyGenPreprocResult {
  requestId: string;
  signature: string;
  partyId: number;
  failure?: CoreFailure;
}

/** One ciphertext of a batch public decryption. */
export interface CoreBatchCiphertext {
  ciphertextHandle: string;
  ciphertextDigest: string;
  fheType: string;
  ciphertext: Uint8Array;
}

export interface CoreDecryptParameters {
  requestId: string;
  keyId: string;
  fheType: string;
  ciphertextHandle?: string;
  ciphertextDigest: string;
  ciphertext: Uint8Array;
  /** Also sign the result as EIP-712 typed data under this domain. */
  eip712Domain?: Eip712Domain;
  extraData?: Uint8Array;
  /** Public batch decryption (1..32, all or nothing); the single-ciphertext fields are then ignored. */
  ciphertexts?: CoreBatchCiphertext[];
  /** Verify each ciphertext's proof of encryption against this CRS first. */
  crsId?: string;
  /** The application the request was admitted through (ASC app_id): handles are bound to it. */
  appId: string;
  /** The KMS-chain account that made the request (proofs of encryption are bound to it). */
  requester?: string;
}

export interface CoreCrsGenResult {
  requestId: string;
  crsId: string;
  crsDigest: string;
  crsUri: string;
  maxNumBits: number;
  signature: string;
  partyId: number;
  failure?: CoreFailure;
}

export interface CoreDecryptResult {
  requestId: string;
  plaintext: string;
  signature: string;
  partyId: number;
  failure?: CoreFailure;
  /** 0x hex, empty when the request named no EIP-712 domain. */
  eip712Signature: string;
  /** Public decryption: one plaintext per ciphertext, in request order. */
  plaintexts: string[];
  /** The key is flagged compromised (the result is right; the key protects nothing any more). */
  keyCompromised: boolean;
  keyState: string;
}

export interface CoreUserDecryptParameters {
  requestId: string;
  keyId: string;
  ciphertexts: { handle: string; digest: string; fheType: string; ciphertext: Uint8Array }[];
  userPublicKey: Uint8Array;
  clientAddress: string;
  eip712Domain?: Eip712Domain;
  extraData?: Uint8Array;
  /** As CoreDecryptParameters. */
  appId: string;
  requester?: string;
  crsId?: string;
}

export interface CoreUserDecryptResult {
  requestId: string;
  signcryption: Uint8Array;
  /** 0x hex. */
  eip712Signature: string;
  signature: string;
  partyId: number;
  failure?: CoreFailure;
}

export interface CoreHealth {
  status: string;
  partyId: number;
  signerPubkey: string;
  keyIds: string[];
  version: string;
  keyStates: { keyId: string; state: string }[];
  /** Keys the core could not load at boot (status DEGRADED). */
  unavailableKeyIds: string[];
}

export interface CoreClient {
  readonly url: string;
  /** `preprocId`: the finished keygen preprocessing to make the key from (empty: inline); `fheParameters`: `default` (empty) or `fhevm`. */
  /** `insecureDealerAllowed`: pass the ASC request's `keygen.insecure_dealer_keys` (INSECURE test networks only). */
  keyGen(requestId: string, options?: CallOptions & { preprocId?: string; fheParameters?: string; insecureDealerAllowed?: boolean }): Promise<void>;
  /** `fheParameters`: the parameter set the preprocessing is for (empty: `default`); a keygen naming it must ask for the same. */
  keyGenPreproc(requestId: string, options?: CallOptions & { fheParameters?: string }): Promise<void>;
  getKeyGenPreprocResult(requestId: string, options?: CallOptions): Promise<CoreKeyGenPreprocResult>;
  getKeyGenResult(requestId: string, options?: CallOptions): Promise<CoreKeyGenResult>;
  decrypt(params: CoreDecryptParameters, options?: CallOptions): Promise<void>;
  getDecryptResult(requestId: string, options?: CallOptions): Promise<CoreDecryptResult>;
  getPublicKeyInfo(keyId: string, options?: CallOptions): Promise<CoreKeyGenResult>;
  crsGen(requestId: string, maxNumBits: number, options?: CallOptions): Promise<void>;
  getCrsGenResult(requestId: string, options?: CallOptions): Promise<CoreCrsGenResult>;
  health(options?: CallOptions): Promise<CoreHealth>;
  /** Mirrors a key's ASC lifecycle state into the core; returns the state it had. */
  setKeyState(keyId: string, state: string, options?: CallOptions): Promise<{ previousState: string }>;
  /** User decryption of a batch (one signcrypted answer). */
  userDecrypt(params: CoreUserDecryptParameters, options?: CallOptions): Promise<void>;
  getUserDecryptResult(requestId: string, options?: CallOptions): Promise<CoreUserDecryptResult>;
  close(): void;
}

/**
 * A failed core call. `code` is the core's TKMS code (INVALID_ARGUMENT,
 * ALREADY_EXISTS, NOT_FOUND, UNAVAILABLE, …) or, when it sent none, the gRPC
 * status name (DEADLINE_EXCEEDED becomes TIMEOUT).
 */
export class CoreRpcError extends TkmsError {
  override name = 'CoreRpcError';
  readonly grpcCode: number;
  /** Per core.proto: only NOT_FOUND, UNAVAILABLE and RESOURCE_EXHAUSTED are worth retrying. */
  readonly retryable: boolean;
  /** True when the core answered with a TKMS code (false: transport failure, TLS refusal, timeout). */
  readonly fromCore: boolean;
  constructor(method: string, e: ServiceError) {
    const sent = e.metadata?.get('tkms-code')[0];
    const statusName = status[e.code] ?? `STATUS_${e.code}`;
    const code = typeof sent === 'string' && sent ? sent : e.code === status.DEADLINE_EXCEEDED ? 'TIMEOUT' : statusName;
    super(code, `core ${method} failed: ${e.details || statusName}`, { cause: e, details: `gRPC status ${statusName}` });
    this.grpcCode = e.code;
    this.fromCore = typeof sent === 'string' && sent.length > 0;
    this.retryable = e.code === status.NOT_FOUND || e.code === status.UNAVAILABLE || e.code === status.RESOURCE_EXHAUSTED;
  }
}

const toBuf = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));

function failureOf(f: { code: string; reason: string } | undefined): CoreFailure | undefined {
  return f && (f.code || f.reason) ? { code: f.code, reason: f.reason } : undefined;
}

function fromKeyGenResult(r: KeyGenResult): CoreKeyGenResult {
  const failure = failureOf(r.failure);
  return {
    requestId: r.requestId,
    keyId: r.keyId,
    publicKeyDigest: r.publicKeyDigest,
    publicKeyUri: r.publicKeyUri,
    serverKeyDigest: r.serverKeyDigest,
    serverKeyUri: r.serverKeyUri,
    signature: r.signature,
    partyId: r.partyId,
    keyState: r.keyState,
    ...(failure ? { failure } : {}),
  };
}

function fromDecryptResult(r: DecryptResult): CoreDecryptResult {
  const failure = failureOf(r.failure);
  return {
    requestId: r.requestId,
    plaintext: r.plaintext,
    signature: r.signature,
    partyId: r.partyId,
    eip712Signature: r.eip712Signature,
    plaintexts: r.plaintexts,
    keyCompromised: r.keyCompromised,
    keyState: r.keyState,
    ...(failure ? { failure } : {}),
  };
}

function fromCrsGenResult(r: CrsGenResult): CoreCrsGenResult {
  const failure = failureOf(r.failure);
  const { failure: _ignored, ...rest } = r;
  return { ...rest, ...(failure ? { failure } : {}) };
}

/** Accepts `host:port`, `grpcs://host:port` or `https://host:port`. */
function grpcTarget(url: string): string {
  return url.replace(/^(grpcs?|https?):\/\//, '').replace(/\/+$/, '');
}

/** What the core signed for a key generation result (pass to `verifyResponse`). */
export function keyGenSignedResponse(r: CoreKeyGenResult): SignedResponse {
  if (r.failure) return { kind: 'failure', requestId: r.requestId, reason: r.failure.reason };
  return {
    kind: 'keygen',
    requestId: r.requestId,
    publicKeyDigest: r.publicKeyDigest,
    publicKeyUri: r.publicKeyUri,
    serverKeyDigest: r.serverKeyDigest,
    serverKeyUri: r.serverKeyUri,
  };
}

/** What the core signed for a public decryption (single or batch), given the request it answered. */
export function decryptSignedResponse(
  r: Pick<CoreDecryptResult, 'requestId' | 'failure' | 'plaintext' | 'plaintexts'>,
  request: Pick<CoreDecryptParameters, 'keyId' | 'fheType' | 'ciphertextDigest' | 'ciphertexts'>,
): SignedResponse {
  if (r.failure) return { kind: 'failure', requestId: r.requestId, reason: r.failure.reason };
  const cts = request.ciphertexts ?? [{ ciphertextDigest: request.ciphertextDigest, fheType: request.fheType }];
  const pts = request.ciphertexts ? r.plaintexts : [r.plaintext];
  return {
    kind: 'decrypt',
    requestId: r.requestId,
    keyId: request.keyId,
    ciphertexts: cts.map((c, i) => ({ ciphertextDigest: c.ciphertextDigest, fheType: c.fheType, plaintext: pts[i] ?? '' })),
  };
}

export function connectCore(url: string, tls: CoreClientTls, options: CoreClientOptions = {}): CoreClient {
  const creds = credentials.createSsl(toBuf(tls.ca), tls.key ? toBuf(tls.key) : null, tls.cert ? toBuf(tls.cert) : null);
  const client = new CoreServiceClient(grpcTarget(url), creds, {
    'grpc.max_send_message_length': options.maxSendBytes ?? 33 * 1024 * 1024 + 1024 * 1024,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    ...(options.serverName ? { 'grpc.ssl_target_name_override': options.serverName } : {}),
  });
  const defaultTimeout = options.defaultTimeoutMs ?? 30_000;

  function call<Req, Res>(method: string, req: Req, timeoutMs: number): Promise<Res> {
    const fn = (client as unknown as Record<string, Function>)[method]!;
    return new Promise<Res>((resolve, reject) => {
      fn.call(client, req, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (e: ServiceError | null, res: Res) =>
        e ? reject(new CoreRpcError(method, e)) : resolve(res),
      );
    });
  }

  /** Repeats a Get…Result call while the job is still running, until `timeoutMs` is spent. */
  async function waitResult<Res>(method: string, req: unknown, timeoutMs: number): Promise<Res> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const left = end - Date.now();
      try {
        return await call<unknown, Res>(method, req, Math.max(1, Math.min(left, 30_000)));
      } catch (e) {
        const again = e instanceof CoreRpcError && (e.code === 'UNAVAILABLE' || e.code === 'TIMEOUT') && end - Date.now() > 300;
        if (!again) throw e;
        // No TKMS code: the core itself was unreachable; back off a little before asking again.
        if (!e.fromCore) await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  return {
    url,
    async keyGen(requestId, o = {}) {
      await call('keyGen', { requestId, preprocId: o.preprocId ?? '', fheParameters: o.fheParameters ?? '', insecureDealerAllowed: o.insecureDealerAllowed === true }, o.timeoutMs ?? defaultTimeout);
    },
    async keyGenPreproc(requestId, o = {}) {
      await call('keyGenPreproc', { requestId, fheParameters: o.fheParameters ?? '' }, o.timeoutMs ?? defaultTimeout);
    },
    async getKeyGenPreprocResult(requestId, o = {}) {
      const r = await waitResult<KeyGenPreprocResult>('getKeyGenPreprocResult', { requestId }, o.timeoutMs ?? defaultTimeout);
      const failure = failureOf(r.failure);
      return { requestId: r.requestId, signature: r.signature, partyId: r.partyId, ...(failure ? { failure } : {}) };
    },
    async getKeyGenResult(requestId, o = {}) {
      return fromKeyGenResult(await waitResult<KeyGenResult>('getKeyGenResult', { requestId }, o.timeoutMs ?? defaultTimeout));
    },
    async decrypt(p, o = {}) {
      await call(
        'decrypt',
        {
          requestId: p.requestId,
          keyId: p.keyId,
          fheType: p.fheType,
          ciphertextHandle: p.ciphertextHandle ?? '',
          ciphertextDigest: p.ciphertextDigest,
          ciphertext: Buffer.from(p.ciphertext.buffer, p.ciphertext.byteOffset, p.ciphertext.byteLength),
          eip712Domain: p.eip712Domain
            ? { name: p.eip712Domain.name, version: p.eip712Domain.version, chainId: p.eip712Domain.chainId.toString(), verifyingContract: p.eip712Domain.verifyingContract }
            : undefined,
          extraData: Buffer.from(p.extraData ?? new Uint8Array()),
          ciphertexts: (p.ciphertexts ?? []).map((c) => ({
            ciphertextHandle: c.ciphertextHandle,
            ciphertextDigest: c.ciphertextDigest,
            fheType: c.fheType,
            ciphertext: Buffer.from(c.ciphertext.buffer, c.ciphertext.byteOffset, c.ciphertext.byteLength),
          })),
          crsId: p.crsId ?? '',
          appId: p.appId,
          requester: p.requester ?? '',
        },
        o.timeoutMs ?? defaultTimeout,
      );
    },
    async getDecryptResult(requestId, o = {}) {
      return fromDecryptResult(await waitResult<DecryptResult>('getDecryptResult', { requestId }, o.timeoutMs ?? defaultTimeout));
    },
    async getPublicKeyInfo(keyId, o = {}) {
      return fromKeyGenResult(await call('getPublicKeyInfo', { keyId }, o.timeoutMs ?? defaultTimeout));
    },
    async crsGen(requestId, maxNumBits, o = {}) {
      await call('crsGen', { requestId, maxNumBits }, o.timeoutMs ?? defaultTimeout);
    },
    async getCrsGenResult(requestId, o = {}) {
      return fromCrsGenResult(await waitResult<CrsGenResult>('getCrsGenResult', { requestId }, o.timeoutMs ?? defaultTimeout));
    },
    async userDecrypt(p, o = {}) {
      await call(
        'userDecrypt',
        {
          requestId: p.requestId,
          keyId: p.keyId,
          ciphertexts: p.ciphertexts.map((c) => ({
            ciphertextHandle: c.handle,
            ciphertextDigest: c.digest,
            fheType: c.fheType,
            ciphertext: Buffer.from(c.ciphertext.buffer, c.ciphertext.byteOffset, c.ciphertext.byteLength),
          })),
          userPublicKey: Buffer.from(p.userPublicKey),
          clientAddress: p.clientAddress,
          eip712Domain: p.eip712Domain
            ? { name: p.eip712Domain.name, version: p.eip712Domain.version, chainId: p.eip712Domain.chainId.toString(), verifyingContract: p.eip712Domain.verifyingContract }
            : undefined,
          extraData: Buffer.from(p.extraData ?? new Uint8Array()),
          appId: p.appId,
          requester: p.requester ?? '',
          crsId: p.crsId ?? '',
        },
        o.timeoutMs ?? defaultTimeout,
      );
    },
    async getUserDecryptResult(requestId, o = {}) {
      const r = await waitResult<UserDecryptResult>('getUserDecryptResult', { requestId }, o.timeoutMs ?? defaultTimeout);
      const failure = failureOf(r.failure);
      return { requestId: r.requestId, signcryption: new Uint8Array(r.signcryption), eip712Signature: r.eip712Signature, signature: r.signature, partyId: r.partyId, ...(failure ? { failure } : {}) };
    },
    async health(o = {}) {
      return call('getHealth', {}, o.timeoutMs ?? defaultTimeout);
    },
    async setKeyState(keyId, state, o = {}) {
      const r = await call<unknown, { previousState: string }>('setKeyState', { keyId, state }, o.timeoutMs ?? defaultTimeout);
      return { previousState: r.previousState };
    },
    close() {
      client.close();
    },
  };
}
