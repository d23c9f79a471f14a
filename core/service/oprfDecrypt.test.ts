/**
 * The KMS decrypts what a coprocessor makes with oblivious pseudo-random
 * generation (issue 11 item 6): values made by `tkms-tfhe-zk oprf` from the
 * server key a KMS key publishes, and nothing else, are decrypted by the core
 * to what the key set's client key says, centralized and threshold (4
 * in-process parties, t = 1, real gRPC with mutual TLS, as
 * threshold/thresholdCore.test.ts). The threshold dealer wipes the client
 * key; this test keeps a copy of the dealt key only to check the parties'
 * answer. About 1.5 minutes. Needs `make tfhe-zk` (never skips).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import * as tfhe from 'node-tfhe';
import { pino } from 'pino';
import { ciphertextDigest, ciphertextHandle } from '../../common/ciphertext.js';
import { FHE_TYPE_INFO, type FheType } from '../../common/fheTypes.js';
import { verifyResponse } from '../../common/signing.js';
import { createCa, issueCert } from '../../common/tls.js';
import { freePort } from '../../localnet/processes.js';
import { MAX_CLIENT_KEY_SERIALIZED_BYTES } from '../engine/tfhe/keyset.js';
import { defaultEngine, type CoreEngine } from './engine.js';
import { KmsCore } from './kmsCore.js';
import { PeerTransport, certFingerprint, type PeerInfo } from './mpc/peerTransport.js';
import { loadOrCreateSigner } from './signer.js';
import { DataType, FileStorage, privatePrefix, publicPrefix } from './storage.js';
import { thresholdBackend } from './threshold/thresholdBackend.js';
import { TfheZkServer } from './zk/tfheZkServer.js';
import { tfheZkToolPath } from './zk/tfheZkTool.js';

const N = 4;
const T = 1;
const LIMIT = BigInt(1 << 26);
const silent = pino({ level: 'silent' });
const newId = (): string => randomBytes(20).toString('hex');

/** What each backend decrypts: every shape OPRF makes (full width, bounded, boolean, multi-block). */
const REQUESTS: readonly { fheType: FheType; randomBits?: number }[] = [
  { fheType: 'ebool' },
  { fheType: 'euint4' },
  { fheType: 'euint8', randomBits: 3 },
  { fheType: 'euint16' },
  { fheType: 'euint64' },
  { fheType: 'euint128' },
];

interface Party {
  core: KmsCore;
  signerPubkey: string;
  transport?: PeerTransport;
}

let dir: string;
let zk: TfheZkServer;

beforeAll(() => {
  tfheZkToolPath(); // a missing tool fails here, with how to build it
  dir = mkdtempSync(path.join(tmpdir(), 'tkms-oprf-'));
  zk = new TfheZkServer();
});

afterAll(async () => {
  await zk?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openCore(partyId: number, root: string, extra: Partial<Parameters<typeof KmsCore.open>[0]> = {}): Promise<Party> {
  const priv = new FileStorage(root, privatePrefix(partyId));
  const pub = new FileStorage(root, publicPrefix(partyId));
  const { signer } = await loadOrCreateSigner(priv, pub);
  const core = await KmsCore.open({
    partyId,
    engine: defaultEngine,
    privateStorage: priv,
    publicStorage: pub,
    signer,
    logger: silent,
    publicUri: (type, kid) => `file://${pub.path(type, kid)}`,
    ...extra,
  });
  return { core, signerPubkey: signer.publicKeyHex };
}

/** OPRF values made from the published server key, one seed each (a coprocessor's choice; random here). */
async function oprfValues(compressedServerKey: Uint8Array): Promise<{ fheType: FheType; ciphertext: Uint8Array }[]> {
  const out = [];
  for (const r of REQUESTS) {
    const v = await zk.oprf({ compressedServerKey, seed: randomBytes(16), ...r });
    out.push({ fheType: v.fheType, ciphertext: v.ciphertext });
  }
  return out;
}

type Decryptable = { safe_deserialize(b: Uint8Array, limit: bigint): { decrypt(ck: tfhe.TfheClientKey): number | bigint | boolean; free(): void } };

/** What the key set's client key says each value is (node-tfhe, independent of the core's own decryption). */
function clientKeyDecrypt(clientKey: Uint8Array, values: { fheType: FheType; ciphertext: Uint8Array }[]): string[] {
  const ck = tfhe.TfheClientKey.safe_deserialize(clientKey, BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES));
  try {
    return values.map((v) => {
      const ct = (tfhe as unknown as Record<string, Decryptable>)[FHE_TYPE_INFO[v.fheType].tfheClass]!.safe_deserialize(v.ciphertext, LIMIT);
      const x = BigInt(ct.decrypt(ck));
      ct.free();
      return x.toString();
    });
  } finally {
    ck.free();
  }
}

/** One public batch decryption by `parties`; every party must sign the same plaintexts. */
async function kmsDecrypt(parties: Party[], keyId: string, values: { fheType: FheType; ciphertext: Uint8Array }[]): Promise<string[]> {
  const batch = values.map((v) => {
    const digest = ciphertextDigest(v.ciphertext);
    return { ciphertextHandle: ciphertextHandle(digest, v.fheType, { keyId, appId: 'default' }), ciphertextDigest: digest, fheType: v.fheType, ciphertext: v.ciphertext };
  });
  const requestId = newId();
  for (const p of parties) p.core.startDecrypt({ requestId, keyId, fheType: '', ciphertextHandle: '', ciphertextDigest: '', ciphertext: new Uint8Array(), batch, appId: 'default' });
  const results = await Promise.all(parties.map((p) => p.core.getDecryptResult(requestId, Date.now() + 120_000)));
  for (const [i, r] of results.entries()) {
    expect(r.failure).toBeUndefined();
    expect(r.plaintexts).toEqual(results[0]!.plaintexts);
    const signed = { kind: 'decrypt' as const, requestId, keyId, ciphertexts: batch.map((c, j) => ({ ciphertextDigest: c.ciphertextDigest, fheType: c.fheType, plaintext: r.plaintexts![j]! })) };
    expect(verifyResponse(signed, r.signature, parties[i]!.signerPubkey)).toBe(true);
  }
  return results[0]!.plaintexts!;
}

function expectInRange(plaintexts: string[]): void {
  plaintexts.forEach((p, i) => {
    const { fheType, randomBits } = REQUESTS[i]!;
    expect(BigInt(p)).toBeLessThan(1n << BigInt(randomBits ?? FHE_TYPE_INFO[fheType].bits));
  });
}

test('default: the centralized core decrypts OPRF values made from its published server key to what its client key says', async () => {
  const party = await openCore(1, path.join(dir, 'central'));
  try {
    const keyId = newId();
    party.core.startKeyGen(keyId);
    const kg = await party.core.getKeyGenResult(keyId, Date.now() + 120_000);
    expect(kg.failure).toBeUndefined();
    const pub = new FileStorage(path.join(dir, 'central'), publicPrefix(1));
    const serverKey = (await pub.read(DataType.ServerKey, keyId))!;
    // The published bytes are the ones the signed digest names: a coprocessor can check what it computes with.
    expect(createHash('sha3-256').update(serverKey).digest('hex')).toBe(kg.serverKeyDigest);
    const values = await oprfValues(serverKey);
    const plaintexts = await kmsDecrypt([party], keyId, values);
    const clientKey = (await new FileStorage(path.join(dir, 'central'), privatePrefix(1)).read(DataType.ClientKey, keyId))!;
    expect(plaintexts).toEqual(clientKeyDecrypt(clientKey, values));
    expectInRange(plaintexts);
  } finally {
    await party.core.close();
  }
}, 180_000);

test('default: four threshold parties (t = 1) decrypt OPRF values made from the published server key to what the dealt client key says; three suffice', async () => {
  // The dealer (party 1) wipes the client key after sharing it (threshold/dealer.ts): keep a copy, for checking only.
  let dealtClientKey: Uint8Array | undefined;
  const engine: CoreEngine = {
    ...defaultEngine,
    generateKeySet: async (o) => {
      const k = await defaultEngine.generateKeySet(o);
      dealtClientKey = k.clientKey.slice();
      return k;
    },
  };
  const root = path.join(dir, 'threshold');
  const ca = await createCa('oprf-ca');
  const ids = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  const parties: Party[] = [];
  try {
    for (const p of peers) {
      const id = ids[p.partyId - 1]!;
      const transport = await PeerTransport.start({
        partyId: p.partyId,
        peers,
        tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem },
        listen: { host: '127.0.0.1', port: Number(p.address.split(':')[1]) },
        timeoutMs: 3000,
      });
      const keyBackend = thresholdBackend({ transport, t: T, dealerId: 1, insecureDealerKeygen: true, engine, logger: silent.child({ party: p.partyId }), roundTimeoutMs: 3000 });
      parties.push({ ...(await openCore(p.partyId, root, { engine, keyBackend })), transport });
    }
    const preprocId = newId();
    for (const p of parties) p.core.startKeyGenPreproc(preprocId);
    for (const r of await Promise.all(parties.map((p) => p.core.getKeyGenPreprocResult(preprocId, Date.now() + 120_000)))) expect(r.failure).toBeUndefined();
    const keyId = newId();
    for (const p of parties) p.core.startKeyGen(keyId, preprocId, '', { insecureDealerAllowed: true });
    const kg = await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 120_000)));
    expect(kg.every((k) => !k.failure)).toBe(true);
    expect(new Set(kg.map((k) => k.serverKeyDigest)).size).toBe(1);
    // No party holds the client key: the OPRF secret key in it is gone with the rest.
    for (const i of [1, 2, 3, 4]) expect(await new FileStorage(root, privatePrefix(i)).list(DataType.ClientKey)).toEqual([]);

    // A coprocessor fetches the server key one party published and checks it against the digest all signed.
    const serverKey = (await new FileStorage(root, publicPrefix(3)).read(DataType.ServerKey, keyId))!;
    expect(createHash('sha3-256').update(serverKey).digest('hex')).toBe(kg[0]!.serverKeyDigest);
    const values = await oprfValues(serverKey);
    const expected = clientKeyDecrypt(dealtClientKey!, values);
    expect(await kmsDecrypt(parties, keyId, values)).toEqual(expected);
    expectInRange(expected);
    // t = 1: with party 4 silent the other three open the same values.
    expect(await kmsDecrypt(parties.slice(0, 3), keyId, values.slice(2, 5))).toEqual(expected.slice(2, 5));
  } finally {
    dealtClientKey?.fill(0);
    for (const p of parties) {
      await p.core.close();
      await p.transport?.close();
    }
  }
}, 300_000);
