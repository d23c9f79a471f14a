/**
 * Attack (issue 10), threshold backend on a real wasmd chain shaped like
 * production (`make localnet`: the Config is not in dev mode, so there is no
 * open application; the default application takes proven inputs only): four
 * threshold cores (n = 4, t = 1) and their connectors, one validator.
 *
 * The key-extraction readers of test/attacks/_craft.ts are uploaded and every
 * way of getting them decrypted is tried: a public decryption and a user
 * decryption (refused by the ASC: nothing vouches for their origin), and a
 * public decryption naming a CRS (every threshold core finds no valid proof
 * and signs the refusal; no MPC session opens anything). The README's
 * localnet quick-start (fhevm key, CRS, `encrypt --prove`, `decrypt`) works on
 * the same network: the positive control.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWasmdKmsNetwork, type WasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { encryptWithClientKey, makeTestKeys } from '../../core/engine/tfhe/_testUtils.js';
import { getRequest } from '../../chain/asc/actions.js';
import { runTkms, tkmsOk, fundedCli, cliAccountClient, type CliEnv } from '../helpers/tkms.js';
import { craftKeyBitReader, BITS_PER_CIPHERTEXT } from './_craft.js';

let net: WasmdKmsNetwork;
let cli: CliEnv;
let dir: string;
let fhevmKey: string;
let crsId: string;
let readers: string[];

beforeAll(async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-attack-keyx-wasmd-'));
  net = await startWasmdKmsNetwork({
    dir: path.join(dir, 'net'),
    validators: 1,
    parties: 4,
    basePort: 25000, // its own range, below the ephemeral ports (32768+) freePort() hands out
    faucetPort: await freePort(),
    ports: { kvStore: await freePort(), coreBase: 24100, publicBase: 24200, mpcBase: 24300 },
  });
  cli = await fundedCli(net.networkFile, 'keyx');
  // The README's quick-start: a key whose inputs carry proofs, and a CRS.
  fhevmKey = String((await tkmsOk(cli, ['keygen', '--params', 'fhevm']))['keyId']);
  crsId = String((await tkmsOk(cli, ['crsgen', '--max-bits', '64']))['crsId']);
  // The crafted bytes overwrite every mask and body: any genuine euint256 serves as template (an fhevm
  // key's public key encrypts only through a proven, server-key-expanded list, so a local client key it is).
  const template = encryptWithClientKey(makeTestKeys().ck, 'euint256', 0n);
  readers = [];
  for (let k = 0; k < 2; k++) {
    const file = path.join(dir, `reader-${k}.bin`);
    writeFileSync(file, craftKeyBitReader(template, k * BITS_PER_CIPHERTEXT));
    readers.push(String((await tkmsOk(cli, ['upload', file, '--type', 'euint256', '--key-id', fhevmKey]))['handle']));
  }
}, 1_200_000);

afterAll(async () => {
  await net?.stop();
}, 120_000);

test('default: the localnet quick-start with proven inputs decrypts (4 threshold cores verify, expand, decrypt by MPC)', async () => {
  const config = await tkmsOk(cli, ['config']);
  expect(config['dev_mode']).toBe(false);
  expect(config['applications']).toEqual([{ app_id: 'default', isc_type: 'proven' }]);
  const enc = await tkmsOk(cli, ['encrypt', '42', '--type', 'euint8', '--prove']);
  const dec = await tkmsOk(cli, ['decrypt', String(enc['handle'])]);
  expect(dec['plaintext']).toBe('42');
  const user = await cliAccountClient(cli, net.network);
  try {
    expect((await getRequest(user, net.network.contracts.asc, String(dec['requestId']))).decrypt).toMatchObject({ crs_id: crsId, provenance: 'proven' });
  } finally {
    await user.close();
  }
}, 600_000);

test('malicious: crafted key-bit readers are refused by the ASC, public and user decryption alike', async () => {
  const pub = await runTkms(cli, ['decrypt', ...readers]);
  expect(pub.code).not.toBe(0);
  expect(JSON.stringify(pub.json)).toMatch(/provenance/);
  const usr = await runTkms(cli, ['user-decrypt', readers[0]!]);
  expect(usr.code).not.toBe(0);
  expect(JSON.stringify(usr.json)).toMatch(/provenance/);
}, 300_000);

test('malicious: naming a CRS, the crafted bytes reach the threshold cores, which all refuse them before any MPC', async () => {
  const r = await runTkms(cli, ['decrypt', readers[0]!, '--crs-id', crsId, '--timeout', '300']);
  expect(r.code).not.toBe(0);
  const err = (r.json['error'] ?? {}) as { code?: string; message?: string; details?: string };
  expect(err.code).toBe('DECRYPT_FAILED');
  expect(err.message).toMatch(/CIPHERTEXT_MALFORMED|PROOF_INVALID/);
  // A refusal agreed by t+1 parties and signed: no plaintext, no key bit.
  expect(err.details).toMatch(/signed by parties/);
}, 600_000);
