/**
 * Threshold end to end through a real wasmd chain: four cores as separate
 * processes (n = 4, t = 1) running MPC over pinned mutual TLS, four
 * connectors, the CLI. Party 4 is an adversary that signs wrong plaintexts
 * (test/adversary/lyingCore); party 3 is killed in the middle of a request
 * (test/adversary/stallingCore: honest, but it can be told to stall so that the
 * kill lands after it took the request and before it answered).
 * The chain runs one validator here (the 4-validator chain is covered by
 * wasmd.test.ts), to leave the two cores of the machine to the MPC.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KmsChainClient } from '../../chain/client.js';
import { getRequest, submitDecrypt, waitForResult } from '../../chain/asc/actions.js';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { runTkms, tkmsOk, type CliEnv, cliAccountClient, fundedCli } from '../helpers/tkms.js';
import { encryptWithPublicKey } from '../../core/engine/index.js';
import { withCarry } from '../attacks/_craft.js';
import type { FeeSchedule } from '../../chain/config/messages.js';

let net: WasmdKmsNetwork;
let cli: CliEnv;
let user: KmsChainClient;
let keyId: string;

beforeAll(async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-threshold-'));
  net = await startWasmdKmsNetwork({
    dir,
    // Decrypts plain uploads through the open "default" application: a dev network.
    devMode: true,
    validators: 1,
    parties: 4,
    basePort: 29800,
    faucetPort: await freePort(),
    // Below the ephemeral range, clear of every other suite's ports.
    ports: { kvStore: await freePort(), coreBase: 21100, publicBase: 21200, mpcBase: 21300 },
    coreScript: (p) =>
      p === 4
        ? path.join(repoRoot(), 'dist', 'test', 'adversary', 'lyingCore.js')
        : p === 3
          ? path.join(repoRoot(), 'dist', 'test', 'adversary', 'stallingCore.js')
          : undefined,
  });
  cli = await fundedCli(net.networkFile, 'th');
  user = await cliAccountClient(cli, net.network);
  keyId = String((await tkmsOk(cli, ['keygen']))['keyId']);
}, 900_000);

afterAll(async () => {
  await user?.close();
  await net?.stop();
}, 120_000);

async function fee(): Promise<{ denom: string; amount: string }[]> {
  const f = await user.queryContract<FeeSchedule>(net.network.contracts.config, { fees: {} });
  return f.decrypt && f.decrypt !== '0' ? [{ denom: f.denom, amount: f.decrypt }] : [];
}

test('default: a threshold key set is agreed by at least 2t+1 parties, made from a keygen preprocessing they agreed first', async () => {
  expect(keyId).toMatch(/^[0-9a-f]{40}$/);
  const request = await getRequest(user, net.network.contracts.asc, keyId);
  expect(request.status).toBe('completed');
  expect(request.payees!.length).toBeGreaterThanOrEqual(3);
  // The PRSS setup ran in the keygen_preproc the keygen named (its keys serve every decryption below).
  const preprocId = request.keygen?.preproc_id;
  expect(preprocId).toMatch(/^[0-9a-f]{40}$/);
  const preproc = await getRequest(user, net.network.contracts.asc, preprocId!);
  expect(preproc).toMatchObject({ kind: 'keygen_preproc', status: 'completed', used_by: keyId });
  expect(preproc.payees!.length).toBeGreaterThanOrEqual(3);
});

test('malicious: a core signing wrong plaintexts is outvoted, its answer recorded as a conflict', async () => {
  for (const [value, type] of [
    ['42', 'euint8'],
    ['true', 'ebool'],
    ['18446744073709551615', 'euint64'],
  ] as const) {
    const enc = await tkmsOk(cli, ['encrypt', value, '--type', type]);
    const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
    expect(dec['plaintext']).toBe(value);
    // Once the liar's answer has landed, the ASC shows the conflict and names the liar.
    const requestId = String(dec['requestId']);
    let r = await getRequest(user, net.network.contracts.asc, requestId);
    for (let i = 0; i < 100 && r.responses.length < 4; i++) {
      await new Promise((res) => setTimeout(res, 300));
      r = await getRequest(user, net.network.contracts.asc, requestId);
    }
    const liar = r.responses.find((x) => x.party_id === 4);
    expect(liar && 'decrypt' in liar.response ? liar.response.decrypt.plaintexts[0] : undefined).not.toBe(type === 'ebool' ? '1' : value);
    expect(r.conflict).toBe(true);
    expect(r.payees).not.toContain(4);
    // Once decided, the ASC names the party whose answer differs from the result, and only it.
    expect(r.dissent).toEqual([4]);
  }
}, 300_000);

test('default: a proven input is verified by every party, expanded identically and decrypted by MPC', async () => {
  // Its own CLI home: this keygen must not become the other tests' default key.
  const zkCli = await fundedCli(net.networkFile, 'th-zk');
  const fhevmKey = String((await tkmsOk(zkCli, ['keygen', '--params', 'fhevm']))['keyId']);
  const crsId = String((await tkmsOk(zkCli, ['crsgen', '--max-bits', '64']))['crsId']);
  // Made by ceremony, not by a dealer: anyone replays the published transcript to the signed digest.
  expect(await tkmsOk(zkCli, ['verify-crs', '--crs-id', crsId])).toMatchObject({ crsId, contributors: [1, 2, 3, 4], verified: true });
  const enc = await tkmsOk(zkCli, ['encrypt', '42', '--type', 'euint8', '--prove']);
  expect(enc).toMatchObject({ proven: true, crsId, keyId: fhevmKey });
  const dec = await tkmsOk(zkCli, ['decrypt', String(enc['handle'])]);
  // t+1 identical signed plaintexts: honest parties verified the proof, expanded the input to the same
  // ciphertext (else the MPC opens garbage) and decrypted it together; party 4's lie is outvoted.
  expect(dec['plaintext']).toBe('42');
  const request = await getRequest(user, net.network.contracts.asc, String(dec['requestId']));
  expect(request.decrypt).toMatchObject({ crs_id: crsId });
}, 600_000);

test('malicious: only message bits leave the MPC: a block whose degree admits carries is refused by the parties, a carry hidden under a lying degree is not opened', async () => {
  const pkFile = path.join(cli.home, 'pk-carry.bin');
  await tkmsOk(cli, ['fetch-key', '--key-id', keyId, '-o', pkFile]);
  const value = 0b10_01_11_10n;
  const genuine = encryptWithPublicKey(new Uint8Array(readFileSync(pkFile)), 'euint8', value);
  const upload = async (bytes: Uint8Array, name: string): Promise<string> => {
    writeFileSync(path.join(cli.home, name), bytes);
    return String((await tkmsOk(cli, ['upload', path.join(cli.home, name), '--type', 'euint8', '--key-id', keyId]))['handle']);
  };
  const dirty = await runTkms(cli, ['decrypt', await upload(withCarry(genuine, 1, 15n), 'dirty.bin'), '--key-id', keyId]);
  expect(dirty.code).toBe(1);
  expect((dirty.json['error'] as { message: string }).message).toMatch(/CIPHERTEXT_CARRIES: .*block 1 of the euint8 has degree 15 > 3/);
  // The old output step opened the digit with its carry bit (V mod 16 = 7) and the value came out + 16.
  const hidden = await tkmsOk(cli, ['decrypt', await upload(withCarry(genuine, 1, 3n), 'hidden.bin'), '--key-id', keyId]);
  expect(hidden['plaintext']).toBe(value.toString());
}, 300_000);

test('behavior: a decryption completes while an honest core is killed in the middle of it', async () => {
  const enc = await tkmsOk(cli, ['encrypt', '31337', '--type', 'euint16']);
  const core3 = net.processes.find((p) => p.name === 'core-3')!;
  // From now on core 3 stalls each decryption it starts (it still took the earlier ones honestly).
  writeFileSync(path.join(path.dirname(path.dirname(core3.logFile)), 'party-3', 'stall-decryptions'), ''); // <dir>/logs/core-3.log → <dir>/party-3
  const submitted = await submitDecrypt(
    user,
    net.network.contracts.asc,
    { key_id: keyId, ciphertext_handle: String(enc['handle']), ciphertext_digest: String(enc['digest']), fhe_type: 'euint16' },
    await fee(),
  );
  expect((await getRequest(user, net.network.contracts.asc, submitted.requestId)).status).toBe('pending');
  // Kill core 3 once it has taken this request and stalls in it: it cannot have answered.
  const stalled = (l: string): boolean => l.includes(`"requestId":"${submitted.requestId}"`) && l.includes('ADVERSARY: stalling');
  for (let i = 0; i < 1500 && !readFileSync(core3.logFile, 'utf8').split('\n').some(stalled); i++) {
    await new Promise((res) => setTimeout(res, 20));
  }
  expect(readFileSync(core3.logFile, 'utf8').split('\n').some(stalled)).toBe(true);
  core3.child.kill('SIGKILL');
  await core3.stop();
  const done = await waitForResult(user, net.network.contracts.asc, submitted.requestId, { fromHeight: submitted.tx.height, timeoutMs: 180_000 });
  expect(done.status).toBe('completed');
  expect(done.result && 'decrypt' in done.result ? done.result.decrypt.plaintexts[0] : undefined).toBe('31337');
  // Parties 1 and 2 are the t+1 honest answers (3 is dead, 4 lies).
  expect([...(done.payees ?? [])].sort((a, b) => a - b)).toEqual([1, 2]);
  expect(done.responses.some((r) => r.party_id === 3)).toBe(false);
}, 300_000);
