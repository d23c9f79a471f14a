/**
 * ASC contract on cw-simulate: requests, fulfillments, quorum and queries
 * (chain/asc/messages.ts is the protocol under test).
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { signResponse, type SignedResponse } from '../../common/signing.js';
import type { PartyInfo } from '../../chain/config/messages.js';
import type { FulfillResponse, KeyInfo, KeysResponse, RequestInfo, RequestsResponse } from '../../chain/asc/messages.js';
import { readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';

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

async function setup(n = 4, threshold = 1): Promise<Setup> {
  const chain = new SimChain();
  const parties = makeParties(n);
  const config = await chain.instantiate(chain.upload(readWasm('config')), { parties: parties.map((p) => p.info), threshold });
  const asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  return { chain, asc, config, parties };
}

const USER = testAddress('user');
const HANDLE = 'ab'.repeat(32);
const DIGEST = 'cd'.repeat(32);

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
  const signed: SignedResponse = { kind: 'decrypt', requestId, keyId, ciphertextDigest: DIGEST, fheType, plaintext };
  return { decrypt: { plaintext, signature: signResponse(signed, party.key) } };
}

function failureAnswer(requestId: string, reason: string, party: Party): FulfillResponse {
  return { failure: { reason, signature: signResponse({ kind: 'failure', requestId, reason }, party.key) } };
}

async function fulfill(s: Setup, party: Party, requestId: string, response: FulfillResponse): Promise<SimExecuteResult> {
  return s.chain.execute(s.asc, { fulfill: { request_id: requestId, response } }, party.info.address);
}

async function keygenDone(s: Setup): Promise<string> {
  const id = requestIdOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
  for (const p of s.parties.slice(0, 2)) await fulfill(s, p, id, keygenAnswer(id, p));
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

    const r2 = await fulfill(s, p2, id, keygenAnswer(id, p2));
    expect(r2.events.find((e) => e.type === 'wasm-tkms_result')?.attributes).toMatchObject({
      request_id: id,
      kind: 'keygen',
      status: 'completed',
    });
    const info = request(s, id);
    expect(info.status).toBe('completed');
    expect(info.responses.map((x) => x.party_id)).toEqual([1, 2]);
    expect(info.result).toEqual(keygenAnswer(id, p2));
    const key = s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } });
    expect(key).toEqual({ key_id: id, ...KEYGEN });
    expect(s.chain.query<KeysResponse>(s.asc, { keys: {} }).keys).toEqual([key]);
    expect(s.chain.query<{ config: string }>(s.asc, { config: {} })).toEqual({ config: s.config });
  });

  test('default: decrypt on a known key completes with the agreed plaintext', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const r = await s.chain.execute(
      s.asc,
      { decrypt: { key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' } },
      USER,
    );
    const id = requestIdOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({
      request_id: id,
      kind: 'decrypt',
      key_id: keyId,
      ciphertext_handle: HANDLE,
      ciphertext_digest: DIGEST,
      fhe_type: 'euint8',
    });
    const [p1, p2] = s.parties as [Party, Party];
    await fulfill(s, p1, id, decryptAnswer(id, keyId, 'euint8', '42', p1));
    const r2 = await fulfill(s, p2, id, decryptAnswer(id, keyId, 'euint8', '42', p2));
    expect(r2.events.find((e) => e.type === 'wasm-tkms_result')?.attributes.status).toBe('completed');
    const info = request(s, id);
    expect(info.decrypt).toEqual({ key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' });
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
      s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
    ).rejects.toThrow(`unknown key id ${keyId}`);
  });

  test('behavior: decrypt with a bad fhe_type or malformed hex is rejected', async () => {
    const s = await setup();
    const keyId = await keygenDone(s);
    const base = { key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' };
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, fhe_type: 'euint7' } }, USER)).rejects.toThrow('unknown fhe_type euint7');
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, ciphertext_handle: 'AB'.repeat(32) } }, USER)).rejects.toThrow(
      'ciphertext_handle must be 64 lower-case hex',
    );
    await expect(s.chain.execute(s.asc, { decrypt: { ...base, ciphertext_digest: 'cd' } }, USER)).rejects.toThrow(
      'ciphertext_digest must be 64 lower-case hex',
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
      await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
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
      await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER),
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
    expect(info.responses.map((x) => [x.party_id, (x.response as { decrypt: { plaintext: string } }).decrypt.plaintext])).toEqual([
      [1, '7'],
      [2, '42'],
      [3, '42'],
      [4, '42'],
    ]);
    for (const x of info.responses) expect(x.height).toMatch(/^\d+$/);
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
