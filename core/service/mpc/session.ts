/**
 * @module core/service/mpc/session
 * MPC session ids: every party derives the same id from the chain's request id
 * (and a purpose, when one request runs several protocols), so messages of
 * one request can never be taken for another's (DESIGN.md §5).
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';

export function sessionIdFor(requestId: string, purpose = 'main'): string {
  return bytesToHex(sha256(new TextEncoder().encode(`TKMS-MPC-SESSION-V1|${requestId}|${purpose}`))).slice(0, 32);
}
