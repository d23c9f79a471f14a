/**
 * Threshold user decryption (issue 5): four cores with the threshold backend
 * over real gRPC/mTLS each signcrypt their decryption SHARES of a batch, never
 * a plaintext; the client (cli/userDecryptResult.ts) reconstructs with robust
 * open. Parties that lie about their share (after an honest MPC run) are
 * corrected and named up to t; with t+1 liars the client reports failure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { freePort } from '../../../localnet/processes.js';
import { createCa, issueCert, type TlsIdentity } from '../../../common/tls.js';
import { ciphertextDigest, ciphertextHandle } from '../../../common/ciphertext.js';
import { generateRecipientKeys, unsigncrypt } from '../../../common/signcryption.js';
import { decodeUserDecryptPayload } from '../../../common/userDecryptPayload.js';
import type { FheType } from '../../../common/fheTypes.js';
import { verifyResponse } from '../../../common/signing.js';
import { encryptWithPublicKey } from '../../engine/index.js';
import { KmsCore, type KeyGenOutcome } from '../kmsCore.js';
import { defaultEngine, type CoreEngine } from '../engine.js';
import { FileStorage, privatePrefix, publicPrefix, DataType } from '../storage.js';
import { loadOrCreateSigner } from '../signer.js';
import { PeerTransport, certFingerprint, type PeerInfo } from '../mpc/peerTransport.js';
import type { KeyBackend } from '../keyBackend.js';
import { thresholdBackend } from './thresholdBackend.js';
import { reconstructUserDecrypt, type PartyUserDecryptAnswer, type UserDecryptContext } from '../../../cli/userDecryptResult.js';

const N = 4;
const T = 1;
const silent = pino({ level: 'silent' });
// The threshold backend makes CRSs by ceremony (crsCeremony.test.ts); this stub only fills the engine interface.
const engine: CoreEngine = {
  ...defaultEngine,
  generateKeySet: (o) => defaultEngine.generateKeySet({ ...o, withoutServerKey: true } as never),
  generateCrs: (maxNumBits) => ({ crs: new Uint8Array(randomBytes(4096)), maxNumBits, parameters: 'test-crs' }),
};
const domain = { name: 'Decryption', version: '1', chainId: 31337n, verifyingContract: '0x' + 'ab'.repeat(20) };
const client0x = '0x' + 'c0'.repeat(20);

/** How a party lies about its share to the user (the MPC itself runs honestly). */
type Lie = 'none' | 'offset';

interface Party {
  id: number;
  core: KmsCore;
  transport: PeerTransport;
  signerPubkey: string;
  pub: FileStorage;
  lie: Lie;
}

/** A threshold backend whose user-decryption shares are altered after the fact, as `lie` says. */
function lyingShares(party: () => Party, backend: KeyBackend): KeyBackend {
  return {
    ...backend,
    async decryptShare(requestId, cts, secret) {
      const r = await backend.decryptShare!(requestId, cts, secret);
      const lie = party().lie;
      if (lie === 'none') return r;
      const mask = (1 << r.digitBits) - 1;
      return {
        ...r,
        ciphertexts: r.ciphertexts.map((c) => ({
          ...c,
          shares: c.shares.map((b) => (b + 1) & mask),
        })),
      };
    },
  };
}

let parties: Party[];
let keyGen: KeyGenOutcome;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tkms-threshold-ud-'));
  const ca = await createCa('threshold-ud-ca');
  const ids: TlsIdentity[] = await Promise.all(Array.from({ length: N }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
  const peers: PeerInfo[] = await Promise.all(ids.map(async (id, i) => ({ partyId: i + 1, address: `127.0.0.1:${await freePort()}`, certFingerprint: certFingerprint(id.certPem) })));
  parties = [];
  await Promise.all(
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
      const self = (): Party => parties.find((x) => x.id === p.partyId)!;
      const backend = lyingShares(self, thresholdBackend({ transport, t: T, dealerId: 1, insecureDealerKeygen: true, engine, logger: silent, roundTimeoutMs: 3000 }));
      const core = await KmsCore.open({ partyId: p.partyId, engine, keyBackend: backend, privateStorage: priv, publicStorage: pub, signer, logger: silent, publicUri: (type, kid) => `file://${pub.path(type, kid)}` });
      parties.push({ id: p.partyId, core, transport, signerPubkey: signer.publicKeyHex, pub, lie: 'none' });
    }),
  );
  parties.sort((a, b) => a.id - b.id);
  const keyId = randomBytes(20).toString('hex');
  for (const p of parties) p.core.startKeyGen(keyId, '', '', { insecureDealerAllowed: true });
  keyGen = (await Promise.all(parties.map((p) => p.core.getKeyGenResult(keyId, Date.now() + 120_000))))[0]!;
}, 180_000);

afterAll(async () => {
  for (const p of parties ?? []) {
    await p.core.close();
    await p.transport.close();
  }
});

const user = generateRecipientKeys();

/** Every party answers a user decryption of `values`; returns the answers and the client context. */
async function userDecrypt(values: [FheType, bigint | boolean][]): Promise<{ answers: PartyUserDecryptAnswer[]; ctx: UserDecryptContext }> {
  const pk = (await parties[0]!.pub.read(DataType.PublicKey, keyGen.keyId))!;
  const ciphertexts = values.map(([type, v]) => {
    const bytes = encryptWithPublicKey(pk, type, v);
    const digest = ciphertextDigest(bytes);
    return { handle: ciphertextHandle(digest, type, { keyId: keyGen.keyId, appId: 'default' }), digest, fheType: type, bytes };
  });
  const requestId = randomBytes(20).toString('hex');
  for (const p of parties) {
    p.core.startUserDecrypt({ requestId, keyId: keyGen.keyId, ciphertexts, userPublicKey: user.publicKey, clientAddress: client0x, eip712: { domain }, appId: 'default' });
  }
  const outcomes = await Promise.all(parties.map((p) => p.core.getUserDecryptResult(requestId, Date.now() + 120_000)));
  const answers = outcomes.map((o, i) => {
    expect(o.failure).toBeUndefined();
    return { partyId: parties[i]!.id, signcryption: Buffer.from(o.signcryption, 'hex'), eip712Signature: o.eip712Signature, signature: o.signature };
  });
  const ctx: UserDecryptContext = {
    requestId,
    keyId: keyGen.keyId,
    ciphertexts: ciphertexts.map(({ handle, digest, fheType }) => ({ handle, digest, fheType })),
    userPublicKey: user.publicKey,
    userSecretKey: user.secretKey,
    signers: new Map(parties.map((p) => [p.id, p.signerPubkey])),
    n: N,
    threshold: T,
    eip712Domain: domain,
  };
  return { answers, ctx };
}

const BATCH: [FheType, bigint | boolean][] = [
  ['euint8', 173n],
  ['ebool', true],
  ['euint64', 0xdeadbeefcafef00dn],
];
const EXPECTED = [173n, 1n, 0xdeadbeefcafef00dn];

test('default: each party seals shares, not the plaintext; 2t+1 of them reconstruct the batch', async () => {
  for (const p of parties) p.lie = 'none';
  const { answers, ctx } = await userDecrypt(BATCH);
  // A party's payload holds shares only.
  const opened = decodeUserDecryptPayload(
    unsigncrypt(answers[0]!.signcryption, { recipientPublicKey: user.publicKey, recipientSecretKey: user.secretKey, signerPublicKey: Buffer.from(parties[0]!.signerPubkey, 'hex'), context: new TextEncoder().encode(ctx.requestId) }),
    { requestId: ctx.requestId, keyId: ctx.keyId, partyId: 1, fheTypes: ctx.ciphertexts.map((c) => c.fheType) },
  );
  expect(opened.mode).toBe('share');
  expect(JSON.stringify(opened)).not.toContain('plaintext');
  const all = reconstructUserDecrypt(answers, ctx);
  expect(all).toMatchObject({ plaintexts: EXPECTED, mode: 'share', agreeing: [1, 2, 3, 4], misbehaving: [] });
  // 2t+1 answers are enough when they are honest.
  expect(reconstructUserDecrypt(answers.slice(1), ctx).plaintexts).toEqual(EXPECTED);
}, 180_000);

test('malicious: one party sealing a wrong share is corrected and named', async () => {
  parties[1]!.lie = 'offset';
  try {
    const { answers, ctx } = await userDecrypt(BATCH);
    const r = reconstructUserDecrypt(answers, ctx);
    expect(r.plaintexts).toEqual(EXPECTED);
    expect(r.misbehaving).toEqual([{ partyId: 2, reason: 'decryption share is wrong (corrected)' }]);
    expect(r.agreeing).toEqual([1, 3, 4]);
    // With only 2t+1 answers, one of them wrong: detected, never a wrong plaintext (the CLI then waits for more).
    expect(() => reconstructUserDecrypt(answers.slice(0, 3), ctx)).toThrow(expect.objectContaining({ code: 'USER_DECRYPT_RECONSTRUCTION_FAILED' }));
  } finally {
    parties[1]!.lie = 'none';
  }
}, 180_000);

test('malicious: t+1 parties sealing wrong shares make reconstruction fail, never return a wrong plaintext', async () => {
  // Both liars shift their shares by the same offset: the word is then at distance
  // ≥ 2 from every codeword (a line equal at two points has no root), so the
  // decoder must refuse. (A coalition of t+1 that sees the sharing can always fool
  // any decoder: that is why the bound is t; see core/engine/mpc/sharing/robustOpen.ts.)
  parties[1]!.lie = 'offset';
  parties[2]!.lie = 'offset';
  try {
    const { answers, ctx } = await userDecrypt([['euint8', 99n]]);
    expect(() => reconstructUserDecrypt(answers, ctx)).toThrow(expect.objectContaining({ code: 'USER_DECRYPT_RECONSTRUCTION_FAILED' }));
  } finally {
    parties[1]!.lie = 'none';
    parties[2]!.lie = 'none';
  }
}, 180_000);
