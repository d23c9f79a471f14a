/**
 * The ASC's EIP-712 user-decrypt authorization (contracts/asc/userAuth.ts)
 * cross-checked against ethers: every request here is signed with ethers'
 * `Wallet.signTypedData` (common/userDecryptAuth.ts) and verified by the
 * AssemblyScript contract on cw-simulate — the validity window against the block
 * time, the 365-day limit, the domain, the contract list, extra data, and chain
 * ids beyond 64 bits.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { secp256k1 } from '@noble/curves/secp256k1';
import { Wallet } from 'ethers';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { evmAddressOf, recoverUserDecryptSigner, userDecryptRequestDigest } from '../../common/userDecryptAuth.js';
import type { RequestInfo } from '../../chain/asc/messages.js';
import { readWasm, SimChain, testAddress, type SimExecuteResult } from '../testing/simChain.js';
import { DAPP, signedUserDecrypt, type SignedUserDecryptParameters } from './testing/userDecryptRequest.js';

const USER = testAddress('ua-user');
const ALICE_KEY = sha256(new TextEncoder().encode('tkms-ua-alice'));
const ALICE = evmAddressOf(ALICE_KEY);
const BOB_KEY = sha256(new TextEncoder().encode('tkms-ua-bob'));
const BOB = evmAddressOf(BOB_KEY);
const DOMAIN = { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: '0x' + 'ab'.repeat(20) };
/** One ciphertext under the test key and the default application (handles bind both). */
const cts = () => [{ ciphertext_handle: ciphertextHandle('cd'.repeat(32), 'euint8', { keyId, appId: 'default' }), ciphertext_digest: 'cd'.repeat(32), fhe_type: 'euint8' }];
const DAY = 86400;

let chain: SimChain;
let asc: string;
let keyId: string;

beforeAll(async () => {
  chain = new SimChain();
  const partyKey = sha256(new TextEncoder().encode('tkms-ua-party'));
  const party = { id: 1, address: testAddress('ua-party'), signer_pubkey: bytesToHex(secp256k1.getPublicKey(partyKey, true)) };
  const config = await chain.instantiate(chain.upload(readWasm('config')), { parties: [party], threshold: 0, dev_mode: true, operators: [USER] });
  asc = await chain.instantiate(chain.upload(readWasm('asc')), { config });
  // A key to decrypt under: the keygen result of the one party.
  const { signResponse } = await import('../../common/signing.js');
  const r = await chain.execute(asc, { keygen: {} }, USER);
  keyId = r.events.find((e) => e.type === 'wasm-tkms_request')!.attributes.request_id as string;
  const content = { public_key_digest: '11'.repeat(32), public_key_uri: 'file:///pk', server_key_digest: '22'.repeat(32), server_key_uri: 'file:///sk' };
  const signed = { kind: 'keygen' as const, requestId: keyId, publicKeyDigest: content.public_key_digest, publicKeyUri: content.public_key_uri, serverKeyDigest: content.server_key_digest, serverKeyUri: content.server_key_uri };
  await chain.execute(asc, { fulfill: { request_id: keyId, response: { keygen: { ...content, signature: signResponse(signed, partyKey) } } } }, party.address);
});

const now = (): number => Math.floor(Date.now() / 1000);

function msg(over: Partial<SignedUserDecryptParameters> = {}): Promise<{ user_decrypt: Record<string, unknown> }> {
  return signedUserDecrypt({ key: ALICE_KEY, keyId, ciphertexts: cts(), encKey: '5a'.repeat(800), domain: DOMAIN, ...over });
}

/** Executes at block time `at` (Unix seconds; default the wall clock). */
function submit(m: unknown, at = now()): Promise<SimExecuteResult> {
  chain.setBlockTime(at);
  return chain.execute(asc, m, USER);
}

function stored(r: SimExecuteResult): Record<string, unknown> {
  const id = r.events.find((e) => e.type === 'wasm-tkms_request')!.attributes.request_id as string;
  return (chain.query<RequestInfo>(asc, { request: { request_id: id } }) as RequestInfo & { user_decrypt: Record<string, unknown> }).user_decrypt;
}

describe('user_decrypt EIP-712 authorization (ethers signs, the contract verifies)', () => {
  test('default: a request signed with ethers signTypedData is accepted; the TS digest matches ethers and recovers the wallet', async () => {
    const m = await msg();
    const r = await submit(m);
    expect(stored(r)).toMatchObject({ client_address: ALICE, allowed_contracts: [DAPP], duration_seconds: '3600', extra_data: '0x' });
    const req = {
      clientAddress: ALICE, encKey: '5a'.repeat(800), allowedContracts: [DAPP], startTimestamp: BigInt(m.user_decrypt.start_timestamp as string),
      durationSeconds: 3600, eip712Domain: DOMAIN,
    };
    expect(recoverUserDecryptSigner(req, m.user_decrypt.user_signature as string).toLowerCase()).toBe(ALICE);
    expect(userDecryptRequestDigest(req)).toMatch(/^0x[0-9a-f]{64}$/);
    // The ASC also takes the window's integers as JSON numbers.
    const numeric = await msg();
    numeric.user_decrypt.start_timestamp = Number(numeric.user_decrypt.start_timestamp);
    numeric.user_decrypt.duration_seconds = 3600;
    await expect(submit(numeric)).resolves.toBeDefined();
  });

  test('malicious: a request signed by another wallet is refused', async () => {
    await expect(submit(await msg({ key: BOB_KEY, clientAddress: ALICE }))).rejects.toThrow(`user_decrypt: bad user_signature: signed by ${BOB}, not by client_address ${ALICE}`);
    // Bob signing for himself is fine (he is then the client).
    await expect(submit(await msg({ key: BOB_KEY }))).resolves.toBeDefined();
  });

  test('malicious: expired and not-yet-valid requests are refused against the block time; the edges are exact', async () => {
    const t = now() + 10_000; // a block time ahead of the wall clock, so cw-simulate keeps it
    // start = t - 3600, duration 3600: the window ended exactly at t.
    await expect(submit(await msg({ start: t - 3600, duration: 3600 }), t)).rejects.toThrow(
      `user_decrypt: request expired: valid from ${t - 3600} for 3600 s (until ${t}), block time ${t}`,
    );
    // One second earlier it is still valid.
    await expect(submit(await msg({ start: t - 3600, duration: 3601 }), t)).resolves.toBeDefined();
    // Starts one second after the block: not yet valid; starting at the block time is valid.
    const t2 = t + 100;
    await expect(submit(await msg({ start: t2 + 1 }), t2)).rejects.toThrow(`user_decrypt: request not yet valid: start_timestamp ${t2 + 1} is after the block time ${t2}`);
    await expect(submit(await msg({ start: t2 }), t2)).resolves.toBeDefined();
    // A signed window cannot be stretched after signing.
    const m = await msg({ start: t2 - 7200, duration: 3600 });
    m.user_decrypt.duration_seconds = '86400';
    await expect(submit(m, t2 + 1)).rejects.toThrow(`bad user_signature: signed by 0x`);
  });

  test('behavior: duration_seconds is 1 s .. 365 days', async () => {
    await expect(submit(await msg({ duration: 365 * DAY + 1 }))).rejects.toThrow('user_decrypt: duration_seconds must be an integer in 1..31536000 (365 days)');
    await expect(submit(await msg({ duration: 0 }))).rejects.toThrow('duration_seconds must be an integer in 1..31536000');
    await expect(submit(await msg({ duration: 365 * DAY }))).resolves.toBeDefined();
    await expect(submit(await msg({ extra: { start_timestamp: '-5' } }))).rejects.toThrow('start_timestamp must be Unix seconds');
    await expect(submit(await msg({ extra: { duration_seconds: undefined } }))).rejects.toThrow('duration_seconds must be');
  });

  test('malicious: a signature under another domain (chain id, contract, name, version) is refused', async () => {
    for (const other of [
      { ...DOMAIN, chain_id: '1' },
      { ...DOMAIN, verifying_contract: '0x' + 'ac'.repeat(20) },
      { ...DOMAIN, name: 'Other' },
      { ...DOMAIN, version: '2' },
    ]) {
      await expect(submit(await msg({ signed: { eip712Domain: other } }))).rejects.toThrow(/user_decrypt: bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address/);
    }
    await expect(submit(await msg({ extra: { eip712_domain: { ...DOMAIN, chain_id: '0x12' } } }))).rejects.toThrow('eip712_domain.chain_id must be a decimal uint256');
  });

  test('default: a uint256 chain id beyond 64 bits, and extra data, hash as ethers hashes them', async () => {
    const big = { ...DOMAIN, chain_id: (2n ** 255n + 12345n).toString() };
    await expect(submit(await msg({ domain: big, extraData: '0x00c0ffee' }))).resolves.toBeDefined();
    const max = { ...DOMAIN, chain_id: (2n ** 256n - 1n).toString() };
    await expect(submit(await msg({ domain: max }))).resolves.toBeDefined();
    await expect(submit(await msg({ extra: { eip712_domain: { ...DOMAIN, chain_id: (2n ** 256n).toString() } } }))).rejects.toThrow('eip712_domain.chain_id must be a decimal uint256');
    // extra_data is signed: changing it breaks the signature.
    const m = await msg({ extraData: '0x01' });
    m.user_decrypt.extra_data = '0x02';
    await expect(submit(m)).rejects.toThrow('bad user_signature');
    await expect(submit(await msg({ extra: { extra_data: '0x1' } }))).rejects.toThrow('extra_data must be 0x-prefixed hex of whole bytes');
    await expect(submit(await msg({ extraData: '0x' + '00'.repeat(1025) }))).rejects.toThrow('extra_data must be at most 1024 bytes');
  });

  test('behavior: allowed_contracts holds 1..10 distinct contracts, never the user', async () => {
    const c = (i: number): string => '0x' + i.toString(16).padStart(2, '0').repeat(20);
    await expect(submit(await msg({ allowedContracts: [] }))).rejects.toThrow('user_decrypt: allowed_contracts must be an array of 1..10 contract addresses');
    await expect(submit(await msg({ allowedContracts: Array.from({ length: 11 }, (_, i) => c(i + 1)) }))).rejects.toThrow('allowed_contracts must be an array of 1..10');
    await expect(submit(await msg({ allowedContracts: Array.from({ length: 10 }, (_, i) => c(i + 1)) }))).resolves.toBeDefined();
    await expect(submit(await msg({ allowedContracts: [DAPP, DAPP.toUpperCase().replace('0X', '0x')] }))).rejects.toThrow(`allowed_contracts[1] repeats ${DAPP}`);
    await expect(submit(await msg({ allowedContracts: [ALICE] }))).rejects.toThrow('allowed_contracts[0] is the client_address itself');
    await expect(submit(await msg({ extra: { allowed_contracts: ['wasm1abc'] } }))).rejects.toThrow('allowed_contracts[0] must be 0x + 40 hex chars');
  });

  test('behavior: the wallet may be any ethers signer (a Wallet built from a private key is all a user needs)', async () => {
    const wallet = Wallet.createRandom();
    const key = Uint8Array.from(Buffer.from(wallet.privateKey.slice(2), 'hex'));
    const r = await submit(await msg({ key }));
    expect(stored(r)).toMatchObject({ client_address: wallet.address.toLowerCase() });
  });
});

describe('user_decrypt EIP-712 vectors (test/vectors/eip712-user-decrypt, made with ethers)', () => {
  test('default: the contract accepts every vector inside its window, and refuses it with one signed field changed', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { repoRoot } = await import('../../common/paths.js');
    const { vectors } = JSON.parse(readFileSync(join(repoRoot(), 'test', 'vectors', 'eip712-user-decrypt', 'vectors.json'), 'utf8')) as {
      vectors: { name: string; client_address: string; enc_key: string; eip712_domain: unknown; allowed_contracts: string[]; start_timestamp: string; duration_seconds: string; extra_data: string; user_signature: string }[];
    };
    // The vectors' windows lie in the future: cw-simulate keeps a block time ahead of the wall clock.
    for (const v of vectors) {
      const body = {
        key_id: keyId, ciphertexts: cts(), enc_key: v.enc_key, client_address: v.client_address, eip712_domain: v.eip712_domain,
        allowed_contracts: v.allowed_contracts, start_timestamp: v.start_timestamp, duration_seconds: v.duration_seconds, extra_data: v.extra_data,
        user_signature: v.user_signature,
      };
      const at = Number(v.start_timestamp) + Number(v.duration_seconds) - 1;
      const ok = await verifyAt(body, at);
      expect({ name: v.name, ok }).toEqual({ name: v.name, ok: 'accepted' });
      const tampered = await verifyAt({ ...body, extra_data: v.extra_data + 'ff' }, at);
      expect({ name: v.name, tampered }).toEqual({ name: v.name, tampered: expect.stringContaining(`not by client_address ${v.client_address}`) });
    }
  });
});

/** Submits a user_decrypt at block time `at` (ahead of the wall clock); "accepted" or the error. */
async function verifyAt(body: Record<string, unknown>, at: number): Promise<string> {
  chain.setBlockTime(at);
  try {
    await chain.execute(asc, { user_decrypt: body }, USER);
    return 'accepted';
  } catch (e) {
    return String((e as Error).message);
  }
}
