/**
 * @module cli/handleScope
 * The key and application a request's handles are bound to. A handle names
 * both (common/ciphertext.ts), so the CLI takes them from the KV-store's
 * records of the handles unless the user names them, and checks each handle
 * against its record first: the KV-store is untrusted, and a record that does
 * not recompute to its handle is refused here rather than paid for on chain.
 */
import { ciphertextHandle, type HandleScope } from '../common/ciphertext.js';
import { TkmsError } from '../common/errors.js';
import type { FheType } from '../common/fheTypes.js';

export interface HandleRecordLike {
  digest: string;
  fhe_type: FheType;
  key_id?: string;
  app_id?: string;
}

/**
 * The one (key, application) every handle is bound to.
 *
 * @example
 * const { keyId, appId } = handleScope(handles, records, { appId: o.app });
 */
export function handleScope(handles: readonly string[], records: readonly HandleRecordLike[], given: { keyId?: string; appId?: string }): HandleScope {
  const keyIds = new Set(records.map((r) => given.keyId ?? r.key_id ?? ''));
  const appIds = new Set(records.map((r) => given.appId ?? r.app_id ?? ''));
  if (keyIds.size !== 1 || appIds.size !== 1) {
    throw new TkmsError('MIXED_HANDLES', 'the handles are bound to different keys or applications; one request names one key and one application', {
      details: 'decrypt them in separate requests',
    });
  }
  const scope = { keyId: [...keyIds][0]!, appId: [...appIds][0]! };
  if (!scope.keyId || !scope.appId) {
    throw new TkmsError('UNKNOWN_SCOPE', 'the KV-store does not say which key and application the handles belong to', { details: 'pass --key-id and --app' });
  }
  handles.forEach((h, i) => {
    const r = records[i]!;
    const want = ciphertextHandle(r.digest, r.fhe_type, scope);
    if (want !== h) {
      throw new TkmsError('HANDLE_MISMATCH', `handle ${h} is not the handle of its stored ciphertext under key ${scope.keyId} and application ${scope.appId}`, {
        details: given.keyId || given.appId ? 'the handle was made for another key or application than the one named' : 'the KV-store record does not match the handle',
      });
    }
  });
  return scope;
}
