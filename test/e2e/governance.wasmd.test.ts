/**
 * Governance end to end on a real one-validator wasmd localnet, through the
 * `tkms gov` CLI: a proposal registers a new fhEVM ISC (instantiate2 + Config
 * `register_application` in one proposal), the validator votes with its operator
 * key file, it passes; then decrypt requests for that application carry a real
 * proof — per handle, one `eth_getProof` from a live EVM node (anvil) of the ACL's
 * `allowedForDecryption` flag (a per-user permission does not make a handle
 * public) and of the host chain's `ciphertextDigest` commitment (written by the
 * ACL's registered coprocessor), under one block header signed by the ISC's
 * validator keys (test keys) — and a core decrypts the accepted ones, a batch of
 * two included. A user decryption carries the user's and the dApp contract's
 * permissions and is authorized by the user's EIP-712 signature (ethers): the
 * contract's permission, the digest commitment and the signature's window are all
 * required, and another wallet's signature is refused.
 * Forged proofs are refused by the ASC with the ISC's reason. Last, a migrate
 * proposal shortens the ISC's freshness window and the same proof turns stale.
 * In CI a missing wasmd is a failure (run `make wasmd`), never a skip.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { WasmdClient } from '../../chain/wasmd/wasmdClient.js';
import { waitForProposal } from '../../chain/wasmd/governance.js';
import { startAclNode, type AclNode } from '../evm/aclNode.js';
import { evmAddress, signHeader } from '../fixtures/scripts/fhevmHeader.js';
import { Wallet } from 'ethers';
import { bytesToHex } from '@noble/hashes/utils';
import { signUserDecryptRequest, userDecryptAuthFields, type UserDecryptRequest } from '../../common/userDecryptAuth.js';
import { getRequest } from '../../chain/asc/actions.js';
import { runTkms, tkmsOk, type CliEnv, fundedCli } from '../helpers/tkms.js';

const APP = 'fhevm-e2e';
/** Test keys only: the fhEVM chain's validators, a key that is not one, the requester. */
const testKey = (label: string): Uint8Array => keccak_256(new TextEncoder().encode(label));
const validatorKeys = [testKey('tkms-e2e-fhevm-validator-0'), testKey('tkms-e2e-fhevm-validator-1')];
const outsiderKey = testKey('tkms-e2e-fhevm-not-a-validator');
const requester = evmAddress(testKey('tkms-e2e-fhevm-requester'));
/** A user with an EVM key of her own (not the CLI's chain key), and the dApp contract she uses. */
const aliceKey = testKey('tkms-e2e-fhevm-alice');
const alice = evmAddress(aliceKey);
const dapp = evmAddress(testKey('tkms-e2e-fhevm-dapp'));
const bobKey = testKey('tkms-e2e-fhevm-bob');

describe('governance on a 1-validator wasmd localnet: fhEVM ISC registration, real proofs, migration', () => {
  let net: WasmdKmsNetwork;
  let evm: AclNode;
  let cli: CliEnv;
  let reader: WasmdClient;
  let iscAddress: string;
  /** The validator operator's key file as `wasmd testnet init-files` wrote it. */
  let validatorKeyFile: string;
  let granted: { handle: string; digest: string; proof: string };

  beforeAll(async () => {
    if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-gov-'));
    evm = await startAclNode(31337);
    net = await startWasmdKmsNetwork({
      dir,
      validators: 1,
      basePort: 30200,
      faucetPort: await freePort(),
      ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
    });
    validatorKeyFile = path.join(dir, 'wasmd', 'node0', 'home', 'key_seed.json');
    cli = await fundedCli(net.networkFile, 'gov');
    await tkmsOk(cli, ['keygen']);
    reader = await WasmdClient.connect(net.network.rpcUrl, { prefix: net.network.bech32Prefix, gasPrice: net.network.gasPrice! });
  }, 600_000);

  afterAll(async () => {
    await reader?.close();
    await net?.stop();
    await evm?.stop();
  }, 120_000);

  /** Votes yes with the validator's key file through the CLI and waits for the outcome. */
  async function passWithValidatorVote(proposalId: number): Promise<Record<string, unknown>> {
    const voted = await tkmsOk(cli, ['gov', 'vote', String(proposalId), 'yes', '--from', validatorKeyFile]);
    expect(voted).toMatchObject({ proposalId, option: 'yes', voter: net.chain.validatorAccounts[0]!.address });
    await waitForProposal(reader, proposalId, 120_000);
    return tkmsOk(cli, ['gov', 'status', String(proposalId)]);
  }

  test('default: a proposal instantiates the fhEVM ISC and registers the application; the validator passes it', async () => {
    const validators = validatorKeys.map((k) => evmAddress(k)).join(',');
    const submitted = await tkmsOk(cli, [
      'gov', 'register-isc', '--app-id', APP, '--evm-chain-id', String(evm.chainId), '--acl-address', evm.acl,
      '--validators', validators, '--quorum', '2', '--expedited',
    ]);
    const proposalId = Number(submitted['proposalId']);
    iscAddress = String(submitted['iscAddress']);
    expect(submitted['status']).toBe('voting_period');
    expect(iscAddress).toMatch(/^wasm1[0-9a-z]{58}$/);

    const pending = await tkmsOk(cli, ['gov', 'status', String(proposalId)]);
    expect(pending).toMatchObject({ id: proposalId, status: 'voting_period', expedited: true });
    expect(pending['votingEndTime']).toEqual(expect.any(String));
    const messages = pending['messages'] as { typeUrl: string; summary: string }[];
    expect(messages.map((m) => m.typeUrl)).toEqual(['/cosmwasm.wasm.v1.MsgInstantiateContract2', '/cosmwasm.wasm.v1.MsgExecuteContract']);
    expect(messages[1]!.summary).toBe(`execute register_application on ${net.network.contracts.config}`);

    const passed = await passWithValidatorVote(proposalId);
    expect(passed).toMatchObject({ status: 'passed', failedReason: '' });
    expect(BigInt((passed['tally'] as { yes: string }).yes)).toBeGreaterThan(0n);

    // The ISC is where the proposal said, configured as proposed, and the Config names it.
    const config = await tkmsOk(cli, ['config']);
    expect(config['applications']).toContainEqual({ app_id: APP, isc_type: 'fhevm', isc: iscAddress });
    const isc = await reader.queryContract<Record<string, unknown>>(iscAddress, { config: {} });
    expect(isc).toMatchObject({ chain_id: evm.chainId, acl_address: evm.acl, quorum: 2, max_age_seconds: 3600, validators: validatorKeys.map((k) => evmAddress(k)) });
    expect((await reader.contractInfo(iscAddress)).admin).toBe(net.chain.govAuthority);
    expect((await tkmsOk(cli, ['gov', 'status']))['proposals']).toContainEqual(expect.objectContaining({ id: proposalId, status: 'passed' }));
  }, 300_000);

  /** Encrypts `value` as euint8 through the CLI: its handle and ciphertext digest. */
  async function encrypt(value: number): Promise<{ handle: string; digest: string }> {
    // Stored for the fhEVM application: its handle names it (the ACL and the commitments are keyed by it).
    const enc = await tkmsOk(cli, ['encrypt', String(value), '--type', 'euint8', '--app', APP]);
    return { handle: String(enc['handle']), digest: String(enc['digest']) };
  }

  test('default: a decrypt with quorum-signed proofs that the ACL made the handle public and the coprocessor committed its digest is decrypted; a per-user permission is not enough', async () => {
    const { handle, digest } = await encrypt(42);
    await evm.commitCiphertext(handle, digest);
    // Someone may use the handle: a public, quorum-signed fact that anyone could forward.
    await evm.allow(handle, requester);
    await evm.allow(handle, dapp);
    expect(await refused([handle], await evm.userProof(requester, [{ handle, contract: dapp }], validatorKeys))).toMatch(
      new RegExp(`application ${APP} refused the request: ciphertext 0 \\(0x${handle}\\): unexpected slot`),
    );
    expect(await refused([handle], await evm.publicProof([handle], validatorKeys))).toContain('not publicly decryptable: the allowedForDecryption slot is empty');
    await evm.allowForDecryption([handle]);
    const proof = JSON.stringify(await evm.publicProof([handle], validatorKeys));
    granted = { handle, digest, proof };
    const dec = await tkmsOk(cli, ['decrypt', handle, '--app', APP, '--proof', proof]);
    expect(dec['plaintext']).toBe('42');
    expect(dec['signers']).toEqual([1]);
    const shown = await tkmsOk(cli, ['request', String(dec['requestId'])]);
    expect(shown).toMatchObject({ status: 'completed' });
  }, 300_000);

  test('default: a batch of two handles carries one proof per handle and decrypts; proofs out of order are refused', async () => {
    const a = await encrypt(5);
    const b = await encrypt(6);
    for (const c of [a, b]) await evm.commitCiphertext(c.handle, c.digest);
    await evm.allowForDecryption([a.handle, b.handle]);
    const proof = await evm.publicProof([a.handle, b.handle], validatorKeys);
    const dec = await tkmsOk(cli, ['decrypt', a.handle, b.handle, '--app', APP, '--proof', JSON.stringify(proof)]);
    expect((dec['results'] as { plaintext: string }[]).map((r) => r.plaintext)).toEqual(['5', '6']);
    // The same proof for the handles in the other order: the first entry proves the other handle's slots.
    expect(await refused([b.handle, a.handle], proof)).toMatch(new RegExp(`ciphertext 0 \\(0x${b.handle}\\): unexpected slot`));
  }, 300_000);

  test('malicious: a handle without the host chain\'s digest commitment, or committed to another digest, is refused', async () => {
    const bare = await encrypt(7);
    await evm.allowForDecryption([bare.handle]);
    expect(await refused([bare.handle], await evm.publicProof([bare.handle], validatorKeys))).toContain(
      `ciphertext 0 (0x${bare.handle}): no ciphertext digest committed: the host chain's ciphertextDigest[handle] slot is empty`,
    );
    // The coprocessor attested another ciphertext for this handle: the stored one is not it.
    const other = '0x' + 'ab'.repeat(32);
    await evm.commitCiphertext(bare.handle, other);
    expect(await refused([bare.handle], await evm.publicProof([bare.handle], validatorKeys))).toContain(
      `ciphertext digest mismatch: the host chain committed ${other}, the request names 0x${bare.digest}`,
    );
    // Only a registered coprocessor commits.
    await expect(evm.commitCiphertext(granted.handle, other, evm.outsider)).rejects.toThrow();
  }, 300_000);

  async function refused(handles: string[], proof: unknown): Promise<string> {
    const r = await runTkms(cli, ['decrypt', ...handles, '--app', APP, '--proof', JSON.stringify(proof)]);
    expect(r.code).toBe(1);
    return String((r.json['error'] as { message: string }).message);
  }

  test('malicious: a header signature by a key that is not the named validator is refused with the ISC reason', async () => {
    const proof = JSON.parse(granted.proof) as { header: Parameters<typeof signHeader>[0]; signatures: unknown[] };
    const v1 = evmAddress(validatorKeys[1]!);
    proof.signatures[1] = signHeader(proof.header, outsiderKey, v1);
    expect(await refused([granted.handle], proof)).toMatch(
      new RegExp(`application ${APP} refused the request: forged header signature 1: signed by ${evmAddress(outsiderKey)}, not by validator ${v1}`),
    );
    // One validator alone is below the quorum of 2.
    proof.signatures = proof.signatures.slice(0, 1);
    expect(await refused([granted.handle], proof)).toContain('quorum not met: 1 distinct validator signature(s), need 2');
  }, 120_000);

  test('malicious: the proof of another handle is refused; a handle the ACL never made public is refused', async () => {
    const other = await encrypt(8);
    await evm.commitCiphertext(other.handle, other.digest);
    expect(await refused([other.handle], JSON.parse(granted.proof))).toMatch(/refused the request: ciphertext 0 \(0x[0-9a-f]{64}\): unexpected slot: acl_proof proves slot 0x[0-9a-f]{64}, which this request does not need/);
    // Its own, correctly signed proof shows the public slot is empty.
    expect(await refused([other.handle], await evm.publicProof([other.handle], validatorKeys))).toContain('not publicly decryptable: the allowedForDecryption slot is empty');
  }, 120_000);

  test('malicious: a user decryption needs the user\'s EIP-712 signature, in its window, and the dApp contract\'s permission; another account cannot reuse the proof', async () => {
    const { handle, digest } = await encrypt(9);
    await evm.commitCiphertext(handle, digest);
    await evm.allow(handle, alice);
    const keyFile = path.join(cli.home, 'alice.key');
    writeFileSync(keyFile, Buffer.from(aliceKey).toString('hex'), { mode: 0o600 });
    const asAlice = ['--app', APP, '--client-address', alice, '--client-key', keyFile];
    // Alice may use the handle, but the dApp contract may not (yet): refused.
    const noContract = await runTkms(cli, ['user-decrypt', handle, ...asAlice, '--proof', JSON.stringify(await evm.userProof(alice, [{ handle, contract: dapp }], validatorKeys))]);
    expect(noContract.code).toBe(1);
    expect(String((noContract.json['error'] as { message: string }).message)).toContain(
      `ciphertext 0 (0x${handle}): permission not granted to the contract: the ACL slot of persistedAllowedPairs[handle][contract ${dapp}] is empty`,
    );
    await evm.allow(handle, dapp);
    const proof = JSON.stringify(await evm.userProof(alice, [{ handle, contract: dapp }], validatorKeys));
    // Alice's own request, signed with her key (EIP-712; allowed contracts taken from the proof).
    const ok = await tkmsOk(cli, ['user-decrypt', handle, ...asAlice, '--proof', proof]);
    expect(ok).toMatchObject({ plaintexts: ['9'], clientAddress: alice, allowedContracts: [dapp] });
    // Signed with a window that has passed: refused by the ASC against its block time.
    const expired = await runTkms(cli, ['user-decrypt', handle, ...asAlice, '--proof', proof, '--start', String(Math.floor(Date.now() / 1000) - 7200), '--valid-for', '3600']);
    expect(expired.code).toBe(1);
    expect(String((expired.json['error'] as { message: string }).message)).toMatch(/user_decrypt: request expired: valid from \d+ for 3600 s \(until \d+\), block time \d+/);
    // A request for Alice signed by another wallet (Bob's), sent straight to the chain: refused.
    const user = await WasmdClient.connect(net.network.rpcUrl, { mnemonic: net.chain.accounts[1]!.mnemonic, prefix: net.network.bech32Prefix, gasPrice: net.network.gasPrice! });
    try {
      const stored = (await getRequest(user, net.network.contracts.asc, String(ok['requestId']))).user_decrypt!;
      const auth: UserDecryptRequest = {
        clientAddress: alice, encKey: stored.enc_key, allowedContracts: [dapp], startTimestamp: Math.floor(Date.now() / 1000) - 60, durationSeconds: 600,
        eip712Domain: stored.eip712_domain,
      };
      const forged = await signUserDecryptRequest(auth, new Wallet('0x' + bytesToHex(bobKey)));
      const msg = {
        user_decrypt: {
          key_id: stored.key_id, ciphertexts: stored.ciphertexts, enc_key: stored.enc_key, client_address: alice, eip712_domain: stored.eip712_domain,
          ...userDecryptAuthFields(auth), user_signature: forged, app_id: APP, proof: JSON.parse(proof),
        },
      };
      await expect(user.executeContract(net.network.contracts.asc, msg, [])).rejects.toThrow(
        new RegExp(`bad user_signature: signed by ${evmAddress(bobKey)}, not by client_address ${alice}`),
      );
    } finally {
      await user.close();
    }
    // Her proof sent by another account (the CLI's chain key signs for its own address): the ISC is asked about that address.
    const other = await runTkms(cli, ['user-decrypt', handle, '--app', APP, '--proof', proof]);
    expect(other.code).toBe(1);
    expect(String((other.json['error'] as { message: string }).message)).toMatch(new RegExp(`application ${APP} refused the request: ciphertext 0 \\(0x${handle}\\): unexpected slot`));
    // Naming Alice without her key: refused before anything is sent.
    const named = await runTkms(cli, ['user-decrypt', handle, '--app', APP, '--proof', proof, '--client-address', alice]);
    expect(named.code).toBe(1);
    expect(named.json['error']).toMatchObject({ code: 'CLIENT_KEY_REQUIRED' });
    // Her per-user permission does not make the handle public either.
    expect(await refused([handle], JSON.parse(proof))).toMatch(/unexpected slot/);
  }, 300_000);

  test('behavior: a migrate proposal shortens the freshness window; the earlier proof is now stale, a fresh one works', async () => {
    const submitted = await tkmsOk(cli, ['gov', 'migrate', '--contract', iscAddress, '--code-id', String(net.network.codeIds!.iscFhevm), '--msg', '{"max_age_seconds":9}', '--expedited']);
    const passed = await passWithValidatorVote(Number(submitted['proposalId']));
    expect(passed).toMatchObject({ status: 'passed' });
    expect(await reader.queryContract(iscAddress, { config: {} })).toMatchObject({ max_age_seconds: 9 });
    // The expedited voting period alone (10 s) outlasts the 9 s window.
    expect(await refused([granted.handle], JSON.parse(granted.proof))).toMatch(/refused the request: stale header: block \d+ has timestamp \d+, \d+ s before the KMS chain's block time \d+ \(max age 9 s\)/);
    // A proof at a new block (the mined grant of another pair makes one) passes again.
    await evm.allow(granted.handle, evmAddress(outsiderKey));
    const dec = await tkmsOk(cli, ['decrypt', granted.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([granted.handle], validatorKeys))]);
    expect(dec['plaintext']).toBe('42');
  }, 300_000);

  test('behavior: gov migrate refuses, before any deposit, a contract governance does not administer and code that is not stored', async () => {
    // A contract instantiated by a user account, without admin.
    const user = await WasmdClient.connect(net.network.rpcUrl, {
      mnemonic: net.chain.accounts[1]!.mnemonic, prefix: net.network.bech32Prefix, gasPrice: net.network.gasPrice!,
    });
    try {
      const own = await user.instantiate(net.network.codeIds!.iscFhevm!, { chain_id: 1, acl_address: evm.acl, validators: [requester], quorum: 1 }, 'user-isc');
      const r = await runTkms(cli, ['gov', 'migrate', '--contract', own.address, '--code-id', String(net.network.codeIds!.iscFhevm)]);
      expect(r.code).toBe(1);
      expect(r.json['error']).toMatchObject({ code: 'NOT_GOV_ADMIN', message: `contract ${own.address} has admin (none), not the gov module account ${net.chain.govAuthority}` });
    } finally {
      await user.close();
    }
    const r = await runTkms(cli, ['gov', 'migrate', '--contract', net.network.contracts.config, '--code-id', '999']);
    expect(r.code).toBe(1);
    expect(r.json['error']).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no code with id 999') });
  }, 60_000);
});
