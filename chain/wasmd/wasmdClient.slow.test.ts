/**
 * Against a real 4-validator wasmd localnet (started here, stopped in afterAll):
 * blocks, faucet, upload/instantiate/execute with contract errors, sequence
 * safety, event catch-up and live delivery, and the TKMS contracts end to end.
 * Fails (never skips) when wasmd is not built: run `make wasmd`.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ChainTxError } from '../../common/errors.js';
import { repoRoot, stateDir } from '../../common/paths.js';
import { startWasmdNet, stopWasmdNet, wasmdAvailable, wasmdBinary, type WasmdNet } from '../../localnet/wasmdNet.js';
import type { ChainEvent } from '../client.js';
import { ASC_EVENTS, type RequestInfo } from '../asc/messages.js';
import type { PartiesResponse } from '../config/messages.js';
import { deployContracts } from '../deploy.js';
import { startFaucet, type Faucet } from '../faucet/faucet.js';
import { executeViaGovernance, govExecuteMessage, proposalState, submitProposal, vote, waitForProposal } from './governance.js';
import { WasmdClient } from './wasmdClient.js';

const dir = stateDir(`test-wasmd-${process.pid}`);
const basePort = 27000 + (process.pid % 40) * 50;
const wasmDir = path.join(repoRoot(), 'contracts', 'build');
const hackatom = path.join(repoRoot(), '.cache', 'wasmd', 'src', 'wasmd', 'x', 'wasm', 'keeper', 'testdata', 'hackatom.wasm');
const measured: Record<string, number | string> = {};

let net: WasmdNet | undefined;
let faucet: Faucet | undefined;
const clients: WasmdClient[] = [];

function theNet(): WasmdNet {
  if (!net) throw new Error('the wasmd net did not start');
  return net;
}

async function client(account: number, node = 0, validator = false): Promise<WasmdClient> {
  const n = theNet();
  const c = await WasmdClient.connect(n.rpcUrls[node]!, {
    mnemonic: (validator ? n.validatorAccounts : n.accounts)[account]!.mnemonic,
    prefix: n.bech32Prefix,
    gasPrice: n.gasPrice,
    chainId: n.chainId,
  });
  clients.push(c);
  return c;
}

/** Collects events until `count` arrived (or the timeout). */
function collect(c: WasmdClient, filter: { contract: string; eventType: string }, from: number, count: number, ms = 30_000) {
  const events: ChainEvent[] = [];
  let resolve!: () => void;
  const enough = new Promise<void>((r) => (resolve = r));
  const sub = c.watchEvents(filter, from, async (e) => {
    events.push(e);
    if (events.length >= count) resolve();
  });
  const timer = setTimeout(resolve, ms);
  return {
    events,
    async done() {
      await enough;
      clearTimeout(timer);
      sub.close();
      await sub.done;
      return events;
    },
  };
}

/** Stops nets left by earlier runs of this test whose jest process is gone (killed before afterAll). */
async function sweepAbandonedNets(): Promise<void> {
  if (!existsSync(stateDir())) return;
  for (const name of readdirSync(stateDir())) {
    const owner = /^test-wasmd-(\d+)$/.exec(name)?.[1];
    if (!owner) continue;
    try {
      process.kill(Number(owner), 0);
    } catch {
      await stopWasmdNet(stateDir(name));
      rmSync(stateDir(name), { recursive: true, force: true });
    }
  }
}

beforeAll(async () => {
  if (!wasmdAvailable()) {
    throw new Error(`wasmd is not built (${wasmdBinary().bin}): run \`make wasmd\` first`);
  }
  await sweepAbandonedNets();
  const t0 = Date.now();
  net = await startWasmdNet({ dir, validators: 4, basePort });
  measured['startup ms (4 validators)'] = Date.now() - t0;
}, 120_000);

afterAll(async () => {
  await faucet?.close();
  await Promise.allSettled(clients.map((c) => c.close()));
  await net?.stop();
  if (net) rmSync(dir, { recursive: true, force: true });
  console.log(`wasmd measurements:\n${JSON.stringify(measured, null, 2)}`);
}, 60_000);

test('default: all validators produce blocks', async () => {
  const c = await client(0, 1);
  const h0 = await c.height();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 4000));
  const h1 = await c.height();
  expect(h1).toBeGreaterThan(h0 + 2);
  measured['block time ms'] = Math.round((Date.now() - t0) / (h1 - h0));
  for (const url of theNet().rpcUrls) {
    const status = (await (await fetch(`${url}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } };
    expect(Number(status.result.sync_info.latest_block_height)).toBeGreaterThanOrEqual(h0);
  }
});

test('behavior: faucet credits once per cooldown and rejects bad addresses', async () => {
  const n = theNet();
  faucet = await startFaucet({ mnemonic: n.faucet.mnemonic, rpcUrl: n.rpcUrls[2]!, prefix: n.bech32Prefix, gasPrice: n.gasPrice, denom: n.denom, port: 0, amount: '12345' });
  const reader = await WasmdClient.connect(n.rpcUrls[0]!, { prefix: n.bech32Prefix, gasPrice: n.gasPrice });
  clients.push(reader);
  expect(reader.senderAddress).toBeUndefined();
  const to = n.accounts[7]!.address;
  const before = BigInt((await reader.balance(to, n.denom)).amount);
  const post = (body: unknown) => fetch(`${faucet!.url}/credit`, { method: 'POST', body: JSON.stringify(body) });
  const res = await post({ address: to });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { txHash: string; amount: string };
  expect(body.amount).toBe(`12345${n.denom}`);
  expect(body.txHash).toMatch(/^[0-9A-F]{64}$/);
  // The faucet's tx was committed on node 2; node 0 may be a block behind: wait for it to see the credit.
  let after = before;
  for (let i = 0; i < 40 && after === before; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    after = BigInt((await reader.balance(to, n.denom)).amount);
  }
  // Compared as strings: jest's workers cannot serialize a failed BigInt assertion.
  expect(String(after)).toBe(String(before + 12345n));
  expect((await post({ address: to })).status).toBe(429);
  const bad = await post({ address: 'cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { code: string }).code).toBe('BAD_ADDRESS');
  expect((await fetch(`${faucet.url}/health`)).status).toBe(200);
});

describe('hackatom (wasmd test contract)', () => {
  let contract = '';
  let firstReleaseHeight = 0;

  test('default: upload, instantiate, query, execute', async () => {
    const owner = await client(0);
    const beneficiary = theNet().accounts[1]!.address;
    const up = await owner.upload(readFileSync(hackatom));
    const inst = await owner.instantiate(up.codeId, { verifier: owner.senderAddress, beneficiary }, 'hackatom', owner.senderAddress);
    contract = inst.address;
    expect(await owner.queryContract(contract, { verifier: {} })).toEqual({ verifier: owner.senderAddress });
    const r = await owner.executeContract(contract, { release: {} });
    firstReleaseHeight = r.height;
    expect(r.events.some((e) => e.type === 'wasm' && e.attributes['_contract_address'] === contract && e.attributes['action'] === 'release')).toBe(true);
    expect(r.txHash).toMatch(/^[0-9A-F]{64}$/);
    measured['hackatom upload gas'] = up.gasUsed;
    measured['hackatom instantiate gas'] = inst.gasUsed;
    measured['hackatom execute gas'] = r.gasUsed;
  });

  test("behavior: a contract error becomes ChainTxError with the contract's message", async () => {
    const stranger = await client(2);
    const err = await stranger.executeContract(contract, { release: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainTxError);
    expect((err as ChainTxError).log).toBe('Unauthorized');
    await expect(stranger.queryContract(contract, { nope: {} })).rejects.toThrow(/unknown variant `nope`/);
  });

  test('behavior: concurrent executes from one client do not collide on the sequence', async () => {
    const owner = await client(0, 3);
    const rs = await Promise.all([0, 1, 2, 3].map(() => owner.executeContract(contract, { release: {} })));
    expect(new Set(rs.map((r) => r.txHash)).size).toBe(4);
  });

  test('behavior: watchEvents catches up, then goes live, in order, without duplicates', async () => {
    const owner = await client(0, 2);
    const watcher = await client(3, 1);
    const filter = { contract, eventType: 'wasm' };
    // From firstReleaseHeight the chain holds 1 + 4 releases (the failed one emitted nothing).
    const catchUp = collect(watcher, filter, firstReleaseHeight, 5 + 3);
    // Live: three more, sent while the watcher may still be catching up.
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) sent.push((await owner.executeContract(contract, { release: {} })).txHash);
    const events = await catchUp.done();
    expect(events).toHaveLength(8);
    expect(events.slice(-3).map((e) => e.txHash)).toEqual(sent);
    const keys = events.map((e) => `${e.height}/${e.txHash}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (let i = 1; i < events.length; i++) expect(events[i]!.height).toBeGreaterThanOrEqual(events[i - 1]!.height);
    expect(events.every((e) => e.height >= firstReleaseHeight && e.attributes['_contract_address'] === contract)).toBe(true);
    // Catch-up from a later height skips what came before it.
    const later = collect(watcher, filter, events[7]!.height, 1, 5000);
    expect((await later.done()).map((e) => e.txHash)).toEqual([sent[2]]);
  });
  test('behavior: a watcher rides out a restart of the node it reads from, and the chain goes on with 3 of 4', async () => {
    const n = theNet();
    const owner = await client(0, 0);
    const watcher = await client(3, 1);
    const from = (await owner.height()) + 1;
    const w = collect(watcher, { contract, eventType: 'wasm' }, from, 3, 60_000);
    await n.stopValidator(1);
    const sent: string[] = [];
    for (let i = 0; i < 2; i++) sent.push((await owner.executeContract(contract, { release: {} })).txHash);
    await n.startValidator(1);
    sent.push((await owner.executeContract(contract, { release: {} })).txHash);
    expect((await w.done()).map((e) => e.txHash)).toEqual(sent);
  }, 90_000);
});

describe('governance', () => {
  test('default: an expedited proposal runs a contract message as the gov module account', async () => {
    const n = theNet();
    const proposer = await client(6);
    const voters = await Promise.all(n.validatorAccounts.map((_, i) => client(i, i, true)));
    const up = await proposer.upload(readFileSync(hackatom));
    // Only the verifier may `release`: make it the gov module account.
    const gated = await proposer.instantiate(up.codeId, { verifier: n.govAuthority, beneficiary: n.accounts[1]!.address }, 'gov-gated');
    const denied = await proposer.executeContract(gated.address, { release: {} }).catch((e: unknown) => e);
    expect((denied as ChainTxError).log).toBe('Unauthorized');
    const t0 = Date.now();
    const { state } = await executeViaGovernance(proposer, voters, {
      govAuthority: n.govAuthority,
      contract: gated.address,
      msg: { release: {} },
      deposit: [{ denom: n.denom, amount: '2000' }],
      expedited: true,
    });
    expect(state.status).toBe('passed');
    measured['expedited proposal ms (submit to passed)'] = Date.now() - t0;
  });

  test('behavior: a passed proposal whose message fails reports the contract error', async () => {
    const n = theNet();
    const proposer = await client(6);
    const voters = await Promise.all(n.validatorAccounts.map((_, i) => client(i, i, true)));
    const up = await proposer.upload(readFileSync(hackatom));
    const other = await proposer.instantiate(up.codeId, { verifier: proposer.senderAddress, beneficiary: n.accounts[1]!.address }, 'not-gov');
    const { proposalId } = await submitProposal(proposer, {
      messages: [govExecuteMessage(n.govAuthority, other.address, { release: {} })],
      deposit: [{ denom: n.denom, amount: '1000' }],
    });
    expect((await proposalState(proposer, proposalId)).status).toBe('voting_period');
    await Promise.all(voters.map((v) => vote(v, proposalId)));
    const state = await waitForProposal(proposer, proposalId);
    expect(state.status).toBe('failed');
    expect(state.failedReason).toMatch(/Unauthorized/);
  });
});

describe('TKMS contracts', () => {
  let asc = '';
  let config = '';

  test('default: deploy Config and ASC', async () => {
    for (const f of ['config.wasm', 'asc.wasm']) {
      if (!existsSync(path.join(wasmDir, f))) throw new Error(`${path.join(wasmDir, f)} is missing: build the contracts first`);
    }
    const deployer = await client(0);
    const n = theNet();
    const parties = [0, 1, 2, 3].map((i) => ({ id: i + 1, address: n.accounts[i]!.address, signer_pubkey: '02' + String(i + 1).padStart(2, '0').repeat(32) }));
    // Account 4 sends the keygens below: keygen is restricted to governance and the Config operators.
    const d = await deployContracts(deployer, { wasmDir, parties, threshold: 1, admin: n.govAuthority, devMode: false, operators: [n.accounts[4]!.address] });
    asc = d.asc;
    config = d.config;
    const got = await deployer.queryContract<PartiesResponse>(config, { parties: {} });
    expect(got.threshold).toBe(1);
    expect(got.parties.map((p) => p.address)).toEqual(parties.map((p) => p.address));
    Object.assign(measured, {
      'config.wasm bytes': readFileSync(path.join(wasmDir, 'config.wasm')).length,
      'asc.wasm bytes': readFileSync(path.join(wasmDir, 'asc.wasm')).length,
      'upload config gas': d.gasUsed.uploadConfig,
      'upload asc gas': d.gasUsed.uploadAsc,
      'instantiate config gas': d.gasUsed.instantiateConfig,
      'instantiate asc gas': d.gasUsed.instantiateAsc,
    });
  });

  test('default: a keygen request is seen by catch-up and live watchers and can be queried', async () => {
    if (!asc) throw new Error('contracts not deployed');
    const user = await client(4, 1);
    const watcher = await client(5, 3);
    const filter = { contract: asc, eventType: ASC_EVENTS.request };
    const from = await user.height();
    const live = collect(watcher, filter, from, 2);
    const first = await user.executeContract(asc, { keygen: {} });
    measured['keygen execute gas'] = first.gasUsed;
    const ev = first.events.find((e) => e.type === ASC_EVENTS.request);
    expect(ev?.attributes['kind']).toBe('keygen');
    const requestId = ev!.attributes['request_id']!;
    expect(requestId).toMatch(/^[0-9a-f]{40}$/);
    const second = await user.executeContract(asc, { keygen: {} });
    const liveEvents = await live.done();
    expect(liveEvents.map((e) => e.txHash)).toEqual([first.txHash, second.txHash]);
    expect(liveEvents[0]!.attributes['request_id']).toBe(requestId);
    // A watcher started afterwards finds both through the tx index.
    const catchUp = collect(watcher, filter, from, 2);
    expect((await catchUp.done()).map((e) => e.attributes['request_id'])).toEqual(liveEvents.map((e) => e.attributes['request_id']));
    const info = await user.queryContract<RequestInfo>(asc, { request: { request_id: requestId } });
    expect(info).toMatchObject({ request_id: requestId, kind: 'keygen', status: 'pending', sender: user.senderAddress });
  });

  test('behavior: fulfilling an unknown request fails with the contract message', async () => {
    if (!asc) throw new Error('contracts not deployed');
    const party = await client(1);
    const err = await party
      .executeContract(asc, { fulfill: { request_id: '0'.repeat(40), response: { failure: { reason: 'x', signature: '00'.repeat(64) } } } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainTxError);
    expect((err as ChainTxError).log).not.toMatch(/wasm contract failed|rpc error/);
    measured['unknown request error'] = (err as ChainTxError).log;
  });
});
