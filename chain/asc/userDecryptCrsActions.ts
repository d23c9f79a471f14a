/**
 * @module chain/asc/userDecryptCrsActions
 * ASC actions for user decryption and CRS generation (issue 5), client first
 * as in `actions.ts`: submit the requests, read the CRS registry, and wait for
 * more party answers than the quorum when a client needs them.
 */
import type { Coin, KmsChainClient } from '../client.js';
import { TimeoutError } from '../../common/errors.js';
import { getRequest, waitForResult, type SubmitReturnType } from './actions.js';
import { ASC_EVENTS, type CrsInfo, type CrsListResponse, type RequestId, type RequestInfo, type UserDecryptAnswersResponse, type UserDecryptMsg } from './messages.js';

function submitted(tx: SubmitReturnType['tx']): SubmitReturnType {
  const id = tx.events.find((e) => e.type === ASC_EVENTS.request)?.attributes['request_id'];
  if (!id) throw new Error(`transaction ${tx.txHash} emitted no ${ASC_EVENTS.request} event`);
  return { requestId: id, tx };
}

export async function submitUserDecrypt(client: KmsChainClient, asc: string, params: UserDecryptMsg, funds?: readonly Coin[]): Promise<SubmitReturnType> {
  return submitted(await client.executeContract(asc, { user_decrypt: params }, funds));
}

export async function submitCrsGen(client: KmsChainClient, asc: string, maxNumBits: number, funds?: readonly Coin[]): Promise<SubmitReturnType> {
  return submitted(await client.executeContract(asc, { crs_gen: { max_num_bits: maxNumBits } }, funds));
}

export function getCrs(client: KmsChainClient, asc: string, crsId: string): Promise<CrsInfo> {
  return client.queryContract<CrsInfo>(asc, { crs: { crs_id: crsId } });
}

export async function listCrs(client: KmsChainClient, asc: string, startAfter?: string, limit?: number): Promise<CrsInfo[]> {
  const msg = { crs_list: { ...(startAfter ? { start_after: startAfter } : {}), ...(limit !== undefined ? { limit } : {}) } };
  return (await client.queryContract<CrsListResponse>(asc, msg)).crs;
}

/**
 * Waits until the request holds more than `known` party responses (or is no
 * longer pending with none to come: `all` responses present), polling every
 * `pollMs`. Returns the request as last read.
 */
export async function waitForMoreResponses(
  client: KmsChainClient,
  asc: string,
  requestId: RequestId,
  opts: { known: number; all: number; timeoutMs: number; pollMs?: number },
): Promise<RequestInfo> {
  const end = Date.now() + opts.timeoutMs;
  for (;;) {
    const r = await getRequest(client, asc, requestId);
    if (r.responses.length > opts.known || r.responses.length >= opts.all) return r;
    if (Date.now() > end) throw new TimeoutError(`more answers to request ${requestId}`, opts.timeoutMs);
    await new Promise((res) => setTimeout(res, opts.pollMs ?? 1000));
  }
}

/** Every user_decrypt answer of a request with its signcryption (stored apart by the ASC), in answer order. */
export async function getUserDecryptAnswers(
  client: KmsChainClient,
  asc: string,
  request: RequestInfo,
): Promise<{ partyId: number; signcryption: Uint8Array; eip712Signature: string; signature: string }[]> {
  const { answers } = await client.queryContract<UserDecryptAnswersResponse>(asc, { user_decrypt_answers: { request_id: request.request_id } });
  const blobs = new Map(answers.map((a) => [a.party_id, a.signcryption]));
  return request.responses.flatMap((r) => {
    const blob = blobs.get(r.party_id);
    return 'user_decrypt' in r.response && blob !== undefined
      ? [{ partyId: r.party_id, signcryption: Buffer.from(blob, 'hex'), eip712Signature: r.response.user_decrypt.eip712_signature, signature: r.response.user_decrypt.signature }]
      : [];
  });
}

/**
 * `waitForResult`, then re-reads until the request is no longer pending: on a
 * multi-validator chain the result event can arrive from a node ahead of the
 * one that answers the query.
 */
export async function waitForSettled(client: KmsChainClient, asc: string, requestId: RequestId, opts: { fromHeight: number; timeoutMs: number }): Promise<RequestInfo> {
  const end = Date.now() + opts.timeoutMs;
  let r = await waitForResult(client, asc, requestId, opts);
  while (r.status === 'pending') {
    if (Date.now() > end) throw new TimeoutError(`the result of request ${requestId}`, opts.timeoutMs);
    await new Promise((res) => setTimeout(res, 500));
    r = await getRequest(client, asc, requestId);
  }
  return r;
}
