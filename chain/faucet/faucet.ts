/**
 * @module chain/faucet/faucet
 * Test-token faucet for dev networks: one funded key, one HTTP endpoint.
 * The embedded dev node serves the same API (chain/embedded/server.ts):
 *
 * - `POST /credit` `{"address":"wasm1…"}` → 200 `{"txHash":"…","amount":"1000000000stake"}`;
 *   400 `{"error","code":"BAD_ADDRESS"}`, 429 `{"error","code":"RATE_LIMITED"}`,
 *   502 `{"error","code":"FAUCET_TX_FAILED"}`.
 * - `GET /health` → 200 `{"ok":true,"address":"wasm1…","balance":"…"}`.
 *
 * @example
 * const faucet = await startFaucet({ mnemonic, rpcUrl, port: 26690, prefix: 'wasm', gasPrice: '0.0025stake', denom: 'stake' });
 * await fetch(`${faucet.url}/credit`, { method: 'POST', body: JSON.stringify({ address }) });
 */
import http from 'node:http';
import { fromBech32 } from '@cosmjs/encoding';
import type { Coin } from '../client.js';
import { WasmdClient } from '../wasmd/wasmdClient.js';
import { HttpError, jsonApi, listen, readJsonBody } from '../../common/http.js';

/** What the faucet needs from a chain client. */
export interface FaucetSender {
  readonly senderAddress: string | undefined;
  sendTokens(to: string, amount: readonly Coin[]): Promise<{ txHash: string }>;
  balance(address: string, denom: string): Promise<Coin>;
  close(): Promise<void>;
}

export interface FaucetOptions {
  /** A signing client holding the funds; or `mnemonic` + `rpcUrl` to make one. */
  client?: FaucetSender;
  mnemonic?: string;
  rpcUrl?: string;
  prefix?: string;
  gasPrice?: string;
  denom?: string;
  /** Port to listen on (0: any free port). */
  port: number;
  host?: string;
  /** Base units of `denom` per credit (default 1000000000). */
  amount?: string;
  /** One credit per address per this many ms (default 10 s). */
  cooldownMs?: number;
  log?: (msg: string) => void;
}

export interface Faucet {
  url: string;
  port: number;
  address: string;
  close(): Promise<void>;
}

export async function startFaucet(opts: FaucetOptions): Promise<Faucet> {
  const prefix = opts.prefix ?? 'wasm';
  const denom = opts.denom ?? 'stake';
  const amount = opts.amount ?? '1000000000';
  const cooldownMs = opts.cooldownMs ?? 10_000;
  const log = opts.log ?? (() => {});
  let client = opts.client;
  const ownClient = !client;
  if (!client) {
    if (!opts.mnemonic || !opts.rpcUrl) throw new Error('startFaucet needs a client, or a mnemonic and an rpcUrl');
    client = await WasmdClient.connect(opts.rpcUrl, { mnemonic: opts.mnemonic, prefix, gasPrice: opts.gasPrice ?? `0.0025${denom}` });
  }
  const sender = client;
  const address = sender.senderAddress;
  if (!address) throw new Error('the faucet client has no signing account');
  const lastCredit = new Map<string, number>();

  async function route(req: http.IncomingMessage): Promise<unknown> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/health') {
      const balance = await sender.balance(address!, denom);
      return { ok: true, address, balance: `${balance.amount}${denom}` };
    }
    if (req.method === 'POST' && path === '/credit') {
      const { address: to } = ((await readJsonBody(req, 10_000)) ?? {}) as { address?: unknown };
      let valid = false;
      try {
        valid = typeof to === 'string' && fromBech32(to).prefix === prefix;
      } catch {
        valid = false;
      }
      if (!valid) throw new HttpError(400, 'BAD_ADDRESS', `expected a ${prefix}1… address`);
      const addr = to as string;
      const now = Date.now();
      const last = lastCredit.get(addr);
      if (last !== undefined && now - last < cooldownMs) {
        throw new HttpError(429, 'RATE_LIMITED', `${addr} was credited less than ${Math.ceil(cooldownMs / 1000)} s ago; retry in ${cooldownMs - (now - last)} ms`);
      }
      lastCredit.set(addr, now);
      try {
        const { txHash } = await sender.sendTokens(addr, [{ denom, amount }]);
        log(`faucet: credited ${amount}${denom} to ${addr} (${txHash})`);
        return { txHash, amount: `${amount}${denom}` };
      } catch (e) {
        lastCredit.delete(addr);
        throw new HttpError(502, 'FAUCET_TX_FAILED', e instanceof Error ? e.message : String(e));
      }
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${path}`);
  }

  // Internal errors stay in the log; the client gets a generic 500.
  const server = http.createServer(jsonApi(route, (e) => log(`faucet: internal error: ${e instanceof Error ? e.message : String(e)}`)));
  const port = await listen(server, opts.port, opts.host);
  log(`faucet for ${address} listening on port ${port}`);
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    address,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      if (ownClient) await sender.close();
    },
  };
}
