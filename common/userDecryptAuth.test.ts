/**
 * The user-decrypt authorization's TypeScript side (common/userDecryptAuth.ts)
 * against the ethers vectors (test/vectors/eip712-user-decrypt/vectors.json) and
 * an independent re-encoding of EIP-712 with noble's keccak, so a change in either
 * encoder shows. The contract side reads the same vectors
 * (contracts/asc/userAuth.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { Wallet } from 'ethers';
import { repoRoot } from './paths.js';
import {
  USER_DECRYPT_REQUEST_TYPE,
  recoverUserDecryptSigner,
  signUserDecryptRequest,
  userDecryptAuthFields,
  userDecryptRequestDigest,
  type UserDecryptRequest,
} from './userDecryptAuth.js';

interface Vector {
  name: string;
  private_key: string;
  client_address: string;
  enc_key: string;
  eip712_domain: { name: string; version: string; chain_id: string; verifying_contract: string };
  allowed_contracts: string[];
  start_timestamp: string;
  duration_seconds: string;
  extra_data: string;
  digest: string;
  user_signature: string;
}
const { vectors } = JSON.parse(readFileSync(join(repoRoot(), 'test', 'vectors', 'eip712-user-decrypt', 'vectors.json'), 'utf8')) as { vectors: Vector[] };

function requestOf(v: Vector): UserDecryptRequest {
  return {
    clientAddress: v.client_address, encKey: v.enc_key, allowedContracts: v.allowed_contracts, startTimestamp: BigInt(v.start_timestamp),
    durationSeconds: BigInt(v.duration_seconds), extraData: v.extra_data, eip712Domain: v.eip712_domain,
  };
}

/** EIP-712 by hand (the spec's encodeData), nothing shared with ethers or the module under test. */
function manualDigest(v: Vector): string {
  const k = (b: Uint8Array): Uint8Array => keccak_256(b);
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const word = (n: bigint): Uint8Array => hexToBytes(n.toString(16).padStart(64, '0'));
  const addressWord = (a: string): Uint8Array => word(BigInt(a));
  const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
  const d = v.eip712_domain;
  const domain = k(cat(
    k(text('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')),
    k(text(d.name)), k(text(d.version)), word(BigInt(d.chain_id)), addressWord(d.verifying_contract),
  ));
  const struct = k(cat(
    k(text('UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,uint256 startTimestamp,uint256 durationSeconds,bytes extraData)')),
    addressWord(v.client_address),
    k(hexToBytes(v.enc_key)),
    k(cat(...v.allowed_contracts.map(addressWord))),
    word(BigInt(v.start_timestamp)),
    word(BigInt(v.duration_seconds)),
    k(hexToBytes(v.extra_data.slice(2))),
  ));
  return '0x' + bytesToHex(k(cat(Uint8Array.of(0x19, 0x01), domain, struct)));
}

describe('user-decrypt EIP-712 authorization (TypeScript side)', () => {
  test('default: the vectors\' digests match ethers and an independent encoding; signatures reproduce and recover', async () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of vectors) {
      const r = requestOf(v);
      expect({ name: v.name, digest: userDecryptRequestDigest(r) }).toEqual({ name: v.name, digest: v.digest });
      expect({ name: v.name, digest: manualDigest(v) }).toEqual({ name: v.name, digest: v.digest });
      expect(await signUserDecryptRequest(r, new Wallet(v.private_key))).toBe(v.user_signature);
      expect(recoverUserDecryptSigner(r, v.user_signature).toLowerCase()).toBe(v.client_address);
      expect(userDecryptAuthFields(r)).toEqual({
        allowed_contracts: v.allowed_contracts, start_timestamp: v.start_timestamp, duration_seconds: v.duration_seconds, extra_data: v.extra_data,
      });
    }
    expect(USER_DECRYPT_REQUEST_TYPE).toBe(
      'UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,uint256 startTimestamp,uint256 durationSeconds,bytes extraData)',
    );
  });

  test('behavior: every signed field matters', () => {
    const v = vectors[1]!;
    const r = requestOf(v);
    const other = '0x' + '12'.repeat(20);
    for (const changed of [
      { ...r, clientAddress: other },
      { ...r, encKey: '00' + r.encKey.slice(2) },
      { ...r, allowedContracts: [...r.allowedContracts].reverse() },
      { ...r, startTimestamp: BigInt(v.start_timestamp) + 1n },
      { ...r, durationSeconds: BigInt(v.duration_seconds) - 1n },
      { ...r, extraData: '0x01' },
      { ...r, eip712Domain: { ...r.eip712Domain, chain_id: '1' } },
    ]) {
      expect(userDecryptRequestDigest(changed)).not.toBe(v.digest);
      expect(recoverUserDecryptSigner(changed, v.user_signature).toLowerCase()).not.toBe(v.client_address);
    }
  });
});
