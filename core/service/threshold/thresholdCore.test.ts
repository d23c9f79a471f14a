/**
 * Four cores with the threshold backend, in process but talking over real
 * gRPC with mutual TLS: dealer key generation, then threshold decryption of
 * real tfhe-rs ciphertexts, with all parties up and with one party down.
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
import { KmsCore, type KeyGenOutcome } from '../kmsCore.js';
import { defaultEngine, type CoreEngine } from '../engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../storage.js';
import { loadOrCreateSigner } from '../signer.js';
import { PeerTransport, certFingerprint, type PeerInfo } from '../mpc/peerTransport.js';
import { thresholdBackend } from './thresholdBackend.js';

const N = 4;
const T = 1;
const silent = pino({ level: 'silent' });
// The server key (60 MB, ~8 s) is not needed to decrypt; leave it out of the deal.
const engine: CoreEngine = { ...defaultEngine, generateKeySet: (o) => defaultEngine.generateKeySet({ ...o, withoutServerKey: true } as never) };


interface Party {
  id: number;
  priv: FileStorage;
  core: KmsCore;
  transport: PeerTransport;
  signerPubkey: string;
  pub: FileStorage;
}

let parties: Party[];
let keyGen: KeyGenOutcome[];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-threshold-'));
  const ca = await createCa('threshold-ca');
  const ids: TlsIdentity[] = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  parties = await Promise.all(
    peers.map(async (p) => {
      const id = ids[p.partyId - 1]!;
      const transport = await PeerTransport.start({
        partyId: p.partyId,
        peers,
        tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem },
        listen: { host: '127.0.0.1', port: Number(p.address.split(':')[1]) },
        timeoutMs: 3000,
      });
      const priv = new FileStorage(path.join(dir, `p${p.partyId}`), privatePrefix(p.partyId));
      const pub = new FileStorage(path.join(dir, `p${p.partyId}`), publicPrefix(p.partyId));
      const { signer } = await loadOrCreateSigner(priv, pub);
      const core = await KmsCore.open({
        partyId: p.partyId,
        engine,
        keyBackend: thresholdBackend({ transport, t: T, dealerId: 1, engine, logger: silent, roundTimeoutMs: 3000 }),
        privateStorage: priv,
        publicStorage: pub,
        signer,
        logger: silent,
        publicUri: (type, kid) => `file://${pub.path(type, kid)}`,
      });
      return { id: p.partyId, priv, core, transport, signerPubkey: signer.publicKeyHex, pub };
    }),
  );
  const keyId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGen(keyId);
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
  for (const p of which) p.core.startDecrypt({ requestId, keyId: keyGen[0]!.keyId, fheType: type, ciphertextHandle: ciphertextHandle(digest, type), ciphertextDigest: digest, ciphertext: ct });
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
    return { ciphertextHandle: ciphertextHandle(digest, type), ciphertextDigest: digest, fheType: type, ciphertext: ct };
  });
  const requestId = randomBytes(20).toString('hex');
  const keyId = keyGen[0]!.keyId;
  for (const p of parties) p.core.startDecrypt({ requestId, keyId, fheType: '', ciphertextHandle: '', ciphertextDigest: '', ciphertext: new Uint8Array(), batch: items });
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
