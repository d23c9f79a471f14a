/**
 * @module test/e2e/scenario
 * The walking-skeleton flow, run end to end against a network whose every
 * component is a real process: CLI wallet → KMS chain → connector → core →
 * chain. Shared by the embedded-chain and the wasmd end-to-end suites.
 */
import { existsSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tfhe from 'node-tfhe';
import type { KmsChainClient, NetworkDescriptor } from '../../chain/client.js';
import { fulfill, getClaimable, getRequest, submitDecrypt, waitForResult } from '../../chain/asc/actions.js';
import { getFees, getParams, requestFunds } from '../../chain/config/queries.js';
import { ASC_EVENTS } from '../../chain/asc/messages.js';
import { getUserDecryptAnswers } from '../../chain/asc/userDecryptCrsActions.js';
import type { Coin } from '../../chain/client.js';
import type { KmsNetwork } from '../../localnet/kms.js';
import { spawnManaged } from '../../localnet/processes.js';
import { repoRoot } from '../../common/paths.js';
import { runTkms, tkmsOk, type CliEnv, cliAccountClient, fundedCli } from '../helpers/tkms.js';
import { connectCore, type CoreClient } from '../../core/client/coreClient.js';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { getCiphertext, putCiphertext } from '../../connector/kvstore/client.js';

export interface StartedNetwork extends KmsNetwork {
  dir: string;
  /** Runs `msg` on `contract` as the Config's governance: the deployer on the
   * embedded chain, a passed gov proposal on wasmd. */
  governance: (contract: string, msg: unknown) => Promise<void>;
}

const SIZE_LIMIT = BigInt(1 << 30);

/** Every file under `dir`; files that vanish mid-walk (a running validator's temporary files) are skipped. */
function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.flatMap((f) => {
    const p = path.join(dir, f);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return [];
    return st.isDirectory() ? walk(p) : [p];
  });
}

export interface FlowOptions {
  /** Run the CRS generation scenario (~80 s of CPU per party): on one chain only. */
  crs?: boolean;
}

export function describeDecryptFlow(suite: string, start: () => Promise<StartedNetwork>, options: FlowOptions = {}): void {
  describe(suite, () => {
    let net: StartedNetwork;
    let cli: CliEnv;
    let network: NetworkDescriptor;
    let user: KmsChainClient;
    let keyId: string;
    let publicKeyFile: string;
    /** What a decrypt costs on this network (localnet deploys with fees). */
    let decryptFee: Coin[];
    /** Gas of the transactions the tests send themselves, printed at the end. */
    const gas: Record<string, number> = {};
    /** A handle encrypted while the key was active (the lifecycle tests decrypt it later). */
    let encryptedWhileActive: string;

    beforeAll(async () => {
      net = await start();
      network = net.network;
      cli = await fundedCli(net.networkFile, 'flow');
      user = await cliAccountClient(cli, network);
      decryptFee = await requestFunds(user, network.contracts.config, 'decrypt');
    }, 900_000);

    afterAll(async () => {
      if (Object.keys(gas).length) process.stdout.write(`${suite} gas used: ${JSON.stringify(gas)}\n`);
      await user?.close();
      await net?.stop();
    }, 120_000);

    test('default: the Config holds the parties, their endpoints and the fees', async () => {
      const params = await getParams(user, network.contracts.config);
      expect(params).toMatchObject({ n: 1, threshold: 0, fhe_parameters: 'default' });
      expect(params.fees).toMatchObject({ denom: network.denom, keygen: '1000', decrypt: '100' });
      expect(decryptFee).toEqual([{ denom: network.denom, amount: '100' }]);
      const { parties } = await user.queryContract<{ parties: { grpc_endpoint?: string; evm_address?: string; tls_cert_fingerprint?: string }[] }>(
        network.contracts.config,
        { parties: {} },
      );
      expect(parties[0]).toMatchObject({ grpc_endpoint: network.cores[0]!.grpcUrl, evm_address: expect.stringMatching(/^0x[0-9a-f]{40}$/) });
      expect(parties[0]!.tls_cert_fingerprint).toMatch(/^[0-9a-f]{64}$/);
      const shown = await tkmsOk(cli, ['config']);
      expect(shown).toMatchObject({ n: 1, threshold: 0, applications: [{ app_id: 'default', isc_type: 'open' }] });
      // A dev network, said so; the network's operator is the one Config operator.
      expect(shown).toMatchObject({ dev_mode: true, trusted_submitters: [] });
      expect(shown['operators']).toHaveLength(1);
      expect(await tkmsOk(cli, ['fees'])).toMatchObject({ fees: { decrypt: '100', keygen: '1000' }, claimable: [] });
    });

    test('default: keygen goes through a keygen preprocessing and publishes a verified public key', async () => {
      // The CLI's account is neither governance nor an operator: the network's operator key sends both requests.
      const run = await runTkms(cli, ['keygen']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("keygen_preproc and keygen sent by the network's operator account");
      const out = run.json;
      expect((await getParams(user, network.contracts.config)).operators).toEqual([out['sentBy']]);
      keyId = String(out['keyId']);
      expect(keyId).toMatch(/^[0-9a-f]{40}$/);
      expect(out['signers']).toEqual([1]);
      // Two requests, as in Zama's KMS: the keygen names the preprocessing, which it used up.
      const preprocId = String(out['preprocId']);
      expect(preprocId).toMatch(/^[0-9a-f]{40}$/);
      const preproc = await getRequest(user, network.contracts.asc, preprocId);
      expect(preproc).toMatchObject({ kind: 'keygen_preproc', status: 'completed', used_by: keyId });
      expect(preproc.result).toHaveProperty('keygen_preproc.signature');
      expect(await getRequest(user, network.contracts.asc, keyId)).toMatchObject({ kind: 'keygen', keygen: { preproc_id: preprocId } });
      expect(await user.queryContract(network.contracts.asc, { key: { key_id: keyId } })).toMatchObject({ key_id: keyId, preproc_id: preprocId });
      const reuse = await runTkms(cli, ['keygen', '--preproc-id', preprocId]);
      expect(reuse.code).toBe(1);
      expect(JSON.stringify(reuse.json)).toContain(`preproc_id ${preprocId} is already used by keygen ${keyId}`);
      const alone = await tkmsOk(cli, ['keygen-preproc']);
      expect(await getRequest(user, network.contracts.asc, String(alone['preprocId']))).toMatchObject({ kind: 'keygen_preproc', status: 'completed' });
      publicKeyFile = path.join(cli.home, 'pk.bin');
      const fetched = await tkmsOk(cli, ['fetch-key', '-o', publicKeyFile]);
      expect(fetched['digest']).toBe(out['public_key_digest']);
      // The download is node-tfhe's own serialization: any tfhe-rs client can load it.
      expect(() => tfhe.TfheCompactPublicKey.safe_deserialize(readFileSync(publicKeyFile), SIZE_LIMIT)).not.toThrow();
      const state = await tkmsOk(cli, ['key-state', keyId]);
      expect(state).toMatchObject({ keyId, state: 'active', encrypt: true, decrypt: true });
    });

    test('default: encrypt 42 as euint8, decrypt prints 42', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '42', '--type', 'euint8']);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      expect(dec['plaintext']).toBe('42');
      expect(dec['signers']).toEqual([1]);
      // The CLI read the fee from the Config and paid it; the ASC recorded it.
      expect(dec['fee']).toEqual(decryptFee);
      expect((await getRequest(user, network.contracts.asc, String(dec['requestId']))).fee).toEqual({ denom: network.denom, amount: '100' });
    });

    test('default: tkms decrypt takes several handles: one request, one verified plaintext each, in order', async () => {
      const values: [string, string][] = [['7', 'euint8'], ['true', 'ebool'], ['4000000000', 'euint32']];
      const handles: string[] = [];
      for (const [v, t] of values) handles.push(String((await tkmsOk(cli, ['encrypt', v, '--type', t]))['handle']));
      const dec = await tkmsOk(cli, ['decrypt', ...handles]);
      expect(dec['results']).toEqual(values.map(([plaintext, fheType], i) => ({ handle: handles[i], fheType, plaintext })));
      const request = await getRequest(user, network.contracts.asc, String(dec['requestId']));
      expect(request.decrypt?.ciphertexts.map((c) => c.ciphertext_handle)).toEqual(handles);
      expect(request.result).toEqual({ decrypt: expect.objectContaining({ plaintexts: ['7', '1', '4000000000'] }) });
      expect(dec['signers']).toEqual([1]);
    });

    test('behavior: a decrypt without the fee is refused by the ASC', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '3', '--type', 'euint8']);
      const params = { key_id: keyId, ciphertext_handle: String(enc['handle']), ciphertext_digest: String(enc['digest']), fhe_type: 'euint8' as const };
      await expect(submitDecrypt(user, network.contracts.asc, params)).rejects.toThrow(/fee too low: decrypt costs 100/);
      await expect(submitDecrypt(user, network.contracts.asc, params, [{ denom: network.denom, amount: '99' }])).rejects.toThrow(/fee too low/);
      // A decided request is never refunded, and a user has no fee shares to claim.
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      const refund = await runTkms(cli, ['refund', String(dec['requestId'])]);
      expect(refund.code).toBe(1);
      expect(JSON.stringify(refund.json)).toContain('is completed: its fee went to the parties');
      const claim = await runTkms(cli, ['claim']);
      expect(claim.code).toBe(1);
      expect(JSON.stringify(claim.json)).toContain('nothing to claim');
    });

    test('behavior: the connector claims the fee shares its party earned', async () => {
      const fees = await getFees(user, network.contracts.config);
      expect(BigInt(fees.decrypt)).toBeGreaterThan(0n);
      // Connectors claim every 5 s on the localnet: wait for party 1's claim event.
      const party = (await user.queryContract<{ parties: { address: string }[] }>(network.contracts.config, { parties: {} })).parties[0]!.address;
      const claimed = await new Promise<Record<string, string>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no tkms_claim event within 60 s')), 60_000);
        const sub = user.watchEvents({ contract: network.contracts.asc, eventType: ASC_EVENTS.claim }, 0, async (e) => {
          if (e.attributes['address'] === party) {
            clearTimeout(timer);
            sub.close();
            resolve(e.attributes);
          }
        });
      });
      expect(claimed['amount']).toMatch(new RegExp(`^\\d+${network.denom}$`));
      const left = await getClaimable(user, network.contracts.asc, party);
      expect(left.address).toBe(party);
    });

    test.each([
      ['ebool', 'true'],
      ['euint4', '9'],
      ['euint16', '65535'],
      ['euint32', '3000000000'],
      ['euint64', '18446744073709551615'],
    ])('behavior: round trip of %s %s', async (type, value) => {
      const enc = await tkmsOk(cli, ['encrypt', value, '--type', type]);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      expect(dec['plaintext']).toBe(value);
    });

    test('behavior: a ciphertext made by another tfhe-rs client is uploaded and decrypted', async () => {
      const pk = tfhe.TfheCompactPublicKey.safe_deserialize(readFileSync(publicKeyFile), SIZE_LIMIT);
      const builder = tfhe.CompactCiphertextList.builder(pk);
      builder.push_u32(1234567);
      const ct = builder.build().expand().get_uint32(0).safe_serialize(SIZE_LIMIT);
      const file = path.join(cli.home, 'client.ct');
      writeFileSync(file, ct);
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint32']);
      const dec = await tkmsOk(cli, ['decrypt', String(up['handle'])]);
      expect(dec['plaintext']).toBe('1234567');
    });

    async function failedDecrypt(handle: string, expectedCode: string): Promise<void> {
      const r = await runTkms(cli, ['decrypt', handle]);
      expect(r.code).toBe(1);
      const err = r.json['error'] as { code: string; message: string; details: string };
      expect(err.code).toBe('DECRYPT_FAILED');
      expect(err.message).toContain(expectedCode);
      // The request stays queryable on chain with its failure reason.
      const requestId = /request ([0-9a-f]{40})/.exec(err.details)?.[1];
      expect(requestId).toBeDefined();
      const shown = await tkmsOk(cli, ['request', requestId!]);
      expect(shown['status']).toBe('failed');
      expect(String(shown['failure_reason'])).toContain(expectedCode);
    }

    test('behavior: malformed ciphertext bytes fail with a recorded reason', async () => {
      const file = path.join(cli.home, 'garbage.ct');
      writeFileSync(file, randomBytes(5000));
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint8']);
      await failedDecrypt(String(up['handle']), 'CIPHERTEXT_MALFORMED');
    });

    test('behavior: a euint64 ciphertext declared as euint8 fails with FHE_TYPE_MISMATCH', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '7', '--type', 'euint64']);
      const file = path.join(cli.home, 'u64.ct');
      const kvDir = path.join(net.dir, 'kvstore');
      const stored = walk(kvDir).find((f) => readFileSync(f).length > 100_000 && f.includes(String(enc['digest'])));
      expect(stored).toBeDefined();
      writeFileSync(file, readFileSync(stored!));
      const up = await tkmsOk(cli, ['upload', file, '--type', 'euint8']);
      await failedDecrypt(String(up['handle']), 'FHE_TYPE_MISMATCH');
    });

    test('behavior: the core refuses a ciphertext whose digest does not match', async () => {
      const a = await tkmsOk(cli, ['encrypt', '1', '--type', 'euint8']);
      const b = await tkmsOk(cli, ['encrypt', '2', '--type', 'euint8']);
      // Storage is untrusted: swap A's stored bytes for B's behind the KV-store's back.
      const files = walk(path.join(net.dir, 'kvstore'));
      const fileA = files.find((f) => f.includes(String(a['digest'])) && !f.endsWith('.json'));
      const fileB = files.find((f) => f.includes(String(b['digest'])) && !f.endsWith('.json'));
      expect(fileA && fileB).toBeTruthy();
      writeFileSync(fileA!, readFileSync(fileB!));
      await failedDecrypt(String(a['handle']), 'DIGEST_MISMATCH');
    });

    test('behavior: a ciphertext missing from the KV-store fails with CIPHERTEXT_UNAVAILABLE', async () => {
      const missingDigest = randomBytes(32).toString('hex');
      const s = await submitDecrypt(
        user,
        network.contracts.asc,
        {
          key_id: keyId,
          ciphertext_handle: ciphertextHandle(missingDigest, 'euint8', { keyId, appId: 'default' }),
          ciphertext_digest: missingDigest,
          fhe_type: 'euint8',
        },
        decryptFee,
      );
      gas['decrypt (paid, open app)'] = s.tx.gasUsed;
      const done = await waitForResult(user, network.contracts.asc, s.requestId, { fromHeight: s.tx.height, timeoutMs: 120_000 });
      expect(done.status).toBe('failed');
      expect(done.failure_reason).toContain('CIPHERTEXT_UNAVAILABLE');
    });

    test('behavior: unknown key id, unknown application and unknown FHE type are rejected by the ASC; a handle named under another key or application by the CLI', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '5', '--type', 'euint8']);
      // The handle names its key and application: the CLI refuses to send it under others.
      const r = await runTkms(cli, ['decrypt', String(enc['handle']), '--key-id', '00'.repeat(20)]);
      expect(r.code).toBe(1);
      expect(r.json['error']).toMatchObject({ code: 'HANDLE_MISMATCH' });
      // Bytes stored under an unknown key, or for an unregistered application: the ASC refuses.
      const unknownKey = await putCiphertext(network.kvStoreUrl, await getCiphertext(network.kvStoreUrl, String(enc['digest'])), 'euint8', { keyId: '00'.repeat(20), appId: 'default' });
      const k = await runTkms(cli, ['decrypt', unknownKey.handle]);
      expect(k.code).toBe(1);
      expect(JSON.stringify(k.json)).toContain('unknown key id');
      const nope = await tkmsOk(cli, ['encrypt', '5', '--type', 'euint8', '--app', 'nope']);
      const app = await runTkms(cli, ['decrypt', String(nope['handle'])]);
      expect(app.code).toBe(1);
      expect(JSON.stringify(app.json)).toContain('unregistered application nope');
      await expect(
        submitDecrypt(user, network.contracts.asc, {
          key_id: keyId,
          ciphertext_handle: String(enc['handle']),
          ciphertext_digest: String(enc['digest']),
          fhe_type: 'euint7' as never,
        }),
      ).rejects.toThrow(/fhe_type/);
    });

    test('behavior: a fulfill from a non-party is rejected and the request is unchanged', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '77', '--type', 'euint8']);
      const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
      const requestId = String(dec['requestId']);
      await expect(fulfill(user, network.contracts.asc, requestId, { decrypt: { plaintexts: ['78'], signature: '00'.repeat(64) } })).rejects.toThrow(
        /not a registered party/,
      );
      const after = await getRequest(user, network.contracts.asc, requestId);
      expect(after.status).toBe('completed');
      expect(after.responses.map((r) => r.party_id)).toEqual([1]);
      expect(after.result).toEqual(expect.objectContaining({ decrypt: expect.objectContaining({ plaintexts: ['77'] }) }));
    });

    test('behavior: a connector restart loses no request and fulfills none twice', async () => {
      const connector = net.processes.find((p) => p.name === 'connector-1')!;
      await connector.stop();
      const enc = await tkmsOk(cli, ['encrypt', '99', '--type', 'euint16']);
      const submitted = await submitDecrypt(
        user,
        network.contracts.asc,
        {
          key_id: keyId,
          ciphertext_handle: String(enc['handle']),
          ciphertext_digest: String(enc['digest']),
          fhe_type: 'euint16',
        },
        decryptFee,
      );
      expect((await getRequest(user, network.contracts.asc, submitted.requestId)).status).toBe('pending');
      const restarted = spawnManaged({
        name: 'connector-1',
        dir: net.dir,
        command: process.execPath,
        args: [path.join(repoRoot(), 'dist/connector/kms-connector/main.js'), '--config', path.join(net.dir, 'party-1', 'connector.json')],
      });
      net.processes.splice(net.processes.indexOf(connector), 1, restarted);
      const done = await waitForResult(user, network.contracts.asc, submitted.requestId, { fromHeight: submitted.tx.height, timeoutMs: 120_000 });
      expect(done.status).toBe('completed');
      expect(done.result).toEqual(expect.objectContaining({ decrypt: expect.objectContaining({ plaintexts: ['99'] }) }));
      // Earlier requests replayed from the checkpoint were recognised as answered.
      expect(done.responses).toHaveLength(1);
    });

    test('default: user-decrypt returns the plaintexts of a batch, sealed to the user only', async () => {
      const a = await tkmsOk(cli, ['encrypt', '42', '--type', 'euint8']);
      const b = await tkmsOk(cli, ['encrypt', 'true', '--type', 'ebool']);
      const c = await tkmsOk(cli, ['encrypt', '18446744073709551615', '--type', 'euint64']);
      const out = await tkmsOk(cli, ['user-decrypt', String(a['handle']), String(b['handle']), String(c['handle'])]);
      expect(out).toMatchObject({ plaintexts: ['42', 'true', '18446744073709551615'], mode: 'plaintext', parties: [1], misbehaving: [] });
      expect(out['clientAddress']).toMatch(/^0x[0-9a-f]{40}$/);
      // On chain: one signcrypted answer per party, no plaintext in clear.
      const request = await getRequest(user, network.contracts.asc, String(out['requestId']));
      expect(request).toMatchObject({ kind: 'user_decrypt', status: 'completed' });
      expect(request.responses).toHaveLength(1);
      const answer = request.responses[0]!.response;
      expect('user_decrypt' in answer && answer.user_decrypt.signcryption_sha256).toMatch(/^[0-9a-f]{64}$/);
      const blobs = await getUserDecryptAnswers(user, network.contracts.asc, request);
      expect(blobs.map((x) => x.signcryption.length)).toEqual([expect.any(Number)]);
      expect(blobs[0]!.signcryption.length).toBeGreaterThan(1000);
      expect(JSON.stringify(request)).not.toContain('18446744073709551615');
    });

    if (options.crs) {
      test('default: crsgen through the chain registers a CRS that fetch-crs downloads and verifies', async () => {
        const gen = await tkmsOk(cli, ['crsgen', '--max-bits', '2048']);
        expect(gen['crsId']).toMatch(/^[0-9a-f]{40}$/);
        expect(gen['digest']).toMatch(/^[0-9a-f]{64}$/);
        expect(gen['signers']).toEqual([1]);
        const file = path.join(cli.home, 'crs.bin');
        const fetched = await tkmsOk(cli, ['fetch-crs', '--crs-id', String(gen['crsId']), '-o', file]);
        expect(fetched).toMatchObject({ crsId: gen['crsId'], digest: gen['digest'], maxNumBits: 2048 });
        process.stdout.write(`${suite}: CRS (2048 bits) ${String(fetched['size'])} bytes\n`);
        // node-tfhe's own format: any tfhe-rs client can load it.
        expect(() => tfhe.CompactPkeCrs.safe_deserialize(readFileSync(file), SIZE_LIMIT)).not.toThrow();
        // Without an id, the newest CRS on chain.
        expect((await tkmsOk(cli, ['fetch-crs']))['crsId']).toBe(gen['crsId']);
      }, 600_000);
    }

    // Last: it changes the key's state.
    test('behavior: governance suspends the key; encryption is refused, decryption goes on; nobody else may', async () => {
      const enc = await tkmsOk(cli, ['encrypt', '11', '--type', 'euint8']);
      const msg = { set_key_state: { key_id: keyId, state: 'suspended' } };
      await expect(user.executeContract(network.contracts.asc, msg)).rejects.toThrow(/unauthorized: only governance/);
      await net.governance(network.contracts.asc, msg);
      expect(await tkmsOk(cli, ['key-state', keyId])).toMatchObject({ state: 'suspended', encrypt: false, decrypt: true });
      const refused = await runTkms(cli, ['encrypt', '12', '--type', 'euint8']);
      expect(refused.code).toBe(1);
      expect((refused.json['error'] as { code: string }).code).toBe('KEY_NOT_ACTIVE');
      encryptedWhileActive = String(enc['handle']);
      const dec = await runTkms(cli, ['decrypt', encryptedWhileActive]);
      expect(dec.json).toMatchObject({ plaintext: '11', keyState: 'suspended' });
      expect(dec.stderr).toContain(`key ${keyId} is suspended`);
    }, 180_000);

    // After the suspension: it ends the key's life.
    test("behavior: the key's lifecycle reaches the core; destroyed wipes the core's private key material", async () => {
      const cfg = JSON.parse(readFileSync(path.join(net.dir, 'party-1', 'connector.json'), 'utf8')) as { core: { url: string; tls: { ca: string; cert: string; key: string } } };
      const core: CoreClient = connectCore(cfg.core.url, { ca: readFileSync(cfg.core.tls.ca), cert: readFileSync(cfg.core.tls.cert), key: readFileSync(cfg.core.tls.key) }, { serverName: 'localhost' });
      const coreState = async (want: string): Promise<string | undefined> => {
        let state: string | undefined;
        for (let i = 0; i < 60 && state !== want; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, 1000));
          state = (await core.health()).keyStates.find((k) => k.keyId === keyId)?.state;
        }
        return state;
      };
      try {
        // The connector mirrors governance's suspension (previous test) into the core.
        expect(await coreState('suspended')).toBe('suspended');
        expect((await core.getPublicKeyInfo(keyId)).keyState).toBe('suspended');
        const material = walk(net.dir).filter((f) => f.includes(`${path.sep}PRIV-p1${path.sep}`) && f.endsWith(keyId) && !f.includes(`${path.sep}KeyInfo${path.sep}`) && !f.includes(`${path.sep}KeyState${path.sep}`));
        expect(material.length).toBe(1);
        // Compromised: decryptions go on, and the user is told, by decrypt and user-decrypt alike.
        await net.governance(network.contracts.asc, { set_key_state: { key_id: keyId, state: 'compromised' } });
        for (const cmd of ['decrypt', 'user-decrypt']) {
          const out = await runTkms(cli, [cmd, encryptedWhileActive]);
          expect(out.code).toBe(0);
          expect(out.json).toMatchObject({ keyState: 'compromised', ...(cmd === 'decrypt' ? { plaintext: '11' } : { plaintexts: ['11'] }) });
          expect(out.stderr).toContain(`WARNING: key ${keyId} is COMPROMISED`);
        }
        await net.governance(network.contracts.asc, { set_key_state: { key_id: keyId, state: 'destroyed' } });
        expect(await coreState('destroyed')).toBe('destroyed');
        expect(existsSync(material[0]!)).toBe(false);
        const enc = await runTkms(cli, ['encrypt', '1', '--type', 'euint8']);
        expect((enc.json['error'] as { code: string }).code).toBe('KEY_NOT_ACTIVE');
      } finally {
        core.close();
      }
    }, 300_000);
  });
}
