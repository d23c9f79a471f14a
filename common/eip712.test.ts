import { secp256k1 } from '@noble/curves/secp256k1';
import { Wallet, verifyTypedData } from 'ethers';
import {
  PUBLIC_DECRYPT_TYPES,
  encodeDecryptedResult,
  partyEvmAddress,
  recoverPublicDecryptSigner,
  recoverUserDecryptSigner,
  signPublicDecrypt,
  signUserDecrypt,
  type Eip712Domain,
} from './eip712.js';

const sk = secp256k1.utils.randomPrivateKey();
const address = partyEvmAddress(secp256k1.getPublicKey(sk, true));
const domain: Eip712Domain = { name: 'Decryption', version: '1', chainId: 12345n, verifyingContract: '0x' + '11'.repeat(20) };
const handles = ['ab'.repeat(32), 'cd'.repeat(32)];

describe('EIP-712 decryption signatures', () => {
  test('default: a public decrypt signature recovers to the party, and ethers agrees independently', async () => {
    const m = { handles, plaintexts: [42n, 1n] };
    const sig = signPublicDecrypt(domain, m, sk);
    expect(recoverPublicDecryptSigner(domain, m, sig)).toBe(address);
    const value = { ctHandles: handles.map((h) => '0x' + h), decryptedResult: encodeDecryptedResult([42n, 1n]), extraData: '0x' };
    expect(verifyTypedData(domain, PUBLIC_DECRYPT_TYPES, value, sig)).toBe(address);
    // And a wallet signing the same typed data produces a signature that recovers the same way.
    const wallet = new Wallet('0x' + Buffer.from(sk).toString('hex'));
    expect(await wallet.signTypedData(domain, PUBLIC_DECRYPT_TYPES, value)).toBe(sig);
  });

  test('behavior: another plaintext, another domain or another handle recovers someone else', () => {
    const sig = signPublicDecrypt(domain, { handles, plaintexts: [42n, 1n] }, sk);
    expect(recoverPublicDecryptSigner(domain, { handles, plaintexts: [43n, 1n] }, sig)).not.toBe(address);
    expect(recoverPublicDecryptSigner({ ...domain, chainId: 1n }, { handles, plaintexts: [42n, 1n] }, sig)).not.toBe(address);
    expect(recoverPublicDecryptSigner(domain, { handles: [handles[1]!, handles[0]!], plaintexts: [42n, 1n] }, sig)).not.toBe(address);
    expect(recoverPublicDecryptSigner(domain, { handles, plaintexts: [42n, 1n] }, '0x1234')).toBeUndefined();
  });

  test('default: a user decrypt response signature covers the share and the user key', () => {
    const m = { publicKey: new Uint8Array(800).fill(7), handles, userDecryptedShare: new Uint8Array([1, 2, 3]) };
    const sig = signUserDecrypt(domain, m, sk);
    expect(recoverUserDecryptSigner(domain, m, sig)).toBe(address);
    expect(recoverUserDecryptSigner(domain, { ...m, userDecryptedShare: new Uint8Array([1, 2, 4]) }, sig)).not.toBe(address);
    expect(recoverUserDecryptSigner(domain, { ...m, publicKey: new Uint8Array(800).fill(8) }, sig)).not.toBe(address);
  });
});
