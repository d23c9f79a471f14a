/**
 * The embedded chain runs the very same contract wasm as wasmd; these tests
 * check its node (signed transactions, replay protection, ordered events,
 * persistence) with the real contracts from `make contracts`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import { EmbeddedChain } from './embeddedChain.js';
import { startEmbeddedServer, type EmbeddedServer } from './server.js';
import { EmbeddedRemoteClient } from './remoteClient.js';
import { InProcessChainClient } from './inProcessClient.js';
import { txSignDigest, PATHS } from './protocol.js';
import { accountFromMnemonic, generateMnemonic, type ChainAccount } from '../wallet.js';
import { deployContracts } from '../deploy.js';
import { submitKeygen } from '../asc/actions.js';
import { ASC_EVENTS } from '../asc/messages.js';
import type { ChainEvent } from '../client.js';
import { repoRoot } from '../../common/paths.js';
import { ciphertextHandle } from '../../common/ciphertext.js';

const wasmDir = path.join(repoRoot(), 'contracts', 'build');

async function deploy(chain: EmbeddedChain, admin: ChainAccount, party: ChainAccount): Promise<{ asc: string; config: string }> {
  const client = new InProcessChainClient(chain, admin.address);
  return deployContracts(client, { wasmDir, parties: [{ id: 1, address: party.address, signer_pubkey: bytesToHex(party.publicKey) }], threshold: 0, devMode: true });
}

describe('embedded chain node', () => {
  let chain: EmbeddedChain;
  let server: EmbeddedServer;
  let admin: ChainAccount;
  let party: ChainAccount;
  let contracts: { asc: string; config: string };

  beforeAll(async () => {
    chain = await EmbeddedChain.create();
    admin = await accountFromMnemonic(generateMnemonic(), 'wasm');
    party = await accountFromMnemonic(generateMnemonic(), 'wasm');
    contracts = await deploy(chain, admin, party);
    server = await startEmbeddedServer(chain, { port: 0 });
  });
  afterAll(() => server.close());

  test('default: a signed keygen over HTTP emits a request event seen by catch-up and live watchers', async () => {
    const client = await EmbeddedRemoteClient.connect(server.url, admin);
    const startHeight = await client.height();
    const first = await submitKeygen(client, contracts.asc);
    const seen: ChainEvent[] = [];
    let resolveTwo!: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const sub = client.watchEvents({ contract: contracts.asc, eventType: ASC_EVENTS.request }, startHeight, async (e) => {
      seen.push(e);
      if (seen.length === 2) resolveTwo();
    });
    const second = await submitKeygen(client, contracts.asc);
    await two;
    sub.close();
    await sub.done;
    expect(seen.map((e) => e.attributes['request_id'])).toEqual([first.requestId, second.requestId]);
    expect(first.requestId).not.toBe(second.requestId);
    expect(seen[0]!.height).toBeLessThan(seen[1]!.height);
  });

  test('behavior: a replayed transaction (same sequence) is refused', async () => {
    const client = await EmbeddedRemoteClient.connect(server.url, admin);
    await submitKeygen(client, contracts.asc);
    const { sequence } = (await (await fetch(`${server.url}${PATHS.account}${admin.address}`)).json()) as { sequence: number };
    const body = { execute: { contract: contracts.asc, msg: { keygen: {} }, funds: [] } };
    const tx = (seq: number) => ({
      pubkey: bytesToHex(admin.publicKey),
      sequence: seq,
      body,
      signature: bytesToHex(secp256k1.sign(txSignDigest(chain.chainId, seq, body), admin.privateKey).toCompactRawBytes()),
    });
    const post = (t: unknown) => fetch(`${server.url}${PATHS.tx}`, { method: 'POST', body: JSON.stringify(t) });
    expect((await post(tx(sequence))).status).toBe(200);
    const replay = await post(tx(sequence));
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { code: string }).code).toBe('BAD_SEQUENCE');
  });

  test('behavior: a transaction signed by another key is refused', async () => {
    const body = { execute: { contract: contracts.asc, msg: { keygen: {} }, funds: [] } };
    const res = await fetch(`${server.url}${PATHS.tx}`, {
      method: 'POST',
      body: JSON.stringify({
        pubkey: bytesToHex(admin.publicKey),
        sequence: 0,
        body,
        signature: bytesToHex(secp256k1.sign(txSignDigest(chain.chainId, 0, body), party.privateKey).toCompactRawBytes()),
      }),
    });
    expect(res.status).toBe(401);
  });

  test("behavior: a contract error reaches the client with the contract's words", async () => {
    const client = await EmbeddedRemoteClient.connect(server.url, admin);
    await expect(
      client.executeContract(contracts.asc, { decrypt: { key_id: '11'.repeat(20), ciphertext_handle: ciphertextHandle('cd'.repeat(32), 'euint8', { keyId: '11'.repeat(20), appId: 'default' }), ciphertext_digest: 'cd'.repeat(32), fhe_type: 'euint8' } }),
    ).rejects.toThrow(/unknown key id/);
  });
});

test('behavior: state and events survive a restart of the embedded chain', async () => {
  const persistPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'tkms-embedded-')), 'chain');
  const admin = await accountFromMnemonic(generateMnemonic(), 'wasm');
  const party = await accountFromMnemonic(generateMnemonic(), 'wasm');
  const before = await EmbeddedChain.create({ persistPath });
  const contracts = await deploy(before, admin, party);
  const { requestId } = await submitKeygen(new InProcessChainClient(before, admin.address), contracts.asc);
  expect(before.useSequence(admin.address, 0)).toBe(true);

  const after = await EmbeddedChain.create({ persistPath });
  expect(after.height).toBe(before.height);
  // Replay protection survives too: sequence 0 stays used.
  expect(after.nextSequence(admin.address)).toBe(1);
  expect(after.useSequence(admin.address, 0)).toBe(false);
  const client = new InProcessChainClient(after, admin.address);
  const request = await client.queryContract<{ status: string }>(contracts.asc, { request: { request_id: requestId } });
  expect(request.status).toBe('pending');
  expect(after.eventsSince({ fromHeight: 0 }, { eventType: ASC_EVENTS.request }).map((e) => e.attributes['request_id'])).toEqual([requestId]);
  // New request ids keep being unique after the reload (the counter was persisted).
  const next = await submitKeygen(client, contracts.asc);
  expect(next.requestId).not.toBe(requestId);
});
