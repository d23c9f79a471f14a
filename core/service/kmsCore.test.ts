/**
 * The centralized core in-process on ephemeral ports, real mutual TLS, real
 * node-tfhe keys and ciphertexts, called through `core/client`. One key
 * generation (~10 s) is shared by every test in this file.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import tfhe from 'node-tfhe';
import { pino } from 'pino';
import { ciphertextDigest, ciphertextHandle } from '../../common/ciphertext.js';
import { isFheType } from '../../common/fheTypes.js';
import { verifyResponse } from '../../common/signing.js';
import { partyEvmAddress, recoverPublicDecryptSigner, recoverUserDecryptSigner } from '../../common/eip712.js';
import { generateRecipientKeys, unsigncrypt } from '../../common/signcryption.js';
import { createCa, issueCert, type CertificateAuthority, type TlsIdentity } from '../../common/tls.js';
import {
  connectCore,
  CoreRpcError,
  decryptSignedResponse,
  keyGenSignedResponse,
  type CoreClient,
  type CoreDecryptParameters,
  type CoreKeyGenResult,
  type CoreUserDecryptParameters,
} from '../client/coreClient.js';
import { parseCoreConfig, type CoreConfig } from './config.js';
import { startCore, type RunningCore } from './startCore.js';

const LIMIT = BigInt(1 << 30);
const newId = () => randomBytes(20).toString('hex');
const silent = pino({ level: 'silent' });

let dir: string;
let ca: CertificateAuthority;
let serverId: TlsIdentity;
let clientId: TlsIdentity;
let config: CoreConfig;
let core: RunningCore;
let client: CoreClient;
let keyGen: CoreKeyGenResult;
let signerPubkey: string;
let publicKey: tfhe.TfheCompactPublicKey;

function coreConfig(): CoreConfig {
  return parseCoreConfig({
    partyId: 1,
    listen: { host: '127.0.0.1', port: 0 },
    tls: { ca: ca.certPem, cert: serverId.certPem, key: serverId.keyPem, requireClientCert: true },
    storageDir: path.join(dir, 'storage'),
    publicStorage: { host: '127.0.0.1', port: 0 },
    devMode: true,
    logLevel: 'silent',
  });
}

function connect(c: RunningCore, id: Partial<TlsIdentity> = clientId): CoreClient {
  return connectCore(c.grpcAddress, { ca: ca.certPem, ...(id.certPem ? { cert: id.certPem, key: id.keyPem! } : {}) });
}

type Pushable = 'u8' | 'u64' | 'bool';
function encrypt(kind: Pushable, value: number | bigint | boolean): Uint8Array {
  const b = tfhe.CompactCiphertextList.builder(publicKey);
  if (kind === 'u8') b.push_u8(value as number);
  else if (kind === 'u64') b.push_u64(value as bigint);
  else b.push_boolean(value as boolean);
  const expander = b.build().expand();
  const ct = kind === 'u8' ? expander.get_uint8(0) : kind === 'u64' ? expander.get_uint64(0) : expander.get_bool(0);
  return ct.safe_serialize(LIMIT);
}

/** The application every request here is made through; handles name it and the key. */
const APP = 'default';
const scope = () => ({ keyId: keyGen.keyId, appId: APP });

function decryptParams(bytes: Uint8Array, fheType: string, over: Partial<CoreDecryptParameters> = {}): CoreDecryptParameters {
  const digest = ciphertextDigest(bytes);
  return {
    requestId: newId(),
    keyId: keyGen.keyId,
    fheType,
    ciphertextHandle: isFheType(fheType) ? ciphertextHandle(digest, fheType, { keyId: over.keyId ?? keyGen.keyId, appId: over.appId || APP }) : '',
    ciphertextDigest: digest,
    ciphertext: bytes,
    appId: APP,
    ...over,
  };
}

async function decryptVia(c: CoreClient, p: CoreDecryptParameters) {
  await c.decrypt(p);
  const r = await c.getDecryptResult(p.requestId, { timeoutMs: 30_000 });
  expect(r.requestId).toBe(p.requestId);
  expect(verifyResponse(decryptSignedResponse(r, p), r.signature, signerPubkey)).toBe(true);
  return r;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tkms-core-test-'));
  ca = await createCa('tkms-test-ca');
  serverId = await issueCert(ca, { commonName: 'core-1' });
  clientId = await issueCert(ca, { commonName: 'connector-1' });
  config = coreConfig();
  core = await startCore(config, { logger: silent });
  client = connect(core);
  signerPubkey = (await client.health()).signerPubkey;
  const requestId = newId();
  await client.keyGen(requestId);
  keyGen = await client.getKeyGenResult(requestId, { timeoutMs: 170_000 });
  const res = await fetch(keyGen.publicKeyUri);
  publicKey = tfhe.TfheCompactPublicKey.safe_deserialize(new Uint8Array(await res.arrayBuffer()), LIMIT);
}, 180_000);

afterAll(async () => {
  client?.close();
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keygen', () => {
  test('default: signed result, public material served with matching digests', async () => {
    expect(keyGen.failure).toBeUndefined();
    expect(keyGen.keyId).toBe(keyGen.requestId);
    expect(keyGen.partyId).toBe(1);
    expect(verifyResponse(keyGenSignedResponse(keyGen), keyGen.signature, signerPubkey)).toBe(true);
    expect(keyGen.publicKeyUri).toBe(`${core.publicStorageUrl}/PUB-p1/PublicKey/${keyGen.keyId}`);
    expect(keyGen.serverKeyUri).toBe(`${core.publicStorageUrl}/PUB-p1/ServerKey/${keyGen.keyId}`);
    for (const [uri, digest] of [
      [keyGen.publicKeyUri, keyGen.publicKeyDigest],
      [keyGen.serverKeyUri, keyGen.serverKeyDigest],
    ] as const) {
      const res = await fetch(uri);
      expect(res.status).toBe(200);
      // Native SHA3-256 (same function as ciphertextDigest) keeps the 60 MB server key quick.
      expect(createHash('sha3-256').update(new Uint8Array(await res.arrayBuffer())).digest('hex')).toBe(digest);
    }
    expect(await client.getPublicKeyInfo(keyGen.keyId)).toEqual(keyGen);
    expect(core.engine).toMatch(/^core\/engine/);
    const health = await client.health();
    expect(health).toMatchObject({ status: 'SERVING', partyId: 1, keyIds: [keyGen.keyId], keyStates: [{ keyId: keyGen.keyId, state: 'active' }] });
    expect(keyGen.keyState).toBe('active');
    expect(health.signerPubkey).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  test('behavior: reused request id is ALREADY_EXISTS', async () => {
    await expect(client.keyGen(keyGen.requestId)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  test('behavior: malformed request id is INVALID_ARGUMENT', async () => {
    for (const bad of ['', 'abc', keyGen.requestId.toUpperCase(), `${keyGen.requestId}00`]) {
      await expect(client.keyGen(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  test('behavior: keygen preprocessing over gRPC is signed over its id; a keygen naming an unknown one fails signed (UNKNOWN_PREPROC)', async () => {
    const preprocId = newId();
    await client.keyGenPreproc(preprocId);
    const pre = await client.getKeyGenPreprocResult(preprocId, { timeoutMs: 30_000 });
    expect(pre).toMatchObject({ requestId: preprocId, partyId: 1 });
    expect(pre.failure).toBeUndefined();
    expect(verifyResponse({ kind: 'keygen_preproc', requestId: preprocId }, pre.signature, signerPubkey)).toBe(true);
    await expect(client.keyGenPreproc(preprocId)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const unknown = newId();
    const k = newId();
    await client.keyGen(k, { preprocId: unknown });
    const r = await client.getKeyGenResult(k, { timeoutMs: 30_000 });
    expect(r.failure).toEqual({ code: 'UNKNOWN_PREPROC', reason: `UNKNOWN_PREPROC: keygen preprocessing ${unknown} is unknown to this core` });
    expect(verifyResponse(keyGenSignedResponse(r), r.signature, signerPubkey)).toBe(true);
    await expect(client.keyGen(newId(), { preprocId: 'xyz' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test('behavior: a preprocessing is for the parameter set it names; a keygen asking for another fails signed (PREPROC_MISMATCH), an unknown set is INVALID_ARGUMENT', async () => {
    const preprocId = newId();
    await client.keyGenPreproc(preprocId, { fheParameters: 'fhevm' });
    expect((await client.getKeyGenPreprocResult(preprocId, { timeoutMs: 30_000 })).failure).toBeUndefined();
    const k = newId();
    await client.keyGen(k, { preprocId });
    const r = await client.getKeyGenResult(k, { timeoutMs: 30_000 });
    expect(r.failure).toEqual({
      code: 'PREPROC_MISMATCH',
      reason: `PREPROC_MISMATCH: keygen preprocessing ${preprocId} was made for parameter set fhevm, the keygen asks for default`,
    });
    expect(verifyResponse(keyGenSignedResponse(r), r.signature, signerPubkey)).toBe(true);
    await expect(client.keyGenPreproc(newId(), { fheParameters: 'tiny' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test('behavior: unknown ids are NOT_FOUND', async () => {
    await expect(client.getKeyGenResult(newId())).rejects.toMatchObject({ code: 'NOT_FOUND', retryable: true });
    await expect(client.getPublicKeyInfo(newId())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.getDecryptResult(newId())).rejects.toBeInstanceOf(CoreRpcError);
    await expect(client.getDecryptResult(newId())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('decrypt', () => {
  test('default: euint8, ebool, euint64 from real node-tfhe ciphertexts', async () => {
    expect((await decryptVia(client, decryptParams(encrypt('u8', 42), 'euint8'))).plaintext).toBe('42');
    expect((await decryptVia(client, decryptParams(encrypt('u8', 255), 'euint8'))).plaintext).toBe('255');
    expect((await decryptVia(client, decryptParams(encrypt('bool', true), 'ebool'))).plaintext).toBe('1');
    expect((await decryptVia(client, decryptParams(encrypt('bool', false), 'ebool'))).plaintext).toBe('0');
    const big = 0xfedcba9876543210n;
    expect((await decryptVia(client, decryptParams(encrypt('u64', big), 'euint64'))).plaintext).toBe(big.toString());
  });

  test('behavior: digest mismatch is a signed DIGEST_MISMATCH failure', async () => {
    const ct = encrypt('u8', 7);
    const r = await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextDigest: ciphertextDigest(encrypt('u8', 7)) }));
    expect(r.plaintext).toBe('');
    expect(r.failure?.code).toBe('DIGEST_MISMATCH');
    expect(r.failure?.reason).toMatch(/^DIGEST_MISMATCH: /);
  });

  test('malicious: a handle admitted under another application or key is a signed HANDLE_MISMATCH failure (issue 10), as is a request naming no application', async () => {
    const ct = encrypt('u8', 5);
    const digest = ciphertextDigest(ct);
    // The handle an fhEVM application's ISC judged, sent through the open application.
    const fhevmHandle = ciphertextHandle(digest, 'euint8', { keyId: keyGen.keyId, appId: 'fhevm-chain-1' });
    const throughOpen = await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: fhevmHandle }));
    expect(throughOpen.plaintext).toBe('');
    expect(throughOpen.failure?.reason).toMatch(/^HANDLE_MISMATCH: .* under key [0-9a-f]{40} and application default/);
    // The same handle with the application it was made for decrypts.
    expect((await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: fhevmHandle, appId: 'fhevm-chain-1' }))).plaintext).toBe('5');
    // A handle made for another key.
    const otherKey = ciphertextHandle(digest, 'euint8', { keyId: 'ee'.repeat(20), appId: APP });
    expect((await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: otherKey }))).failure?.code).toBe('HANDLE_MISMATCH');
    expect((await decryptVia(client, decryptParams(ct, 'euint8', { appId: '' }))).failure?.code).toBe('APP_ID_MISSING');
    // User decryption checks the same binding.
    const user = generateRecipientKeys();
    const u = { requestId: newId(), keyId: keyGen.keyId, ciphertexts: [{ handle: fhevmHandle, digest, fheType: 'euint8', ciphertext: ct }], userPublicKey: user.publicKey, clientAddress: '0x' + '77'.repeat(20), appId: APP };
    await client.userDecrypt(u);
    expect((await client.getUserDecryptResult(u.requestId, { timeoutMs: 30_000 })).failure?.code).toBe('HANDLE_MISMATCH');
  });

  test('malicious: a handle that is not the handle of the digest and type is a signed HANDLE_MISMATCH failure (S1)', async () => {
    const ct = encrypt('u8', 7);
    const victim = ciphertextDigest(encrypt('u8', 8));
    // A handle the requester may use (another ciphertext's), with this ciphertext's digest.
    const r = await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: ciphertextHandle(victim, 'euint8', scope()) }));
    expect(r.plaintext).toBe('');
    expect(r.failure?.code).toBe('HANDLE_MISMATCH');
    expect(r.failure?.reason).toContain(`expected ${ciphertextHandle(ciphertextDigest(ct), 'euint8', scope())}`);
    // The right hash with another type byte.
    const retyped = await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: ciphertextHandle(ciphertextDigest(ct), 'euint16', scope()) }));
    expect(retyped.failure?.code).toBe('HANDLE_MISMATCH');
    expect((await decryptVia(client, decryptParams(ct, 'euint8', { ciphertextHandle: '' }))).failure?.code).toBe('HANDLE_MISMATCH');
    // 0x-prefixed and upper-case is the same handle.
    const prefixed = decryptParams(ct, 'euint8');
    prefixed.ciphertextHandle = '0x' + prefixed.ciphertextHandle!.toUpperCase();
    expect((await decryptVia(client, prefixed)).plaintext).toBe('7');
  });

  test('behavior: unknown key is a signed UNKNOWN_KEY failure', async () => {
    const r = await decryptVia(client, decryptParams(encrypt('u8', 7), 'euint8', { keyId: newId() }));
    expect(r.failure?.code).toBe('UNKNOWN_KEY');
  });

  test('behavior: malformed bytes are a signed CIPHERTEXT_MALFORMED failure', async () => {
    const ct = encrypt('u8', 7);
    for (const bytes of [ct.slice(0, 100), randomBytes(5000), ct.slice(0, ct.length - 8)]) {
      const r = await decryptVia(client, decryptParams(new Uint8Array(bytes), 'euint8'));
      expect(r.failure?.code).toBe('CIPHERTEXT_MALFORMED');
      expect(r.failure?.reason).toMatch(/^CIPHERTEXT_MALFORMED: .+/);
    }
  });

  test('behavior: wrong type is a signed FHE_TYPE_MISMATCH failure', async () => {
    const r = await decryptVia(client, decryptParams(encrypt('u8', 7), 'ebool'));
    expect(r.failure?.code).toBe('FHE_TYPE_MISMATCH');
    const r2 = await decryptVia(client, decryptParams(encrypt('bool', true), 'euint8'));
    expect(r2.failure?.code).toBe('FHE_TYPE_MISMATCH');
  });

  test('behavior: unknown type name is a signed failure', async () => {
    const r = await decryptVia(client, decryptParams(encrypt('u8', 7), 'euint7'));
    expect(r.failure?.code).toBe('FHE_TYPE_UNKNOWN');
  });

  test('behavior: reused request id is ALREADY_EXISTS, bad id INVALID_ARGUMENT', async () => {
    const p = decryptParams(encrypt('u8', 9), 'euint8');
    await decryptVia(client, p);
    await expect(client.decrypt({ ...p, ciphertext: encrypt('u8', 10) })).rejects.toMatchObject({ code: 'ALREADY_EXISTS', retryable: false });
    await expect(client.decrypt({ ...p, requestId: 'xyz' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await client.getDecryptResult(p.requestId)).plaintext).toBe('9');
  });

  test('behavior: oversized ciphertext is a signed CIPHERTEXT_TOO_LARGE failure', async () => {
    const small = await startCore({ ...config, storageDir: path.join(dir, 'small'), maxCiphertextBytes: 1000 }, { logger: silent });
    const c = connect(small);
    try {
      const bytes = new Uint8Array(2000);
      const p = decryptParams(bytes, 'euint8');
      await c.decrypt(p);
      const r = await c.getDecryptResult(p.requestId);
      expect(r.failure?.code).toBe('CIPHERTEXT_TOO_LARGE');
      expect(verifyResponse(decryptSignedResponse(r, p), r.signature, small.signerPubkey)).toBe(true);
    } finally {
      c.close();
      await small.close();
    }
  });
});

describe('batch decrypt', () => {
  const domain = { name: 'Decryption', version: '1', chainId: 31337n, verifyingContract: '0x' + '42'.repeat(20) };

  function batchParams(items: { bytes: Uint8Array; fheType: string }[], over: Partial<CoreDecryptParameters> = {}): CoreDecryptParameters {
    return {
      requestId: newId(),
      keyId: keyGen.keyId,
      fheType: '',
      ciphertextDigest: '',
      ciphertext: new Uint8Array(),
      ciphertexts: items.map(({ bytes, fheType }) => {
        const digest = ciphertextDigest(bytes);
        return { ciphertextHandle: ciphertextHandle(digest, fheType as 'euint8', scope()), ciphertextDigest: digest, fheType, ciphertext: bytes };
      }),
      appId: APP,
      ...over,
    };
  }

  test('default: every plaintext in order under one signature, and one EIP-712 signature over all handles', async () => {
    const big = 0xfedcba9876543210n;
    const p = batchParams(
      [
        { bytes: encrypt('u8', 42), fheType: 'euint8' },
        { bytes: encrypt('bool', true), fheType: 'ebool' },
        { bytes: encrypt('u64', big), fheType: 'euint64' },
      ],
      { eip712Domain: domain },
    );
    const r = await decryptVia(client, p);
    expect(r.failure).toBeUndefined();
    expect(r.plaintexts).toEqual(['42', '1', big.toString()]);
    expect(r.keyCompromised).toBe(false);
    expect(r.keyState).toBe('active');
    // The signature binds the order: swapped plaintexts do not verify.
    expect(verifyResponse(decryptSignedResponse({ ...r, plaintexts: ['1', '42', big.toString()] }, p), r.signature, signerPubkey)).toBe(false);
    const handles = p.ciphertexts!.map((c) => c.ciphertextHandle);
    expect(recoverPublicDecryptSigner(domain, { handles, plaintexts: [42n, 1n, big] }, r.eip712Signature)).toBe(partyEvmAddress(signerPubkey));
  });

  test('behavior: one bad ciphertext fails the whole batch, naming its position', async () => {
    const good = encrypt('u8', 1);
    const p = batchParams([
      { bytes: good, fheType: 'euint8' },
      { bytes: encrypt('u8', 2), fheType: 'euint8' },
    ]);
    p.ciphertexts![1]!.ciphertextDigest = ciphertextDigest(good);
    const r = await decryptVia(client, p);
    expect(r.plaintexts).toEqual([]);
    expect(r.failure?.code).toBe('DIGEST_MISMATCH');
    expect(r.failure?.reason).toMatch(/^DIGEST_MISMATCH: ciphertexts\[1\]: /);
    const missing = batchParams([{ bytes: good, fheType: 'euint8' }]);
    missing.ciphertexts![0]!.ciphertext = new Uint8Array();
    expect((await decryptVia(client, missing)).failure?.code).toBe('CIPHERTEXT_UNAVAILABLE');
    const wrongType = batchParams([
      { bytes: good, fheType: 'euint8' },
      { bytes: encrypt('u8', 3), fheType: 'ebool' },
    ]);
    expect((await decryptVia(client, wrongType)).failure?.reason).toMatch(/^FHE_TYPE_MISMATCH: ciphertexts\[1\]: /);
    const swapped = batchParams([
      { bytes: good, fheType: 'euint8' },
      { bytes: encrypt('u8', 4), fheType: 'euint8' },
    ]);
    swapped.ciphertexts![1]!.ciphertextHandle = swapped.ciphertexts![0]!.ciphertextHandle;
    expect((await decryptVia(client, swapped)).failure?.reason).toMatch(/^HANDLE_MISMATCH: ciphertexts\[1\]: ciphertext handle [0-9a-f]{64} is not the handle of digest/);
  });

  test('behavior: more than 32 ciphertexts is a signed BATCH_SIZE failure', async () => {
    const one = encrypt('bool', false);
    const r = await decryptVia(client, batchParams(Array.from({ length: 33 }, () => ({ bytes: one, fheType: 'ebool' }))));
    expect(r.failure?.code).toBe('BATCH_SIZE');
    const ok = await decryptVia(client, batchParams(Array.from({ length: 32 }, () => ({ bytes: one, fheType: 'ebool' }))));
    expect(ok.plaintexts).toEqual(Array.from({ length: 32 }, () => '0'));
  });
});

describe('tls', () => {
  test('behavior: a client without a client certificate is refused', async () => {
    const c = connect(core, {});
    try {
      await expect(c.health({ timeoutMs: 5000 })).rejects.toMatchObject({ code: expect.stringMatching(/UNAVAILABLE|TIMEOUT/) });
    } finally {
      c.close();
    }
  });

  test('behavior: a client certificate from another CA is refused', async () => {
    const otherCa = await createCa('intruder-ca');
    const other = await issueCert(otherCa, { commonName: 'intruder' });
    const c = connect(core, other);
    try {
      await expect(c.health({ timeoutMs: 5000 })).rejects.toBeInstanceOf(CoreRpcError);
    } finally {
      c.close();
    }
  });
});

describe('public storage server', () => {
  test('behavior: only GET of existing files; no listing, no traversal', async () => {
    const base = core.publicStorageUrl;
    const status = async (p: string, init?: RequestInit) => (await fetch(`${base}${p}`, init)).status;
    expect(await status(`/PUB-p1/PublicKey/${keyGen.keyId}`, { method: 'HEAD' })).toBe(200);
    expect(await status('/PUB-p1/PublicKey/')).toBe(404);
    expect(await status('/PUB-p1/PublicKey')).toBe(404);
    expect(await status('/')).toBe(404);
    expect(await status(`/PRIV-p1/ClientKey/${keyGen.keyId}`)).toBe(404);
    expect(await status(`/PUB-p1/..%2FPRIV-p1/ClientKey`)).toBe(404);
    expect(await status(`/PUB-p1/%2e%2e/PRIV-p1/ClientKey/${keyGen.keyId}`)).toBe(404);
    expect(await status(`/PUB-p1/PublicKey/${keyGen.keyId}`, { method: 'POST', body: 'x' })).toBe(405);
    expect(await status(`/PUB-p1/VerfKey/signer`)).toBe(200);
  });
});

describe('lifecycle', () => {
  test('behavior: restart keeps keys and the signer', async () => {
    const ct = encrypt('u8', 77);
    client.close();
    await core.close();
    core = await startCore(config, { logger: silent });
    client = connect(core);
    const health = await client.health();
    expect(health.signerPubkey).toBe(signerPubkey);
    expect(health.keyIds).toEqual([keyGen.keyId]);
    const info = await client.getPublicKeyInfo(keyGen.keyId);
    expect(info.publicKeyDigest).toBe(keyGen.publicKeyDigest);
    await expect(client.keyGen(keyGen.requestId)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const r = await decryptVia(client, decryptParams(ct, 'euint8'));
    expect(r.plaintext).toBe('77');
    // Decrypt results survive a restart too, and their ids stay used.
    const p = decryptParams(encrypt('u8', 78), 'euint8');
    await decryptVia(client, p);
    client.close();
    await core.close();
    core = await startCore(config, { logger: silent });
    client = connect(core);
    const again = await client.getDecryptResult(p.requestId);
    expect(again.plaintext).toBe('78');
    expect(verifyResponse(decryptSignedResponse(again, p), again.signature, signerPubkey)).toBe(true);
    await expect(client.decrypt(p)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  test('behavior: devMode false without a vault key refuses to start', async () => {
    await expect(startCore({ ...config, devMode: false }, { logger: silent })).rejects.toMatchObject({ code: 'VAULT_KEY_MISSING' });
  });
});

describe('EIP-712 and user decryption', () => {
  const domain = { name: 'Decryption', version: '1', chainId: 31337n, verifyingContract: '0x' + '42'.repeat(20) };
  const client0x = '0x' + '77'.repeat(20);

  test('default: a public result carries an EIP-712 PublicDecryptVerification signature by the party', async () => {
    const p = decryptParams(encrypt('u8', 200), 'euint8', { eip712Domain: domain });
    const r = await decryptVia(client, p);
    expect(r.plaintext).toBe('200');
    const signer = recoverPublicDecryptSigner(domain, { handles: [p.ciphertextHandle!], plaintexts: [200n] }, r.eip712Signature);
    expect(signer).toBe(partyEvmAddress(signerPubkey));
    expect(recoverPublicDecryptSigner(domain, { handles: [p.ciphertextHandle!], plaintexts: [201n] }, r.eip712Signature)).not.toBe(signer);
  });

  function userDecryptParams(items: { bytes: Uint8Array; fheType: 'euint8' | 'euint64' | 'ebool' }[], userPublicKey: Uint8Array, over: Partial<CoreUserDecryptParameters> = {}): CoreUserDecryptParameters {
    return {
      requestId: newId(),
      keyId: keyGen.keyId,
      ciphertexts: items.map(({ bytes, fheType }) => {
        const digest = ciphertextDigest(bytes);
        return { handle: ciphertextHandle(digest, fheType, scope()), digest, fheType, ciphertext: bytes };
      }),
      userPublicKey,
      clientAddress: client0x,
      eip712Domain: domain,
      appId: APP,
      ...over,
    };
  }

  async function userDecryptVia(c: CoreClient, p: CoreUserDecryptParameters) {
    await c.userDecrypt(p);
    const r = await c.getUserDecryptResult(p.requestId, { timeoutMs: 30_000 });
    expect(r.requestId).toBe(p.requestId);
    return r;
  }

  const open = (blob: Uint8Array, keys: { publicKey: Uint8Array; secretKey: Uint8Array }, requestId: string) =>
    unsigncrypt(blob, { recipientPublicKey: keys.publicKey, recipientSecretKey: keys.secretKey, signerPublicKey: Buffer.from(signerPubkey, 'hex'), context: new TextEncoder().encode(requestId) });

  test('default: a user decryption (UserDecrypt) returns the batch only signcrypted to the user, signed twice', async () => {
    const user = generateRecipientKeys();
    const big = 0xfedcba9876543210n;
    const p = userDecryptParams(
      [
        { bytes: encrypt('u64', big), fheType: 'euint64' },
        { bytes: encrypt('u8', 3), fheType: 'euint8' },
      ],
      user.publicKey,
    );
    const r = await userDecryptVia(client, p);
    expect(r.failure).toBeUndefined();
    const payload = JSON.parse(new TextDecoder().decode(open(r.signcryption, user, p.requestId))) as Record<string, unknown>;
    expect(payload).toEqual({
      version: 2,
      request_id: p.requestId,
      key_id: p.keyId,
      party_id: 1,
      mode: 'plaintext',
      results: [
        { fhe_type: 'euint64', plaintext: big.toString() },
        { fhe_type: 'euint8', plaintext: '3' },
      ],
    });
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const signed = {
      kind: 'user_decrypt' as const,
      requestId: p.requestId,
      keyId: p.keyId,
      ciphertexts: p.ciphertexts.map((c) => ({ ciphertextDigest: c.digest, fheType: c.fheType })),
      userKeyDigest: sha(user.publicKey),
      signcryptionDigest: sha(r.signcryption),
      eip712Signature: r.eip712Signature,
    };
    expect(verifyResponse(signed, r.signature, signerPubkey)).toBe(true);
    const handles = p.ciphertexts.map((c) => c.handle);
    const m = { publicKey: user.publicKey, handles, userDecryptedShare: r.signcryption };
    expect(recoverUserDecryptSigner(domain, m, r.eip712Signature)).toBe(partyEvmAddress(signerPubkey));
    // Under another EIP-712 domain (chain id, verifying contract) the signature names someone else.
    expect(recoverUserDecryptSigner({ ...domain, chainId: 1n }, m, r.eip712Signature)).not.toBe(partyEvmAddress(signerPubkey));
    expect(recoverUserDecryptSigner({ ...domain, verifyingContract: '0x' + '43'.repeat(20) }, m, r.eip712Signature)).not.toBe(partyEvmAddress(signerPubkey));
    // Another user's key cannot open it; one flipped byte makes it unopenable; another request id is another context.
    expect(() => open(r.signcryption, generateRecipientKeys(), p.requestId)).toThrow(/does not open/);
    const tampered = Uint8Array.from(r.signcryption);
    tampered[tampered.length - 40]! ^= 1;
    expect(() => open(tampered, user, p.requestId)).toThrow();
    expect(() => open(r.signcryption, user, newId())).toThrow();
    // A repeated request id is refused, and the first answer stays.
    await expect(client.userDecrypt({ ...p, userPublicKey: generateRecipientKeys().publicKey })).rejects.toMatchObject({ code: 'ALREADY_EXISTS', retryable: false });
    expect((await client.getUserDecryptResult(p.requestId)).signcryption).toEqual(r.signcryption);
  });

  test('behavior: a user decryption with a malformed key or a client address equal to the verifying contract fails, signed', async () => {
    const items = [{ bytes: encrypt('u8', 1), fheType: 'euint8' as const }];
    const badKey = await userDecryptVia(client, userDecryptParams(items, new Uint8Array(33)));
    expect(badKey.failure?.code).toBe('USER_KEY_INVALID');
    expect(badKey.signcryption).toHaveLength(0);
    const same = await userDecryptVia(client, userDecryptParams(items, generateRecipientKeys().publicKey, { clientAddress: domain.verifyingContract }));
    expect(same.failure?.code).toBe('CLIENT_ADDRESS_INVALID');
    expect(verifyResponse({ kind: 'failure', requestId: same.requestId, reason: same.failure!.reason }, same.signature, signerPubkey)).toBe(true);
  });
});

describe('a key that fails to load at boot', () => {
  test('behavior: it stays known: DEGRADED health names it, keygen for its id is ALREADY_EXISTS, decryptions fail KEY_UNAVAILABLE', async () => {
    // A copy of this core's storage whose client key is corrupt.
    const copyDir = path.join(dir, 'storage-corrupt');
    cpSync(path.join(dir, 'storage'), copyDir, { recursive: true });
    const keyFile = path.join(copyDir, 'PRIV-p1', 'ClientKey', keyGen.keyId);
    const corrupt = randomBytes(256);
    writeFileSync(keyFile, corrupt);
    const broken = await startCore({ ...config, storageDir: copyDir }, { logger: silent });
    const c = connect(broken);
    try {
      const health = await c.health();
      expect(health).toMatchObject({ status: 'DEGRADED', unavailableKeyIds: [keyGen.keyId], keyIds: [] });
      expect(JSON.stringify(health)).not.toContain(corrupt.toString('hex'));
      await expect(c.keyGen(keyGen.keyId)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      const ct = encrypt('u8', 3);
      const r = await decryptVia(c, decryptParams(ct, 'euint8'));
      expect(r.failure?.code).toBe('KEY_UNAVAILABLE');
      expect(r.failure?.reason).toMatch(/failed to load at boot/);
      const digest = ciphertextDigest(ct);
      const u = { requestId: newId(), keyId: keyGen.keyId, ciphertexts: [{ handle: ciphertextHandle(digest, 'euint8', scope()), digest, fheType: 'euint8', ciphertext: ct }], userPublicKey: generateRecipientKeys().publicKey, clientAddress: '0x' + '77'.repeat(20), appId: APP };
      await c.userDecrypt(u);
      expect((await c.getUserDecryptResult(u.requestId, { timeoutMs: 30_000 })).failure?.code).toBe('KEY_UNAVAILABLE');
      // The material on disk was not overwritten.
      expect(readFileSync(keyFile)).toEqual(corrupt);
    } finally {
      c.close();
      await broken.close();
    }
  });
});

// Last: it moves the only key to destroyed.
describe('key lifecycle (mirrored from the ASC)', () => {
  const clientKeyFile = () => path.join(dir, 'storage', 'PRIV-p1', 'ClientKey', keyGen.keyId);

  test('behavior: a suspended key still decrypts and reports its state; bad states and unknown keys are refused', async () => {
    expect(await client.setKeyState(keyGen.keyId, 'suspended')).toEqual({ previousState: 'active' });
    expect((await client.getPublicKeyInfo(keyGen.keyId)).keyState).toBe('suspended');
    expect((await client.health()).keyStates).toEqual([{ keyId: keyGen.keyId, state: 'suspended' }]);
    const r = await decryptVia(client, decryptParams(encrypt('u8', 5), 'euint8'));
    expect(r).toMatchObject({ plaintext: '5', keyState: 'suspended', keyCompromised: false });
    await expect(client.setKeyState(keyGen.keyId, 'lost')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.setKeyState(newId(), 'active')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The same state again is a no-op.
    expect(await client.setKeyState(keyGen.keyId, 'suspended')).toEqual({ previousState: 'suspended' });
  });

  test('behavior: a compromised key decrypts, every response flagged, and the state survives a restart', async () => {
    const before = decryptParams(encrypt('u8', 6), 'euint8');
    await decryptVia(client, before);
    await client.setKeyState(keyGen.keyId, 'compromised');
    const r = await decryptVia(client, decryptParams(encrypt('u8', 7), 'euint8'));
    expect(r).toMatchObject({ plaintext: '7', keyCompromised: true, keyState: 'compromised' });
    // A result computed before the compromise is flagged when read after it.
    expect((await client.getDecryptResult(before.requestId)).keyCompromised).toBe(true);
    client.close();
    await core.close();
    core = await startCore(config, { logger: silent });
    client = connect(core);
    expect((await client.getPublicKeyInfo(keyGen.keyId)).keyState).toBe('compromised');
    expect((await decryptVia(client, decryptParams(encrypt('u8', 8), 'euint8'))).keyCompromised).toBe(true);
  });

  test('behavior: destroyed wipes the private material, refuses decryption with KEY_DESTROYED and is final, across restarts', async () => {
    expect(existsSync(clientKeyFile())).toBe(true);
    const ct = encrypt('u8', 9);
    expect(await client.setKeyState(keyGen.keyId, 'destroyed')).toEqual({ previousState: 'compromised' });
    expect(existsSync(clientKeyFile())).toBe(false);
    const r = await decryptVia(client, decryptParams(ct, 'euint8'));
    expect(r.plaintext).toBe('');
    expect(r.failure?.code).toBe('KEY_DESTROYED');
    const batch = await decryptVia(client, {
      ...decryptParams(ct, 'euint8'),
      ciphertexts: [{ ciphertextHandle: ciphertextHandle(ciphertextDigest(ct), 'euint8', scope()), ciphertextDigest: ciphertextDigest(ct), fheType: 'euint8', ciphertext: ct }],
    });
    expect(batch.failure?.code).toBe('KEY_DESTROYED');
    await expect(client.setKeyState(keyGen.keyId, 'active')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    client.close();
    await core.close();
    core = await startCore(config, { logger: silent });
    client = connect(core);
    const health = await client.health();
    expect(health.keyStates).toEqual([{ keyId: keyGen.keyId, state: 'destroyed' }]);
    expect(health.status).toBe('SERVING');
    expect((await client.getPublicKeyInfo(keyGen.keyId)).publicKeyDigest).toBe(keyGen.publicKeyDigest);
    expect((await decryptVia(client, decryptParams(ct, 'euint8'))).failure?.code).toBe('KEY_DESTROYED');
  });
});
