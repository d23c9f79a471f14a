/**
 * Generates vectors.json: EIP-712 `UserDecryptRequestVerification` digests and
 * signatures made with ethers 6 (`TypedDataEncoder.hash`, `Wallet.signTypedData`,
 * RFC 6979 so the output is deterministic). Read by common/userDecryptAuth.test.ts
 * (an independent re-encoding must give the same digests) and by
 * contracts/asc/userAuth.test.ts (the AssemblyScript contract must accept every
 * signature; the windows lie in the future, since the simulator's block time never
 * goes behind the wall clock). Test keys only.
 *   node_modules/.bin/tsx test/vectors/eip712-user-decrypt/generate.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { Wallet, version } from 'ethers';
import { signUserDecryptRequest, userDecryptRequestDigest, userDecryptAuthFields, type UserDecryptRequest } from '../../../common/userDecryptAuth.js';

const key = (label: string): string => '0x' + bytesToHex(keccak_256(new TextEncoder().encode(label)));
/** An 800-byte ML-KEM-512-sized key: keccak blocks of a label (content does not matter to the digest's shape). */
function encKey(label: string): string {
  let out = '';
  for (let i = 0; out.length < 1600; i++) out += bytesToHex(keccak_256(new TextEncoder().encode(`${label}-${i}`)));
  return out.slice(0, 1600);
}
const addr = (label: string): string => '0x' + bytesToHex(keccak_256(new TextEncoder().encode(label)).subarray(12));

const cases: { name: string; signer: string; domain: UserDecryptRequest['eip712Domain']; contracts: string[]; start: number; duration: number; extraData: string }[] = [
  { name: 'one contract', signer: 'alice', domain: { name: 'Decryption', version: '1', chain_id: '1', verifying_contract: addr('decryption') }, contracts: [addr('dapp-1')], start: 4_000_000_000, duration: 86_400, extraData: '0x' },
  { name: 'ten contracts, extra data', signer: 'bob', domain: { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: addr('decryption-2') }, contracts: Array.from({ length: 10 }, (_, i) => addr(`dapp-${i}`)), start: 4_100_000_000, duration: 365 * 86_400, extraData: '0x00' },
  { name: 'uint256 chain id', signer: 'carol', domain: { name: 'TKMS user decryption', version: '2', chain_id: (2n ** 255n + 7n).toString(), verifying_contract: addr('decryption-3') }, contracts: [addr('dapp-a'), addr('dapp-b')], start: 4_294_967_296, duration: 1, extraData: '0x' + 'c0ffee'.repeat(40) },
  { name: 'empty name', signer: 'dave', domain: { name: '', version: '', chain_id: '0', verifying_contract: '0x' + '00'.repeat(20) }, contracts: ['0x' + 'ff'.repeat(20)], start: 5_000_000_000, duration: 3600, extraData: '0x' },
];

const vectors = [];
for (const c of cases) {
  const wallet = new Wallet(key(`tkms-eip712-vector-${c.signer}`));
  const req: UserDecryptRequest = {
    clientAddress: wallet.address.toLowerCase(), encKey: encKey(c.name), allowedContracts: c.contracts, startTimestamp: c.start, durationSeconds: c.duration,
    extraData: c.extraData, eip712Domain: c.domain,
  };
  vectors.push({
    name: c.name,
    private_key: wallet.privateKey,
    client_address: req.clientAddress,
    enc_key: req.encKey,
    eip712_domain: c.domain,
    ...userDecryptAuthFields(req),
    digest: userDecryptRequestDigest(req),
    user_signature: await signUserDecryptRequest(req, wallet),
  });
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'vectors.json');
writeFileSync(out, JSON.stringify({ description: `EIP-712 UserDecryptRequestVerification by ethers ${version} (generate.ts). Test keys only.`, vectors }, null, 2) + '\n');
console.log(`${vectors.length} vectors → ${out}`);
