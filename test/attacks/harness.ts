/**
 * @module test/attacks/harness
 * What the money and authorization attack tests share: a chain (the embedded
 * chain in process, or a real 1-validator wasmd network), the TKMS contracts
 * deployed on it the way `chain/deploy.ts` deploys them, simulated parties (a
 * secp256k1 signer key and a chain account each, answering as an honest or lying
 * connector would), and named accounts: the Config's governance (the deployer),
 * an operator, a requester, a stranger.
 *
 * A scenario takes the chain as a getter (`useChain`), so one wasmd network
 * serves every scenario of contractAttacks.wasmd.test.ts, each deploying its own
 * contracts on it.
 *
 * `TKMS_WASM_DIR` deploys another build of the contracts (e.g. those of the
 * commit before issue 10), to check that an attack test fails there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import type { Coin, ExecuteResult, KmsChainClient } from '../../chain/client.js';
import { deployContracts } from '../../chain/deploy.js';
import type { FeeSchedule, PartyInfo } from '../../chain/config/messages.js';
import type { FulfillResponse, RequestInfo } from '../../chain/asc/messages.js';
import { EmbeddedChain } from '../../chain/embedded/embeddedChain.js';
import { InProcessChainClient } from '../../chain/embedded/inProcessClient.js';
import { WasmdClient } from '../../chain/wasmd/wasmdClient.js';
import { accountFromMnemonic, generateMnemonic } from '../../chain/wallet.js';
import { startWasmdNet, wasmdAvailable, type WasmdNet } from '../../localnet/wasmdNet.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { signResponse } from '../../common/signing.js';
import { repoRoot } from '../../common/paths.js';

export const WASM_DIR = process.env['TKMS_WASM_DIR'] ?? path.join(repoRoot(), 'contracts', 'build');

/** The roles every attack test uses. */
export type Role = 'governance' | 'operator' | 'requester' | 'stranger';

export interface Party {
  info: PartyInfo;
  signerKey: Uint8Array;
  client: KmsChainClient;
}

export interface AttackChain {
  kind: 'embedded' | 'wasmd';
  denom: string;
  /** A signing client per role; `governance` deploys the contracts (the Config's default governance). */
  clients: Record<Role, KmsChainClient>;
  /** Chain accounts for up to `max` simulated parties. */
  partyClients: KmsChainClient[];
  /** Bank balance of an address in the fee denom. */
  balance(address: string): Promise<bigint>;
  stop(): Promise<void>;
}

export function address(c: KmsChainClient): string {
  if (!c.senderAddress) throw new Error('read-only client');
  return c.senderAddress;
}

/**
 * Starts a chain before the tests of the enclosing describe block (or file) and
 * stops it after them; the getter hands it to scenarios.
 *
 * @example
 * const chain = useChain(() => wasmdChain(25800));
 * describeAmounts('attack: amounts (wasmd)', chain);
 */
export function useChain(start: () => Promise<AttackChain>): () => AttackChain {
  let chain: AttackChain | undefined;
  beforeAll(async () => {
    chain = await start();
  }, 600_000);
  afterAll(async () => {
    await chain?.stop();
  }, 120_000);
  return () => {
    if (!chain) throw new Error('the chain did not start');
    return chain;
  };
}

/** The embedded chain in process (the chain `make start` runs), accounts funded by minting. */
export async function embeddedChain(parties = 4): Promise<AttackChain> {
  const chain = await EmbeddedChain.create({ chainId: 'tkms-attacks-1' });
  const client = async (): Promise<InProcessChainClient> => {
    const a = await accountFromMnemonic(generateMnemonic(), chain.bech32Prefix);
    chain.mint(a.address, (10n ** 30n).toString());
    return new InProcessChainClient(chain, a.address);
  };
  const clients = { governance: await client(), operator: await client(), requester: await client(), stranger: await client() };
  const partyClients: KmsChainClient[] = [];
  for (let i = 0; i < parties; i++) partyClients.push(await client());
  return {
    kind: 'embedded',
    denom: chain.denom,
    clients,
    partyClients,
    balance: async (a) => BigInt((await chain.balance(a, chain.denom)).amount),
    stop: async () => {},
  };
}

/**
 * A real 1-validator wasmd network (`make wasmd`); its funded test accounts play
 * every role, each holding 10^30 like the embedded chain's (amounts past 10^18 are
 * an attack to test).
 */
export async function wasmdChain(basePort: number, parties = 4): Promise<AttackChain> {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd attack tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-attack-wasmd-'));
  let net: WasmdNet | undefined;
  const opened: WasmdClient[] = [];
  try {
    net = await startWasmdNet({ dir: path.join(dir, 'wasmd'), validators: 1, basePort, accounts: 4 + parties, accountFunds: 10n ** 30n });
    const n = net;
    const connect = async (i: number): Promise<WasmdClient> => {
      const c = await WasmdClient.connect(n.rpcUrls[0]!, { mnemonic: n.accounts[i]!.mnemonic, prefix: n.bech32Prefix, gasPrice: n.gasPrice, chainId: n.chainId });
      opened.push(c);
      return c;
    };
    const clients = { governance: await connect(0), operator: await connect(1), requester: await connect(2), stranger: await connect(3) };
    const partyClients: KmsChainClient[] = [];
    for (let i = 0; i < parties; i++) partyClients.push(await connect(4 + i));
    return {
      kind: 'wasmd',
      denom: n.denom,
      clients,
      partyClients,
      balance: async (a) => BigInt((await clients.governance.balance(a, n.denom)).amount),
      stop: async () => {
        for (const c of opened) await c.close().catch(() => undefined);
        await n.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const c of opened) await c.close().catch(() => undefined);
    await net?.stop();
    throw e;
  }
}

export interface Deployed {
  asc: string;
  config: string;
  parties: Party[];
}

export interface DeployOptions {
  /** Number of parties (t = ⌊(n−1)/3⌋ unless `threshold` is given). */
  n?: number;
  threshold?: number;
  fees?: Partial<FeeSchedule>;
  expirySeconds?: number;
  /** Config `dev_mode` (default true: the open "default" application exists). */
  devMode?: boolean;
  /** The party set as given to the Config (default: each party its own key). */
  partyInfos?: (parties: Omit<Party, 'client'>[]) => PartyInfo[];
}

/** Simulated party i (1-based): a deterministic test signer key and chain account i−1. */
export function makeParties(chain: AttackChain, n: number): Party[] {
  return Array.from({ length: n }, (_, i) => {
    const signerKey = sha256(new TextEncoder().encode(`tkms-attack-party-${i + 1}`));
    const client = chain.partyClients[i]!;
    return { signerKey, client, info: { id: i + 1, address: address(client), signer_pubkey: bytesToHex(secp256k1.getPublicKey(signerKey, true)) } };
  });
}

const stored = new WeakMap<AttackChain, Promise<{ config: number; asc: number }>>();

/** The Config and ASC code of `WASM_DIR`, uploaded once per chain: scenarios sharing a chain each instantiate their own contracts from it. */
export function storedCode(chain: AttackChain): Promise<{ config: number; asc: number }> {
  let code = stored.get(chain);
  if (!code) {
    const gov = chain.clients.governance;
    code = (async () => ({
      config: (await gov.upload(readFileSync(path.join(WASM_DIR, 'config.wasm')))).codeId,
      asc: (await gov.upload(readFileSync(path.join(WASM_DIR, 'asc.wasm')))).codeId,
    }))();
    code.catch(() => stored.delete(chain));
    stored.set(chain, code);
  }
  return code;
}

/**
 * Config (dev mode unless `devMode: false`: decrypts go through the open
 * "default" application) and ASC, with `operator` listed in Config `operators`.
 * The deployer is governance.
 */
export async function deploy(chain: AttackChain, o: DeployOptions = {}): Promise<Deployed> {
  const n = o.n ?? 4;
  const parties = makeParties(chain, n);
  const infos = o.partyInfos ? o.partyInfos(parties) : parties.map((p) => p.info);
  const d = await deployContracts(chain.clients.governance, {
    wasmDir: WASM_DIR,
    codeIds: await storedCode(chain),
    parties: infos,
    threshold: o.threshold ?? Math.floor((n - 1) / 3),
    devMode: o.devMode ?? true,
    operators: [address(chain.clients.operator)],
    ...(o.fees ? { fees: o.fees } : {}),
    ...(o.expirySeconds ? { requestExpirySeconds: o.expirySeconds } : {}),
  });
  return { asc: d.asc, config: d.config, parties };
}

export function requestIdOf(r: ExecuteResult): string {
  const id = r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes['request_id'];
  if (!id) throw new Error('no tkms_request event');
  return id;
}

export function getRequest(chain: AttackChain, d: Deployed, id: string): Promise<RequestInfo> {
  return chain.clients.governance.queryContract<RequestInfo>(d.asc, { request: { request_id: id } });
}

export async function claimable(chain: AttackChain, d: Deployed, who: string): Promise<bigint> {
  const r = await chain.clients.governance.queryContract<{ amounts: Coin[] }>(d.asc, { claimable: { address: who } });
  return BigInt(r.amounts.find((c) => c.denom === chain.denom)?.amount ?? '0');
}

/** What the signer of `r` paid for gas (the `tx` event's `fee`; the embedded chain charges none). */
export function txFee(chain: AttackChain, r: ExecuteResult): bigint {
  const paid = r.events.find((e) => e.type === 'tx' && e.attributes['fee'] !== undefined)?.attributes['fee'];
  if (paid === undefined || paid === '') return 0n;
  if (!paid.endsWith(chain.denom)) throw new Error(`gas fee ${paid} is not in ${chain.denom}`);
  return BigInt(paid.slice(0, -chain.denom.length));
}

export const fee = (chain: AttackChain, amount: bigint | number | string): Coin[] => [{ denom: chain.denom, amount: amount.toString() }];

const KEY_CONTENT = { public_key_digest: '11'.repeat(32), public_key_uri: 'file:///pk', server_key_digest: '22'.repeat(32), server_key_uri: 'file:///sk' };

export function keygenAnswer(requestId: string, p: Party): FulfillResponse {
  const signature = signResponse(
    { kind: 'keygen', requestId, publicKeyDigest: KEY_CONTENT.public_key_digest, publicKeyUri: KEY_CONTENT.public_key_uri, serverKeyDigest: KEY_CONTENT.server_key_digest, serverKeyUri: KEY_CONTENT.server_key_uri },
    p.signerKey,
  );
  return { keygen: { ...KEY_CONTENT, signature } };
}

/** The ciphertext every decrypt below names (its handle as the ASC recomputes it: bound to key and application). */
export const DIGEST = 'cd'.repeat(32);
export function handleOf(digest: string, keyId: string, appId = 'default'): string {
  return ciphertextHandle(digest, 'euint8', { keyId, appId });
}

export function decryptMsg(keyId: string): unknown {
  return { decrypt: { key_id: keyId, ciphertexts: [{ ciphertext_handle: handleOf(DIGEST, keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' }] } };
}

export function decryptAnswer(requestId: string, keyId: string, plaintext: string, p: Party): FulfillResponse {
  const signature = signResponse({ kind: 'decrypt', requestId, keyId, ciphertexts: [{ ciphertextDigest: DIGEST, fheType: 'euint8', plaintext }] }, p.signerKey);
  return { decrypt: { plaintexts: [plaintext], signature } };
}

export function fulfill(d: Deployed, p: Party, requestId: string, response: FulfillResponse): Promise<ExecuteResult> {
  return p.client.executeContract(d.asc, { fulfill: { request_id: requestId, response } });
}

/** A key made by 2t+1 parties (the operator asks, paying `keygenFee`). */
export async function makeKey(chain: AttackChain, d: Deployed, keygenFee: Coin[] = []): Promise<string> {
  const id = requestIdOf(await chain.clients.operator.executeContract(d.asc, { keygen: {} }, keygenFee));
  const t = Math.floor((d.parties.length - 1) / 3);
  // One after the other: on wasmd each answer's gas is estimated on the state the previous one left.
  for (const p of d.parties.slice(0, 2 * t + 1)) await fulfill(d, p, id, keygenAnswer(id, p));
  return id;
}

/** Waits until the chain's block time is past `expiresAt` (Unix seconds), by retrying `attempt`. */
export async function afterExpiry<T>(expiresAt: number, attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const wait = expiresAt * 1000 + 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      // Block time lags the wall clock by up to a block: retry while it says "pending until".
      if (!/pending until time/.test(String(e)) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
