/**
 * Four cores with the threshold backend, in process but talking over real
 * gRPC with mutual TLS: a keygen preprocessing (the PRSS setup), the dealer
 * key generation naming it, then threshold decryption of real tfhe-rs
 * ciphertexts, with all parties up and with one party down.
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
import { encryptWithPublicKey } from '../../engine/index.js';
import type { FheType } from '../../../common/fheTypes.js';
import { KmsCore, type KeyGenOutcome, type KeyGenPreprocOutcome } from '../kmsCore.js';
import { defaultEngine, type CoreEngine } from '../engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../storage.js';
import { loadOrCreateSigner } from '../signer.js';
import { PeerTransport, certFingerprint, type PeerInfo } from '../mpc/peerTransport.js';
import { thresholdBackend, type ThresholdKeyBackend } from './thresholdBackend.js';
import { decodeKeyMaterial, decodePreprocMaterial } from './wire.js';

const N = 4;
const T = 1;
const silent = pino({ level: 'silent' });
// TKMS_TEST_LOG=info shows the threshold backends' logs (pool epochs, failed batches).
const backendLog = process.env['TKMS_TEST_LOG'] ? pino({ level: process.env['TKMS_TEST_LOG'] }, pino.destination(2)) : silent;
// The server key (60 MB, ~8 s) is not needed to decrypt; leave it out of the deal.
const engine: CoreEngine = { ...defaultEngine, generateKeySet: (o) => defaultEngine.generateKeySet({ ...o, withoutServerKey: true } as never) };


interface Party {
  id: number;
  priv: FileStorage;
  core: KmsCore;
  transport: PeerTransport;
  signerPubkey: string;
  pub: FileStorage;
  backend: ThresholdKeyBackend;
}

let parties: Party[];
let keyGen: KeyGenOutcome[];
let peerList: PeerInfo[];
let caPem: string;
let identities: TlsIdentity[];
let partyDir: string;

/** Starts (or restarts, from its storage) one party's transport and core. */
async function startParty(partyId: number): Promise<Party> {
  const p = peerList[partyId - 1]!;
  const id = identities[partyId - 1]!;
  const transport = await PeerTransport.start({
    partyId,
    peers: peerList,
    tls: { caPem, certPem: id.certPem, keyPem: id.keyPem },
    listen: { host: '127.0.0.1', port: Number(p.address.split(':')[1]) },
    timeoutMs: 3000,
  });
  const priv = new FileStorage(path.join(partyDir, `p${partyId}`), privatePrefix(partyId));
  const pub = new FileStorage(path.join(partyDir, `p${partyId}`), publicPrefix(partyId));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const backend = thresholdBackend({ transport, t: T, dealerId: 1, insecureDealerKeygen: true, engine, logger: backendLog.child({ party: partyId }), roundTimeoutMs: 3000 });
  const core = await KmsCore.open({
    partyId,
    engine,
    keyBackend: backend,
    privateStorage: priv,
    publicStorage: pub,
    signer,
    logger: silent,
    publicUri: (type, kid) => `file://${pub.path(type, kid)}`,
  });
  return { id: partyId, priv, core, transport, signerPubkey: signer.publicKeyHex, pub, backend };
}
let preprocId: string;
let preprocResults: KeyGenPreprocOutcome[];
/** Each party's preprocessing material as stored before the keygen used it. */
let preprocMaterial: Uint8Array[];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-threshold-'));
  const ca = await createCa('threshold-ca');
  const ids: TlsIdentity[] = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  peerList = peers;
  caPem = ca.certPem;
  identities = ids;
  partyDir = dir;
  parties = await Promise.all(peers.map((p) => startParty(p.partyId)));
  preprocId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGenPreproc(preprocId);
  preprocResults = await Promise.all(parties.map((p) => p.core.getKeyGenPreprocResult(preprocId, Date.now() + 120_000)));
  preprocMaterial = await Promise.all(parties.map(async (p) => (await p.priv.read(DataType.KeyGenPreproc, preprocId)) ?? new Uint8Array()));
  const keyId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGen(keyId, preprocId, '', { insecureDealerAllowed: true });
  keyGen = await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 120_000)));
}, 180_000);

afterAll(async () => {
  for (const p of parties ?? []) {
    await p.core.close();
    await p.transport.close();
  }
});

async function decryptAll(which: Party[], type: FheType, value: bigint | boolean): Promise<string[]> {
  const pk = (await parties[0]!.pub.read(DataType.PublicKey, keyGen[0]!.keyId))!;
  const ct = encryptWithPublicKey(pk, type, value);
  const digest = ciphertextDigest(ct);
  const requestId = randomBytes(20).toString('hex');
  for (const p of which) p.core.startDecrypt({ requestId, keyId: keyGen[0]!.keyId, fheType: type, ciphertextHandle: ciphertextHandle(digest, type, { keyId: keyGen[0]!.keyId, appId: 'default' }), ciphertextDigest: digest, ciphertext: ct, appId: 'default' });
  const results = await Promise.all(which.map((p) => p.core.getDecryptResult(requestId, Date.now() + 120_000)));
  for (const [i, r] of results.entries()) {
    expect(r.failure).toBeUndefined();
    expect(verifyResponse({ kind: 'decrypt', requestId, keyId: keyGen[0]!.keyId, ciphertexts: [{ ciphertextDigest: digest, fheType: type, plaintext: r.plaintext }] }, r.signature, which[i]!.signerPubkey)).toBe(true);
  }
  return results.map((r) => r.plaintext);
}

test('default: every party publishes the same dealt key and signs the same digests; no party stores the whole key', async () => {
  expect(keyGen.every((k) => !k.failure)).toBe(true);
  expect(new Set(keyGen.map((k) => k.publicKeyDigest)).size).toBe(1);
  for (const [i, k] of keyGen.entries()) {
    const signed = { kind: 'keygen' as const, requestId: k.requestId, publicKeyDigest: k.publicKeyDigest, publicKeyUri: k.publicKeyUri, serverKeyDigest: k.serverKeyDigest, serverKeyUri: k.serverKeyUri };
    expect(verifyResponse(signed, k.signature, parties[i]!.signerPubkey)).toBe(true);
    // A share, never the client key, on every party's private storage (the dealer included).
    expect(await parties[i]!.priv.list(DataType.ClientKey)).toEqual([]);
    expect(await parties[i]!.priv.list('KeyShare')).toEqual([k.keyId]);
  }
});

test('default: the preprocessing agrees PRSS keys, signed over its id; the key is made from them and the material is then wiped', async () => {
  for (const [i, r] of preprocResults.entries()) {
    expect(r.failure).toBeUndefined();
    expect(verifyResponse({ kind: 'keygen_preproc', requestId: preprocId }, r.signature, parties[i]!.signerPubkey)).toBe(true);
  }
  const prss = preprocMaterial.map((m) => decodePreprocMaterial(m));
  // Every pair of parties shares the key of each set both belong to (PRSS: one key per set of n-t parties).
  let shared = 0;
  for (const a of prss) {
    for (const b of prss) {
      if (a === b) continue;
      for (const sa of a.sets) {
        const sb = b.sets.find((x) => x.members.join() === sa.members.join());
        if (sb) {
          expect(Buffer.from(sb.key).toString('hex')).toBe(Buffer.from(sa.key).toString('hex'));
          shared++;
        }
      }
    }
  }
  // n = 4, t = 1: each ordered pair of parties is together in 2 of the 4 sets of 3.
  expect(shared).toBe(4 * 3 * 2);
  for (const [i, p] of parties.entries()) {
    expect(keyGen[i]!.preprocId).toBe(preprocId);
    const share = decodeKeyMaterial((await p.priv.read('KeyShare', keyGen[i]!.keyId))!);
    expect(share.prss).toEqual(prss[i]);
    // Consumed: one key per preprocessing; its signed outcome stays (GetKeyGenPreprocResult after a restart).
    expect(await p.priv.read(DataType.KeyGenPreproc, preprocId)).toBeUndefined();
    expect(await p.priv.list(DataType.KeyGenPreprocInfo)).toEqual([preprocId]);
  }
});

test('behavior: a keygen naming an unknown or already used preprocessing fails on every core with a signed reason', async () => {
  const unknown = randomBytes(20).toString('hex');
  const k1 = randomBytes(20).toString('hex');
  const k2 = randomBytes(20).toString('hex');
  for (const p of parties) {
    p.core.startKeyGen(k1, unknown, '', { insecureDealerAllowed: true });
    p.core.startKeyGen(k2, preprocId, '', { insecureDealerAllowed: true });
  }
  const r1 = await Promise.all(parties.map((p) => p.core.getKeyGenResult(k1, Date.now() + 60_000)));
  const r2 = await Promise.all(parties.map((p) => p.core.getKeyGenResult(k2, Date.now() + 60_000)));
  for (const [i, r] of r1.entries()) {
    expect(r.failure?.code).toBe('UNKNOWN_PREPROC');
    expect(r.failure?.reason).toBe(`UNKNOWN_PREPROC: keygen preprocessing ${unknown} is unknown to this core`);
    expect(verifyResponse({ kind: 'failure', requestId: k1, reason: r.failure!.reason }, r.signature, parties[i]!.signerPubkey)).toBe(true);
  }
  for (const r of r2) expect(r.failure?.code).toBe('PREPROC_CONSUMED');
  expect(() => parties[0]!.core.startKeyGen(randomBytes(20).toString('hex'), 'not-an-id')).toThrow('preproc id must be 40 lower-case hex chars');
  expect(() => parties[0]!.core.startKeyGenPreproc(preprocId)).toThrow('already used for a keygen preprocessing');
});

test('default: threshold decryption of ebool, euint8 and euint64 matches the encrypted values', async () => {
  expect(await decryptAll(parties, 'ebool', true)).toEqual(['1', '1', '1', '1']);
  expect(await decryptAll(parties, 'euint8', 173n)).toEqual(['173', '173', '173', '173']);
  const big = 0xdeadbeefcafef00dn;
  expect(await decryptAll(parties, 'euint64', big)).toEqual(Array(4).fill(big.toString()));
}, 180_000);

test('default: a batch decrypts every ciphertext by MPC (one session each) and every party signs the same plaintexts', async () => {
  const pk = (await parties[0]!.pub.read(DataType.PublicKey, keyGen[0]!.keyId))!;
  const items = ([['euint8', 9n], ['ebool', false], ['euint16', 60000n]] as const).map(([type, value]) => {
    const ct = encryptWithPublicKey(pk, type, value);
    const digest = ciphertextDigest(ct);
    return { ciphertextHandle: ciphertextHandle(digest, type, { keyId: keyGen[0]!.keyId, appId: 'default' }), ciphertextDigest: digest, fheType: type, ciphertext: ct };
  });
  const requestId = randomBytes(20).toString('hex');
  const keyId = keyGen[0]!.keyId;
  for (const p of parties) p.core.startDecrypt({ requestId, keyId, fheType: '', ciphertextHandle: '', ciphertextDigest: '', ciphertext: new Uint8Array(), batch: items, appId: 'default' });
  const results = await Promise.all(parties.map((p) => p.core.getDecryptResult(requestId, Date.now() + 120_000)));
  for (const [i, r] of results.entries()) {
    expect(r.failure).toBeUndefined();
    expect(r.plaintexts).toEqual(['9', '0', '60000']);
    const signed = { kind: 'decrypt' as const, requestId, keyId, ciphertexts: items.map((c, j) => ({ ciphertextDigest: c.ciphertextDigest, fheType: c.fheType, plaintext: r.plaintexts![j]! })) };
    expect(verifyResponse(signed, r.signature, parties[i]!.signerPubkey)).toBe(true);
  }
}, 180_000);

test('behavior: with one party down the other three still decrypt correctly', async () => {
  const up = parties.slice(0, 3);
  expect(await decryptAll(up, 'euint16', 4242n)).toEqual(['4242', '4242', '4242']);
}, 180_000);

test('behavior: pooled material after the first request; a restarted party (pools discarded) makes one request inline, then all pool again', async () => {
  await Promise.all(parties.map((p) => p.backend.idle()));
  const pooled = (): number[] => parties.map((p) => p.backend.poolStatus()[0]!.pooled);
  const inline = (): number[] => parties.map((p) => p.backend.poolStatus()[0]!.inline);
  // Party 4 was down during the previous test while the others used and
  // refilled batches: its lowest batch differs from theirs, so the first
  // request may go inline (agreed), and its offers realign the pools (stale rule).
  expect(await decryptAll(parties, 'euint8', 200n)).toEqual(Array(4).fill('200'));
  await Promise.all(parties.map((p) => p.backend.idle()));
  const aligned = parties.map((p) => p.backend.poolStatus()[0]!.batches);
  for (const h of aligned) expect(h).toEqual(aligned[0]);
  let before = pooled();
  expect(await decryptAll(parties, 'euint8', 201n)).toEqual(Array(4).fill('201'));
  expect(pooled().map((v, i) => v - before[i]!)).toEqual([1, 1, 1, 1]);

  // Party 4 restarts: new transport and core, its key share loaded from storage, its pool empty.
  await parties[3]!.core.close();
  await parties[3]!.transport.close();
  parties[3] = await startParty(4);
  expect(parties[3]!.backend.poolStatus()[0]!.epoch).toBeUndefined();
  const inlineBefore = inline();
  expect(await decryptAll(parties, 'euint32', 0xfeedfacen)).toEqual(Array(4).fill(String(0xfeedfacen)));
  expect(inline().map((v, i) => v - (i === 3 ? 0 : inlineBefore[i]!))).toEqual([1, 1, 1, 1]);

  await Promise.all(parties.map((p) => p.backend.idle()));
  const held = parties.map((p) => p.backend.poolStatus()[0]!.batches);
  for (const h of held) expect(h).toEqual(held[0]);
  before = pooled();
  expect(await decryptAll(parties, 'ebool', false)).toEqual(['0', '0', '0', '0']);
  expect(pooled().map((v, i) => v - before[i]!)).toEqual([1, 1, 1, 1]);
}, 240_000);
