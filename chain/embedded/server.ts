/**
 * @module chain/embedded/server
 * Serves an `EmbeddedChain` over HTTP on loopback so that the CLI, connectors
 * and tests in other processes use it as they would use wasmd. Also the
 * faucet (`POST /credit`, same API as chain/faucet for wasmd).
 */
import http from 'node:http';
import { secp256k1 } from '@noble/curves/secp256k1';
import { hexToBytes } from '@noble/hashes/utils';
import type { Logger } from 'pino';
import type { EmbeddedChain } from './embeddedChain.js';
import { addressFromPubkey } from '../wallet.js';
import { PATHS, txSignDigest, type SignedTx } from './protocol.js';
import { HttpError, jsonApi, listen, readJsonBody } from '../../common/http.js';
import { TkmsError } from '../../common/errors.js';

export interface EmbeddedServerOptions {
  port: number;
  host?: string;
  /** Amount of the native denom one faucet credit gives. */
  faucetAmount?: string;
  logger?: Logger;
}

const MAX_BODY = 2 * 1024 * 1024;
const EVENTS_WAIT_MAX_MS = 10_000;

export interface EmbeddedServer {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedServer(chain: EmbeddedChain, opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.logger;

  async function handle(req: http.IncomingMessage, url: URL): Promise<unknown> {
    const path = url.pathname;
    if (req.method === 'GET' && (path === PATHS.status || path === PATHS.health)) {
      return { chain_id: chain.chainId, height: chain.height, denom: chain.denom, bech32_prefix: chain.bech32Prefix };
    }
    if (req.method === 'GET' && path.startsWith(PATHS.account)) {
      const address = path.slice(PATHS.account.length);
      return { address, sequence: chain.nextSequence(address) };
    }
    if (req.method === 'GET' && path.startsWith(PATHS.balance)) {
      const address = path.slice(PATHS.balance.length);
      return chain.balance(address, url.searchParams.get('denom') ?? chain.denom);
    }
    if (req.method === 'POST' && path === PATHS.query) {
      const { contract, msg } = (await readJsonBody(req, MAX_BODY)) as { contract: string; msg: unknown };
      try {
        return { result: await chain.query(contract, msg) };
      } catch (e) {
        throw new HttpError(400, 'QUERY_FAILED', e instanceof Error ? e.message : String(e));
      }
    }
    if (req.method === 'GET' && path === PATHS.events) return events(url);
    if (req.method === 'POST' && path === PATHS.tx) return tx((await readJsonBody(req, MAX_BODY)) as SignedTx);
    if (req.method === 'POST' && path === PATHS.faucet) {
      const { address } = (await readJsonBody(req, MAX_BODY)) as { address?: string };
      if (typeof address !== 'string' || !address.startsWith(chain.bech32Prefix + '1')) {
        throw new HttpError(400, 'BAD_ADDRESS', `expected a ${chain.bech32Prefix}1… address`);
      }
      const amount = opts.faucetAmount ?? '1000000000';
      chain.mint(address, amount);
      log?.info({ address, amount }, 'faucet credit');
      return { amount: `${amount}${chain.denom}`, txHash: '' };
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${path}`);
  }

  async function events(url: URL): Promise<unknown> {
    const afterSeq = url.searchParams.get('after_seq');
    const position = afterSeq !== null ? { afterSeq: Number(afterSeq) } : { fromHeight: Number(url.searchParams.get('from_height') ?? '0') };
    const filter = { contract: url.searchParams.get('contract') ?? undefined, eventType: url.searchParams.get('type') ?? undefined };
    const waitMs = Math.min(Number(url.searchParams.get('wait_ms') ?? '0'), EVENTS_WAIT_MAX_MS);
    let found = chain.eventsSince(position, filter);
    if (found.length === 0 && waitMs > 0) {
      // Long poll: answer as soon as a block brings matching events.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        const off = chain.onBlock(() => {
          if (chain.eventsSince(position, filter).length > 0) done();
        });
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      found = chain.eventsSince(position, filter);
    }
    return { events: found, height: chain.height };
  }

  async function tx(signed: SignedTx): Promise<unknown> {
    if (typeof signed?.pubkey !== 'string' || typeof signed.signature !== 'string' || typeof signed.sequence !== 'number' || !signed.body) {
      throw new HttpError(400, 'BAD_TX', 'a transaction needs pubkey, sequence, body and signature');
    }
    let sender: string;
    try {
      const pub = hexToBytes(signed.pubkey);
      sender = addressFromPubkey(pub, chain.bech32Prefix);
      const ok = secp256k1.verify(hexToBytes(signed.signature), txSignDigest(chain.chainId, signed.sequence, signed.body), pub, { lowS: true });
      if (!ok) throw new Error('bad signature');
    } catch {
      throw new HttpError(401, 'BAD_SIGNATURE', 'transaction signature does not verify');
    }
    if (!chain.useSequence(sender, signed.sequence)) {
      throw new HttpError(409, 'BAD_SEQUENCE', `account sequence mismatch: expected ${chain.nextSequence(sender)}, got ${signed.sequence}`);
    }
    const body = signed.body;
    try {
      if ('execute' in body) {
        return await chain.execute(sender, body.execute.contract, body.execute.msg, body.execute.funds);
      }
      if ('upload' in body) return await chain.upload(sender, Buffer.from(body.upload.wasm_base64, 'base64'));
      if ('instantiate' in body) {
        const i = body.instantiate;
        return await chain.instantiate(sender, i.code_id, i.msg, i.label, i.admin);
      }
    } catch (e) {
      const code = e instanceof TkmsError ? e.code : 'TX_FAILED';
      const message = e instanceof TkmsError && 'log' in e ? String((e as { log: unknown }).log) : e instanceof Error ? e.message : String(e);
      throw new HttpError(422, code, message);
    }
    throw new HttpError(400, 'BAD_TX', 'unknown transaction body');
  }

  const server = http.createServer(jsonApi(handle, (e) => log?.error({ err: e }, 'embedded node error')));
  const port = await listen(server, opts.port, opts.host);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
