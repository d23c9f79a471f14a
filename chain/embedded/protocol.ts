/**
 * @module chain/embedded/protocol
 * The embedded node's HTTP API. Transactions are signed envelopes: the node
 * derives the sender from the public key, checks the signature and a per-account
 * sequence (so a captured transaction cannot be replayed), then executes.
 */
import { sha256 } from '@noble/hashes/sha256';
import type { Coin } from '../client.js';

export type TxBody =
  | { execute: { contract: string; msg: unknown; funds: Coin[] } }
  | { upload: { wasm_base64: string } }
  | { instantiate: { code_id: number; msg: unknown; label: string; admin?: string } };

export interface SignedTx {
  /** Compressed secp256k1 public key, hex. */
  pubkey: string;
  sequence: number;
  body: TxBody;
  /** Compact secp256k1 signature (hex) over `txSignDigest`. */
  signature: string;
}

export function txSignDigest(chainId: string, sequence: number, body: TxBody): Uint8Array {
  return sha256(new TextEncoder().encode(JSON.stringify({ chain_id: chainId, sequence, body })));
}

/** Error body of every non-2xx answer. */
export interface ApiError {
  error: string;
  code: string;
}

export const PATHS = {
  status: '/v1/status',
  account: '/v1/accounts/', // + address
  balance: '/v1/balances/', // + address + ?denom=
  query: '/v1/query',
  tx: '/v1/tx',
  events: '/v1/events',
  faucet: '/credit',
  health: '/health',
} as const;
