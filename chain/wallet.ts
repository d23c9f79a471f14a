/**
 * @module chain/wallet
 * Account keys for the KMS chain: BIP-39 mnemonic → secp256k1 key on the
 * Cosmos path m/44'/118'/0'/0/0 (the path wasmd and cosmjs use by default), so
 * one mnemonic gives the same address on the embedded chain and on wasmd.
 */
import { Bip39, EnglishMnemonic, Random, Secp256k1, Slip10, Slip10Curve } from '@cosmjs/crypto';
import { encodeSecp256k1Pubkey, makeCosmoshubPath, pubkeyToAddress } from '@cosmjs/amino';

export interface ChainAccount {
  mnemonic: string;
  address: string;
  privateKey: Uint8Array;
  /** Compressed secp256k1 public key (33 bytes). */
  publicKey: Uint8Array;
}

export function generateMnemonic(): string {
  return Bip39.encode(Random.getBytes(32)).toString();
}

export async function accountFromMnemonic(mnemonic: string, prefix: string): Promise<ChainAccount> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic.trim()));
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, makeCosmoshubPath(0));
  const { pubkey } = await Secp256k1.makeKeypair(privkey);
  const publicKey = Secp256k1.compressPubkey(pubkey);
  return { mnemonic: mnemonic.trim(), address: addressFromPubkey(publicKey, prefix), privateKey: privkey, publicKey };
}

export function addressFromPubkey(compressedPubkey: Uint8Array, prefix: string): string {
  return pubkeyToAddress(encodeSecp256k1Pubkey(compressedPubkey), prefix);
}
