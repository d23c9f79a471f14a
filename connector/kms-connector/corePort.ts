/**
 * @module connector/kms-connector/corePort
 * Adapts the core's gRPC client to what the connector needs: a start call that
 * tolerates a repeat (ALREADY_EXISTS after a connector restart) and a result
 * call retried on the retryable codes until the job deadline.
 */
import { CoreRpcError, type CoreClient } from '../../core/client/coreClient.js';
import type { CorePort } from './connector.js';
import type { DecryptResult, KeyGenResult } from '../../proto/gen/tkms/core/v1/core.js';
import { TimeoutError } from '../../common/errors.js';

const POLL_CALL_MS = 30_000;

async function tolerateRepeat(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (e) {
    if (e instanceof CoreRpcError && e.code === 'ALREADY_EXISTS') return;
    throw e;
  }
}

async function untilDone<T>(what: string, timeoutMs: number, get: (callMs: number) => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new TimeoutError(what, timeoutMs);
    try {
      return await get(Math.min(left, POLL_CALL_MS));
    } catch (e) {
      const retry = e instanceof CoreRpcError && (e.retryable || e.code === 'TIMEOUT');
      if (!retry) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function corePort(core: CoreClient): CorePort {
  return {
    startKeyGen: (requestId, preprocId, fheParameters, insecureDealerAllowed) =>
      tolerateRepeat(() => core.keyGen(requestId, { ...(preprocId ? { preprocId } : {}), ...(fheParameters ? { fheParameters } : {}), ...(insecureDealerAllowed ? { insecureDealerAllowed } : {}) })),
    startKeyGenPreproc: (requestId, fheParameters) => tolerateRepeat(() => core.keyGenPreproc(requestId, fheParameters ? { fheParameters } : {})),
    keyGenPreprocResult: (requestId, timeoutMs) => untilDone(`keygen preprocessing ${requestId}`, timeoutMs, (callMs) => core.getKeyGenPreprocResult(requestId, { timeoutMs: callMs })),
    keyGenResult: (requestId, timeoutMs) =>
      untilDone(`keygen ${requestId}`, timeoutMs, async (callMs): Promise<KeyGenResult> => {
        const r = await core.getKeyGenResult(requestId, { timeoutMs: callMs });
        return { ...r, failure: r.failure };
      }),
    startDecrypt: (req) => tolerateRepeat(() => core.decrypt(req)),
    setKeyState: async (keyId, state) => {
      await core.setKeyState(keyId, state);
    },
    decryptResult: (requestId, timeoutMs) =>
      untilDone(`decrypt ${requestId}`, timeoutMs, async (callMs): Promise<DecryptResult> => {
        const r = await core.getDecryptResult(requestId, { timeoutMs: callMs });
        return { ...r, failure: r.failure };
      }),
    startUserDecrypt: (req) => tolerateRepeat(() => core.userDecrypt(req)),
    userDecryptResult: (requestId, timeoutMs) => untilDone(`user decrypt ${requestId}`, timeoutMs, (callMs) => core.getUserDecryptResult(requestId, { timeoutMs: callMs })),
    startCrsGen: (requestId, maxNumBits) => tolerateRepeat(() => core.crsGen(requestId, maxNumBits)),
    crsGenResult: (requestId, timeoutMs) => untilDone(`CRS generation ${requestId}`, timeoutMs, (callMs) => core.getCrsGenResult(requestId, { timeoutMs: callMs })),
  };
}
