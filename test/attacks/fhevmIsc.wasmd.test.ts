/**
 * Attacks on the fhEVM ISC (issue 10 item 6), end to end on a real one-validator
 * wasmd localnet with a core, and a real EVM node (anvil) as the fhEVM host chain:
 * - one proof for a whole batch: a handle nobody made public, smuggled into a batch
 *   behind another handle's proof, is refused — each handle needs its own proof,
 *   and an honest batch with one proof per handle decrypts;
 * - a user decryption through a dApp contract that holds no permission on the
 *   handle (only the user does) is refused;
 * - a handle the host chain never committed to a ciphertext digest (bytes uploaded
 *   by anyone, then permitted on the host chain by a careless or hostile dApp) is
 *   refused, and so is a handle committed to another digest.
 * Each test first shows the honest request accepted, so each fails on the old code.
 * In CI a missing wasmd is a failure (run `make wasmd`), never a skip.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { WasmdClient } from '../../chain/wasmd/wasmdClient.js';
import { waitForProposal } from '../../chain/wasmd/governance.js';
import { startAclNode, type AclNode } from '../evm/aclNode.js';
import { evmAddress } from '../fixtures/scripts/fhevmHeader.js';
import { runTkms, tkmsOk, type CliEnv, fundedCli } from '../helpers/tkms.js';
import { putCiphertext } from '../../connector/kvstore/client.js';
import { encryptWithPublicKey } from '../../core/engine/index.js';

const APP = 'fhevm-attack';
const testKey = (label: string): Uint8Array => keccak_256(new TextEncoder().encode(label));
const validatorKeys = [testKey('tkms-attack-isc-validator-0'), testKey('tkms-attack-isc-validator-1')];
const aliceKey = testKey('tkms-attack-isc-alice');
const alice = evmAddress(aliceKey);
const dapp = evmAddress(testKey('tkms-attack-isc-dapp'));

describe('attack: the fhEVM ISC on wasmd', () => {
  let net: WasmdKmsNetwork;
  let evm: AclNode;
  let cli: CliEnv;
  let aliceKeyFile: string;

  beforeAll(async () => {
    if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-attack-isc-'));
    evm = await startAclNode(31337);
    net = await startWasmdKmsNetwork({
      dir,
      validators: 1,
      basePort: 30400,
      faucetPort: await freePort(),
      ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
    });
    cli = await fundedCli(net.networkFile, 'attack-isc');
    await tkmsOk(cli, ['keygen']);
    // Onboard the fhEVM chain: one proposal, the validator votes yes.
    const submitted = await tkmsOk(cli, [
      'gov', 'register-isc', '--app-id', APP, '--evm-chain-id', String(evm.chainId), '--acl-address', evm.acl,
      '--validators', validatorKeys.map((k) => evmAddress(k)).join(','), '--quorum', '2', '--expedited',
    ]);
    const proposalId = Number(submitted['proposalId']);
    await tkmsOk(cli, ['gov', 'vote', String(proposalId), 'yes', '--from', path.join(dir, 'wasmd', 'node0', 'home', 'key_seed.json')]);
    const reader = await WasmdClient.connect(net.network.rpcUrl, { prefix: net.network.bech32Prefix, gasPrice: net.network.gasPrice! });
    try {
      const outcome = await waitForProposal(reader, proposalId, 120_000);
      if (outcome.status !== 'passed') throw new Error(`proposal ${proposalId} ${outcome.status}: ${outcome.failedReason}`);
    } finally {
      await reader.close();
    }
    aliceKeyFile = path.join(cli.home, 'alice.key');
    writeFileSync(aliceKeyFile, Buffer.from(aliceKey).toString('hex'), { mode: 0o600 });
  }, 600_000);

  afterAll(async () => {
    await net?.stop();
    await evm?.stop();
  }, 120_000);

  async function encrypt(value: number): Promise<{ handle: string; digest: string }> {
    // Stored for the fhEVM application: its handle names it (the ACL and the commitments are keyed by it).
    const enc = await tkmsOk(cli, ['encrypt', String(value), '--type', 'euint8', '--app', APP]);
    return { handle: String(enc['handle']), digest: String(enc['digest']) };
  }

  /** Runs the CLI and returns the refusal's message (the command must fail). */
  async function refusal(args: string[]): Promise<string> {
    const r = await runTkms(cli, args);
    expect(r.code).toBe(1);
    return String((r.json['error'] as { message: string } | undefined)?.message ?? r.stderr);
  }

  test('a non-public handle smuggled into a batch behind another handle\'s proof is refused; one proof per handle decrypts', async () => {
    const open = await encrypt(11);
    const secret = await encrypt(12);
    const third = await encrypt(13);
    for (const c of [open, secret, third]) await evm.commitCiphertext(c.handle, c.digest);
    await evm.allowForDecryption([open.handle, third.handle]);
    // Honest batch: one proof per handle, in order.
    const honest = await tkmsOk(cli, ['decrypt', open.handle, third.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([open.handle, third.handle], validatorKeys))]);
    expect((honest['results'] as { plaintext: string }[]).map((r) => r.plaintext)).toEqual(['11', '13']);
    // The public handle's proof repeated for the secret one.
    const proof = await evm.publicProof([open.handle], validatorKeys);
    const smuggled = { ...proof, handles: [proof.handles[0]!, proof.handles[0]!] };
    expect(await refusal(['decrypt', open.handle, secret.handle, '--app', APP, '--proof', JSON.stringify(smuggled)])).toMatch(
      new RegExp(`application ${APP} refused the request: ciphertext 1 \\(0x${secret.handle}\\): unexpected slot`),
    );
    // Its own proof shows it is not public.
    expect(await refusal(['decrypt', open.handle, secret.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([open.handle, secret.handle], validatorKeys))])).toContain(
      `ciphertext 1 (0x${secret.handle}): not publicly decryptable`,
    );
  }, 300_000);

  test('a batch whose proofs pass the VM\'s 64 KiB query limit is validated by the ISC in parts, one proof per handle, and decrypts', async () => {
    const pkFile = path.join(cli.home, 'pk.bin');
    const keyId = String((await tkmsOk(cli, ['fetch-key', '-o', pkFile]))['keyId']);
    const publicKey = new Uint8Array(readFileSync(pkFile));
    const values = Array.from({ length: 20 }, (_, i) => BigInt(100 + i));
    const stored = [];
    for (const v of values) stored.push(await putCiphertext(net.network.kvStoreUrl, encryptWithPublicKey(publicKey, 'euint8', v), 'euint8', { keyId, appId: APP }));
    for (const c of stored) await evm.commitCiphertext(c.handle, c.digest);
    await evm.allowForDecryption(stored.map((c) => c.handle));
    const proof = await evm.publicProof(stored.map((c) => c.handle), validatorKeys);
    // Base64 in the ISC query: well over cosmwasm-vm's 64 KiB for one query.
    expect((JSON.stringify(proof).length * 4) / 3).toBeGreaterThan(64 * 1024);
    const out = await tkmsOk(cli, ['decrypt', ...stored.map((c) => c.handle), '--app', APP, '--proof', JSON.stringify(proof)]);
    expect((out['results'] as { plaintext: string }[]).map((r) => r.plaintext)).toEqual(values.map(String));
  }, 300_000);

  test('a user decryption through a dApp contract without permission on the handle is refused', async () => {
    const c = await encrypt(21);
    await evm.commitCiphertext(c.handle, c.digest);
    await evm.allow(c.handle, alice);
    const asAlice = ['user-decrypt', c.handle, '--app', APP, '--client-address', alice, '--client-key', aliceKeyFile];
    // Only Alice holds the handle: the contract she names does not.
    expect(await refusal([...asAlice, '--proof', JSON.stringify(await evm.userProof(alice, [{ handle: c.handle, contract: dapp }], validatorKeys))])).toContain(
      `ciphertext 0 (0x${c.handle}): permission not granted to the contract: the ACL slot of persistedAllowedPairs[handle][contract ${dapp}] is empty`,
    );
    // Once the dApp holds it too, the same request decrypts.
    await evm.allow(c.handle, dapp);
    const ok = await tkmsOk(cli, [...asAlice, '--proof', JSON.stringify(await evm.userProof(alice, [{ handle: c.handle, contract: dapp }], validatorKeys))]);
    expect(ok).toMatchObject({ plaintexts: ['21'], allowedContracts: [dapp] });
  }, 300_000);

  test('a handle the host chain never committed to this ciphertext is refused, however the ACL permits it', async () => {
    const honest = await encrypt(31);
    await evm.commitCiphertext(honest.handle, honest.digest);
    await evm.allowForDecryption([honest.handle]);
    expect((await tkmsOk(cli, ['decrypt', honest.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([honest.handle], validatorKeys))]))['plaintext']).toBe('31');
    // Bytes uploaded by anyone (here a real ciphertext, but nothing vouches for it), then
    // marked public on the host chain by a hostile dApp: no coprocessor commitment.
    const uploaded = await encrypt(32);
    await evm.allowForDecryption([uploaded.handle]);
    expect(await refusal(['decrypt', uploaded.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([uploaded.handle], validatorKeys))])).toContain(
      `ciphertext 0 (0x${uploaded.handle}): no ciphertext digest committed`,
    );
    // The coprocessor committed the handle to another ciphertext: the uploaded bytes are not it.
    await evm.commitCiphertext(uploaded.handle, '0x' + 'cd'.repeat(32));
    expect(await refusal(['decrypt', uploaded.handle, '--app', APP, '--proof', JSON.stringify(await evm.publicProof([uploaded.handle], validatorKeys))])).toContain(
      `ciphertext digest mismatch: the host chain committed 0x${'cd'.repeat(32)}, the request names 0x${uploaded.digest}`,
    );
  }, 300_000);
});
