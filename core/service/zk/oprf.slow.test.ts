/**
 * `tkms-tfhe-zk oprf` against node-tfhe (issue 11 item 6): with a key set made
 * by the engine (node-tfhe, default parameters), encrypted pseudo-random
 * values made from its compressed server key alone are ciphertexts TKMS's
 * strict parser accepts (clean carries, as the core requires) and decrypt,
 * with node-tfhe and with the engine's big key, to values in range; the same
 * seed gives the same bytes, across processes; other seeds give other values;
 * `randomBits` bounds them; bad inputs are refused with codes. About a minute
 * of CPU. Needs `make tfhe-zk` (never skips).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import * as tfhe from 'node-tfhe';
import { FHE_TYPE_INFO, FHE_TYPES, type FheType } from '../../../common/fheTypes.js';
import { ciphertextByteLength, parseCiphertext, requireCleanCarries } from '../../engine/tfhe/ciphertext.js';
import { parseClientKey, type LweSecretKey } from '../../engine/tfhe/clientKey.js';
import { decryptCiphertextBytes } from '../../engine/tfhe/decrypt.js';
import { generateKeySet, MAX_CLIENT_KEY_SERIALIZED_BYTES, type KeySet } from '../../engine/tfhe/keyset.js';
import { generateOprf, type GenerateOprfReturnType } from './oprf.js';
import { TfheZkServer } from './tfheZkServer.js';
import { tfheZkToolPath } from './tfheZkTool.js';

const LIMIT = BigInt(1 << 26);

interface Checker {
  ck: tfhe.TfheClientKey;
  bigKey: LweSecretKey;
}
let keys: KeySet;
let checker: Checker;
let zk: TfheZkServer;

beforeAll(() => {
  tfheZkToolPath(); // a missing tool fails here, with how to build it
  keys = generateKeySet();
  checker = {
    ck: tfhe.TfheClientKey.safe_deserialize(keys.clientKey, BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES)),
    bigKey: parseClientKey(keys.clientKey).bigKey,
  };
  zk = new TfheZkServer();
}, 120_000);

afterAll(async () => {
  await zk?.close();
  checker?.ck.free();
});

type Decryptable = { safe_deserialize(b: Uint8Array, limit: bigint): { decrypt(ck: tfhe.TfheClientKey): number | bigint | boolean; free(): void } };

/** Decrypts with the engine (after the core's own parse and carry check) and with node-tfhe; both must agree. */
function decryptBoth(v: { fheType: FheType; ciphertext: Uint8Array }, c: Checker = checker): bigint {
  requireCleanCarries(parseCiphertext(v.ciphertext, v.fheType));
  const engine = decryptCiphertextBytes(v.ciphertext, v.fheType, c.bigKey);
  const cls = (tfhe as unknown as Record<string, Decryptable>)[FHE_TYPE_INFO[v.fheType].tfheClass]!;
  const ct = cls.safe_deserialize(v.ciphertext, LIMIT);
  const node = BigInt(ct.decrypt(c.ck));
  ct.free();
  expect(node).toBe(engine);
  return engine;
}

/** Seed number `i` of a test, 16 bytes: distinct per (label, i). */
function seed(label: string, i: number): Uint8Array {
  return createHash('sha256').update(`${label}/${i}`).digest().subarray(0, 16);
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('tkms-tfhe-zk oprf', () => {
  test('default: a value of every type decrypts in range, is a clean ciphertext of its exact size, from the dedicated OPRF key', async () => {
    for (const fheType of FHE_TYPES) {
      const v = await zk.oprf({ compressedServerKey: keys.compressedServerKey, seed: seed('types', 0), fheType });
      expect(v.fheType).toBe(fheType);
      expect(v.randomBits).toBe(FHE_TYPE_INFO[fheType].bits);
      expect(v.dedicatedOprfKey).toBe(true);
      expect(v.ciphertext.length).toBe(ciphertextByteLength(fheType));
      const x = decryptBoth(v);
      expect(x >= 0n && x < 1n << BigInt(FHE_TYPE_INFO[fheType].bits)).toBe(true);
    }
    expect(zk.serverKeyDecompressions).toBe(1);
  }, 300_000);

  test('default: the same seed and server key give byte-identical ciphertexts, in separate processes and in serve mode', async () => {
    const p = { compressedServerKey: keys.compressedServerKey, seed: seed('same', 0), fheType: 'euint64' as const };
    const runs: GenerateOprfReturnType[] = [...(await Promise.all([generateOprf(p), generateOprf(p)])), await zk.oprf(p)];
    const digests = runs.map((r) => sha256(r.ciphertext));
    expect(new Set(digests).size).toBe(1);
    expect(decryptBoth(runs[0]!)).toBe(decryptBoth(runs[2]!));
  }, 300_000);

  test('default: different seeds give different euint64 values (a collision among 12 is a 2^-57 event)', async () => {
    const values: bigint[] = [];
    const digests = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const v = await zk.oprf({ compressedServerKey: keys.compressedServerKey, seed: seed('distinct', i), fheType: 'euint64' });
      digests.add(sha256(v.ciphertext));
      values.push(decryptBoth(v));
    }
    expect(digests.size).toBe(12);
    expect(new Set(values).size).toBe(12);
    // Uniform 64-bit values: their top bits are not all equal (probability 2^-11 each way).
    expect(new Set(values.map((x) => x >> 63n)).size).toBe(2);
  }, 300_000);

  test('behavior: randomBits 3 gives euint8 values below 8 over 48 seeds, both below and above 4; ebool gives both values', async () => {
    const low: bigint[] = [];
    for (let i = 0; i < 48; i++) {
      const v = await zk.oprf({ compressedServerKey: keys.compressedServerKey, seed: seed('bits3', i), fheType: 'euint8', randomBits: 3 });
      expect(v.randomBits).toBe(3);
      low.push(decryptBoth(v));
    }
    expect(low.every((x) => x < 8n)).toBe(true);
    expect(low.some((x) => x < 4n)).toBe(true);
    expect(low.some((x) => x >= 4n)).toBe(true);
    expect(new Set(low).size).toBeGreaterThan(4); // 48 uniform draws from 8 values miss 4 or more with probability < 2^-40
    const bools = new Set<bigint>();
    for (let i = 0; i < 32; i++) bools.add(decryptBoth(await zk.oprf({ compressedServerKey: keys.compressedServerKey, seed: seed('bool', i), fheType: 'ebool' })));
    expect([...bools].sort()).toEqual([0n, 1n]);
  }, 300_000);

  test('default: an fhevm key set (dedicated compact public key) carries the OPRF key too; its values decrypt under its own key', async () => {
    const fhevm = generateKeySet({ parameters: 'fhevm' });
    const c: Checker = {
      ck: tfhe.TfheClientKey.safe_deserialize(fhevm.clientKey, BigInt(MAX_CLIENT_KEY_SERIALIZED_BYTES)),
      bigKey: parseClientKey(fhevm.clientKey).bigKey,
    };
    try {
      const v = await zk.oprf({ compressedServerKey: fhevm.compressedServerKey, seed: seed('fhevm', 0), fheType: 'euint16', randomBits: 12 });
      expect(v.dedicatedOprfKey).toBe(true);
      expect(decryptBoth(v, c)).toBeLessThan(1n << 12n);
    } finally {
      c.ck.free();
    }
  }, 300_000);

  test('behavior: bad parameters are refused before any key is written, with codes', async () => {
    const base = { compressedServerKey: keys.compressedServerKey, seed: seed('bad', 0), fheType: 'euint8' as const };
    await expect(generateOprf({ ...base, seed: new Uint8Array(15) })).rejects.toMatchObject({ code: 'OPRF_BAD_PARAMETERS', message: expect.stringContaining('16 bytes') });
    await expect(generateOprf({ ...base, seed: new Uint8Array(32) })).rejects.toMatchObject({ code: 'OPRF_BAD_PARAMETERS' });
    await expect(generateOprf({ ...base, fheType: 'euint7' as FheType })).rejects.toMatchObject({ code: 'BAD_FHE_TYPE' });
    await expect(generateOprf({ ...base, randomBits: 9 })).rejects.toMatchObject({ code: 'OPRF_BAD_PARAMETERS', message: expect.stringContaining('1..8') });
    await expect(generateOprf({ ...base, randomBits: 0 })).rejects.toMatchObject({ code: 'OPRF_BAD_PARAMETERS' });
    await expect(zk.oprf({ ...base, fheType: 'ebool', randomBits: 2 })).rejects.toMatchObject({ code: 'OPRF_BAD_PARAMETERS' });
  });

  test('behavior: the tool itself refuses a bad seed, type or bit count by name, before reading the server key', async () => {
    const run = promisify(execFile);
    const answer = async (...args: string[]): Promise<Record<string, unknown>> => {
      const r = await run(tfheZkToolPath(), ['oprf', '--server-key', '/nonexistent', '--out', '/nonexistent/out', ...args]).then(
        () => ({ stdout: '' }),
        (e: { stdout: string; code: number }) => {
          expect(e.code).toBe(2);
          return e;
        },
      );
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const hex16 = '00112233445566778899aabbccddeeff';
    expect(await answer('--seed', '0011', '--type', 'euint8')).toMatchObject({ ok: false, code: 'INPUT_MALFORMED', input: 'seed' });
    expect(await answer('--seed', 'zz'.repeat(16), '--type', 'euint8')).toMatchObject({ code: 'INPUT_MALFORMED', input: 'seed' });
    expect(await answer('--seed', hex16, '--type', 'euint12')).toMatchObject({ code: 'UNSUPPORTED_TYPE', input: 'type' });
    expect(await answer('--seed', hex16, '--type', 'euint8', '--random-bits', '9')).toMatchObject({ code: 'INPUT_MALFORMED', input: 'random-bits' });
    expect(await answer('--seed', hex16, '--type', 'euint8', '--extra', '1')).toMatchObject({ code: 'USAGE' });
    // Valid arguments: only now is the (missing) server key read.
    expect(await answer('--seed', hex16, '--type', 'euint8')).toMatchObject({ code: 'IO_ERROR', input: 'server-key' });
  });

  test('behavior: garbage or a non-server key as the server key is SERVER_KEY_MALFORMED', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    const base = { seed: seed('garbage', 0), fheType: 'euint8' as const };
    await expect(generateOprf({ ...base, compressedServerKey: garbage })).rejects.toMatchObject({ code: 'SERVER_KEY_MALFORMED' });
    await expect(zk.oprf({ ...base, compressedServerKey: keys.compactPublicKey })).rejects.toMatchObject({ code: 'SERVER_KEY_MALFORMED' });
    // The server survives a refused request.
    const v = await zk.oprf({ ...base, compressedServerKey: keys.compressedServerKey });
    expect(decryptBoth(v)).toBeLessThan(256n);
  }, 120_000);
});
