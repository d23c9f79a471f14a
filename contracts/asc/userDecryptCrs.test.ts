/**
 * ASC `user_decrypt` and `crs_gen` answers (issue 5): quorum rules, double
 * answers, non-parties, bad signatures, conflicting CRS digests, the CRS
 * registry, and the gas of a user_decrypt fulfillment on the embedded chain.
 */
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { signResponse, type SignedResponse } from '../../common/signing.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { signedUserDecrypt } from './testing/userDecryptRequest.js';
import { generateRecipientKeys, signcrypt } from '../../common/signcryption.js';
import type { PartyInfo } from '../../chain/config/messages.js';
import type { CrsInfo, CrsListResponse, FulfillResponse, RequestInfo, UserDecryptAnswersResponse } from '../../chain/asc/messages.js';
import { EmbeddedChain } from '../../chain/embedded/embeddedChain.js';
import { InProcessChainClient } from '../../chain/embedded/inProcessClient.js';
import { deployContracts } from '../../chain/deploy.js';
import { accountFromMnemonic, generateMnemonic } from '../../chain/wallet.js';
import { repoRoot } from '../../common/paths.js';
import { ensureBuilt, readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';

interface Party {
  info: PartyInfo;
  key: Uint8Array;
}

function makeParties(n: number): Party[] {
  return Array.from({ length: n }, (_, i) => {
    const key = sha256(new TextEncoder().encode(`tkms-ud-party-${i + 1}`));
    return { key, info: { id: i + 1, address: testAddress(`ud-party-${i + 1}`), signer_pubkey: bytesToHex(secp256k1.getPublicKey(key, true)) } };
  });
}

interface Setup {
  chain: SimChain;
  asc: string;
  parties: Party[];
}

async function setup(n = 4, threshold = 1): Promise<Setup> {
  const chain = new SimChain();
  const parties = makeParties(n);
  // dev_mode: user decryptions go through the open "default" application; USER may start crs_gen.
  const config = await chain.instantiate(chain.upload(readWasm('config')), { parties: parties.map((p) => p.info), threshold, dev_mode: true, operators: [USER] });
  const asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  return { chain, asc, parties };
}

const USER = testAddress('ud-user');
/** Two ciphertexts under `keyId` and the default application (handles bind both). */
const cts = (keyId: string) => [
  { ciphertext_handle: ciphertextHandle('cd'.repeat(32), 'euint8', { keyId, appId: 'default' }), ciphertext_digest: 'cd'.repeat(32), fhe_type: 'euint8' as const },
  { ciphertext_handle: ciphertextHandle('01'.repeat(32), 'ebool', { keyId, appId: 'default' }), ciphertext_digest: '01'.repeat(32), fhe_type: 'ebool' as const },
];
const RECIPIENT = generateRecipientKeys(new Uint8Array(64).fill(7));
const ENC_KEY = bytesToHex(RECIPIENT.publicKey);
const DOMAIN = { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: '0x' + 'ab'.repeat(20) };
const EIP712_SIG = '0x' + '1b'.repeat(65);

function idOf(r: SimExecuteResult): string {
  const ev = r.events.find((e) => e.type === 'wasm-tkms_request');
  if (!ev) throw new Error('no tkms_request event');
  return ev.attributes.request_id as string;
}

async function fulfill(s: Setup, party: Party, requestId: string, response: FulfillResponse): Promise<SimExecuteResult> {
  return s.chain.execute(s.asc, { fulfill: { request_id: requestId, response } }, party.info.address);
}

function request(s: Setup, id: string): RequestInfo {
  return s.chain.query<RequestInfo>(s.asc, { request: { request_id: id } });
}

async function keyOf(s: Setup): Promise<string> {
  const id = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
  const content = { public_key_digest: '11'.repeat(32), public_key_uri: 'file:///pk', server_key_digest: '22'.repeat(32), server_key_uri: 'file:///sk' };
  for (const p of s.parties.slice(0, 3)) {
    const signed: SignedResponse = { kind: 'keygen', requestId: id, publicKeyDigest: content.public_key_digest, publicKeyUri: content.public_key_uri, serverKeyDigest: content.server_key_digest, serverKeyUri: content.server_key_uri };
    await fulfill(s, p, id, { keygen: { ...content, signature: signResponse(signed, p.key) } });
  }
  return id;
}

const hexSha256 = (hex: string): string => bytesToHex(sha256(hexToBytes(hex)));

/** A party's user_decrypt answer: a real signcryption of `bytes` payload bytes. */
function userDecryptAnswer(requestId: string, keyId: string, party: Party, payloadBytes = 200, signWith = party.key): FulfillResponse {
  const blob = bytesToHex(signcrypt(new Uint8Array(payloadBytes).fill(party.info.id), { recipientPublicKey: RECIPIENT.publicKey, signerSecretKey: party.key, context: new TextEncoder().encode(requestId) }));
  const signed: SignedResponse = {
    kind: 'user_decrypt',
    requestId,
    keyId,
    ciphertexts: cts(keyId).map((c) => ({ ciphertextDigest: c.ciphertext_digest, fheType: c.fhe_type })),
    userKeyDigest: hexSha256(ENC_KEY),
    signcryptionDigest: hexSha256(blob),
    eip712Signature: EIP712_SIG,
  };
  return { user_decrypt: { signcryption: blob, eip712_signature: EIP712_SIG, signature: signResponse(signed, signWith) } };
}

const CLIENT_KEY = sha256(new TextEncoder().encode('tkms-ud-client'));

/** A user_decrypt request signed by CLIENT (EIP-712, ethers). */
function userDecryptMsg(keyId: string): Promise<unknown> {
  return signedUserDecrypt({ key: CLIENT_KEY, keyId, ciphertexts: cts(keyId), encKey: ENC_KEY, domain: DOMAIN });
}

function crsAnswer(requestId: string, party: Party, digest = '33'.repeat(32), maxNumBits = '2048'): FulfillResponse {
  const uri = `http://party-${party.info.id}/crs/${requestId}`;
  const signed: SignedResponse = { kind: 'crs_gen', requestId, maxNumBits, crsDigest: digest, crsUri: uri };
  return { crs_gen: { crs_digest: digest, crs_uri: uri, signature: signResponse(signed, party.key) } };
}

const resultEvent = (r: SimExecuteResult) => r.events.find((e) => e.type === 'wasm-tkms_result');

describe('asc user_decrypt answers', () => {
  test('default: completes when 2t+1 parties answered, each with its own signcryption; later answers still recorded', async () => {
    const s = await setup();
    const keyId = await keyOf(s);
    const id = idOf(await s.chain.execute(s.asc, await userDecryptMsg(keyId), USER));
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    const r1 = await fulfill(s, p1, id, userDecryptAnswer(id, keyId, p1));
    expect(r1.events.find((e) => e.type === 'wasm-tkms_response')?.attributes).toMatchObject({ request_id: id, party_id: '1', outcome: 'user_decrypt' });
    // t+1 = 2 answers are not enough: the client needs 2t+1 shares to correct t errors.
    expect(resultEvent(await fulfill(s, p2, id, userDecryptAnswer(id, keyId, p2)))).toBeUndefined();
    expect(request(s, id).status).toBe('pending');
    const r3 = await fulfill(s, p3, id, userDecryptAnswer(id, keyId, p3));
    expect(resultEvent(r3)?.attributes).toMatchObject({ request_id: id, kind: 'user_decrypt', status: 'completed' });
    // Different signcryptions are not a conflict, nor a dissent; no single result is stored.
    expect(r3.events.find((e) => e.type === 'wasm-tkms_conflict')).toBeUndefined();
    expect(r3.events.find((e) => e.type === 'wasm-tkms_dissent')).toBeUndefined();
    let info = request(s, id);
    expect(info).toMatchObject({ status: 'completed', payees: [1, 2, 3] });
    expect(info.conflict).toBeUndefined();
    expect(info.result).toBeUndefined();
    // The request stores each signcryption's SHA-256; the blobs come from user_decrypt_answers.
    const { answers } = s.chain.query<UserDecryptAnswersResponse>(s.asc, { user_decrypt_answers: { request_id: id } });
    expect(answers.map((a) => a.party_id)).toEqual([1, 2, 3]);
    expect(new Set(answers.map((a) => a.signcryption)).size).toBe(3);
    for (const [i, r] of info.responses.entries()) {
      expect(r.response).toEqual({ user_decrypt: { signcryption_sha256: hexSha256(answers[i]!.signcryption), eip712_signature: EIP712_SIG, signature: expect.stringMatching(/^[0-9a-f]{128}$/) } });
    }
    expect(JSON.stringify(info)).not.toContain(answers[0]!.signcryption);
    await fulfill(s, p4, id, userDecryptAnswer(id, keyId, p4));
    info = request(s, id);
    expect(info.responses.map((r) => r.party_id)).toEqual([1, 2, 3, 4]);
    expect(info.payees).toEqual([1, 2, 3]);
  });

  test('malicious: a party answering twice, a non-party and a bad signature are refused', async () => {
    const s = await setup();
    const keyId = await keyOf(s);
    const id = idOf(await s.chain.execute(s.asc, await userDecryptMsg(keyId), USER));
    const [p1, p2] = s.parties as [Party, Party];
    await fulfill(s, p1, id, userDecryptAnswer(id, keyId, p1));
    await expect(fulfill(s, p1, id, userDecryptAnswer(id, keyId, p1))).rejects.toThrow('party 1 already responded');
    const outsider = { ...p2, info: { ...p2.info, address: testAddress('outsider') } };
    await expect(fulfill(s, outsider, id, userDecryptAnswer(id, keyId, p2))).rejects.toThrow('is not a registered party');
    // Signed by party 1's key but sent by party 2.
    await expect(fulfill(s, p2, id, userDecryptAnswer(id, keyId, p2, 200, p1.key))).rejects.toThrow('invalid signature from party 2');
    // The signature binds the signcryption: swapping in another blob breaks it.
    const good = userDecryptAnswer(id, keyId, p2) as { user_decrypt: { signcryption: string; eip712_signature: string; signature: string } };
    const other = userDecryptAnswer(id, keyId, p2) as typeof good;
    await expect(fulfill(s, p2, id, { user_decrypt: { ...good.user_decrypt, signcryption: other.user_decrypt.signcryption } })).rejects.toThrow('invalid signature');
    // …and the EIP-712 signature.
    await expect(fulfill(s, p2, id, { user_decrypt: { ...good.user_decrypt, eip712_signature: '0x' + '1c'.repeat(65) } })).rejects.toThrow('invalid signature');
    // The digest covers the request's key and ciphertexts: an answer signed for another key id fails.
    await expect(fulfill(s, p2, id, userDecryptAnswer(id, 'ff'.repeat(20), p2))).rejects.toThrow('invalid signature');
    expect(request(s, id).responses).toHaveLength(1);
  });

  test('behavior: malformed signcryptions are refused; an oversize one names the limit', async () => {
    const s = await setup();
    const keyId = await keyOf(s);
    const id = idOf(await s.chain.execute(s.asc, await userDecryptMsg(keyId), USER));
    const p1 = s.parties[0]!;
    const good = (userDecryptAnswer(id, keyId, p1) as { user_decrypt: { signcryption: string; eip712_signature: string; signature: string } }).user_decrypt;
    await expect(fulfill(s, p1, id, { user_decrypt: { ...good, signcryption: 'xyz' } })).rejects.toThrow('signcryption must be lower-case hex');
    await expect(fulfill(s, p1, id, { user_decrypt: { ...good, signcryption: 'ab'.repeat(8193) } })).rejects.toThrow('signcryption is too long');
    await expect(fulfill(s, p1, id, { user_decrypt: { ...good, eip712_signature: '0x12' } })).rejects.toThrow('eip712_signature must be');
    // Only the ASC writes the stored form: a party must send the blob itself.
    await expect(fulfill(s, p1, id, { user_decrypt: { signcryption_sha256: 'ab'.repeat(32), eip712_signature: good.eip712_signature, signature: good.signature } } as never)).rejects.toThrow('must carry the signcryption itself');
    // The largest allowed blob (8 KiB) is accepted.
    expect(resultEvent(await fulfill(s, p1, id, userDecryptAnswer(id, keyId, p1, 8192 - 861)))).toBeUndefined();
  });

  test('behavior: t+1 agreeing failures fail a user decryption; one failure among answers is a conflict', async () => {
    const s = await setup();
    const keyId = await keyOf(s);
    const id = idOf(await s.chain.execute(s.asc, await userDecryptMsg(keyId), USER));
    const [p1, p2, p3] = s.parties as [Party, Party, Party];
    const failure = (p: Party): FulfillResponse => ({ failure: { reason: 'CIPHERTEXT_UNAVAILABLE: gone', signature: signResponse({ kind: 'failure', requestId: id, reason: 'CIPHERTEXT_UNAVAILABLE: gone' }, p.key) } });
    await fulfill(s, p1, id, userDecryptAnswer(id, keyId, p1));
    const r2 = await fulfill(s, p2, id, failure(p2));
    expect(r2.events.find((e) => e.type === 'wasm-tkms_conflict')?.attributes).toMatchObject({ request_id: id });
    const r3 = await fulfill(s, p3, id, failure(p3));
    expect(resultEvent(r3)?.attributes).toMatchObject({ status: 'failed' });
    // Decided as a failure: the party that answered with a share is the one that differs.
    expect(r3.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '1' });
    expect(request(s, id)).toMatchObject({ status: 'failed', failure_reason: 'CIPHERTEXT_UNAVAILABLE: gone', conflict: true, dissent: [1] });
  });
});

describe('asc crs_gen answers', () => {
  test('default: 2t+1 parties agreeing on the digest (own URIs) register the CRS', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 2048 } }, USER));
    const [p1, p2, p3] = s.parties as [Party, Party, Party];
    const r1 = await fulfill(s, p1, id, crsAnswer(id, p1));
    expect(r1.events.find((e) => e.type === 'wasm-tkms_response')?.attributes).toMatchObject({ outcome: 'crs_gen' });
    expect(resultEvent(await fulfill(s, p2, id, crsAnswer(id, p2)))).toBeUndefined();
    expect(() => s.chain.query(s.asc, { crs: { crs_id: id } })).toThrow(`unknown crs id ${id}`);
    const r3 = await fulfill(s, p3, id, crsAnswer(id, p3));
    expect(resultEvent(r3)?.attributes).toMatchObject({ kind: 'crs_gen', status: 'completed' });
    const info = request(s, id);
    expect(info).toMatchObject({ status: 'completed', payees: [1, 2, 3], result: crsAnswer(id, p3) });
    expect(info.conflict).toBeUndefined();
    const crs = s.chain.query<CrsInfo>(s.asc, { crs: { crs_id: id } });
    expect(crs).toEqual({ crs_id: id, crs_digest: '33'.repeat(32), crs_uri: `http://party-3/crs/${id}`, max_num_bits: 2048, height: expect.stringMatching(/^\d+$/) });
    const id2 = idOf(await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 64 } }, USER));
    for (const p of s.parties.slice(1)) await fulfill(s, p, id2, crsAnswer(id2, p, '44'.repeat(32), '64'));
    expect(s.chain.query<CrsListResponse>(s.asc, { crs_list: {} }).crs.map((c) => [c.crs_id, c.max_num_bits])).toEqual([
      [id, 2048],
      [id2, 64],
    ]);
    expect(s.chain.query<CrsListResponse>(s.asc, { crs_list: { start_after: id } }).crs.map((c) => c.crs_id)).toEqual([id2]);
    expect(s.chain.query<CrsListResponse>(s.asc, { crs_list: { limit: 1 } }).crs).toHaveLength(1);
    // A decryption of proven inputs names a registered CRS; the cores get it with the request.
    const keyId = await keyOf(s);
    const dec = idOf(await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(keyId).slice(0, 1), crs_id: id2 } }, USER));
    expect(request(s, dec).decrypt?.crs_id).toBe(id2);
    // A pending crs_gen is no CRS yet.
    const pending = idOf(await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 64 } }, USER));
    await expect(s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertexts: cts(keyId).slice(0, 1), crs_id: pending } }, USER)).rejects.toThrow(
      `decrypt: crs_id ${pending} is not a CRS the parties made`,
    );
  });

  test('malicious: conflicting CRS digests are recorded; the honest 2t+1 still decide', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 2048 } }, USER));
    const [p1, p2, p3, p4] = s.parties as [Party, Party, Party, Party];
    await fulfill(s, p1, id, crsAnswer(id, p1));
    const liar = await fulfill(s, p2, id, crsAnswer(id, p2, '99'.repeat(32)));
    expect(liar.events.find((e) => e.type === 'wasm-tkms_conflict')?.attributes).toMatchObject({ request_id: id });
    expect(resultEvent(await fulfill(s, p3, id, crsAnswer(id, p3)))).toBeUndefined();
    expect(request(s, id)).toMatchObject({ status: 'pending', conflict: true });
    const done = await fulfill(s, p4, id, crsAnswer(id, p4));
    expect(resultEvent(done)?.attributes).toMatchObject({ status: 'completed' });
    expect(done.events.find((e) => e.type === 'wasm-tkms_dissent')?.attributes).toMatchObject({ request_id: id, party_ids: '2' });
    expect(request(s, id)).toMatchObject({ payees: [1, 3, 4], dissent: [2] });
    expect(s.chain.query<CrsInfo>(s.asc, { crs: { crs_id: id } }).crs_digest).toBe('33'.repeat(32));
  });

  test('malicious: the signature binds max_num_bits, a non-party and a second answer are refused', async () => {
    const s = await setup();
    const id = idOf(await s.chain.execute(s.asc, { crs_gen: { max_num_bits: 2048 } }, USER));
    const [p1, p2] = s.parties as [Party, Party];
    await expect(fulfill(s, p1, id, crsAnswer(id, p1, '33'.repeat(32), '4096'))).rejects.toThrow('invalid signature from party 1');
    await expect(fulfill(s, p1, id, { crs_gen: { crs_digest: 'XY', crs_uri: 'u', signature: '00'.repeat(64) } })).rejects.toThrow('crs_digest must be 64 lower-case hex');
    await fulfill(s, p1, id, crsAnswer(id, p1));
    await expect(fulfill(s, p1, id, crsAnswer(id, p1))).rejects.toThrow('party 1 already responded');
    await expect(fulfill(s, { ...p2, info: { ...p2.info, address: testAddress('outsider') } }, id, crsAnswer(id, p2))).rejects.toThrow('is not a registered party');
    // A user_decrypt answer does not fit a crs_gen request.
    await expect(fulfill(s, p2, id, userDecryptAnswer(id, 'ff'.repeat(20), p2))).rejects.toThrow('does not match request kind crs_gen');
  });
});

describe('asc user_decrypt gas (embedded chain, same wasm as wasmd)', () => {
  test('default: gas of a user_decrypt request and of each fulfillment, n=4, t=1, 2 ciphertexts', async () => {
    ensureBuilt();
    const chain = await EmbeddedChain.create();
    const admin = await accountFromMnemonic(generateMnemonic(), 'wasm');
    const parties = makeParties(4);
    const accounts = await Promise.all(parties.map(() => accountFromMnemonic(generateMnemonic(), 'wasm')));
    const client = new InProcessChainClient(chain, admin.address);
    const { asc } = await deployContracts(client, {
      wasmDir: path.join(repoRoot(), 'contracts', 'build'),
      parties: parties.map((p, i) => ({ ...p.info, address: accounts[i]!.address })),
      threshold: 1,
      devMode: true,
    });
    const kg = await client.executeContract(asc, { keygen: {} });
    const keyId = String(kg.events.find((e) => e.type === 'wasm-tkms_request')!.attributes['request_id']);
    for (let i = 0; i < 3; i++) {
      const p = parties[i]!;
      const c = { public_key_digest: '11'.repeat(32), public_key_uri: 'u', server_key_digest: '22'.repeat(32), server_key_uri: 'v' };
      const signature = signResponse({ kind: 'keygen', requestId: keyId, publicKeyDigest: c.public_key_digest, publicKeyUri: 'u', serverKeyDigest: c.server_key_digest, serverKeyUri: 'v' }, p.key);
      await client.as(accounts[i]!.address).executeContract(asc, { fulfill: { request_id: keyId, response: { keygen: { ...c, signature } } } });
    }
    const gas: Record<string, number> = {};
    for (const payload of [100, 1200, 6400]) {
      const req = await client.executeContract(asc, await userDecryptMsg(keyId));
      gas['user_decrypt request'] = req.gasUsed;
      const id = String(req.events.find((e) => e.type === 'wasm-tkms_request')!.attributes['request_id']);
      for (let i = 0; i < 4; i++) {
        const answer = userDecryptAnswer(id, keyId, parties[i]!, payload);
        const blobBytes = (answer as { user_decrypt: { signcryption: string } }).user_decrypt.signcryption.length / 2;
        const r = await client.as(accounts[i]!.address).executeContract(asc, { fulfill: { request_id: id, response: answer } });
        gas[`fulfill #${i + 1} (${blobBytes} B signcryption)`] = r.gasUsed;
      }
      const info = await client.queryContract<RequestInfo>(asc, { request: { request_id: id } });
      expect(info.status).toBe('completed');
    }
    process.stdout.write(`user_decrypt gas on the embedded chain: ${JSON.stringify(gas)}\n`);
    for (const g of Object.values(gas)) expect(g).toBeGreaterThan(0);
  });
});
