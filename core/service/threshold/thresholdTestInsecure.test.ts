/**
 * The INSECURE `test-insecure` parameter set on four dev cores with the
 * threshold backend at (n, t) = (4, 1), in process over real gRPC with mutual
 * TLS: the dealer makes the key (its server key included: 1 MB instead of
 * 60 MB), shares its 512-bit big key, and the parties decrypt by MPC, with
 * all parties up and with one down. A default-set ciphertext sent to the key
 * is refused by every party (CIPHERTEXT_PARAMETERS_MISMATCH).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { freePort } from '../../../localnet/processes.js';
import { createCa, issueCert } from '../../../common/tls.js';
import { ciphertextDigest, ciphertextHandle } from '../../../common/ciphertext.js';
import { verifyResponse } from '../../../common/signing.js';
import type { FheType } from '../../../common/fheTypes.js';
import { encryptWithPublicKey, INSECURE_TEST_PARAMETERS } from '../../engine/index.js';
import { encryptWithClientKey, makeTestKeys } from '../../engine/tfhe/_testUtils.js';
import { KmsCore, type DecryptOutcome, type KeyGenOutcome } from '../kmsCore.js';
import { defaultEngine } from '../engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../storage.js';
import { loadOrCreateSigner } from '../signer.js';
import { PeerTransport, certFingerprint, type PeerInfo } from '../mpc/peerTransport.js';
import { thresholdBackend } from './thresholdBackend.js';
import { decodeKeyMaterial } from './wire.js';

const N = 4;
const T = 1;
const silent = pino({ level: 'silent' });

interface Party {
  core: KmsCore;
  transport: PeerTransport;
  priv: FileStorage;
  pub: FileStorage;
  signerPubkey: string;
}

let parties: Party[];
let keyGen: KeyGenOutcome[];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-threshold-insecure-'));
  const ca = await createCa('threshold-ca');
  const ids = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  parties = await Promise.all(
    peers.map(async (p, i): Promise<Party> => {
      const transport = await PeerTransport.start({
        partyId: p.partyId,
        peers,
        tls: { caPem: ca.certPem, certPem: ids[i]!.certPem, keyPem: ids[i]!.keyPem },
        listen: { host: '127.0.0.1', port: Number(p.address.split(':')[1]) },
        timeoutMs: 3000,
      });
      const priv = new FileStorage(path.join(dir, `p${p.partyId}`), privatePrefix(p.partyId));
      const pub = new FileStorage(path.join(dir, `p${p.partyId}`), publicPrefix(p.partyId));
      const { signer } = await loadOrCreateSigner(priv, pub);
      const backend = thresholdBackend({ transport, t: T, dealerId: 1, engine: defaultEngine, logger: silent, roundTimeoutMs: 3000 });
      const core = await KmsCore.open({
        partyId: p.partyId,
        engine: defaultEngine,
        keyBackend: backend,
        privateStorage: priv,
        publicStorage: pub,
        signer,
        logger: silent,
        publicUri: (type, kid) => `file://${pub.path(type, kid)}`,
        devMode: true,
      });
      return { core, transport, priv, pub, signerPubkey: signer.publicKeyHex };
    }),
  );
  const preprocId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGenPreproc(preprocId);
  await Promise.all(parties.map((p) => p.core.getKeyGenPreprocResult(preprocId, Date.now() + 120_000)));
  const keyId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGen(keyId, preprocId, 'test-insecure');
  keyGen = await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 120_000)));
}, 180_000);

afterAll(async () => {
  for (const p of parties ?? []) {
    await p.core.close();
    await p.transport.close();
  }
});

async function decryptOn(which: Party[], type: FheType, ct: Uint8Array): Promise<DecryptOutcome[]> {
  const keyId = keyGen[0]!.keyId;
  const digest = ciphertextDigest(ct);
  const requestId = randomBytes(20).toString('hex');
  for (const p of which) {
    p.core.startDecrypt({ requestId, keyId, fheType: type, ciphertextHandle: ciphertextHandle(digest, type, { keyId, appId: 'default' }), ciphertextDigest: digest, ciphertext: ct, appId: 'default' });
  }
  const results = await Promise.all(which.map((p) => p.core.getDecryptResult(requestId, Date.now() + 120_000)));
  for (const [i, r] of results.entries()) {
    if (r.failure) continue;
    const signed = { kind: 'decrypt' as const, requestId, keyId, ciphertexts: [{ ciphertextDigest: digest, fheType: type, plaintext: r.plaintext }] };
    expect(verifyResponse(signed, r.signature, which[i]!.signerPubkey)).toBe(true);
  }
  return results;
}

async function encrypt(type: FheType, value: bigint): Promise<Uint8Array> {
  return encryptWithPublicKey((await parties[0]!.pub.read(DataType.PublicKey, keyGen[0]!.keyId))!, type, value);
}

test('default: every party publishes the same test-insecure key and holds a 512-coefficient share of it', async () => {
  expect(keyGen.every((k) => !k.failure && k.parameters === INSECURE_TEST_PARAMETERS)).toBe(true);
  expect(new Set(keyGen.map((k) => `${k.publicKeyDigest}/${k.serverKeyDigest}`)).size).toBe(1);
  for (const p of parties) {
    const material = decodeKeyMaterial((await p.priv.read('KeyShare', keyGen[0]!.keyId))!);
    expect(material.lweDimension).toBe(512);
    expect(await p.priv.list(DataType.ClientKey)).toEqual([]);
  }
});

test('default: threshold decryption under the test-insecure key, all parties up and one down', async () => {
  for (const [type, value] of [
    ['ebool', 1n],
    ['euint8', 173n],
    ['euint64', 0x0123_4567_89ab_cdefn],
  ] as const) {
    const results = await decryptOn(parties, type, await encrypt(type, value));
    expect(results.map((r) => r.failure?.reason ?? r.plaintext)).toEqual(Array(4).fill(value.toString()));
  }
  const up = parties.slice(0, 3);
  const results = await decryptOn(up, 'euint16', await encrypt('euint16', 4242n));
  expect(results.map((r) => r.failure?.reason ?? r.plaintext)).toEqual(Array(3).fill('4242'));
});

test('behavior: a default-set ciphertext under the test-insecure key is refused by every party, never decrypted', async () => {
  const other = makeTestKeys();
  try {
    const results = await decryptOn(parties, 'euint8', encryptWithClientKey(other.ck, 'euint8', 9n));
    for (const r of results) {
      expect(r.failure?.code).toBe('CIPHERTEXT_PARAMETERS_MISMATCH');
      expect(r.plaintext).toBe('');
    }
  } finally {
    other.ck.free();
    other.pk.free();
  }
});
