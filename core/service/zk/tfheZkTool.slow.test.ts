/**
 * tkms-tfhe-zk against node-tfhe: one fhEVM-config key set made in node-tfhe,
 * a CRS made natively (and loaded by node-tfhe), one proven list of an euint8
 * and an ebool proven by node-tfhe; the tool verifies and expands it and every
 * output is read by TKMS's parser and decrypts, with node-tfhe and with the
 * engine's big key, to what was encrypted. Then what must be refused: a
 * tampered list, other metadata, another key's public key, garbage. About two
 * minutes of CPU. Needs `make tfhe-zk` (never skips).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfhe from 'node-tfhe';
import { ciphertextByteLength, parseCiphertext } from '../../engine/tfhe/ciphertext.js';
import { parseClientKey } from '../../engine/tfhe/clientKey.js';
import { loadCrs } from '../../engine/tfhe/crs.js';
import { decryptCiphertextBytes } from '../../engine/tfhe/decrypt.js';
import { MAX_CLIENT_KEY_SERIALIZED_BYTES, MAX_COMPACT_PUBLIC_KEY_BYTES, MAX_COMPRESSED_SERVER_KEY_BYTES, tfheConfig } from '../../engine/tfhe/keyset.js';
import { TfheZkServer } from './tfheZkServer.js';
import { expand, generateCrs, tfheZkToolPath, verifyAndExpand, type ExpandedValue } from './tfheZkTool.js';

const LIMIT = BigInt(1 << 26);
const metadata = new TextEncoder().encode('tkms test: app 7, user 0xabc');

interface Fixture {
  ck: tfhe.TfheClientKey;
  compactPublicKey: Uint8Array;
  otherPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  crs: Uint8Array;
  list: Uint8Array;
  /** Another valid proven list (an euint8 43) under the same key, CRS and metadata. */
  otherList: Uint8Array;
}
let fx: Fixture;

beforeAll(async () => {
  tfheZkToolPath(); // a missing tool fails here, with how to build it
  const config = tfheConfig('fhevm');
  const ck = tfhe.TfheClientKey.generate(config);
  const pk = tfhe.TfheCompactPublicKey.new(ck);
  const other = tfhe.TfheCompactPublicKey.new(tfhe.TfheClientKey.generate(config));
  const crs = await generateCrs(64);
  const builder = tfhe.ProvenCompactCiphertextList.builder(pk);
  builder.push_u8(42);
  builder.push_boolean(true);
  const list = builder.build_with_proof_packed(loadCrs(crs), metadata, tfhe.ZkComputeLoad.Verify);
  const otherBuilder = tfhe.ProvenCompactCiphertextList.builder(pk);
  otherBuilder.push_u8(43);
  otherBuilder.push_boolean(false);
  const otherList = otherBuilder.build_with_proof_packed(loadCrs(crs), metadata, tfhe.ZkComputeLoad.Verify);
  fx = {
    ck,
    compactPublicKey: pk.safe_serialize(BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES)),
    otherPublicKey: other.safe_serialize(BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES)),
    compressedServerKey: tfhe.TfheCompressedServerKey.new(ck).safe_serialize(BigInt(MAX_COMPRESSED_SERVER_KEY_BYTES)),
    crs,
    list: list.safe_serialize(LIMIT),
    otherList: otherList.safe_serialize(LIMIT),
  };
}, 600_000);

/** Decrypts with node-tfhe and with the engine's own decryption; both must agree. */
function decryptBoth(v: ExpandedValue): bigint {
  parseCiphertext(v.ciphertext, v.fheType); // throws unless TKMS's strict parser accepts it
  const bigKey = parseClientKey(fx.ck.safe_serialize(BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES))).bigKey;
  const engine = decryptCiphertextBytes(v.ciphertext, v.fheType, bigKey);
  const node =
    v.fheType === 'ebool'
      ? BigInt(tfhe.FheBool.safe_deserialize(v.ciphertext, LIMIT).decrypt(fx.ck))
      : v.fheType === 'euint8'
        ? BigInt(tfhe.FheUint8.safe_deserialize(v.ciphertext, LIMIT).decrypt(fx.ck))
        : v.fheType === 'euint16'
          ? BigInt(tfhe.FheUint16.safe_deserialize(v.ciphertext, LIMIT).decrypt(fx.ck))
          : undefined;
  expect(node).toBe(engine);
  return engine;
}

/** End of the packed LWE data of a one-list ProvenCompactCiphertextList (u64 length at byte 105, items from 113). */
function dataEnd(list: Uint8Array): number {
  const n = new DataView(list.buffer, list.byteOffset, list.byteLength).getBigUint64(105, true);
  return 113 + 8 * Number(n);
}

/** Runs `body` against a server in a fresh temp directory, closes it, and checks it left the directory empty. */
async function withZkServer(options: { timeoutMs?: number }, body: (zk: TfheZkServer, tmpDir: string) => Promise<void>): Promise<void> {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'tkms-zk-test-'));
  const zk = new TfheZkServer({ tmpDir, ...options });
  try {
    await body(zk, tmpDir);
  } finally {
    await zk.close();
  }
  expect(readdirSync(tmpDir)).toEqual([]);
  rmSync(tmpDir, { recursive: true });
}

describe('tkms-tfhe-zk', () => {
  test('default: node-tfhe loads the native CRS; a proven euint8 + ebool verifies, expands and decrypts', async () => {
    const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'tkms-zk-test-'));
    const values = await verifyAndExpand({ ...fx, metadata }, { tmpDir });
    expect(readdirSync(tmpDir)).toEqual([]); // the private directory with the keys is gone
    rmSync(tmpDir, { recursive: true });
    expect(values.map((v) => v.fheType)).toEqual(['euint8', 'ebool']);
    for (const v of values) expect(v.ciphertext.length).toBe(ciphertextByteLength(v.fheType));
    expect(values.map(decryptBoth)).toEqual([42n, 1n]);
  }, 300_000);

  test('default: expansion is bit-identical across processes (threshold parties must decrypt the same ciphertext)', async () => {
    // Separate tool processes, like separate parties; each plans its own FFT. Before the tool fixed the
    // plan, a 4-party MPC decryption of one proven input failed: one party's expansion differed.
    const runs = await Promise.all([0, 1, 2].map(() => verifyAndExpand({ ...fx, metadata })));
    const digests = runs.map((r) => r.map((v) => createHash('sha256').update(v.ciphertext).digest('hex')));
    for (const d of digests.slice(1)) expect(d).toEqual(digests[0]);
  }, 300_000);

  test('malicious: a list with one ciphertext bit flipped under its proof is PROOF_INVALID', async () => {
    // The packed LWE data (mask and bodies) is a u64 array whose length sits
    // at byte 105 and whose items start at 113: byte 200 is inside it, so the
    // list stays well-formed and conformant, only the proof fails.
    expect(dataEnd(fx.list)).toBeGreaterThan(200);
    const tampered = fx.list.slice();
    tampered[200]! ^= 1;
    await expect(verifyAndExpand({ ...fx, list: tampered, metadata })).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  }, 300_000);

  test("malicious: this list's ciphertexts under another list's valid proof are PROOF_INVALID", async () => {
    // Everything after the LWE data (list parameters, the proof, the value
    // types) comes from the other list; its own proof is valid.
    const end = dataEnd(fx.list);
    expect(dataEnd(fx.otherList)).toBe(end);
    const spliced = new Uint8Array(fx.list.length);
    spliced.set(fx.list.subarray(0, end));
    spliced.set(fx.otherList.subarray(end), end);
    expect(spliced.length).toBe(fx.otherList.length);
    const other = await verifyAndExpand({ ...fx, list: fx.otherList, metadata });
    expect(other.map(decryptBoth)).toEqual([43n, 0n]);
    await expect(verifyAndExpand({ ...fx, list: spliced, metadata })).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  }, 300_000);

  test('malicious: a bit flipped inside the proof is refused (malformed group element or invalid proof)', async () => {
    const tampered = fx.list.slice();
    tampered[dataEnd(fx.list) + 600]! ^= 0x10;
    const refusal = await verifyAndExpand({ ...fx, list: tampered, metadata }).then(
      () => 'accepted',
      (e: { code?: string }) => e.code,
    );
    expect(['PROOF_INVALID', 'CIPHERTEXT_MALFORMED']).toContain(refusal);
  }, 300_000);

  test('malicious: the right list with other metadata is PROOF_INVALID', async () => {
    const other = new TextEncoder().encode('tkms test: app 8, user 0xabc');
    await expect(verifyAndExpand({ ...fx, metadata: other })).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  }, 300_000);

  test("malicious: a proof checked against another key's public key is refused", async () => {
    await expect(verifyAndExpand({ ...fx, compactPublicKey: fx.otherPublicKey, metadata })).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  }, 300_000);

  test('behavior: garbage and truncated inputs are malformed, naming which input', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    await expect(verifyAndExpand({ ...fx, list: garbage, metadata })).rejects.toMatchObject({ code: 'CIPHERTEXT_MALFORMED' });
    await expect(verifyAndExpand({ ...fx, list: fx.list.subarray(0, fx.list.length - 100), metadata })).rejects.toMatchObject({
      code: 'CIPHERTEXT_MALFORMED',
    });
    await expect(verifyAndExpand({ ...fx, crs: garbage, metadata })).rejects.toMatchObject({ code: 'CRS_MALFORMED' });
    await expect(verifyAndExpand({ ...fx, compactPublicKey: garbage, metadata })).rejects.toMatchObject({ code: 'PUBLIC_KEY_MALFORMED' });
    // A proven list is not a plain compact list.
    await expect(expand({ compressedServerKey: fx.compressedServerKey, list: fx.list })).rejects.toMatchObject({ code: 'CIPHERTEXT_MALFORMED' });
  }, 300_000);

  test('default: expand casts a non-proven packed list from the dedicated compact key', async () => {
    const pk = tfhe.TfheCompactPublicKey.safe_deserialize(fx.compactPublicKey, BigInt(MAX_COMPACT_PUBLIC_KEY_BYTES));
    const builder = tfhe.CompactCiphertextList.builder(pk);
    builder.push_u16(1234);
    builder.push_boolean(false);
    const list = builder.build_packed().safe_serialize(LIMIT);
    const values = await expand({ compressedServerKey: fx.compressedServerKey, list });
    expect(values.map((v) => v.fheType)).toEqual(['euint16', 'ebool']);
    expect(values.map(decryptBoth)).toEqual([1234n, 0n]);
  }, 300_000);

  test("behavior: a default-config server key (no casting key: a `default` key) is ZK_EXPAND_FAILED", async () => {
    const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
    const compressedServerKey = tfhe.TfheCompressedServerKey.new(ck).safe_serialize(BigInt(MAX_COMPRESSED_SERVER_KEY_BYTES));
    await expect(verifyAndExpand({ ...fx, compressedServerKey, metadata })).rejects.toMatchObject({
      code: 'ZK_EXPAND_FAILED',
      details: expect.stringContaining('dedicated compact public key'),
    });
  }, 300_000);

  test('behavior: serve mode answers queued requests in order, decompresses the server key once, and close() removes its directory', async () => {
    await withZkServer({}, async (zk, tmpDir) => {
      const spliced = new Uint8Array(fx.list);
      spliced.set(fx.otherList.subarray(dataEnd(fx.list)), dataEnd(fx.list));
      const [a, bad, b] = await Promise.allSettled([
        zk.verifyAndExpand({ ...fx, metadata }),
        zk.verifyAndExpand({ ...fx, list: spliced, metadata }),
        zk.verifyAndExpand({ ...fx, list: fx.otherList, metadata }),
      ]);
      expect(a.status === 'fulfilled' && a.value.map(decryptBoth)).toEqual([42n, 1n]);
      expect(bad.status === 'rejected' && (bad.reason as { code?: string }).code).toBe('PROOF_INVALID');
      expect(b.status === 'fulfilled' && b.value.map(decryptBoth)).toEqual([43n, 0n]);
      expect(zk.serverKeyDecompressions).toBe(1); // the tool decompressed the server key once for all three
      expect(readdirSync(tmpDir)).toHaveLength(1);
    });
  }, 300_000);

  test('behavior: a request over its timeout is TIMEOUT, and the server still closes cleanly', async () => {
    // Server-key decompression alone takes ~1 s.
    await withZkServer({ timeoutMs: 50 }, async (zk) => {
      await expect(zk.verifyAndExpand({ ...fx, metadata })).rejects.toMatchObject({ code: 'TIMEOUT' });
      await expect(zk.expand({ compressedServerKey: fx.compressedServerKey, list: fx.list })).rejects.toMatchObject({ code: expect.stringMatching(/TIMEOUT|CIPHERTEXT_MALFORMED/) });
    });
  }, 300_000);

  test('behavior: a missing binary is ZK_TOOL_MISSING, saying how to build it', async () => {
    await expect(generateCrs(64, { binary: '/nonexistent/tkms-tfhe-zk' })).rejects.toMatchObject({
      code: 'ZK_TOOL_MISSING',
      details: expect.stringContaining('make tfhe-zk'),
    });
  });
});
