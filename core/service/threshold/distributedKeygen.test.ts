/**
 * A complete distributed key generation of the INSECURE `test-insecure` set
 * at (4,1), in memory, with party 3 sending garbage in every open: the three
 * honest parties publish byte-identical keys and name party 3; node-tfhe
 * encrypts under the published compact public key; tfhe-rs computes add,
 * mul, lt, select and an oblivious pseudo-random value with the published
 * server key; and the results decrypt right under the key the honest shares
 * reconstruct to (reconstructed here only, to check; the threshold
 * decryption over gRPC is thresholdTestInsecure.test.ts). Needs the native
 * tool (`make tfhe-zk`); never skips.
 */
import { describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { FheType } from '../../../common/fheTypes.js';
import { encryptWithPublicKey, parameterProfile, parseCiphertext } from '../../engine/index.js';
import { ringForParties } from '../../engine/mpc/algebra/galoisRing.js';
import { seededRng } from '../../engine/mpc/algebra/random.js';
import { getU64 } from '../../engine/mpc/algebra/z64.js';
import { RandomValuesParty } from '../../engine/mpc/malicious/robustOpen.js';
import { InMemoryHub } from '../../engine/mpc/network/inMemory.js';
import { prssSetup } from '../../engine/mpc/prss/prss.js';
import { reconstruct } from '../../engine/mpc/sharing/shamir.js';
import { decryptCiphertext } from '../../engine/tfhe/decrypt.js';
import { lweSecretKeyFromBits, type LweSecretKey } from '../../engine/tfhe/clientKey.js';
import { compute, tfheZkToolPath } from '../zk/tfheZkTool.js';
import { generateOprf } from '../zk/oprf.js';
import { runDistributedKeygen, type DistributedKeygenResult } from './distributedKeygen.js';

const N = 4;
const T = 1;
const LIAR = 3;

describe('distributed key generation, test-insecure, (4,1), one party sending garbage', () => {
  let results: Map<number, DistributedKeygenResult>;
  let key: LweSecretKey;

  beforeAll(async () => {
    tfheZkToolPath();
    const R = ringForParties(N);
    const hub = new InMemoryHub({ timeoutMs: 2000 });
    const prss = await Promise.all(hub.endpoints('prss', N).map((net) => prssSetup(net, T, seededRng(700 + net.self), { timeoutMs: 2000 })));
    const nets = hub.endpoints('dkg', N);
    const outs = await Promise.all(
      nets.map((net, x) =>
        runDistributedKeygen({
          net,
          R,
          t: T,
          prss: prss[x]!,
          parameters: 'test-insecure',
          timeoutMs: 2000,
          localWorkTimeoutMs: 60_000,
          ...(net.self === LIAR ? { opener: new RandomValuesParty(seededRng(13)) } : {}),
        }),
      ),
    );
    results = new Map(outs.map((o, x) => [x + 1, o]));
    // Test only: the key the honest shares reconstruct to.
    const dim = parameterProfile('test-insecure').lweDimension;
    const shares = new Map([1, 2].map((p) => [p, R.fromBytes(results.get(p)!.share, dim)!]));
    const v = reconstruct(R, T, shares, dim);
    const bits = new Uint8Array(dim);
    for (let j = 0; j < dim; j++) {
      const b = getU64(v, j * R.d);
      expect(b === 0n || b === 1n).toBe(true);
      bits[j] = Number(b);
    }
    key = lweSecretKeyFromBits(bits, dim);
  }, 300_000);

  test('malicious: honest parties publish byte-identical public keys and name the liar; nobody else is blamed', () => {
    const honest = [1, 2, 4].map((p) => results.get(p)!);
    for (const r of honest) {
      expect(Buffer.from(r.compactPublicKey).equals(Buffer.from(honest[0]!.compactPublicKey))).toBe(true);
      expect(Buffer.from(r.compressedServerKey).equals(Buffer.from(honest[0]!.compressedServerKey))).toBe(true);
      expect(r.cheaters).toEqual([LIAR]);
      expect(r.lweDimension).toBe(512);
    }
    // The key is a real key: not all zero, not all one.
    expect(key.ones.length).toBeGreaterThan(100);
    expect(key.ones.length).toBeLessThan(412);
  });

  test('default: node-tfhe encrypts under the published key; tfhe-rs add, mul, lt, select and OPRF with the published server key decrypt right', async () => {
    const { compactPublicKey, compressedServerKey } = results.get(1)!;
    const dim = parameterProfile('test-insecure').lweDimension;
    const dec = (type: FheType, ct: Uint8Array): bigint => decryptCiphertext(parseCiphertext(ct, type, dim), key);
    for (const [type, value] of [['ebool', 1n], ['euint8', 201n], ['euint64', 0x0123_4567_89ab_cdefn]] as const) {
      expect(dec(type, encryptWithPublicKey(compactPublicKey, type, value))).toBe(value);
    }
    const [a, b] = [173n, 29n];
    const lhs = encryptWithPublicKey(compactPublicKey, 'euint8', a);
    const rhs = encryptWithPublicKey(compactPublicKey, 'euint8', b);
    const add = await compute({ compressedServerKey, op: 'add', lhs, rhs });
    const mul = await compute({ compressedServerKey, op: 'mul', lhs, rhs });
    const lt = await compute({ compressedServerKey, op: 'lt', lhs: rhs, rhs: lhs });
    const sel = await compute({ compressedServerKey, op: 'select', cond: lt.ciphertext, lhs, rhs });
    expect(dec('euint8', add.ciphertext)).toBe((a + b) & 0xffn);
    expect(dec('euint8', mul.ciphertext)).toBe((a * b) & 0xffn);
    expect(dec('ebool', lt.ciphertext)).toBe(1n);
    expect(dec('euint8', sel.ciphertext)).toBe(a);
    // Oblivious pseudo-random values: in range, and the same seed gives the same value.
    const seed = randomBytes(16);
    const r1 = await generateOprf({ compressedServerKey, seed, fheType: 'euint8', randomBits: 5 });
    const r2 = await generateOprf({ compressedServerKey, seed, fheType: 'euint8', randomBits: 5 });
    expect(dec('euint8', r1.ciphertext)).toBeLessThan(32n);
    expect(dec('euint8', r2.ciphertext)).toBe(dec('euint8', r1.ciphertext));
    expect(r1.dedicatedOprfKey).toBe(false); // the DKG key has no OPRF key: tfhe-rs uses the compute bootstrapping key
  }, 120_000);
});
