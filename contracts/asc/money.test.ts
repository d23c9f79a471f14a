/**
 * ASC money rules of issue 10 on cw-simulate (the end-to-end attacks are in
 * test/attacks): the quorum stored with each request, the refund split when
 * more parties answered than a quorum needs, and Uint128 balances that refuse to
 * wrap at 2^128 − 1.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { signResponse } from '../../common/signing.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import type { FulfillResponse, RequestInfo } from '../../chain/asc/messages.js';
import { readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';

const GOV = testAddress('money-gov');
const USER = testAddress('money-user');
const DENOM = 'ustake';
const DIGEST = 'cd'.repeat(32);

interface Party {
  address: string;
  key: Uint8Array;
}

async function setup(n: number, fees: Record<string, string>, expiry = 3600) {
  const chain = new SimChain();
  const parties: Party[] = Array.from({ length: n }, (_, i) => ({ address: testAddress(`money-party-${i + 1}`), key: sha256(new TextEncoder().encode(`money-party-${i + 1}`)) }));
  const config = await chain.instantiate(chain.upload(readWasm('config')), {
    parties: parties.map((p, i) => ({ id: i + 1, address: p.address, signer_pubkey: bytesToHex(secp256k1.getPublicKey(p.key, true)) })),
    threshold: Math.floor((n - 1) / 3),
    governance: GOV,
    dev_mode: true,
    operators: [USER],
    fees: { denom: DENOM, ...fees },
    request_expiry_seconds: expiry,
  });
  const asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  chain.setBalance(USER, DENOM, 2n ** 130n);
  return { chain, config, asc, parties };
}

const idOf = (r: SimExecuteResult): string => r.events.find((e) => e.type === 'wasm-tkms_request')!.attributes.request_id!;
const pay = (amount: bigint | string) => (BigInt(amount) > 0n ? [{ denom: DENOM, amount: amount.toString() }] : []);

function keygenAnswer(requestId: string, p: Party, digest = '11'.repeat(32)): FulfillResponse {
  const c = { public_key_digest: digest, public_key_uri: 'u', server_key_digest: '22'.repeat(32), server_key_uri: 'v' };
  const signature = signResponse({ kind: 'keygen', requestId, publicKeyDigest: c.public_key_digest, publicKeyUri: 'u', serverKeyDigest: c.server_key_digest, serverKeyUri: 'v' }, p.key);
  return { keygen: { ...c, signature } };
}

function decryptAnswer(requestId: string, keyId: string, p: Party): FulfillResponse {
  const signature = signResponse({ kind: 'decrypt', requestId, keyId, ciphertexts: [{ ciphertextDigest: DIGEST, fheType: 'euint8', plaintext: '1' }] }, p.key);
  return { decrypt: { plaintexts: ['1'], signature } };
}

describe('asc money (issue 10)', () => {
  test('default: every request stores the quorum it needs, fixed at request time', async () => {
    const s = await setup(7, {}); // t = 2
    const request = (id: string) => s.chain.query<RequestInfo>(s.asc, { request: { request_id: id } });
    for (const msg of [{ keygen: {} }, { keygen_preproc: {} }, { crs_gen: { max_num_bits: 64 } }]) {
      expect(request(idOf(await s.chain.execute(s.asc, msg, USER))).quorum).toEqual({ threshold: 2, result: 5, failure: 3 });
    }
    const keyId = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    for (const p of s.parties.slice(0, 5)) await s.chain.execute(s.asc, { fulfill: { request_id: keyId, response: keygenAnswer(keyId, p) } }, p.address);
    const d = await s.chain.execute(s.asc, { decrypt: { key_id: keyId, ciphertext_handle: ciphertextHandle(DIGEST, 'euint8'), ciphertext_digest: DIGEST, fhe_type: 'euint8' } }, USER);
    expect(request(idOf(d)).quorum).toEqual({ threshold: 2, result: 3, failure: 3 });
  });

  test('behavior: a refund after more answers than a quorum splits the fee among all who answered, never more than the fee', async () => {
    const s = await setup(4, { keygen: '1000' }, 60); // keygen result quorum 2t+1 = 3
    const id = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER, pay(1000n)));
    // Four answers, two digests each: no quorum of 3.
    for (const [i, p] of s.parties.entries()) {
      await s.chain.execute(s.asc, { fulfill: { request_id: id, response: keygenAnswer(id, p, i % 2 ? '33'.repeat(32) : '11'.repeat(32)) } }, p.address);
    }
    s.chain.advanceSeconds(120);
    const before = s.chain.balance(USER, DENOM);
    const r = await s.chain.execute(s.asc, { refund: { request_id: id } }, testAddress('anyone'));
    expect(r.events.find((e) => e.type === 'wasm-tkms_refund')?.attributes).toMatchObject({ amount: `0${DENOM}`, paid_parties: '1,2,3,4', fee_share: `250${DENOM}` });
    expect(s.chain.balance(USER, DENOM)).toBe(before);
    for (const p of s.parties) expect(s.chain.query(s.asc, { claimable: { address: p.address } })).toMatchObject({ amounts: [{ denom: DENOM, amount: '250' }] });
    // With fewer answers than the quorum, each is paid fee / quorum and the rest goes back.
    const id2 = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER, pay(1000n)));
    await s.chain.execute(s.asc, { fulfill: { request_id: id2, response: keygenAnswer(id2, s.parties[0]!) } }, s.parties[0]!.address);
    s.chain.advanceSeconds(120);
    const r2 = await s.chain.execute(s.asc, { refund: { request_id: id2 } }, USER);
    expect(r2.events.find((e) => e.type === 'wasm-tkms_refund')?.attributes).toMatchObject({ amount: `667${DENOM}`, paid_parties: '1', fee_share: `333${DENOM}` });
    expect(s.chain.query<RequestInfo>(s.asc, { request: { request_id: id2 } })).toMatchObject({ status: 'expired', refunded: true, payees: [1] });
  });

  test('behavior: an owed balance never wraps at 2^128 - 1: the fulfillment waits for a claim', async () => {
    const max = 2n ** 128n - 1n;
    const s = await setup(1, { decrypt: max.toString() }); // t = 0: the one party is paid every fee
    const p = s.parties[0]!;
    const keyId = idOf(await s.chain.execute(s.asc, { keygen: {} }, USER));
    await s.chain.execute(s.asc, { fulfill: { request_id: keyId, response: keygenAnswer(keyId, p) } }, p.address);
    const decrypt = { decrypt: { key_id: keyId, ciphertext_handle: ciphertextHandle(DIGEST, 'euint8'), ciphertext_digest: DIGEST, fhe_type: 'euint8' } };
    const first = idOf(await s.chain.execute(s.asc, decrypt, USER, pay(max)));
    await s.chain.execute(s.asc, { fulfill: { request_id: first, response: decryptAnswer(first, keyId, p) } }, p.address);
    expect(s.chain.query(s.asc, { claimable: { address: p.address } })).toMatchObject({ amounts: [{ denom: DENOM, amount: max.toString() }] });
    const second = idOf(await s.chain.execute(s.asc, decrypt, USER, pay(max)));
    await expect(s.chain.execute(s.asc, { fulfill: { request_id: second, response: decryptAnswer(second, keyId, p) } }, p.address)).rejects.toThrow(
      `owed balance of ${p.address} in ${DENOM} would exceed 2^128-1: claim it first`,
    );
    await s.chain.execute(s.asc, { claim: {} }, p.address);
    expect(s.chain.balance(p.address, DENOM)).toBe(max);
    await s.chain.execute(s.asc, { fulfill: { request_id: second, response: decryptAnswer(second, keyId, p) } }, p.address);
    expect(s.chain.query<RequestInfo>(s.asc, { request: { request_id: second } }).status).toBe('completed');
  });
});
