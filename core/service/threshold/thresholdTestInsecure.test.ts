/**
 * The INSECURE `test-insecure` parameter set on four dev cores with the
 * threshold backend at (n, t) = (4, 1), in process over real gRPC with mutual
 * TLS, and no dealer: a keygen preprocessing for the set (PRSS keys, then the
 * DKG's random bits and triples in sealed chunks) during which party 3 is
 * killed after storing a chunk and restarted on its storage (it resumes), then
 * the distributed key generation. Every party publishes the same keys; node-tfhe
 * encrypts under the public key, tfhe-rs computes with the server key (add,
 * mul, lt, select, an oblivious random value) and the parties decrypt by MPC,
 * all up and one down. Nothing but shares is left in private storage; a
 * default-set ciphertext sent to the key is refused by every party
 * (CIPHERTEXT_PARAMETERS_MISMATCH).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { freePort } from '../../../localnet/processes.js';
import { createCa, issueCert, type TlsIdentity } from '../../../common/tls.js';
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
import { PREPROCESSING_PART } from '../preprocessingStorage.js';
import { compute } from '../zk/tfheZkTool.js';
import { generateOprf } from '../zk/oprf.js';
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
/** Party 1's log lines (JSON), to see what the backend did. */
const party1Log: string[] = [];
let restartedParty3Resumed = false;

async function startParty(dir: string, peers: PeerInfo[], ca: { certPem: string }, id: TlsIdentity, partyId: number, hangAfterChunk?: { chunk: number; hung: () => void }): Promise<Party> {
  const transport = await PeerTransport.start({
    partyId,
    peers,
    tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem },
    listen: { host: '127.0.0.1', port: Number(peers[partyId - 1]!.address.split(':')[1]) },
    timeoutMs: 3000,
  });
  const priv = new FileStorage(path.join(dir, `p${partyId}`), privatePrefix(partyId));
  const pub = new FileStorage(path.join(dir, `p${partyId}`), publicPrefix(partyId));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const logger = partyId === 1 ? pino({ level: 'info' }, { write: (l: string) => void party1Log.push(l) }) : partyId === 3 && !hangAfterChunk ? pino({ level: 'info' }, { write: (l: string) => void (l.includes('resumes from its stored chunks') && (restartedParty3Resumed = true)) }) : silent;
  const backend = thresholdBackend({
    transport,
    t: T,
    dealerId: 1,
    engine: defaultEngine,
    logger,
    roundTimeoutMs: 3000,
    keygenLocalWorkTimeoutMs: 60_000,
    preprocessingTest: {
      confirmTimeoutMs: 5000,
      rendezvousPollMs: 1000,
      // The crash: party 3 stops dead once it stored the chunk, before telling anyone.
      ...(hangAfterChunk ? { afterStore: (i: number) => (i === hangAfterChunk.chunk ? (hangAfterChunk.hung(), new Promise<void>(() => {})) : undefined) } : {}),
    },
  });
  const core = await KmsCore.open({
    partyId,
    engine: defaultEngine,
    keyBackend: backend,
    privateStorage: priv,
    publicStorage: pub,
    signer,
    logger,
    publicUri: (type, kid) => `file://${pub.path(type, kid)}`,
    devMode: true,
  });
  return { core, transport, priv, pub, signerPubkey: signer.publicKeyHex };
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-threshold-insecure-'));
  const ca = await createCa('threshold-ca');
  const ids = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  let hung!: () => void;
  const party3Hung = new Promise<void>((r) => (hung = r));
  parties = await Promise.all(peers.map((p, i) => startParty(dir, peers, ca, ids[i]!, p.partyId, p.partyId === 3 ? { chunk: 2, hung } : undefined)));
  const preprocId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGenPreproc(preprocId, 'test-insecure');
  // Kill party 3 mid-preprocessing (its job is abandoned, its port closed) and start it again on its storage.
  await party3Hung;
  await parties[2]!.transport.close();
  await new Promise((r) => setTimeout(r, 2000));
  parties[2] = await startParty(dir, peers, ca, ids[2]!, 3);
  await Promise.all(parties.map((p) => p.core.getKeyGenPreprocResult(preprocId, Date.now() + 240_000)));
  const keyId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGen(keyId, preprocId, 'test-insecure');
  keyGen = await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 240_000)));
}, 600_000);

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

test('default: with no dealer, every party publishes the same test-insecure key and keeps only its 512-coefficient share; party 3 resumed its preprocessing after the kill', async () => {
  expect(keyGen.map((k) => k.failure?.reason ?? k.parameters)).toEqual(Array(N).fill(INSECURE_TEST_PARAMETERS));
  expect(new Set(keyGen.map((k) => `${k.publicKeyDigest}/${k.serverKeyDigest}`)).size).toBe(1);
  expect(restartedParty3Resumed).toBe(true);
  const logged = party1Log.map((l) => JSON.parse(l) as { msg: string });
  expect(logged.some((l) => l.msg === 'distributed key generation done')).toBe(true);
  expect(logged.some((l) => l.msg.includes('dealt'))).toBe(false);
  for (const p of parties) {
    const material = decodeKeyMaterial((await p.priv.read('KeyShare', keyGen[0]!.keyId))!);
    expect(material.lweDimension).toBe(512);
    expect(await p.priv.list(DataType.ClientKey)).toEqual([]);
    // The preprocessing's bits and triples were used once and wiped.
    expect(await p.priv.list(PREPROCESSING_PART)).toEqual([]);
  }
});

test('default: tfhe-rs computes on node-tfhe inputs with the DKG server key (add, mul, lt, select, OPRF) and the parties decrypt the results by MPC', async () => {
  const compressedServerKey = (await parties[0]!.pub.read(DataType.ServerKey, keyGen[0]!.keyId))!;
  const [a, b] = [201n, 77n];
  const lhs = await encrypt('euint8', a);
  const rhs = await encrypt('euint8', b);
  const lt = await compute({ compressedServerKey, op: 'lt', lhs, rhs });
  const cases: Array<[FheType, Uint8Array, bigint]> = [
    ['euint8', (await compute({ compressedServerKey, op: 'add', lhs, rhs })).ciphertext, (a + b) & 0xffn],
    ['euint8', (await compute({ compressedServerKey, op: 'mul', lhs, rhs })).ciphertext, (a * b) & 0xffn],
    ['ebool', lt.ciphertext, 0n],
    ['euint8', (await compute({ compressedServerKey, op: 'select', cond: lt.ciphertext, lhs, rhs })).ciphertext, b],
  ];
  for (const [type, ct, want] of cases) {
    const results = await decryptOn(parties, type, ct);
    expect(results.map((r) => r.failure?.reason ?? r.plaintext)).toEqual(Array(N).fill(want.toString()));
  }
  const random = await generateOprf({ compressedServerKey, seed: randomBytes(16), fheType: 'euint8', randomBits: 4 });
  const opened = await decryptOn(parties, 'euint8', random.ciphertext);
  expect(new Set(opened.map((r) => r.failure?.reason ?? r.plaintext)).size).toBe(1);
  expect(BigInt(opened[0]!.plaintext)).toBeLessThan(16n);
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
