/**
 * @module core/service/grpcService
 * Maps `KmsCore` to the generated `CoreServiceServer` (proto types stay
 * at this edge). Errors travel as gRPC status plus the stable TKMS code in the
 * `tkms-code` trailer, which `core/client` turns back into a `TkmsError`.
 */
import { Metadata, status, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type {
  CoreServiceServer,
  CrsGenResult,
  DecryptResult,
  Eip712Domain as ProtoEip712Domain,
  KeyGenPreprocResult,
  KeyGenResult,
  UserDecryptResult,
} from '../../proto/gen/tkms/core/v1/core.js';
import type { UserDecryptOutcome } from './userDecrypt.js';
import type { Eip712Domain } from '../../common/eip712.js';
import type { KmsCore, CrsGenOutcome, DecryptOutcome, KeyGenOutcome } from './kmsCore.js';
import { CoreRequestError, grpcStatusOf } from './errors.js';
import { DEFAULT_RATE_LIMIT, TokenBucket } from './rateLimit.js';
import type { CoreMetrics } from './metrics.js';

export const CORE_VERSION = '0.1.0';
export const TKMS_CODE_METADATA_KEY = 'tkms-code';

function toKeyGenResult(o: KeyGenOutcome, partyId: number, keyState = ''): KeyGenResult {
  return {
    requestId: o.requestId,
    keyId: o.keyId,
    publicKeyDigest: o.publicKeyDigest,
    publicKeyUri: o.publicKeyUri,
    serverKeyDigest: o.serverKeyDigest,
    serverKeyUri: o.serverKeyUri,
    signature: o.signature,
    failure: o.failure ? { code: o.failure.code, reason: o.failure.reason } : undefined,
    partyId,
    keyState,
  };
}

/** `keyState`: the key's state when the result is read, so a compromise flags even earlier results. */
function toDecryptResult(o: DecryptOutcome, partyId: number, keyState = ''): DecryptResult {
  return {
    requestId: o.requestId,
    plaintext: o.plaintext,
    signature: o.signature,
    failure: o.failure ? { code: o.failure.code, reason: o.failure.reason } : undefined,
    partyId,
    eip712Signature: o.eip712Signature ?? '',
    plaintexts: o.plaintexts ?? [],
    keyCompromised: keyState === 'compromised',
    keyState,
  };
}

function toCrsGenResult(o: CrsGenOutcome, partyId: number): CrsGenResult {
  return {
    requestId: o.requestId,
    crsId: o.crsId,
    crsDigest: o.crsDigest,
    crsUri: o.crsUri,
    maxNumBits: o.maxNumBits,
    signature: o.signature,
    failure: o.failure ? { code: o.failure.code, reason: o.failure.reason } : undefined,
    partyId,
  };
}

function toUserDecryptResult(o: UserDecryptOutcome, partyId: number): UserDecryptResult {
  return {
    requestId: o.requestId,
    signcryption: Buffer.from(o.signcryption, 'hex'),
    eip712Signature: o.eip712Signature,
    signature: o.signature,
    failure: o.failure ? { code: o.failure.code, reason: o.failure.reason } : undefined,
    partyId,
  };
}

function toDomain(d: ProtoEip712Domain | undefined): Eip712Domain | undefined {
  if (!d) return undefined;
  if (!/^\d+$/.test(d.chainId) || !/^0x[0-9a-fA-F]{40}$/.test(d.verifyingContract)) {
    throw new CoreRequestError('INVALID_ARGUMENT', 'eip712_domain needs a decimal chain_id and a 0x-prefixed 20-byte verifying_contract');
  }
  return { name: d.name, version: d.version, chainId: BigInt(d.chainId), verifyingContract: d.verifyingContract };
}

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function deadlineOf(call: ServerUnaryCall<unknown, unknown>): number | undefined {
  const d = call.getDeadline();
  if (d instanceof Date) return d.getTime();
  return Number.isFinite(d) && d > 0 ? d : undefined;
}

export function createCoreServiceImpl(core: KmsCore, logger: Logger, metrics?: CoreMetrics, limiter: TokenBucket = new TokenBucket(DEFAULT_RATE_LIMIT)): CoreServiceServer {
  function unary<Req, Res>(method: string, fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const started = Date.now();
      Promise.resolve()
        .then(() => fn(call.request, call))
        .then(
          (res) => {
            metrics?.rpc(method, 'OK');
            logger.debug({ method, durationMs: Date.now() - started }, 'rpc ok');
            callback(null, res);
          },
          (e: unknown) => {
            const code = grpcStatusOf(e);
            const md = new Metadata();
            const tkmsCode = e instanceof CoreRequestError ? e.code : 'INTERNAL';
            md.set(TKMS_CODE_METADATA_KEY, tkmsCode);
            const details = e instanceof CoreRequestError ? e.shortMessage : 'internal error';
            metrics?.rpc(method, status[code] ?? String(code));
            if (code === status.INTERNAL) logger.error({ method, err: (e as Error)?.message }, 'rpc failed');
            else logger.info({ method, code: tkmsCode, reason: details, durationMs: Date.now() - started }, 'rpc refused');
            const err: Partial<ServiceError> = { code, details, metadata: md };
            callback(err as ServiceError, null);
          },
        );
    };
  }

  return {
    keyGen: unary('KeyGen', (req) => {
      limiter.take('KeyGen');
      core.startKeyGen(req.requestId, req.preprocId, req.fheParameters, { insecureDealerAllowed: req.insecureDealerAllowed });
      return { requestId: req.requestId };
    }),
    keyGenPreproc: unary('KeyGenPreproc', (req) => {
      limiter.take('KeyGen');
      core.startKeyGenPreproc(req.requestId, req.fheParameters);
      return { requestId: req.requestId };
    }),
    getKeyGenPreprocResult: unary('GetKeyGenPreprocResult', async (req, call): Promise<KeyGenPreprocResult> => {
      const o = await core.getKeyGenPreprocResult(req.requestId, deadlineOf(call));
      return { requestId: o.requestId, signature: o.signature, failure: o.failure ? { code: o.failure.code, reason: o.failure.reason } : undefined, partyId: core.partyId };
    }),
    getKeyGenResult: unary('GetKeyGenResult', async (req, call) => {
      const o = await core.getKeyGenResult(req.requestId, deadlineOf(call));
      return toKeyGenResult(o, core.partyId, o.failure ? '' : (core.keyState(o.keyId) ?? ''));
    }),
    decrypt: unary('Decrypt', (req) => {
      limiter.take('Decrypt');
      const domain = toDomain(req.eip712Domain);
      core.startDecrypt({
        requestId: req.requestId,
        keyId: req.keyId,
        fheType: req.fheType,
        ciphertextHandle: req.ciphertextHandle,
        ciphertextDigest: req.ciphertextDigest,
        ciphertext: view(req.ciphertext),
        ...(domain ? { eip712: { domain, extraData: view(req.extraData) } } : {}),
        ...(req.ciphertexts.length > 0
          ? {
              batch: req.ciphertexts.map((c) => ({ ciphertextHandle: c.ciphertextHandle, ciphertextDigest: c.ciphertextDigest, fheType: c.fheType, ciphertext: view(c.ciphertext) })),
            }
          : {}),
        ...(req.crsId ? { crsId: req.crsId } : {}),
        appId: req.appId,
        ...(req.requester ? { requester: req.requester } : {}),
      });
      return { requestId: req.requestId };
    }),
    getDecryptResult: unary('GetDecryptResult', async (req, call) => {
      const o = await core.getDecryptResult(req.requestId, deadlineOf(call));
      return toDecryptResult(o, core.partyId, core.keyState(o.keyId) ?? '');
    }),
    crsGen: unary('CrsGen', (req) => {
      limiter.take('CrsGen');
      core.startCrsGen(req.requestId, req.maxNumBits);
      return { requestId: req.requestId };
    }),
    getCrsGenResult: unary('GetCrsGenResult', async (req, call) => toCrsGenResult(await core.getCrsGenResult(req.requestId, deadlineOf(call)), core.partyId)),
    getPublicKeyInfo: unary('GetPublicKeyInfo', (req) => toKeyGenResult(core.publicKeyInfo(req.keyId), core.partyId, core.keyState(req.keyId) ?? '')),
    userDecrypt: unary('UserDecrypt', (req) => {
      limiter.take('Decrypt');
      const domain = toDomain(req.eip712Domain);
      core.startUserDecrypt({
        requestId: req.requestId,
        keyId: req.keyId,
        ciphertexts: req.ciphertexts.map((c) => ({ handle: c.ciphertextHandle, digest: c.ciphertextDigest, fheType: c.fheType, bytes: view(c.ciphertext) })),
        userPublicKey: view(req.userPublicKey),
        clientAddress: req.clientAddress,
        ...(domain ? { eip712: { domain, ...(req.extraData.length > 0 ? { extraData: view(req.extraData) } : {}) } } : {}),
        appId: req.appId,
        ...(req.requester ? { requester: req.requester } : {}),
        ...(req.crsId ? { crsId: req.crsId } : {}),
      });
      return { requestId: req.requestId };
    }),
    getUserDecryptResult: unary('GetUserDecryptResult', async (req, call) =>
      toUserDecryptResult(await core.getUserDecryptResult(req.requestId, deadlineOf(call)), core.partyId),
    ),
    getHealth: unary('GetHealth', () => ({ ...core.health(), version: CORE_VERSION })),
    setKeyState: unary('SetKeyState', async (req) => {
      const previousState = await core.setKeyState(req.keyId, req.state);
      return { keyId: req.keyId, state: req.state, previousState };
    }),
  };
}
