/**
 * @module common/eip712
 * Decryption results signed so that an EVM contract can check them
 * (EIP-712 typed data, the types fhEVM's KMSVerifier uses):
 *   PublicDecryptVerification(bytes32[] ctHandles,bytes decryptedResult,bytes extraData)
 *   UserDecryptResponseVerification(bytes publicKey,bytes32[] ctHandles,bytes userDecryptedShare,bytes extraData)
 * `decryptedResult` is the ABI encoding of the cleartexts, one `uint256` word
 * per handle (booleans as 0/1), as a Solidity contract decodes them with
 * `abi.decode(result, (uint256, …))`.
 *
 * @example
 * const sig = signPublicDecrypt(domain, { handles, plaintexts: [42n] }, partySecretKey);
 * recoverPublicDecryptSigner(domain, { handles, plaintexts: [42n] }, sig) === partyEvmAddress(partyPubkey);
 */
import { AbiCoder, SigningKey, TypedDataEncoder, computeAddress, hexlify, recoverAddress, type TypedDataDomain } from 'ethers';

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: bigint;
  /** 0x-prefixed 20-byte address of the verifying contract. */
  verifyingContract: string;
}

export const PUBLIC_DECRYPT_TYPES = {
  PublicDecryptVerification: [
    { name: 'ctHandles', type: 'bytes32[]' },
    { name: 'decryptedResult', type: 'bytes' },
    { name: 'extraData', type: 'bytes' },
  ],
};

export const USER_DECRYPT_TYPES = {
  UserDecryptResponseVerification: [
    { name: 'publicKey', type: 'bytes' },
    { name: 'ctHandles', type: 'bytes32[]' },
    { name: 'userDecryptedShare', type: 'bytes' },
    { name: 'extraData', type: 'bytes' },
  ],
};

export interface PublicDecryptMessage {
  /** 32-byte handles as hex (with or without 0x). */
  handles: string[];
  plaintexts: bigint[];
  extraData?: Uint8Array;
}

const hex0x = (h: string): string => (h.startsWith('0x') ? h : `0x${h}`);

function toDomain(d: Eip712Domain): TypedDataDomain {
  return { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract };
}

export function encodeDecryptedResult(plaintexts: bigint[]): string {
  return AbiCoder.defaultAbiCoder().encode(
    plaintexts.map(() => 'uint256'),
    plaintexts,
  );
}

function publicValue(m: PublicDecryptMessage): Record<string, unknown> {
  if (m.handles.length !== m.plaintexts.length) throw new RangeError('one plaintext per handle');
  return { ctHandles: m.handles.map(hex0x), decryptedResult: encodeDecryptedResult(m.plaintexts), extraData: hexlify(m.extraData ?? new Uint8Array()) };
}

export function publicDecryptDigest(domain: Eip712Domain, m: PublicDecryptMessage): string {
  return TypedDataEncoder.hash(toDomain(domain), PUBLIC_DECRYPT_TYPES, publicValue(m));
}

/** 65-byte r‖s‖v signature (hex, 0x-prefixed), what KMSVerifier expects. */
export function signPublicDecrypt(domain: Eip712Domain, m: PublicDecryptMessage, secretKey: Uint8Array): string {
  return new SigningKey(secretKey).sign(publicDecryptDigest(domain, m)).serialized;
}

/** The EVM address that signed, or undefined for a malformed signature. */
export function recoverPublicDecryptSigner(domain: Eip712Domain, m: PublicDecryptMessage, signature: string): string | undefined {
  try {
    return recoverAddress(publicDecryptDigest(domain, m), signature);
  } catch {
    return undefined;
  }
}

export interface UserDecryptMessage {
  /** The user's ML-KEM public key the share was signcrypted to. */
  publicKey: Uint8Array;
  handles: string[];
  /** The signcrypted share as delivered. */
  userDecryptedShare: Uint8Array;
  extraData?: Uint8Array;
}

export function userDecryptDigest(domain: Eip712Domain, m: UserDecryptMessage): string {
  return TypedDataEncoder.hash(toDomain(domain), USER_DECRYPT_TYPES, {
    publicKey: hexlify(m.publicKey),
    ctHandles: m.handles.map(hex0x),
    userDecryptedShare: hexlify(m.userDecryptedShare),
    extraData: hexlify(m.extraData ?? new Uint8Array()),
  });
}

export function signUserDecrypt(domain: Eip712Domain, m: UserDecryptMessage, secretKey: Uint8Array): string {
  return new SigningKey(secretKey).sign(userDecryptDigest(domain, m)).serialized;
}

export function recoverUserDecryptSigner(domain: Eip712Domain, m: UserDecryptMessage, signature: string): string | undefined {
  try {
    return recoverAddress(userDecryptDigest(domain, m), signature);
  } catch {
    return undefined;
  }
}

/** The EVM address of a party's secp256k1 signer key (compressed or not). */
export function partyEvmAddress(signerPublicKey: Uint8Array | string): string {
  return computeAddress(typeof signerPublicKey === 'string' ? hex0x(signerPublicKey) : hexlify(signerPublicKey));
}

