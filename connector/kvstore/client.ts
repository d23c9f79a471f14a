/**
 * @module connector/kvstore/client
 * Client of the ciphertext KV-store. The store is untrusted: `getCiphertext`
 * recomputes the digest of what it received and throws on any mismatch.
 *
 * @example
 * const { digest, handle } = await putCiphertext('http://127.0.0.1:8100', bytes, 'euint8', { keyId, appId: 'default' });
 * const same = await getCiphertext('http://127.0.0.1:8100', digest); // verified
 */
import { createHash } from 'node:crypto';
import { HEX64, type HandleScope } from '../../common/ciphertext.js';
import { TkmsError, type TkmsErrorOptions } from '../../common/errors.js';
import type { FheType } from '../../common/fheTypes.js';

export interface ResolveHandleReturnType {
  digest: string;
  fhe_type: FheType;
  size: number;
  /** The key and application the handle binds, as the uploader declared them (untrusted: the ASC recomputes the handle). */
  key_id: string;
  app_id: string;
}

export interface PutCiphertextReturnType extends ResolveHandleReturnType {
  handle: string;
}

/** An HTTP error from the KV-store; `code` is the store's code (NOT_FOUND, CIPHERTEXT_TOO_LARGE, …). */
export class KvStoreError extends TkmsError {
  override name = 'KvStoreError';
  constructor(
    code: string,
    shortMessage: string,
    readonly status: number | undefined,
    options: TkmsErrorOptions = {},
  ) {
    super(code, shortMessage, options);
  }
}

/** The store returned bytes whose SHA3-256 is not the digest asked for. */
export class CiphertextDigestMismatchError extends TkmsError {
  override name = 'CiphertextDigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super('DIGEST_MISMATCH', `KV-store returned a ciphertext with digest ${actual}, expected ${expected}`);
  }
}

const base = (url: string) => url.replace(/\/+$/, '');

async function fail(res: Response, what: string): Promise<never> {
  let code = 'KVSTORE_HTTP_ERROR';
  let message = `${what}: HTTP ${res.status}`;
  try {
    const j = (await res.json()) as { code?: unknown; error?: unknown };
    if (typeof j.code === 'string') code = j.code;
    if (typeof j.error === 'string') message = `${what}: ${j.error}`;
  } catch {
    // Non-JSON error body: keep the status line.
  }
  throw new KvStoreError(code, message, res.status);
}

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new KvStoreError('KVSTORE_UNREACHABLE', `${what}: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** Stores a ciphertext for decryption under `scope` (its handle names key and application). */
export async function putCiphertext(url: string, bytes: Uint8Array, type: FheType, scope: HandleScope): Promise<PutCiphertextReturnType> {
  const query = new URLSearchParams({ type, key_id: scope.keyId, app_id: scope.appId });
  const res = await request(
    `${base(url)}/v1/ciphertexts?${query.toString()}`,
    { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } },
    'store ciphertext',
  );
  if (res.status !== 201 && res.status !== 200) return fail(res, 'store ciphertext');
  return (await res.json()) as PutCiphertextReturnType;
}

/** Fetches a ciphertext by digest and checks the digest; throws `CiphertextDigestMismatchError` if it differs. */
export async function getCiphertext(url: string, digest: string): Promise<Uint8Array> {
  if (!HEX64.test(digest)) throw new KvStoreError('INVALID_DIGEST', `digest must be 64 lower-case hex chars`, undefined);
  const res = await request(`${base(url)}/v1/ciphertexts/${digest}`, { method: 'GET' }, 'fetch ciphertext');
  if (res.status !== 200) return fail(res, `fetch ciphertext ${digest}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const actual = createHash('sha3-256').update(bytes).digest('hex');
  if (actual !== digest) throw new CiphertextDigestMismatchError(digest, actual);
  return bytes;
}

export async function resolveHandle(url: string, handle: string): Promise<ResolveHandleReturnType> {
  if (!HEX64.test(handle)) throw new KvStoreError('INVALID_HANDLE', `handle must be 64 lower-case hex chars`, undefined);
  const res = await request(`${base(url)}/v1/handles/${handle}`, { method: 'GET' }, 'resolve handle');
  if (res.status !== 200) return fail(res, `resolve handle ${handle}`);
  return (await res.json()) as ResolveHandleReturnType;
}
