/**
 * ASC contract on cw-simulate: requests, fulfillments, quorum and queries
 * (chain/asc/messages.ts is the protocol under test).
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { signResponse, type SignedResponse } from '../../common/signing.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { evmAddressOf } from '../../common/userDecryptAuth.js';
import { DAPP, signedUserDecrypt } from './testing/userDecryptRequest.js';
import type { ConfigInstantiateMsg, PartyInfo } from '../../chain/config/messages.js';
import type { FulfillResponse, KeyInfo, KeysResponse, RequestInfo, RequestsResponse } from '../../chain/asc/messages.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACTS_DIR, ensureBuilt, readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';

interface Party {
  info: PartyInfo;
  key: Uint8Array;
}

function makeParties(n: number): Party[] {
  return Array.from({ length: n }, (_, i) => {
    const key = sha256(new TextEncoder().encode(`tkms-test-party-${i + 1}`));
    return {
      key,
      info: { id: i + 1, address: testAddress(`party-${i + 1}`), signer_pubkey: bytesToHex(secp256k1.getPublicKey(key, true)) },
    };
  });
}

interface Setup {
  chain: SimChain;
  asc: string;
  config: string;
  parties: Party[];
}

/**
 * A dev_mode Config (its "default" application is open: these tests decrypt through
 * it) in which USER is an operator (keygen, keygen_preproc and crs_gen are
 * restricted to governance and the operators; test/attacks covers the refusal).
 */
async function setup(n = 4, threshold = 1, extra: Partial<ConfigInstantiateMsg> = {}): Promise<Setup> {
  const chain = new SimChain();
  const parties = makeParties(n);
  const config = await chain.instantiate(chain.upload(readWasm('config')), {
    parties: parties.map((p) => p.info),
    threshold,
    dev_mode: true,
    operators: [USER],
    ...extra,
  });
  const asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  return { chain, asc, config, parties };
}

const USER = testAddress('user');
const DIGEST = 'cd'.repeat(32);
/** The handle of DIGEST as euint8: the ASC recomputes it (contracts/asc/handles.ts). */
/** The handle of DIGEST as euint8 under `keyId` and the default application: the ASC recomputes it (contracts/asc/handles.ts). */
const handleOf = (keyId: string, digest = DIGEST, appId = 'default'): string => ciphertextHandle(digest, 'euint8', { keyId, appId });

function requestIdOf(r: SimExecuteResult): string {
  const ev = r.events.find((e) => e.type === 'wasm-tkms_request');
  if (!ev) throw new Error('no tkms_request event');
  const id = ev.attributes.request_id as string;
  expect(Buffer.from(r.data ?? '', 'base64').toString('utf8')).toBe(id);
  return id;
}

const KEYGEN = {
  public_key_digest: '11'.repeat(32),
  public_key_uri: 'file:///keys/pk',
  server_key_digest: '22'.repeat(32),
  server_key_uri: 'file:///keys/sk',
};

function keygenAnswer(requestId: string, party: Party, content = KEYGEN): FulfillResponse {
  const signed: SignedResponse = {
    kind: 'keygen',
    requestId,
    publicKeyDigest: content.public_key_digest,
    publicKeyUri: content.public_key_uri,
    serverKeyDigest: content.server_key_digest,
    serverKeyUri: content.server_key_uri,
  };
  return { keygen: { ...content, signature: signResponse(signed, party.key) } };
}

function decryptAnswer(requestId: string, keyId: string, fheType: string, plaintext: string, party: Party): FulfillResponse {
  return batchAnswer(requestId, keyId, [{ ciphertextDigest: DIGEST, fheType, plaintext }], party);
}

/** A party's answer to a batch: one signature over every (digest, type, plaintext). */
function batchAnswer(requestId: string, keyId: string, cts: { ciphertextDigest: string; fheType: string; plaintext: string }[], party: Party): FulfillResponse {
  const signed: SignedResponse = { kind: 'decrypt', requestId, keyId, ciphertexts: cts };
  return { decrypt: { plaintexts: cts.map((c) => c.plaintext), signature: signResponse(signed, party.key) } };
}

function failureAnswer(requestId: string, reason: string, party: Party): FulfillResponse {
  return { failure: { reason, signature: signResponse({ kind: 'failure', requestId, reason }, party.key) } };
}

async function fulfill(s: Setup, party: Party, requestId: string, response: FulfillResponse): Promise<SimExecuteResult> {
  return s.chain.execute(s.asc, { fulfill: { request_id: requestId, response } }, party.info.address);
}

/** A completed keygen: 2t+1 = 3 parties agree at n=4, t=1. */
async function keygenDone(s: Setup): Promise<string> {
  const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
  for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
  return id;
}

function request(s: Setup, id: string): RequestInfo {
  return s.chain.query<RequestInfo>(s.asc, { request: { request_id: id } });
}

describe('asc', () => {
  test('default: keygen → fulfill → key recorded', async () => {
    const s = await setup();
    const r = await s.chain.execute(s.asc, { keygen: {} }, USER);
    const id = requestIdOf(r);
    const ev = r.events.find((e) => e.type === 'wasm-tkms_request');
    expect(ev?.attributes).toMatchObject({ request_id: id, kind: 'keygen', sender: USER, _contract_address: s.asc });
    expect(request(s, id)).toMatchObject({ request_id: id, kind: 'keygen', sender: USER, status: 'pending', responses: [] });

    const [p1, p2] = s.parties as [Party, Party];
    const r1 = await fulfill(s, p1, id, keygenAnswer(id, p1));
    expect(r1.events.find((e) => e.type === 'wasm-tkms_response')?.attributes).toMatchObject({
      request_id: id,
      party_id: '1',
      outcome: 'keygen',
    });
    expect(r1.events.find((e) => e.type === 'wasm-tkms_result')).toBeUndefined();
    expect(request(s, id).status).toBe('pending');

    // t+1 = 2 agreeing parties are not enough for a key: keygen needs 2t+1 = 3.
    const r2 = await fulfill(s, p2, id, keygenAnswer(id, p2));
    expect(r2.events.find((e) => e.type === 'wasm-tkms_result')).toBeUndefined();
    expect(request(s, id).status).toBe('pending');
    const p3 = s.parties[2] as Party;
    const r3 = await fulfill(s, p3, id, keygenAnswer(id, p3));
    expect(r3.events.find((e) => e.type === 'wasm-tkms_result')?.attributes).toMatchObject({
      request_id: id,
      kind: 'keygen',
      status: 'completed',
    });
    const info = request(s, id);
    expect(info.status).toBe('completed');
    expect(info.responses.map((x) => x.party_id)).toEqual([1, 2, 3]);
    expect(info.responses.map((x) => x.sender)).toEqual(s.parties.slice(0, 3).map((p) => p.info.address));
    expect(info.payees).toEqual([1, 2, 3]);
    expect(info.result).toEqual(keygenAnswer(id, p3));
    const key = s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } });
    expect(key).toEqual({ key_id: id, ...KEYGEN, state: 'active', fhe_parameters: 'default', state_height: expect.stringMatching(/^\d+$/) });
    expect(s.chain.query<KeysResponse>(s.asc, { keys: {} }).keys).toEqual([key]);
    expect(s.chain.query<{ config: string }>(s.asc, { config: {} })).toEqual({ config: s.config });
  });

  test('behavior: keygen answers agree on digests even when each party publishes under its own URI', async () => {
    const s = await setup(4, 1);
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const own = (p: number) => ({ ...KEYGEN, public_key_uri: `http://party-${p}/pk`, server_key_uri: `http://party-${p}/sk` });
    await fulfill(s, s.parties[0]!, id, keygenAnswer(id, s.parties[0]!, own(1)));
    // Other digests never join the quorum, whatever the URI.
    await fulfill(s, s.parties[1]!, id, keygenAnswer(id, s.parties[1]!, { ...own(2), public_key_digest: '33'.repeat(32) }));
    await fulfill(s, s.parties[2]!, id, keygenAnswer(id, s.parties[2]!, own(3)));
    expect(request(s, id).status).toBe('pending');
    await fulfill(s, s.parties[3]!, id, keygenAnswer(id, s.parties[3]!, own(4)));
    const info = request(s, id);
    expect(info.status).toBe('completed');
    expect(info.payees).toEqual([1, 3, 4]);
  });

  test('default: decrypt on a known key completes with the agreed plaintext', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const r = await s.chain.execute(
      s.asc,
      { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' } },
      USER,
    );
    const id = requestIdOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({
      request_id: id,
      kind: 'decrypt',
      key_id: keyId,
      ciphertexts: '1',
      app_id: 'default',
    });
    const [p1, p2] = s.parties as [Party, Party];
    await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1));
    const r2 = await fulfill(s, p2, id, decryptAnswer(id, keyId, 'euint8', '42', p2));
    expect(r2.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('completed');
    const info = request(s, id);
    // The single-ciphertext form is stored as a batch of one.
    expect(info.decrypt).toEqual({ key_id: keyId, ciphertexts: [{ ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' }], app_id: 'default', provenance: 'open' });
    expect(info.result).toEqual(decryptAnswer(id, keyId, 'euint8', '42', p2));
  });

  test('behavior: request ids are unique for identical calls and 40 lower-case hex', async () => {
    const s = await setup();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER)));
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{40}$/);
    // The first id follows the documented derivation with counter "0".
    const lp = (x: string): Uint8Array => {
      const b = new TextEncoder().encode(x);
      const out = new Uint8Array(4 + b.length);
      new DataView(out.buffer).setUint32(0, b.length, false);
      out.set(b, 4);
      return out;
    };
    const parts = ['TKMS-REQUEST-ID-V1', s.chain.chainId, s.asc, '0', USER].map(lp);
    const expected = bytesToHex(sha256(Buffer.concat(parts)).subarray(0, 20));
    expect([...ids][0]).toBe(expected);
  });

  test('behavior: decrypt with an unknown key id is rejected', async () => {
    const s = await setup();
    const keyId = 'ee'.repeat(20);
    await expect(
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
    ).rejects.toThrow(`unknown key id ${keyId}`);
  });

  test('behavior: decrypt with a bad fhe_type or malformed hex is rejected', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const base = { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' };
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, fhe_type: 'euint7' } }, USER)).rejects.toThrow('unknown fhe_type euint7');
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, ciphertext_handle: 'AB'.repeat(32) } }, USER)).rejects.toThrow(
      'ciphertext_handle must be 64 lower-case hex',
    );
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, ciphertext_digest: 'cd' } }, USER)).rejects.toThrow(
      'ciphertext_digest must be 64 lower-case hex',
    );
  });

  test('malicious: a handle that is not the handle of its digest and type is refused (S1)', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const victim = 'ee'.repeat(32);
    // A handle the requester may use, paired with someone else's digest.
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: victim, fhe_type: 'euint8' } }, USER)).rejects.toThrow(
      `decrypt: ciphertext_handle is not the handle of ciphertext_digest under key ${keyId} and application default (expected ${ciphertextHandle(victim, 'euint8', { keyId, appId: 'default' })})`,
    );
    // The right digest, another type: the handle's type byte says euint8.
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint16' } }, USER)).rejects.toThrow(
      'decrypt: ciphertext_handle carries type code 2, not fhe_type euint16 (3)',
    );
    // Another version byte, or one flipped hash bit.
    for (const forged of [handleOf(keyId).slice(0, 62) + '00', handleOf(keyId).slice(0, 10) + (handleOf(keyId)[10] === '0' ? '1' : '0') + handleOf(keyId).slice(11)]) {
      await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: forged, ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER)).rejects.toThrow(
        `decrypt: ciphertext_handle is not the handle of ciphertext_digest under key ${keyId} and application default (expected ${handleOf(keyId)})`,
      );
    }
    const batch = [
      { ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' },
      { ciphertext_handle: handleOf(keyId), ciphertext_digest: victim, fhe_type: 'euint8' },
    ];
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: batch } }, USER)).rejects.toThrow(
      'decrypt: ciphertexts[1].ciphertext_handle is not the handle of ciphertext_digest',
    );
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.map((r) => r.kind)).toEqual(['keygen']);
  });

  const cts = (n: number, keyId: string): { ciphertext_handle: string; ciphertext_digest: string; fhe_type: string }[] =>
    Array.from({ length: n }, (_, i) => ({
      ciphertext_handle: ciphertextHandle((i + 100).toString(16).padStart(2, '0').repeat(32), i % 2 ? 'ebool' : 'euint16', { keyId, appId: 'default' }),
      ciphertext_digest: (i + 100).toString(16).padStart(2, '0').repeat(32),
      fhe_type: i % 2 ? 'ebool' : 'euint16',
    }));

  test('default: a batch decrypt completes with every plaintext under one signature per party', async () => {
    const s = await setup(4, 1);
    const keyId = await keygenDone(s);
    const batch = cts(3, keyId);
    const r = await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: batch } }, USER);
    const id = requestIdOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind: 'decrypt', key_id: keyId, ciphertexts: '3' });
    expect(request(s, id).decrypt).toEqual({ key_id: keyId, ciphertexts: batch, app_id: 'default', provenance: 'open' });
    const answer = (plaintexts: string[], p: Party): FulfillResponse =>
      batchAnswer(id, keyId, plaintexts.map((plaintext, i) => ({ ciphertextDigest: batch[i]!.ciphertext_digest, fheType: batch[i]!.fhe_type, plaintext })), p);
    const [p1, p2, p3] = s.parties as [Party, Party, Party];
    // One plaintext too few, or signed over another order, is refused outright.
    await expect(fulfill(s, p1, id, answer(['7', '1'], p1))).rejects.toThrow('response.decrypt.plaintexts has 2 entries; the request names 3 ciphertexts');
    const swapped = batchAnswer(id, keyId, [1, 0, 2].map((j) => ({ ciphertextDigest: batch[j]!.ciphertext_digest, fheType: batch[j]!.fhe_type, plaintext: '1' })), p1);
    await expect(fulfill(s, p1, id, swapped)).rejects.toThrow('invalid signature from party 1');
    await fulfill(s, p1, id, answer(['7', '1', '9'], p1));
    await fulfill(s, p2, id, answer(['7', '0', '9'], p2)); // differs in one plaintext: no quorum, a conflict
    expect(request(s, id)).toMatchObject({ status: 'pending', conflict: true });
    const done = await fulfill(s, p3, id, answer(['7', '1', '9'], p3));
    expect(done.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('completed');
    expect(request(s, id).result).toEqual({ decrypt: expect.objectContaining({ plaintexts: ['7', '1', '9'] }) });
    expect(request(s, id).payees).toEqual([1, 3]);
  });

  test('behavior: a batch of 0 or more than 32 ciphertexts, a bad entry, or both forms at once is refused', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: [] } }, USER)).rejects.toThrow('ciphertexts must be an array of 1..32');
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(33, keyId) } }, USER)).rejects.toThrow('ciphertexts must be an array of 1..32');
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(32, keyId) } }, USER)).resolves.toBeDefined();
    const bad = cts(3, keyId);
    bad[2] = { ...bad[2]!, ciphertext_digest: 'zz' };
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: bad } }, USER)).rejects.toThrow('ciphertexts[2].ciphertext_digest must be 64 lower-case hex');
    await expect(
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(1, keyId), ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
    ).rejects.toThrow('give either ciphertexts or ciphertext_handle, not both');
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(1, keyId), crs_id: 'xyz' } }, USER)).rejects.toThrow('crs_id must be a CRS request id');
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(1, keyId), crs_id: 'ab'.repeat(20) } }, USER)).rejects.toThrow(
      `decrypt: crs_id ${'ab'.repeat(20)} is not a CRS the parties made (crs_list)`,
    );
  });

  test('malicious: a non-party cannot fulfill', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const p1 = s.parties[0] as Party;
    await expect(s.chain.execute(s.asc, { fulfill: { request_id: id, response: keygenAnswer(id, p1) } }, USER)).rejects.toThrow(
      `sender ${USER} is not a registered party`,
    );
  });

  test('malicious: a party cannot respond twice', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const p1 = s.parties[0] as Party;
    await fulfill(s, p1, id, keygenAnswer(id, p1));
    await expect(fulfill(s, p1, id, keygenAnswer(id, p1))).rejects.toThrow('party 1 already responded');
  });

  test('malicious: a bad signature is rejected', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const [p1, p2] = s.parties as [Party, Party];
    // Signed by party 2's key but sent by party 1.
    await expect(fulfill(s, p1, id, keygenAnswer(id, p2))).rejects.toThrow('invalid signature from party 1');
    // Signature over different content.
    const forged = keygenAnswer(id, p1, { ...KEYGEN, public_key_uri: 'file:///evil' });
    const tampered = { keygen: { ...KEYGEN, signature: (forged as { keygen: { signature: string } }).keygen.signature } };
    await expect(fulfill(s, p1, id, tampered)).rejects.toThrow('invalid signature from party 1');
    expect(request(s, id).responses).toEqual([]);
  });

  test('malicious: a decrypt signature binds the stored key, digest and type', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const id = requestIdOf(
      await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
    );
    const p1 = s.parties[0] as Party;
    // Signed for euint16: the contract rebuilds the digest from the stored request (euint8).
    await expect(fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint16', '42', p1))).rejects.toThrow('invalid signature from party 1');
    await expect(fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1))).resolves.toBeDefined();
  });

  test('behavior: the response kind must match the request', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const p1 = s.parties[0] as Party;
    await expect(fulfill(s, p1, id, decryptAnswer(id, 'x', 'euint8', '1', p1))).rejects.toThrow(
      'response kind decrypt does not match request kind keygen',
    );
    await expect(fulfill(s, p1, 'ff'.repeat(20), keygenAnswer('ff'.repeat(20), p1))).rejects.toThrow('unknown request id');
  });

  test('behavior: an agreed failure fails the request with its reason', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const [p1, p2] = s.parties as [Party, Party];
    // Quotes, control characters (sent as \u0001), non-ASCII and a surrogate pair survive the round trip.
    const reason = 'out of "preprocessing"\n\t\u0001 üñï 🚀 \\ end';
    await fulfill(s, p1, id, failureAnswer(id, reason, p1));
    const r = await fulfill(s, p2, id, failureAnswer(id, reason, p2));
    expect(r.events.find((e) => e.type === 'wasm-tkms_result')?.attributes).toMatchObject({ kind: 'keygen', status: 'failed' });
    const info = request(s, id);
    expect(info.status).toBe('failed');
    expect(info.failure_reason).toBe(reason);
    expect(info.result).toEqual(failureAnswer(id, reason, p2));
    expect(s.chain.query<KeysResponse>(s.asc, { keys: {} }).keys).toEqual([]);
  });

  test('malicious: with n=4, t=1 one conflicting answer does not decide, two identical do, conflicts stay visible', async () => {
    const s = await setup(4, 1);
    const keyId = await keygenDone(s);
    const id = requestIdOf(
      await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
    );
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '7', p1)); // the liar
    await fulfill(s, p2, id, decryptAnswer(id, keyId, 'euint8', '42', p2));
    expect(request(s, id).status).toBe('pending');
    const r = await fulfill(s, p3, id, decryptAnswer(id, keyId, 'euint8', '42', p3));
    expect(r.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('completed');
    const late = await fulfill(s, p4, id, decryptAnswer(id, keyId, 'euint8', '42', p4));
    expect(late.events.find((e) => e.type === 'wasm-tkms_result')).toBeUndefined();
    const info = request(s, id);
    expect(info.status).toBe('completed');
    expect(info.result).toEqual(decryptAnswer(id, keyId, 'euint8', '42', p3));
    expect(info.responses.map((x) => [x.party_id, (x.response as { decrypt: { plaintexts: string[] } }).decrypt.plaintexts[0]])).toEqual([
      [1, '7'],
      [2, '42'],
      [3, '42'],
      [4, '42'],
    ]);
    for (const x of info.responses) expect(x.height).toMatch(/^\d+$/);
    // The liar's answer is recorded, flagged, named once the request is decided, and earns nothing.
    expect(info.conflict).toBe(true);
    expect(info.payees).toEqual([2, 3]);
    expect(r.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '1' });
    expect(late.events.find((e) => e.type === 'wasm-tkms_dissent')).toBeUndefined();
    expect(info.dissent).toEqual([1]);
  });

  test('behavior: requests pages in creation order with start_after and limit', async () => {
    const s = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER)));
    const all = s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.map((r) => r.request_id);
    expect(all).toEqual(ids);
    const page1 = s.chain.query<RequestsResponse>(s.asc, { requests: { limit: 3 } }).requests.map((r) => r.request_id);
    expect(page1).toEqual(ids.slice(0, 3));
    const page2 = s.chain.query<RequestsResponse>(s.asc, { requests: { start_after: page1[2], limit: 3 } }).requests;
    expect(page2.map((r) => r.request_id)).toEqual(ids.slice(3, 6));
    const page3 = s.chain.query<RequestsResponse>(s.asc, { requests: { start_after: ids[5], limit: 3 } }).requests;
    expect(page3.map((r) => r.request_id)).toEqual(ids.slice(6));
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: { start_after: ids[6] } }).requests).toEqual([]);
    expect(() => s.chain.query(s.asc, { requests: { start_after: '00'.repeat(20) } })).toThrow('unknown start_after');
  });

  test('behavior: limit defaults to 30 and is capped at 100', async () => {
    const s = await setup();
    for (let i = 0; i < 102; i++) await s.chain.execute(s.asc, { keygen: {} }, USER);
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests).toHaveLength(30);
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: { limit: 500 } }).requests).toHaveLength(100);
  });
});

const DENOM = 'ustake';
const GOV = testAddress('deployer'); // SimChain instantiates as the deployer: Config's default governance

/** The application a message names (handles are bound to it). */
const appOf = (extra: Record<string, unknown>): string => (typeof extra['app_id'] === 'string' ? extra['app_id'] : 'default');

function decryptMsg(keyId: string, extra: Record<string, unknown> = {}): unknown {
  return { decrypt: { key_id: keyId, ciphertext_handle: handleOf(keyId, DIGEST, appOf(extra)), ciphertext_digest: DIGEST, fhe_type: 'euint8', ...extra } };
}
const coins = (amount: number | string): { denom: string; amount: string }[] => [{ denom: DENOM, amount: String(amount) }];

describe('asc fees', () => {
  const FEES = { denom: DENOM, keygen: '300', decrypt: '100' };

  async function feeSetup(expiry = 3600): Promise<Setup> {
    const s = await setup(4, 1, { fees: FEES, request_expiry_seconds: expiry });
    s.chain.setBalance(USER, DENOM, 1_000_000n);
    return s;
  }

  async function paidKeygen(s: Setup): Promise<string> {
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER, coins(300)));
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    return id;
  }

  test('behavior: a request without the configured fee is refused with "fee too low"', async () => {
    const s = await feeSetup();
    await expect(s.chain.execute(s.asc, { keygen: {} }, USER)).rejects.toThrow('fee too low: keygen costs 300ustake, sent 0ustake');
    await expect(s.chain.execute(s.asc, { keygen: {} }, USER, coins(299))).rejects.toThrow('fee too low');
    await expect(s.chain.execute(s.asc, { keygen: {} }, USER, coins(301))).rejects.toThrow(
      'overpayment refused: keygen costs 300ustake, sent 301ustake; send exactly the fee',
    );
    s.chain.setBalance(USER, 'uatom', 300n);
    await expect(s.chain.execute(s.asc, { keygen: {} }, USER, [{ denom: 'uatom', amount: '300' }])).rejects.toThrow('unexpected funds in uatom');
    const keyId = await paidKeygen(s);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER, coins(99))).rejects.toThrow('fee too low: decrypt costs 100ustake, sent 99ustake');
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER, coins(100)));
    expect(request(s, id).fee).toEqual({ denom: DENOM, amount: '100' });
    // Refused requests took nothing: 300 + 100 held by the contract.
    expect(s.chain.balance(USER, DENOM)).toBe(1_000_000n - 400n);
    expect(s.chain.balance(s.asc, DENOM)).toBe(400n);
  });

  test('default: with fee 0 no funds are needed and funds are refused', async () => {
    const s = await setup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    expect(request(s, id).fee).toEqual({ denom: '', amount: '0' });
    s.chain.setBalance(USER, DENOM, 10n);
    await expect(s.chain.execute(s.asc, { keygen: {} }, USER, coins(5))).rejects.toThrow('unexpected funds');
  });

  test('behavior: the parties that formed the quorum claim equal shares, once', async () => {
    const s = await feeSetup();
    const keyId = await paidKeygen(s); // 300 split among parties 1, 2, 3
    // An odd fee, so the remainder of the split shows.
    await s.chain.execute(s.config, { update_fees: { fees: { ...FEES, decrypt: '101' } } }, GOV);
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER, coins(101)));
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    await fulfill(s, p3, id, decryptAnswer(id, keyId, 'euint8', '42', p3));
    const done = await fulfill(s, p4, id, decryptAnswer(id, keyId, 'euint8', '42', p4));
    expect(done.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.fee_share).toBe('50ustake');
    await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1)); // late: earns nothing
    expect(request(s, id).payees).toEqual([3, 4]);

    const owed = (p: Party): unknown => s.chain.query(s.asc, { claimable: { address: p.info.address } });
    expect(owed(p3)).toEqual({ address: p3.info.address, amounts: [{ denom: DENOM, amount: '151' }] }); // 100 + 51 (remainder to the first)
    expect(owed(p4)).toEqual({ address: p4.info.address, amounts: [{ denom: DENOM, amount: '50' }] });
    expect(owed(p1)).toEqual({ address: p1.info.address, amounts: [{ denom: DENOM, amount: '100' }] });

    const r = await s.chain.execute(s.asc, { claim: {} }, p3.info.address);
    expect(r.events.find((e) => e.type === 'wasm-tkms_claim')?.attributes).toMatchObject({ address: p3.info.address, amount: '151ustake' });
    expect(s.chain.balance(p3.info.address, DENOM)).toBe(151n);
    await expect(s.chain.execute(s.asc, { claim: {} }, p3.info.address)).rejects.toThrow('nothing to claim');
    await expect(s.chain.execute(s.asc, { claim: {} }, p2.info.address)).resolves.toBeDefined();
    await expect(s.chain.execute(s.asc, { claim: {} }, USER)).rejects.toThrow('nothing to claim');
    expect(s.chain.balance(p2.info.address, DENOM)).toBe(100n);
    expect(s.chain.balance(s.asc, DENOM)).toBe(401n - 251n);
  });

  test('behavior: an unfulfilled request is refunded after expiry, not before, and only once', async () => {
    const s = await feeSetup(300);
    const keyId = await paidKeygen(s);
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER, coins(100)));
    const expiresAt = Number(request(s, id).expires_at);
    // Block time + 300 s, in Unix seconds (cw-simulate's block time follows the wall clock).
    expect(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 300))).toBeLessThan(60);
    await expect(s.chain.execute(s.asc, { refund: { request_id: id } }, USER)).rejects.toThrow(`is pending until time ${expiresAt}`);
    // Many blocks are not enough: only block time counts.
    s.chain.advanceBlocks(10_000);
    await expect(s.chain.execute(s.asc, { refund: { request_id: id } }, USER)).rejects.toThrow('is pending until time');
    s.chain.advanceSeconds(400);
    const before = s.chain.balance(USER, DENOM);
    const r = await s.chain.execute(s.asc, { refund: { request_id: id } }, testAddress('anyone'));
    expect(r.events.find((e) => e.type === 'wasm-tkms_refund')?.attributes).toMatchObject({ request_id: id, to: USER, amount: '100ustake' });
    expect(r.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('expired');
    expect(s.chain.balance(USER, DENOM)).toBe(before + 100n);
    expect(request(s, id)).toMatchObject({ status: 'expired', refunded: true });
    await expect(s.chain.execute(s.asc, { refund: { request_id: id } }, USER)).rejects.toThrow('already refunded');
    const p1 = s.parties[0] as Party;
    await expect(fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1))).rejects.toThrow('has expired');
    // A completed request is never refunded.
    await expect(s.chain.execute(s.asc, { refund: { request_id: keyId } }, USER)).rejects.toThrow('is completed');
  });

  test('behavior: an agreed failure pays the parties that reported it and is not refunded', async () => {
    const s = await feeSetup();
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER, coins(300)));
    const [p1, p2] = s.parties as [Party, Party];
    await fulfill(s, p1, id, failureAnswer(id, 'boom', p1));
    await fulfill(s, p2, id, failureAnswer(id, 'boom', p2));
    expect(request(s, id)).toMatchObject({ status: 'failed', payees: [1, 2] });
    await expect(s.chain.execute(s.asc, { refund: { request_id: id } }, USER)).rejects.toThrow('is failed: its fee went to the parties');
    expect(s.chain.query(s.asc, { claimable: { address: p2.info.address } })).toEqual({ address: p2.info.address, amounts: [{ denom: DENOM, amount: '150' }] });
  });
});

describe('asc aggregation', () => {
  test('malicious: keygen needs 2t+1 agreeing digests; t+1 agreeing are not enough', async () => {
    const s = await setup(7, 2);
    const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    const evil = { ...KEYGEN, public_key_digest: '99'.repeat(32) }; // a key of the liars' own
    const ps = s.parties;
    for (const p of ps.slice(0, 2)) await fulfill(s, p, id, keygenAnswer(id, p, evil)); // t = 2 liars agree on a bad key
    const conflict = await fulfill(s, ps[2]!, id, keygenAnswer(id, ps[2]!));
    // The first honest answer after the liars differs from theirs: flagged, nobody blamed yet.
    const cev = conflict.events.find((e) => e.type === 'wasm-tkms_conflict');
    expect(cev?.attributes).toMatchObject({ request_id: id });
    expect(cev?.attributes.party_id).toBeUndefined();
    for (const p of ps.slice(3, 6)) await fulfill(s, p, id, keygenAnswer(id, p));
    // 4 honest agree: more than t+1 = 3, fewer than 2t+1 = 5.
    expect(request(s, id).status).toBe('pending');
    const r = await fulfill(s, ps[6]!, id, keygenAnswer(id, ps[6]!));
    expect(r.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('completed');
    expect(s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } }).public_key_uri).toBe(KEYGEN.public_key_uri);
    expect(request(s, id)).toMatchObject({ conflict: true, payees: [3, 4, 5, 6, 7], dissent: [1, 2] });
    expect(r.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '1,2' });
  });

  test('malicious: at n=4, t=1 one lying party delays but never decides a decrypt; the liar, not the honest party after it, is named', async () => {
    const s = await setup(4, 1);
    const keyId = await keygenDone(s);
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER));
    const [p1, p2, p3] = s.parties as [Party, Party, Party];
    const r1 = await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '7', p1));
    expect(r1.events.find((e) => e.type === 'wasm-tkms_conflict')).toBeUndefined();
    const r2 = await fulfill(s, p2, id, decryptAnswer(id, keyId, 'euint8', '42', p2));
    // The honest party answering after the liar only raises the flag; nobody is named yet.
    const cev = r2.events.find((e) => e.type === 'wasm-tkms_conflict');
    expect(cev?.attributes).toMatchObject({ request_id: id });
    expect(cev?.attributes.party_id).toBeUndefined();
    expect(r2.events.find((e) => e.type === 'wasm-tkms_dissent')).toBeUndefined();
    expect(request(s, id)).toMatchObject({ status: 'pending', conflict: true });
    expect(request(s, id).dissent).toBeUndefined();
    const r3 = await fulfill(s, p3, id, decryptAnswer(id, keyId, 'euint8', '42', p3));
    expect(request(s, id).result).toEqual(decryptAnswer(id, keyId, 'euint8', '42', p3));
    // Decided: the party whose answer differs from the result is named, the honest ones are not.
    expect(r3.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '1' });
    expect(request(s, id).dissent).toEqual([1]);
  });

  test('malicious: a liar answering after the decision is named at once', async () => {
    const s = await setup(4, 1);
    const keyId = await keygenDone(s);
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER));
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1));
    const done = await fulfill(s, p2, id, decryptAnswer(id, keyId, 'euint8', '42', p2));
    expect(done.events.find((e) => e.type === 'wasm-tkms_result')).toBeDefined();
    expect(done.events.find((e) => e.type === 'wasm-tkms_dissent')).toBeUndefined();
    const honest = await fulfill(s, p3, id, decryptAnswer(id, keyId, 'euint8', '42', p3));
    expect(honest.events.find((e) => e.type === 'wasm-tkms_dissent')).toBeUndefined();
    const liar = await fulfill(s, p4, id, decryptAnswer(id, keyId, 'euint8', '9', p4));
    expect(liar.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '4' });
    expect(request(s, id)).toMatchObject({ status: 'completed', conflict: true, dissent: [4] });
  });
});

describe('asc key lifecycle', () => {
  test('default: governance moves a key along SP 800-57; decrypt follows the state', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const key = (): KeyInfo => s.chain.query<KeyInfo>(s.asc, { key: { key_id: keyId } });
    expect(key().state).toBe('active');
    const r = await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'suspended' } }, GOV);
    expect(r.events.find((e) => e.type === 'wasm-tkms_key_state')?.attributes).toMatchObject({ key_id: keyId, from: 'active', to: 'suspended' });
    expect(key().state).toBe('suspended');
    // Suspended, deactivated and compromised keys still decrypt existing data.
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER)).resolves.toBeDefined();
    await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'deactivated' } }, GOV);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER)).resolves.toBeDefined();
    await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'compromised' } }, GOV);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER)).resolves.toBeDefined();
    await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'destroyed' } }, GOV);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER)).rejects.toThrow(`key ${keyId} is destroyed: decryption refused`);
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'active' } }, GOV)).rejects.toThrow(
      'transition destroyed → active is not allowed',
    );
  });

  test('malicious: only governance changes key states, only along allowed transitions', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'destroyed' } }, USER)).rejects.toThrow(
      'unauthorized: only governance',
    );
    const p1 = s.parties[0] as Party;
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'suspended' } }, p1.info.address)).rejects.toThrow('unauthorized');
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'destroyed' } }, GOV)).rejects.toThrow(
      'transition active → destroyed is not allowed',
    );
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'gone' } }, GOV)).rejects.toThrow('state must be one of');
    await expect(s.chain.execute(s.asc, { set_key_state: { key_id: 'ee'.repeat(20), state: 'suspended' } }, GOV)).rejects.toThrow('unknown key id');
    expect(s.chain.query<KeyInfo>(s.asc, { key: { key_id: keyId } }).state).toBe('active');
  });
});

const DOMAIN = { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: '0x' + 'AB'.repeat(20) };
/** The user decrypting (the client_address): its key signs the request. */
const ALICE_KEY = sha256(new TextEncoder().encode('tkms-test-alice'));
const ALICE = evmAddressOf(ALICE_KEY);
const MALLORY_KEY = sha256(new TextEncoder().encode('tkms-test-mallory'));
const MALLORY = evmAddressOf(MALLORY_KEY);

/**
 * A user_decrypt message for ALICE (client_address in upper-case hex), signed by
 * `key` with ethers' signTypedData (testing/userDecryptRequest.ts) over the final
 * fields, unless `extra` sets `user_signature`; allowed contracts [DAPP].
 */
function userDecryptMsg(s: Setup, keyId: string, extra: Record<string, unknown> = {}, key = ALICE_KEY): Promise<{ user_decrypt: Record<string, unknown> }> {
  return signedUserDecrypt({
    key,
    keyId,
    ciphertexts: [
      { ciphertext_handle: handleOf(keyId, DIGEST, appOf(extra)), ciphertext_digest: DIGEST, fhe_type: 'euint8' },
      { ciphertext_handle: ciphertextHandle('01'.repeat(32), 'ebool', { keyId, appId: appOf(extra) }), ciphertext_digest: '01'.repeat(32), fhe_type: 'ebool' },
    ],
    encKey: '5a'.repeat(800),
    clientAddress: '0x' + ALICE.slice(2).toUpperCase(),
    domain: DOMAIN,
    extra,
  });
}

describe('asc applications', () => {
  let iscWasm: Uint8Array;
  beforeAll(() => {
    // The ASC's own minimal ISC (contracts/asc/testing/testIsc.ts), built here: it is never deployed.
    const out = join(mkdtempSync(join(tmpdir(), 'tkms-test-isc-')), 'test-isc.wasm');
    execFileSync(
      join(CONTRACTS_DIR, '..', 'node_modules', '.bin', 'asc'),
      [join(CONTRACTS_DIR, 'asc', 'testing', 'testIsc.ts'), '--config', join(CONTRACTS_DIR, 'asconfig.json'), '--target', 'asc',
        '--outFile', out, '--textFile', out + '.wat', '--transform', join(CONTRACTS_DIR, 'lib', 'transform', 'callStart.mjs')],
      { cwd: join(CONTRACTS_DIR, '..'), stdio: 'pipe' },
    );
    iscWasm = new Uint8Array(readFileSync(out));
  }, 120_000);

  async function appSetup(): Promise<{ s: Setup; keyId: string; isc: string }> {
    const s = await setup();
    const code = s.chain.upload(iscWasm);
    const isc = await s.chain.instantiate(code, { allowed: [USER] });
    // As the fhEVM ISC: a public decryption needs a publicly decryptable handle, whoever asks.
    const fhevmIsc = await s.chain.instantiate(code, { allowed: [USER, ALICE], fhevm: true }, undefined, 'test-isc-fhevm');
    await s.chain.execute(s.config, { register_application: { app_id: 'private', isc_type: 'allowlist', isc } }, GOV);
    await s.chain.execute(s.config, { register_application: { app_id: 'chain-a', isc_type: 'fhevm', isc: fhevmIsc } }, GOV);
    return { s, keyId: await keygenDone(s), isc };
  }

  test('default: requests without app_id use the open "default" application', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const id = requestIdOf(await s.chain.execute(s.asc, decryptMsg(keyId), USER));
    expect(request(s, id).decrypt?.app_id).toBe('default');
  });

  test('behavior: a request for an unregistered application is refused', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'nope' }), USER)).rejects.toThrow('unregistered application nope');
    await s.chain.execute(s.config, { remove_application: { app_id: 'default' } }, GOV);
    await expect(s.chain.execute(s.asc, decryptMsg(keyId), USER)).rejects.toThrow('unregistered application default');
  });

  test('behavior: one validate query per request — the ASC sets purpose, requester, contracts and ciphertexts, the proof goes verbatim', async () => {
    const { s, keyId } = await appSetup();
    const cts = (app: string) => [{ handle: '0x' + handleOf(keyId, DIGEST, app), digest: '0x' + DIGEST }];
    // What the ISC receives (the test ISC echoes the body as its refusal reason).
    const echo = { echo: true, requester: 'x', purpose: 'user_decrypt', ciphertexts: [] };
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: echo }), USER)).rejects.toThrow(
      `application private refused the request: echo ${JSON.stringify({ purpose: 'public_decrypt', requester: USER, ciphertexts: cts('private'), proof: echo })}`,
    );
    // fhEVM public decryption: no requester at all.
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'chain-a', proof: echo }), USER)).rejects.toThrow(
      `application chain-a refused the request: echo ${JSON.stringify({ purpose: 'public_decrypt', ciphertexts: cts('chain-a'), proof: echo })}`,
    );
    // fhEVM user decryption: the signed client address and its signed contract list.
    const ud = await userDecryptMsg(s, keyId, { app_id: 'chain-a', proof: echo });
    const udCts = (ud.user_decrypt.ciphertexts as { ciphertext_handle: string; ciphertext_digest: string }[]).map((c) => ({
      handle: '0x' + c.ciphertext_handle, digest: '0x' + c.ciphertext_digest,
    }));
    await expect(s.chain.execute(s.asc, ud, USER)).rejects.toThrow(
      `application chain-a refused the request: echo ${JSON.stringify({ purpose: 'user_decrypt', requester: ALICE, allowed_contracts: [DAPP], ciphertexts: udCts, proof: echo })}`,
    );
    // Allow-list user decryption: the sender is the requester.
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { app_id: 'private', proof: echo }), USER)).rejects.toThrow(
      `"purpose":"user_decrypt","requester":"${USER}","allowed_contracts":["${DAPP}"]`,
    );
  });

  test('behavior: the ISC sees the proof and (allow-list) the sender; its refusal stops the request; its provenance answer is recorded', async () => {
    const { s, keyId } = await appSetup();
    const ok = await s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: true, provenance: true } }), USER);
    const ev = ok.events.find((e) => e.type === 'wasm-tkms_request');
    expect(ev?.attributes).toMatchObject({ app_id: 'private', provenance: 'isc' });
    expect(request(s, requestIdOf(ok)).decrypt?.provenance).toBe('isc');
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: false } }), USER)).rejects.toThrow(
      'application private refused the request: proof not ok',
    );
    // Allow-list: the sender is the requester, whatever the proof claims.
    const other = testAddress('other');
    await expect(
      s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: true, requester: USER } }), other),
    ).rejects.toThrow('requester not allowed');
    // fhEVM-type public decrypt: the ISC is asked whether the handle is publicly decryptable.
    // A per-user permission (USER may use the handle) does not suffice, whoever sends it,
    // and the proof cannot pick its own purpose.
    for (const sender of [other, USER]) {
      await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'chain-a', proof: { ok: true, requester: USER } }), sender)).rejects.toThrow(
        'application chain-a refused the request: handle not publicly decryptable',
      );
    }
    await expect(
      s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'chain-a', proof: { ok: true, requester: USER, purpose: 'user_decrypt' } }), other),
    ).rejects.toThrow('handle not publicly decryptable');
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'chain-a', proof: { ok: true, public: true, provenance: true } }), other)).resolves.toBeDefined();
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: 'x' }), USER)).rejects.toThrow('proof must be an object');
  });

  test('malicious: an ISC that admits the requester but does not vouch for the ciphertexts is not enough: provenance from a proof, the ISC or a trusted submitter', async () => {
    const { s, keyId } = await appSetup();
    const before = s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.length;
    // The allow-list admits USER, but says nothing of where the bytes come from (provenance false).
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: true } }), USER)).rejects.toThrow(
      'decrypt: ciphertext provenance: nothing vouches for these ciphertexts: no proof of encryption (crs_id), the ISC of application private did not attest their digests, and the sender is not a trusted submitter',
    );
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { app_id: 'private', proof: { ok: true } }), USER)).rejects.toThrow('user_decrypt: ciphertext provenance');
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.length).toBe(before);
    // Governance names USER a trusted submitter: the trust assumption is recorded on each request.
    await s.chain.execute(s.config, { update_params: { trusted_submitters: [USER] } }, GOV);
    const trusted = await s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: true } }), USER);
    expect(request(s, requestIdOf(trusted)).decrypt?.provenance).toBe('trusted_submitter');
    // Being trusted is not being allowed: the ISC still decides who may decrypt.
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { ok: true } }), testAddress('other'))).rejects.toThrow('requester not allowed');
  });

  test('malicious: a handle admitted through one application is refused through another, and under another key', async () => {
    const { s, keyId } = await appSetup();
    // The handle the fhEVM application's ISC vouched for, sent through the open default application.
    const fhevmHandle = handleOf(keyId, DIGEST, 'chain-a');
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: fhevmHandle, ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER)).rejects.toThrow(
      `decrypt: ciphertext_handle is not the handle of ciphertext_digest under key ${keyId} and application default`,
    );
    await expect(
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'private', ciphertext_handle: fhevmHandle, ciphertext_digest: DIGEST, fhe_type: 'euint8', proof: { ok: true, provenance: true } } }, USER),
    ).rejects.toThrow('under key ' + keyId + ' and application private');
    const other = await keygenDone(s);
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: other, app_id: 'chain-a', ciphertext_handle: fhevmHandle, ciphertext_digest: DIGEST, fhe_type: 'euint8', proof: { ok: true, public: true, provenance: true } } }, USER)).rejects.toThrow(
      `under key ${other} and application chain-a`,
    );
    // User decryption is bound the same way.
    const ud = await userDecryptMsg(s, keyId, { app_id: 'chain-a', proof: { ok: true, provenance: true } });
    const through = { user_decrypt: { ...ud.user_decrypt, app_id: 'default' } };
    await expect(s.chain.execute(s.asc, through, USER)).rejects.toThrow('user_decrypt: ciphertexts[0].ciphertext_handle is not the handle of ciphertext_digest under key');
    // Through its own application it is admitted.
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'chain-a', proof: { ok: true, public: true, provenance: true } }), USER)).resolves.toBeDefined();
  });

  test('behavior: the ISC checks every handle of a batch; one refused handle refuses the whole request', async () => {
    const { s, keyId } = await appSetup();
    const good = (b: string) => ({ ciphertext_handle: ciphertextHandle(b.repeat(32), 'euint8', { keyId, appId: 'chain-a' }), ciphertext_digest: b.repeat(32), fhe_type: 'euint8' });
    const proof = { ok: true, public: true, provenance: true, deny: '0x' + good('ff').ciphertext_handle };
    const before = s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.length;
    await expect(
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', proof, ciphertexts: [good('01'), good('ff'), good('02')] } }, USER),
    ).rejects.toThrow(`application chain-a refused the request: handle ${proof.deny} not allowed`);
    // The refused handle in last position is reached too: every handle goes to the ISC.
    await expect(
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', proof, ciphertexts: [good('01'), good('02'), good('ff')] } }, USER),
    ).rejects.toThrow('not allowed');
    expect(s.chain.query<RequestsResponse>(s.asc, { requests: {} }).requests.length).toBe(before);
    const ok = await s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', proof, ciphertexts: [good('01'), good('02')] } }, USER);
    expect(request(s, requestIdOf(ok)).decrypt?.ciphertexts).toHaveLength(2);
  });

  test('behavior: a request whose ISC query would pass the VM\'s 64 KiB is asked in parts along proof.handles; every part must pass', async () => {
    const { s, keyId } = await appSetup();
    // 12 ciphertexts, each proof entry 8 KB (a large host chain's eth_getProof): about 130 KB in one query.
    const digests = Array.from({ length: 12 }, (_, i) => (i + 16).toString(16).padStart(2, '0').repeat(32));
    const ciphertexts = digests.map((d) => ({ ciphertext_handle: ciphertextHandle(d, 'euint8', { keyId, appId: 'chain-a' }), ciphertext_digest: d, fhe_type: 'euint8' }));
    const handles = digests.map(() => ({ acl_proof: 'f'.repeat(8000) }));
    const ok = await s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', ciphertexts, proof: { ok: true, public: true, provenance: true, handles } } }, USER);
    expect(request(s, requestIdOf(ok)).decrypt).toMatchObject({ provenance: 'isc' });
    // A refused handle in a later part refuses the request, and the reason says which part.
    const deny = '0x' + ciphertexts[10]!.ciphertext_handle;
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', ciphertexts, proof: { ok: true, public: true, provenance: true, deny, handles } } }, USER)).rejects.toThrow(
      new RegExp(`\\(ciphertexts \\d+\\.\\.\\d+ of the request, asked in parts\\) application chain-a refused the request: handle ${deny} not allowed`),
    );
    // Without per-ciphertext entries there is nothing to split: refused with the size.
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', ciphertexts, proof: { ok: true, public: true, blob: 'f'.repeat(96_000) } } }, USER)).rejects.toThrow(
      /over the VM's 65536, and its proof has no per-ciphertext entries/,
    );
    // One entry alone over the limit cannot be split further.
    const huge = handles.slice(0, 4).map((h, i) => (i === 3 ? { acl_proof: 'f'.repeat(70_000) } : h));
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, app_id: 'chain-a', ciphertexts: ciphertexts.slice(0, 4), proof: { ok: true, public: true, handles: huge } } }, USER)).rejects.toThrow(
      /the proof of ciphertext 3 alone makes a \d+-byte ISC query/,
    );
  });

  test('malicious: user_decrypt needs the client_address\'s EIP-712 signature; a copied proof and signature with another enc_key are refused (S2)', async () => {
    const { s, keyId } = await appSetup();
    const other = testAddress('other');
    const app = { app_id: 'chain-a', proof: { ok: true, provenance: true } };
    // Valid: Alice signed; whoever sends it, the ISC is asked about Alice.
    const alice = await userDecryptMsg(s, keyId, app);
    const ok = await s.chain.execute(s.asc, alice, other);
    expect(request(s, requestIdOf(ok)).user_decrypt).toMatchObject({ client_address: ALICE, enc_key: '5a'.repeat(800), allowed_contracts: [DAPP] });
    // Mallory reuses Alice's proof and signature with his own ML-KEM key.
    const stolen = { user_decrypt: { ...alice.user_decrypt, enc_key: '77'.repeat(800) } };
    await expect(s.chain.execute(s.asc, stolen, other)).rejects.toThrow(new RegExp(`^.*user_decrypt: bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address ${ALICE}`));
    // … or names himself as the client with Alice's signature.
    const renamed = { user_decrypt: { ...alice.user_decrypt, client_address: MALLORY, enc_key: '77'.repeat(800) } };
    await expect(s.chain.execute(s.asc, renamed, other)).rejects.toThrow(`not by client_address ${MALLORY}`);
    // … or adds a contract of his to her list.
    const widened = { user_decrypt: { ...alice.user_decrypt, allowed_contracts: [DAPP, '0x' + 'ee'.repeat(20)] } };
    await expect(s.chain.execute(s.asc, widened, other)).rejects.toThrow(`not by client_address ${ALICE}`);
    // … or signs for Alice with his own key.
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ...app, enc_key: '77'.repeat(800) }, MALLORY_KEY), other)).rejects.toThrow(
      `user_decrypt: bad user_signature: signed by ${MALLORY}, not by client_address ${ALICE}`,
    );
    // Mallory as a properly signed client of his own: the ISC is asked about him, not about the proof's requester.
    await expect(
      s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { app_id: 'chain-a', proof: { ok: true, requester: ALICE }, client_address: MALLORY }, MALLORY_KEY), other),
    ).rejects.toThrow('application chain-a refused the request: requester not allowed');
    // Missing or malformed.
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ...app, user_signature: undefined }), other)).rejects.toThrow('user_decrypt: user_signature is missing');
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ...app, user_signature: '0x1234' }), other)).rejects.toThrow(
      'user_decrypt: user_signature must be 0x + 65 bytes',
    );
  });

  test('malicious: user_decrypt refuses a handle that is not its digest\'s, or of another type (S1)', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const swapped = [{ ciphertext_handle: handleOf(keyId), ciphertext_digest: 'ee'.repeat(32), fhe_type: 'euint8' }];
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ciphertexts: swapped }), USER)).rejects.toThrow(
      'user_decrypt: ciphertexts[0].ciphertext_handle is not the handle of ciphertext_digest',
    );
    const retyped = [{ ciphertext_handle: handleOf(keyId), ciphertext_digest: DIGEST, fhe_type: 'euint64' }];
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ciphertexts: retyped }), USER)).rejects.toThrow(
      'user_decrypt: ciphertexts[0].ciphertext_handle carries type code 2, not fhe_type euint64 (5)',
    );
  });
});

describe('asc other request kinds (messages and events; the cores answer them later)', () => {
  test('default: crs_gen records max_num_bits and charges the crs_gen fee', async () => {
    const s = await setup(4, 1, { fees: { denom: DENOM, crs_gen: '7' } });
    s.chain.setBalance(USER, DENOM, 100n);
    await expect(s.chain.execute(s.asc, { crs_gen: { max_num_bits: 2048 } }, USER)).rejects.toThrow('fee too low: crs_gen costs 7ustake');
    const r = await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 2048 } }, USER, coins(7));
    const id = requestIdOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind: 'crs_gen', max_num_bits: '2048', fee: '7ustake' });
    expect(request(s, id)).toMatchObject({ kind: 'crs_gen', status: 'pending', crs_gen: { max_num_bits: 2048 } });
    await expect(s.chain.execute(s.asc, { crs_gen: { max_num_bits: 0 } }, USER, coins(7))).rejects.toThrow('max_num_bits must be an integer');
    // Only a failure answer fits until the cores produce CRS results.
    const p1 = s.parties[0] as Party;
    await expect(fulfill(s, p1, id, keygenAnswer(id, p1))).rejects.toThrow('does not match request kind crs_gen');
  });

  test('default: user_decrypt records the ciphertexts, ML-KEM key, client, EIP-712 domain and the signed authorization', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const msg = await userDecryptMsg(s, keyId);
    const r = await s.chain.execute(s.asc, msg, USER);
    const id = requestIdOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({
      kind: 'user_decrypt',
      key_id: keyId,
      ciphertexts: '2',
      client_address: ALICE,
      allowed_contracts: '1',
      start_timestamp: msg.user_decrypt.start_timestamp,
      duration_seconds: '3600',
      app_id: 'default',
    });
    const info = request(s, id) as RequestInfo & { user_decrypt: Record<string, unknown> };
    expect(info.user_decrypt).toEqual({
      key_id: keyId,
      ciphertexts: msg.user_decrypt.ciphertexts,
      enc_key: '5a'.repeat(800),
      client_address: ALICE,
      eip712_domain: { ...DOMAIN, verifying_contract: DOMAIN.verifying_contract.toLowerCase() },
      allowed_contracts: [DAPP],
      start_timestamp: msg.user_decrypt.start_timestamp,
      duration_seconds: '3600',
      extra_data: '0x',
      app_id: 'default',
      provenance: 'open',
    });
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { enc_key: 'ab' }), USER)).rejects.toThrow('enc_key must be an ML-KEM-512');
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { client_address: 'wasm1' }), USER)).rejects.toThrow('client_address');
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { ciphertexts: [] }), USER)).rejects.toThrow('ciphertexts must be an array');
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId, { app_id: 'nope' }), USER)).rejects.toThrow('unregistered application nope');
    await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'deactivated' } }, GOV);
    await s.chain.execute(s.asc, { set_key_state: { key_id: keyId, state: 'destroyed' } }, GOV);
    await expect(s.chain.execute(s.asc, await userDecryptMsg(s, keyId), USER)).rejects.toThrow('is destroyed');
  });
});

describe('asc with the allow-list ISC (contracts/isc-allowlist)', () => {
  test('default: an allow-listed sender decrypts, anyone else is refused with the ISC reason', async () => {
    ensureBuilt(); // contracts/build.sh builds the ISCs along with the ASC
    const s = await setup();
    const isc = await s.chain.instantiate(s.chain.upload(readWasm('isc-allowlist')), {
      admin: GOV,
      allowed: [USER],
    });
    await s.chain.execute(s.config, { register_application: { app_id: 'private', isc_type: 'allowlist', isc } }, GOV);
    const keyId = await keygenDone(s);
    // The allow-list says who may ask, not where the bytes come from: without a proof, USER must be a trusted submitter.
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private' }), USER)).rejects.toThrow('ciphertext provenance');
    await s.chain.execute(s.config, { update_params: { trusted_submitters: [USER] } }, GOV);
    const ok = await s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private' }), USER);
    expect(request(s, requestIdOf(ok)).decrypt).toMatchObject({ app_id: 'private', provenance: 'trusted_submitter' });
    const other = testAddress('other');
    await expect(s.chain.execute(s.asc, decryptMsg(keyId, { app_id: 'private', proof: { requester: USER } }), other)).rejects.toThrow(
      /application private refused the request: .*not on the allow-list/,
    );
  });
});
