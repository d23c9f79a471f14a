/**
 * ASC `keygen_preproc` and `keygen {preproc_id}` (issue 3): the preprocessing
 * completes on 2t+1 signatures over its request id; a keygen may name only a
 * completed preprocessing no other keygen used, made for the parameter set the
 * keygen asks for, and the key records it.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { responseDigest, signResponse, type SignedResponse } from '../../common/signing.js';
import type { PartyInfo } from '../../chain/config/messages.js';
import type { FulfillResponse, KeyInfo, RequestInfo } from '../../chain/asc/messages.js';
import { readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';

interface Party {
  info: PartyInfo;
  key: Uint8Array;
}

interface Setup {
  chain: SimChain;
  asc: string;
  config: string;
  parties: Party[];
}

const GOV = testAddress('pp-gov');
const USER = testAddress('pp-user');

async function setup(fees?: Record<string, string>, devMode = false, insecureDealerKeys?: unknown): Promise<Setup> {
  const chain = new SimChain();
  const parties = Array.from({ length: 4 }, (_, i) => {
    const key = sha256(new TextEncoder().encode(`tkms-pp-party-${i + 1}`));
    return { key, info: { id: i + 1, address: testAddress(`pp-party-${i + 1}`), signer_pubkey: bytesToHex(secp256k1.getPublicKey(key, true)) } };
  });
  const config = await chain.instantiate(chain.upload(readWasm('config')), { parties: parties.map((p) => p.info), threshold: 1, governance: GOV, operators: [USER], ...(fees ? { fees } : {}), ...(devMode ? { dev_mode: true } : {}), ...(insecureDealerKeys !== undefined ? { insecure_dealer_keys: insecureDealerKeys } : {}) });
  const asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  return { chain, asc, config, parties };
}

function idOf(r: SimExecuteResult): string {
  const ev = r.events.find((e) => e.type === 'wasm-tkms_request');
  if (!ev) throw new Error('no tkms_request event');
  return ev.attributes.request_id as string;
}

const resultEvent = (r: SimExecuteResult) => r.events.find((e) => e.type === 'wasm-tkms_result');
const request = (s: Setup, id: string) => s.chain.query<RequestInfo>(s.asc, { request: { request_id: id } });
const fulfill = (s: Setup, p: Party, id: string, response: FulfillResponse) => s.chain.execute(s.asc, { fulfill: { request_id: id, response } }, p.info.address);

function preprocAnswer(requestId: string, p: Party, signedId = requestId): FulfillResponse {
  return { keygen_preproc: { signature: signResponse({ kind: 'keygen_preproc', requestId: signedId }, p.key) } };
}

const KEY = { public_key_digest: '11'.repeat(32), public_key_uri: 'file:///pk', server_key_digest: '22'.repeat(32), server_key_uri: 'file:///sk' };
function keygenAnswer(requestId: string, p: Party): FulfillResponse {
  const signed: SignedResponse = { kind: 'keygen', requestId, publicKeyDigest: KEY.public_key_digest, publicKeyUri: KEY.public_key_uri, serverKeyDigest: KEY.server_key_digest, serverKeyUri: KEY.server_key_uri };
  return { keygen: { ...KEY, signature: signResponse(signed, p.key) } };
}

/** A keygen_preproc (for `fhe_parameters`, when given) that 2t+1 = 3 parties answered. */
async function completedPreproc(s: Setup, fhe_parameters?: string): Promise<string> {
  const id = idOf(await s.chain.execute(s.asc, { keygen_preproc: fhe_parameters ? { fhe_parameters } : {} }, USER));
  for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, preprocAnswer(id, p));
  return id;
}

describe('asc keygen_preproc', () => {
  test('default: completes on 2t+1 signatures over the request id, not on t+1', async () => {
    const s = await setup();
    const r = await s.chain.execute(s.asc, { keygen_preproc: {} }, USER);
    const id = idOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind: 'keygen_preproc', sender: USER });
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    const r1 = await fulfill(s, p1, id, preprocAnswer(id, p1));
    expect(r1.events.find((e) => e.type === 'wasm-tkms_response')?.attributes).toMatchObject({ request_id: id, party_id: '1', outcome: 'keygen_preproc' });
    expect(resultEvent(await fulfill(s, p2, id, preprocAnswer(id, p2)))).toBeUndefined();
    expect(request(s, id).status).toBe('pending');
    expect(resultEvent(await fulfill(s, p3, id, preprocAnswer(id, p3)))?.attributes).toMatchObject({ request_id: id, kind: 'keygen_preproc', status: 'completed' });
    const done = request(s, id);
    expect(done.status).toBe('completed');
    expect(done.result).toHaveProperty('keygen_preproc.signature');
    expect(done.payees).toEqual([1, 2, 3]);
    // A fourth answer is still recorded, and agrees (no conflict).
    await fulfill(s, p4, id, preprocAnswer(id, p4));
    expect(request(s, id).responses).toHaveLength(4);
    expect(request(s, id).conflict).toBeUndefined();
  });

  test('behavior: the answer digest is SHA-256(lp(domain) ‖ lp("keygen_preproc") ‖ lp(request_id)); a signature over another id is refused', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { keygen_preproc: {} }, USER));
    const lp = (x: string) => {
      const b = new TextEncoder().encode(x);
      const out = new Uint8Array(4 + b.length);
      new DataView(out.buffer).setUint32(0, b.length);
      out.set(b, 4);
      return out;
    };
    const expected = sha256(new Uint8Array([...lp('TKMS-RESPONSE-V1'), ...lp('keygen_preproc'), ...lp(id)]));
    expect(bytesToHex(responseDigest({ kind: 'keygen_preproc', requestId: id }))).toBe(bytesToHex(expected));
    const p1 = s.parties[0]!;
    await expect(fulfill(s, p1, id, preprocAnswer(id, p1, 'ff'.repeat(20)))).rejects.toThrow('invalid signature from party 1');
    await expect(fulfill(s, p1, id, { keygen: { ...KEY, signature: '00'.repeat(64) } } as FulfillResponse)).rejects.toThrow('response kind keygen does not match request kind keygen_preproc');
    await fulfill(s, p1, id, preprocAnswer(id, p1));
  });

  test('behavior: the keygen_preproc fee comes from Config fees', async () => {
    const s = await setup({ denom: 'ustake', keygen_preproc: '7' });
    await expect(s.chain.execute(s.asc, { keygen_preproc: {} }, USER)).rejects.toThrow('fee too low: keygen_preproc costs 7ustake, sent 0ustake');
    expect(s.chain.query<Record<string, string>>(s.config, { fees: {} })).toMatchObject({ keygen_preproc: '7', keygen: '0' });
  });
});

describe('asc keygen_preproc {fhe_parameters}', () => {
  test('default: a dev network takes a test-insecure preprocessing and stores the set with the request', async () => {
    const dev = await setup(undefined, true);
    const r = await dev.chain.execute(dev.asc, { keygen_preproc: { fhe_parameters: 'test-insecure' } }, USER);
    const id = idOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind: 'keygen_preproc', fhe_parameters: 'test-insecure' });
    expect(request(dev, id).keygen_preproc).toEqual({ fhe_parameters: 'test-insecure' });
    // Without a set nothing is stored: read as default, as requests made before the set existed.
    const plain = idOf(await dev.chain.execute(dev.asc, { keygen_preproc: {} }, USER));
    expect(request(dev, plain).keygen_preproc).toBeUndefined();
  });

  test('behavior: a keygen naming a preprocessing made for another set is refused and consumes nothing', async () => {
    const dev = await setup(undefined, true);
    const insecure = await completedPreproc(dev, 'test-insecure');
    await expect(dev.chain.execute(dev.asc, { keygen: { preproc_id: insecure } }, USER)).rejects.toThrow(
      `keygen: preprocessing ${insecure} was made for parameter set test-insecure, the keygen asks for default`,
    );
    await expect(dev.chain.execute(dev.asc, { keygen: { preproc_id: insecure, fhe_parameters: 'fhevm' } }, USER)).rejects.toThrow(
      `keygen: preprocessing ${insecure} was made for parameter set test-insecure, the keygen asks for fhevm`,
    );
    // A preprocessing that named no set is for default.
    const plain = await completedPreproc(dev);
    await expect(dev.chain.execute(dev.asc, { keygen: { preproc_id: plain, fhe_parameters: 'fhevm' } }, USER)).rejects.toThrow(
      `keygen: preprocessing ${plain} was made for parameter set default, the keygen asks for fhevm`,
    );
    expect(request(dev, insecure).used_by).toBeUndefined();
    expect(request(dev, plain).used_by).toBeUndefined();
  });

  test('behavior: a keygen asking for the set its preprocessing was made for is accepted, and the key records both', async () => {
    const dev = await setup(undefined, true);
    const preprocId = await completedPreproc(dev, 'test-insecure');
    const id = idOf(await dev.chain.execute(dev.asc, { keygen: { preproc_id: preprocId, fhe_parameters: 'test-insecure' } }, USER));
    expect(request(dev, id).keygen).toEqual({ preproc_id: preprocId, fhe_parameters: 'test-insecure' });
    expect(request(dev, preprocId).used_by).toBe(id);
    for (const p of dev.parties.slice(0, 3)) await fulfill(dev, p, id, keygenAnswer(id, p));
    expect(dev.chain.query<KeyInfo>(dev.asc, { key: { key_id: id } })).toMatchObject({ preproc_id: preprocId, fhe_parameters: 'test-insecure' });
    // `default` named explicitly matches a preprocessing that named none.
    const plain = await completedPreproc(dev);
    const other = idOf(await dev.chain.execute(dev.asc, { keygen: { preproc_id: plain, fhe_parameters: 'default' } }, USER));
    expect(request(dev, plain).used_by).toBe(other);
  });

  test('behavior: the INSECURE set is refused outside dev mode, with keygen\'s reason', async () => {
    const prod = await setup();
    await expect(prod.chain.execute(prod.asc, { keygen_preproc: { fhe_parameters: 'test-insecure' } }, USER)).rejects.toThrow(
      "keygen_preproc: fhe_parameters test-insecure is INSECURE (toy dimensions, for tests only) and is refused: this network's Config is not in dev mode",
    );
    expect(prod.chain.query<{ requests: unknown[] }>(prod.asc, { requests: {} }).requests).toEqual([]);
    const ok = idOf(await prod.chain.execute(prod.asc, { keygen_preproc: { fhe_parameters: 'fhevm' } }, USER));
    expect(request(prod, ok).keygen_preproc).toEqual({ fhe_parameters: 'fhevm' });
  });

  test('behavior: unknown sets and names that are not strings are refused', async () => {
    const dev = await setup(undefined, true);
    for (const fhe_parameters of ['tiny', 'DEFAULT', '', 7, { a: 1 }]) {
      await expect(dev.chain.execute(dev.asc, { keygen_preproc: { fhe_parameters } }, USER)).rejects.toThrow('keygen_preproc: fhe_parameters must be one of default, fhevm, test-insecure');
    }
  });
});

describe('asc keygen {preproc_id}', () => {
  test('default: a keygen names a completed preprocessing; the request, the preprocessing and the key record the link', async () => {
    const s = await setup();
    const preprocId = await completedPreproc(s);
    const r = await s.chain.execute(s.asc, { keygen: { preproc_id: preprocId } }, USER);
    const id = idOf(r);
    expect(r.events.find((e) => e.type === 'wasm-tkms_request')?.attributes).toMatchObject({ kind: 'keygen', preproc_id: preprocId });
    expect(request(s, id).keygen).toEqual({ preproc_id: preprocId });
    expect(request(s, preprocId).used_by).toBe(id);
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    const key = s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } });
    expect(key).toMatchObject({ key_id: id, preproc_id: preprocId, state: 'active' });
  });

  test('behavior: a keygen without preproc_id still works and its key names none', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    expect(request(s, id).keygen).toBeUndefined();
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    expect(s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } }).preproc_id).toBeUndefined();
  });

  test('behavior: fhe_parameters travels to the cores and onto the key; unknown sets are refused', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { keygen: { fhe_parameters: 'fhevm' } }, USER));
    expect(request(s, id).keygen).toEqual({ fhe_parameters: 'fhevm' });
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    expect(s.chain.query<KeyInfo>(s.asc, { key: { key_id: id } }).fhe_parameters).toBe('fhevm');
    const plain = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, plain, keygenAnswer(plain, p));
    expect(s.chain.query<KeyInfo>(s.asc, { key: { key_id: plain } }).fhe_parameters).toBe('default');
    await expect(s.chain.execute(s.asc, { keygen: { fhe_parameters: 'tiny' } }, USER)).rejects.toThrow('keygen: fhe_parameters must be one of default, fhevm, test-insecure');
    await expect(s.chain.execute(s.asc, { keygen: { fhe_parameters: 7 } }, USER)).rejects.toThrow('keygen: fhe_parameters must be one of default, fhevm, test-insecure');
  });

  test('behavior: the INSECURE test-insecure set is refused unless Config is in dev mode, and then travels like any other', async () => {
    const prod = await setup();
    await expect(prod.chain.execute(prod.asc, { keygen: { fhe_parameters: 'test-insecure' } }, USER)).rejects.toThrow(
      "keygen: fhe_parameters test-insecure is INSECURE (toy dimensions, for tests only) and is refused: this network's Config is not in dev mode",
    );
    const preproc = await completedPreproc(prod);
    await expect(prod.chain.execute(prod.asc, { keygen: { preproc_id: preproc, fhe_parameters: 'test-insecure' } }, USER)).rejects.toThrow('is INSECURE');
    // The refusal consumed nothing: the preprocessing is still free for a real key.
    expect(request(prod, preproc).used_by).toBeUndefined();
    const dev = await setup(undefined, true);
    const id = idOf(await dev.chain.execute(dev.asc, { keygen: { fhe_parameters: 'test-insecure' } }, USER));
    expect(request(dev, id).keygen).toEqual({ fhe_parameters: 'test-insecure' });
    for (const p of dev.parties.slice(0, 3)) await fulfill(dev, p, id, keygenAnswer(id, p));
    expect(dev.chain.query<KeyInfo>(dev.asc, { key: { key_id: id } }).fhe_parameters).toBe('test-insecure');
  });

  test('behavior: unknown, pending, failed, expired, already used, wrong kind and malformed preproc ids are refused with the reason', async () => {
    const s = await setup();
    const unknown = 'ab'.repeat(20);
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: unknown } }, USER)).rejects.toThrow(`keygen: preproc_id ${unknown} is unknown`);
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: 'xyz' } }, USER)).rejects.toThrow('keygen: preproc_id must be a keygen_preproc request id (40 lower-case hex chars)');

    // Pending: only t+1 = 2 of the 2t+1 = 3 signatures.
    const pending = idOf(await s.chain.execute(s.asc, { keygen_preproc: {} }, USER));
    for (const p of s.parties.slice(0, 2)) await fulfill(s, p, pending, preprocAnswer(pending, p));
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: pending } }, USER)).rejects.toThrow(`keygen: preproc_id ${pending} is still pending`);

    // Failed: t+1 parties agree on a failure.
    const failed = idOf(await s.chain.execute(s.asc, { keygen_preproc: {} }, USER));
    for (const p of s.parties.slice(0, 2)) {
      const reason = 'PREPROC_FAILED: prss setup timed out';
      await fulfill(s, p, failed, { failure: { reason, signature: signResponse({ kind: 'failure', requestId: failed, reason }, p.key) } });
    }
    expect(request(s, failed).status).toBe('failed');
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: failed } }, USER)).rejects.toThrow(`keygen: preproc_id ${failed} is failed: PREPROC_FAILED: prss setup timed out; it cannot be used`);

    // Already used: the first keygen takes it at request time, even before its key exists.
    const used = await completedPreproc(s);
    const first = idOf(await s.chain.execute(s.asc, { keygen: { preproc_id: used } }, USER));
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: used } }, USER)).rejects.toThrow(`keygen: preproc_id ${used} is already used by keygen ${first}`);

    // A request of another kind.
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: first } }, USER)).rejects.toThrow(`keygen: preproc_id ${first} is a keygen request, not keygen_preproc`);
    // A refused keygen left nothing behind: the pending preprocessing is still free once it completes.
    await fulfill(s, s.parties[2]!, pending, preprocAnswer(pending, s.parties[2]!));
    const ok = idOf(await s.chain.execute(s.asc, { keygen: { preproc_id: pending } }, USER));
    expect(request(s, pending).used_by).toBe(ok);

    // Expired: never completed, refunded after its expiry (default 3600 s of block time).
    // Last: past the expiry the other pending requests take no more answers either.
    const expired = idOf(await s.chain.execute(s.asc, { keygen_preproc: {} }, USER));
    s.chain.advanceSeconds(3700);
    await s.chain.execute(s.asc, { refund: { request_id: expired } }, USER);
    await expect(s.chain.execute(s.asc, { keygen: { preproc_id: expired } }, USER)).rejects.toThrow(`keygen: preproc_id ${expired} is expired; it cannot be used`);
  });
});

describe('Config insecure_dealer_keys: only a network instantiated with it lets cores deal keys', () => {
  const keyOf = (s: Setup, id: string) => s.chain.query<Record<string, unknown>>(s.asc, { key: { key_id: id } });

  test('default: a production network (flag absent) says false, its keygen requests and keys carry nothing, and no proposal can turn it on', async () => {
    const s = await setup();
    expect(s.chain.query<Record<string, unknown>>(s.config, { params: {} }).insecure_dealer_keys).toBe(false);
    const id = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    expect(request(s, id).keygen).toBeUndefined();
    // A requester cannot ask for it either: the ASC stores what the Config says, nothing else.
    const asked = idOf(await s.chain.execute(s.asc, { keygen: { fhe_parameters: 'fhevm', insecure_dealer_keys: true } as never }, USER));
    expect(request(s, asked).keygen).toEqual({ fhe_parameters: 'fhevm' });
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    expect(keyOf(s, id)).not.toHaveProperty('insecure_dealer_keys');
    await expect(s.chain.execute(s.config, { update_params: { insecure_dealer_keys: true } }, GOV)).rejects.toThrow('update_params: insecure_dealer_keys is fixed at instantiation and cannot be changed');
  });

  test('behavior: an INSECURE test network says so in its params, in each keygen request the connectors read, and on each key', async () => {
    const s = await setup(undefined, false, true);
    expect(s.chain.query<Record<string, unknown>>(s.config, { params: {} }).insecure_dealer_keys).toBe(true);
    const id = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    expect(request(s, id).keygen).toEqual({ insecure_dealer_keys: true });
    for (const p of s.parties.slice(0, 3)) await fulfill(s, p, id, keygenAnswer(id, p));
    expect(keyOf(s, id)).toMatchObject({ key_id: id, insecure_dealer_keys: true, state: 'active' });
    await expect(setup(undefined, false, 'yes')).rejects.toThrow('insecure_dealer_keys must be a boolean');
  });
});
