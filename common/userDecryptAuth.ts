/**
 * @module common/userDecryptAuth
 * The user's authorization of a `user_decrypt` request (chain/asc/messages.ts
 * `UserDecryptMsg.user_signature`): an EIP-712 signature by an ordinary Ethereum
 * wallet — ethers `Wallet.signTypedData`, or any wallet's `eth_signTypedData_v4` —
 * of the type Zama's current stack uses,
 *
 *   UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,
 *                                  uint256 startTimestamp,uint256 durationSeconds,bytes extraData)
 *
 * under the request's `eip712_domain`. The ASC recomputes the digest in
 * AssemblyScript (contracts/asc/userAuth.ts), checks start ≤ block time < start +
 * duration (duration 1 s .. 365 days), 1..10 distinct allowed contracts (never the
 * user), and that the signature recovers to `client_address`; the application's ISC
 * checks each handle's dApp contract is in the list. A copied ACL proof is useless
 * without the user's key, and a leaked signed request dies with its window.
 *
 * @example
 *   const wallet = new Wallet(privateKeyHex);
 *   const req = { clientAddress: wallet.address, encKey, allowedContracts: [dapp],
 *                 startTimestamp: now, durationSeconds: 86400, extraData: '0x', eip712Domain };
 *   const user_signature = await signUserDecryptRequest(req, wallet);
 *   // user_decrypt { …, ...userDecryptAuthFields(req), user_signature }
 */
import { getAddress, TypedDataEncoder, verifyTypedData, type TypedDataDomain, type TypedDataField } from 'ethers';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import type { Eip712Domain } from '../chain/asc/messages.js';

export const USER_DECRYPT_REQUEST_TYPE =
  'UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,uint256 startTimestamp,uint256 durationSeconds,bytes extraData)';

export const USER_DECRYPT_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  UserDecryptRequestVerification: [
    { name: 'userAddress', type: 'address' },
    { name: 'publicKey', type: 'bytes' },
    { name: 'allowedContracts', type: 'address[]' },
    { name: 'startTimestamp', type: 'uint256' },
    { name: 'durationSeconds', type: 'uint256' },
    { name: 'extraData', type: 'bytes' },
  ],
};

/** The ASC's limits (contracts/asc/userAuth.ts), as in Zama's stack. */
export const MAX_ALLOWED_CONTRACTS = 10;
export const MAX_DURATION_SECONDS = 365 * 86400;

export interface UserDecryptRequest {
  /** 0x EVM address of the user (any case). */
  clientAddress: string;
  /** ML-KEM-512 encapsulation key the shares are sealed to, hex (0x optional). */
  encKey: string;
  /** dApp contracts through which the handles may be read: 1..10 distinct 0x addresses. */
  allowedContracts: readonly string[];
  /** Unix seconds. */
  startTimestamp: number | bigint;
  durationSeconds: number | bigint;
  /** 0x hex; "0x" when empty (default). */
  extraData?: string;
  eip712Domain: Eip712Domain;
}

/** Something that signs EIP-712 typed data as ethers' `Wallet` / `Signer` do. */
export interface TypedDataSigner {
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

function hex0x(h: string): string {
  return '0x' + h.replace(/^0x/, '').toLowerCase();
}

/** The request's domain in ethers' form (chain id as bigint, checksummed contract). */
export function userDecryptDomain(d: Eip712Domain): TypedDataDomain {
  return { name: d.name, version: d.version, chainId: BigInt(d.chain_id), verifyingContract: getAddress(d.verifying_contract) };
}

/** The signed message, in ethers' form. */
export function userDecryptMessage(r: UserDecryptRequest): Record<string, unknown> {
  return {
    userAddress: getAddress(r.clientAddress),
    publicKey: hex0x(r.encKey),
    allowedContracts: r.allowedContracts.map((a) => getAddress(a)),
    startTimestamp: BigInt(r.startTimestamp),
    durationSeconds: BigInt(r.durationSeconds),
    extraData: r.extraData ?? '0x',
  };
}

/** The 32-byte digest the wallet signs (0x hex): keccak256(0x1901 ‖ domainSeparator ‖ hashStruct). */
export function userDecryptRequestDigest(r: UserDecryptRequest): string {
  return TypedDataEncoder.hash(userDecryptDomain(r.eip712Domain), USER_DECRYPT_REQUEST_TYPES, userDecryptMessage(r));
}

/** `0x` + r ‖ s ‖ v (v = 27/28, low s): the signer's EIP-712 signature of the request. */
export function signUserDecryptRequest(r: UserDecryptRequest, signer: TypedDataSigner): Promise<string> {
  return signer.signTypedData(userDecryptDomain(r.eip712Domain), USER_DECRYPT_REQUEST_TYPES, userDecryptMessage(r));
}

/** The address (checksummed) whose signature `sig` is over the request. */
export function recoverUserDecryptSigner(r: UserDecryptRequest, sig: string): string {
  return verifyTypedData(userDecryptDomain(r.eip712Domain), USER_DECRYPT_REQUEST_TYPES, userDecryptMessage(r), sig);
}

/** The authorization's members of a `user_decrypt` message (chain/asc/messages.ts), as the ASC reads them. */
export function userDecryptAuthFields(r: UserDecryptRequest): {
  allowed_contracts: string[];
  start_timestamp: string;
  duration_seconds: string;
  extra_data: string;
} {
  return {
    allowed_contracts: r.allowedContracts.map((a) => a.toLowerCase()),
    start_timestamp: BigInt(r.startTimestamp).toString(),
    duration_seconds: BigInt(r.durationSeconds).toString(),
    extra_data: (r.extraData ?? '0x').toLowerCase(),
  };
}

/** The EVM address (0x, lower-case) of a secp256k1 private key. */
export function evmAddressOf(privateKey: Uint8Array): string {
  const pub = secp256k1.getPublicKey(privateKey, false);
  return '0x' + bytesToHex(keccak_256(pub.subarray(1)).subarray(12));
}
