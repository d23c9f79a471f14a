/**
 * Attacks on the user-decryption authorization (issue 10 item 5), end to end on
 * the embedded chain (the very ASC, Config and fhEVM ISC wasm wasmd runs) with a
 * real EVM node (anvil) for the fhEVM application's ACL proofs:
 * - a signature over a raw keccak digest (what `eth_sign` makes, as the old
 *   TKMS-USER-DECRYPT-AUTH-V1 scheme required) is refused: only an EIP-712
 *   `UserDecryptRequestVerification` from an ordinary wallet counts;
 * - a captured signed request replayed after its validity window (or before it) is refused;
 * - a proof naming a dApp contract the user did not list is refused, and so is a
 *   list widened after signing.
 * Every test first shows the honest request is accepted, so each fails on the old code.
 */
import path from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { ml_kem512 } from '@noble/post-quantum/ml-kem';
import { Wallet, getBytes } from 'ethers';
import { EmbeddedChain } from '../../chain/embedded/embeddedChain.js';
import { InProcessChainClient } from '../../chain/embedded/inProcessClient.js';
import { deployContracts } from '../../chain/deploy.js';
import { accountFromMnemonic, generateMnemonic } from '../../chain/wallet.js';
import { FHEVM_ACL_SLOT_BASE, type FhevmProof } from '../../chain/isc-fhevm/messages.js';
import type { UserDecryptMsg } from '../../chain/asc/messages.js';
import { signResponse } from '../../common/signing.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { repoRoot } from '../../common/paths.js';
import { signUserDecryptRequest, userDecryptAuthFields, userDecryptRequestDigest, type UserDecryptRequest } from '../../common/userDecryptAuth.js';
import { startAclNode, type AclNode } from '../evm/aclNode.js';
import { evmAddress } from '../fixtures/scripts/fhevmHeader.js';

const APP = 'chain-a';
const testKey = (label: string): Uint8Array => keccak_256(new TextEncoder().encode(label));
const validatorKeys = [testKey('tkms-attack-ud-validator-0'), testKey('tkms-attack-ud-validator-1')];
const alice = new Wallet('0x' + bytesToHex(testKey('tkms-attack-ud-alice')));
const ALICE = alice.address.toLowerCase();
/** The dApp Alice uses, and another contract that also holds her handle (she never listed it). */
const DAPP = evmAddress(testKey('tkms-attack-ud-dapp'));
const OTHER_DAPP = evmAddress(testKey('tkms-attack-ud-other-dapp'));
const DOMAIN = { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: '0x' + 'de'.repeat(20) };

let chain: EmbeddedChain;
let client: InProcessChainClient;
let asc: string;
let keyId: string;
let evm: AclNode;
const DIGEST = bytesToHex(sha256(new TextEncoder().encode('tkms-attack-ud-ciphertext')));
/** Bound to the key and the application (set once the key exists). */
let HANDLE: string;
const ENC_KEY = bytesToHex(ml_kem512.keygen(new Uint8Array(64).fill(3)).publicKey);

beforeAll(async () => {
  evm = await startAclNode(31337);
  chain = await EmbeddedChain.create();
  const admin = await accountFromMnemonic(generateMnemonic(), 'wasm');
  const party = await accountFromMnemonic(generateMnemonic(), 'wasm');
  const partyKey = testKey('tkms-attack-ud-party');
  client = new InProcessChainClient(chain, admin.address);
  const wasmDir = path.join(repoRoot(), 'contracts', 'build');
  ({ asc } = await deployContracts(client, {
    wasmDir,
    parties: [{ id: 1, address: party.address, signer_pubkey: bytesToHex(secp256k1.getPublicKey(partyKey, true)) }],
    threshold: 0,
    // Production-shaped: only the fhEVM application (its ISC vouches for the ciphertexts) is used.
    devMode: false,
  }));
  // The fhEVM chain's ISC, registered by governance (the deployer on the embedded chain).
  const { readFileSync } = await import('node:fs');
  const code = await client.upload(readFileSync(path.join(wasmDir, 'isc-fhevm.wasm')));
  const isc = await client.instantiate(code.codeId, {
    chain_id: evm.chainId, acl_address: evm.acl, acl_slot_base: FHEVM_ACL_SLOT_BASE, validators: validatorKeys.map(evmAddress), quorum: 2,
  }, 'isc-chain-a');
  const config = (await client.queryContract<{ config: string }>(asc, { config: {} })).config;
  await client.executeContract(config, { register_application: { app_id: APP, isc_type: 'fhevm', isc: isc.address } });
  // A key: the one party's keygen answer.
  const kg = await client.executeContract(asc, { keygen: {} });
  keyId = String(kg.events.find((e) => e.type === 'wasm-tkms_request')!.attributes['request_id']);
  const c = { public_key_digest: '11'.repeat(32), public_key_uri: 'u', server_key_digest: '22'.repeat(32), server_key_uri: 'v' };
  const signature = signResponse({ kind: 'keygen', requestId: keyId, publicKeyDigest: c.public_key_digest, publicKeyUri: 'u', serverKeyDigest: c.server_key_digest, serverKeyUri: 'v' }, partyKey);
  await client.as(party.address).executeContract(asc, { fulfill: { request_id: keyId, response: { keygen: { ...c, signature } } } });
  HANDLE = ciphertextHandle(DIGEST, 'euint8', { keyId, appId: APP });
  // On the fhEVM chain: the coprocessor commits the ciphertext; Alice and both contracts may use it.
  await evm.commitCiphertext(HANDLE, DIGEST);
  for (const who of [ALICE, DAPP, OTHER_DAPP]) await evm.allow(HANDLE, who);
}, 120_000);

afterAll(async () => {
  await evm?.stop();
});

const now = (): number => Math.floor(Date.now() / 1000);

function authorization(over: Partial<UserDecryptRequest> = {}): UserDecryptRequest {
  return { clientAddress: ALICE, encKey: ENC_KEY, allowedContracts: [DAPP], startTimestamp: now() - 60, durationSeconds: 3600, extraData: '0x', eip712Domain: DOMAIN, ...over };
}

/** A user_decrypt for HANDLE through `contract`, with the given authorization and signature. */
async function userDecrypt(auth: UserDecryptRequest, signature: string, contract = DAPP): Promise<UserDecryptMsg> {
  const proof: FhevmProof = await evm.userProof(ALICE, [{ handle: HANDLE, contract }], validatorKeys);
  return {
    key_id: keyId,
    ciphertexts: [{ ciphertext_handle: HANDLE, ciphertext_digest: DIGEST, fhe_type: 'euint8' }],
    enc_key: ENC_KEY,
    client_address: ALICE,
    eip712_domain: DOMAIN,
    ...userDecryptAuthFields(auth),
    user_signature: signature,
    app_id: APP,
    proof: proof as unknown as Record<string, unknown>,
  };
}

/** Submits as some relayer account (not Alice): "accepted" or the ASC's error. */
async function submit(msg: UserDecryptMsg): Promise<string> {
  try {
    await client.as('wasm1relayer' + '0'.repeat(32)).executeContract(asc, { user_decrypt: msg });
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
}

/** The old TKMS-USER-DECRYPT-AUTH-V1 digest: keccak256 over length-prefixed fields, no domain separation a wallet shows. */
function oldRawDigest(): Uint8Array {
  const lp = (s: string): Uint8Array => {
    const b = new TextEncoder().encode(s);
    const out = new Uint8Array(4 + b.length);
    new DataView(out.buffer).setUint32(0, b.length);
    out.set(b, 4);
    return out;
  };
  const fields = ['TKMS-USER-DECRYPT-AUTH-V1', chain.chainId, asc, APP, keyId, ALICE, ENC_KEY, '1', HANDLE, DOMAIN.name, DOMAIN.version, DOMAIN.chain_id, DOMAIN.verifying_contract];
  return keccak_256(Uint8Array.from(fields.flatMap((f) => [...lp(f)])));
}

function rawSign(digest: Uint8Array): string {
  const sig = secp256k1.sign(digest, getBytes(alice.privateKey), { lowS: true });
  return '0x' + bytesToHex(sig.toCompactRawBytes()) + (27 + sig.recovery).toString(16);
}

describe('attack: user-decryption authorization', () => {
  test('a raw keccak (eth_sign-style) signature is refused; only the wallet\'s EIP-712 signature is accepted', async () => {
    const auth = authorization();
    expect(await submit(await userDecrypt(auth, await signUserDecryptRequest(auth, alice)))).toBe('accepted');
    // The old scheme: a raw secp256k1 signature of a keccak digest, which only eth_sign can make.
    expect(await submit(await userDecrypt(auth, rawSign(oldRawDigest())))).toMatch(new RegExp(`user_decrypt: bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address ${ALICE}`));
    // Nor an EIP-191 personal_sign of the EIP-712 digest: it recovers someone else.
    const digest = getBytes(userDecryptRequestDigest(auth));
    expect(await submit(await userDecrypt(auth, await alice.signMessage(digest)))).toMatch(/bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address/);
  }, 60_000);

  test('a captured signed request replayed after its window, or before it, is refused', async () => {
    // A short window: accepted inside it…
    const auth = authorization({ startTimestamp: now() - 1, durationSeconds: 4 });
    const captured = await userDecrypt(auth, await signUserDecryptRequest(auth, alice));
    expect(await submit(captured)).toBe('accepted');
    // …replayed verbatim (fresh proof, same signature) once it has passed.
    await new Promise((r) => setTimeout(r, 5_000));
    const replay = await userDecrypt(auth, captured.user_signature);
    expect(await submit(replay)).toMatch(/user_decrypt: request expired: valid from \d+ for 4 s \(until \d+\), block time \d+/);
    // Its window cannot be stretched: the signature covers it.
    expect(await submit({ ...replay, duration_seconds: '3600' })).toMatch(/bad user_signature/);
    // A request signed for later is not valid yet.
    const later = authorization({ startTimestamp: now() + 3600 });
    expect(await submit(await userDecrypt(later, await signUserDecryptRequest(later, alice)))).toMatch(/user_decrypt: request not yet valid: start_timestamp \d+ is after the block time \d+/);
  }, 60_000);

  test('a dApp contract the user did not list is refused, and the list cannot be widened after signing', async () => {
    const auth = authorization();
    const signature = await signUserDecryptRequest(auth, alice);
    expect(await submit(await userDecrypt(auth, signature, DAPP))).toBe('accepted');
    // OTHER_DAPP holds the handle on the fhEVM chain too, but Alice never named it.
    expect(await submit(await userDecrypt(auth, signature, OTHER_DAPP))).toContain(
      `application ${APP} refused the request: ciphertext 0 (0x${HANDLE}): contract ${OTHER_DAPP} is not in the user's allowed_contracts`,
    );
    const widened = { ...(await userDecrypt(auth, signature, OTHER_DAPP)), allowed_contracts: [DAPP, OTHER_DAPP] };
    expect(await submit(widened)).toMatch(new RegExp(`bad user_signature: signed by 0x[0-9a-f]{40}, not by client_address ${ALICE}`));
  }, 60_000);
});
