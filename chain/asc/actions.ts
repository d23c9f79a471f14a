/**
 * @module chain/asc/actions
 * Typed actions on the ASC, one per operation, client first (viem style):
 * `submitDecrypt(client, asc, params)`. They work on any `KmsChainClient`.
 */
import type { ExecuteResult, KmsChainClient, Coin } from '../client.js';
import {
  ASC_EVENTS,
  type ClaimableResponse,
  type DecryptMsg,
  type KeyState,
  type FulfillResponse,
  type KeyInfo,
  type KeysResponse,
  type RequestId,
  type FheParameterSetName,
  type RequestInfo,
  type RequestsResponse,
} from './messages.js';
import { TimeoutError, TkmsError } from '../../common/errors.js';

export interface SubmitReturnType {
  requestId: RequestId;
  tx: ExecuteResult;
}

function requestIdOf(tx: ExecuteResult): RequestId {
  const id = tx.events.find((e) => e.type === ASC_EVENTS.request)?.attributes['request_id'];
  if (!id) throw new TkmsError('NO_REQUEST_ID', `transaction ${tx.txHash} emitted no ${ASC_EVENTS.request} event`);
  return id;
}

/** `keygen {preproc_id?}`: with `preprocId`, the key is made from that completed keygen_preproc. */
export async function submitKeygen(
  client: KmsChainClient,
  asc: string,
  funds?: readonly Coin[],
  preprocId?: RequestId,
  fheParameters?: FheParameterSetName,
): Promise<SubmitReturnType> {
  const tx = await client.executeContract(asc, { keygen: { ...(preprocId ? { preproc_id: preprocId } : {}), ...(fheParameters ? { fhe_parameters: fheParameters } : {}) } }, funds);
  return { requestId: requestIdOf(tx), tx };
}

/** `keygen_preproc {fhe_parameters?}`: the preprocessing a later keygen names; that keygen must ask for the same `fheParameters` (absent: default). */
export async function submitKeygenPreproc(client: KmsChainClient, asc: string, funds?: readonly Coin[], fheParameters?: FheParameterSetName): Promise<SubmitReturnType> {
  const tx = await client.executeContract(asc, { keygen_preproc: fheParameters ? { fhe_parameters: fheParameters } : {} }, funds);
  return { requestId: requestIdOf(tx), tx };
}

export async function submitDecrypt(client: KmsChainClient, asc: string, params: DecryptMsg, funds?: readonly Coin[]): Promise<SubmitReturnType> {
  const tx = await client.executeContract(asc, { decrypt: params }, funds);
  return { requestId: requestIdOf(tx), tx };
}

export function fulfill(client: KmsChainClient, asc: string, requestId: RequestId, response: FulfillResponse): Promise<ExecuteResult> {
  return client.executeContract(asc, { fulfill: { request_id: requestId, response } });
}

/** Pays the sender every fee share it earned (fails with "nothing to claim" when none). */
export function claimFees(client: KmsChainClient, asc: string): Promise<ExecuteResult> {
  return client.executeContract(asc, { claim: {} });
}

export function getClaimable(client: KmsChainClient, asc: string, address: string): Promise<ClaimableResponse> {
  return client.queryContract<ClaimableResponse>(asc, { claimable: { address } });
}

/** Returns a failed or expired request's fee to its sender. */
export function refundRequest(client: KmsChainClient, asc: string, requestId: RequestId): Promise<ExecuteResult> {
  return client.executeContract(asc, { refund: { request_id: requestId } });
}

/** The execute message of a key state change (governance: send it directly or in a proposal). */
export function setKeyStateMessage(keyId: string, state: KeyState): { set_key_state: { key_id: string; state: KeyState } } {
  return { set_key_state: { key_id: keyId, state } };
}

export function getRequest(client: KmsChainClient, asc: string, requestId: RequestId): Promise<RequestInfo> {
  return client.queryContract<RequestInfo>(asc, { request: { request_id: requestId } });
}

export async function listRequests(client: KmsChainClient, asc: string, startAfter?: RequestId, limit?: number): Promise<RequestInfo[]> {
  const msg = { requests: { ...(startAfter ? { start_after: startAfter } : {}), ...(limit ? { limit } : {}) } };
  return (await client.queryContract<RequestsResponse>(asc, msg)).requests;
}

export function getKey(client: KmsChainClient, asc: string, keyId: string): Promise<KeyInfo> {
  return client.queryContract<KeyInfo>(asc, { key: { key_id: keyId } });
}

export async function listKeys(client: KmsChainClient, asc: string): Promise<KeyInfo[]> {
  return (await client.queryContract<KeysResponse>(asc, { keys: {} })).keys;
}

/**
 * Waits until the request leaves `pending`. Watches `tkms_result` events from
 * the submission height (so a result that landed before the watch began is not
 * missed) and then confirms with a query, the chain's own word.
 */
export async function waitForResult(
  client: KmsChainClient,
  asc: string,
  requestId: RequestId,
  opts: { fromHeight: number; timeoutMs: number },
): Promise<RequestInfo> {
  const current = await getRequest(client, asc, requestId);
  if (current.status !== 'pending') return current;
  let timer: NodeJS.Timeout | undefined;
  let resolveSeen!: () => void;
  const seen = new Promise<void>((r) => (resolveSeen = r));
  const sub = client.watchEvents({ contract: asc, eventType: ASC_EVENTS.result }, opts.fromHeight, async (e) => {
    if (e.attributes['request_id'] === requestId) resolveSeen();
  });
  try {
    await Promise.race([
      seen,
      sub.done.then(() => {
        throw new TkmsError('WATCH_STOPPED', 'event subscription ended before the result arrived');
      }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`the result of request ${requestId}`, opts.timeoutMs)), opts.timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
    sub.close();
  }
  return getRequest(client, asc, requestId);
}
