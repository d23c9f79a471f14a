/**
 * @module test/attacks/_fhevmApp
 * An fhEVM application for the attack scenarios, on any AttackChain: a real EVM
 * node (anvil with the fixture ACL, test/evm/aclNode.ts) as the host chain, the
 * fhEVM ISC of the build under test (`WASM_DIR`) instantiated and registered with
 * the Config by governance, and a user with an ordinary wallet (ethers), her
 * ML-KEM key and the EIP-712 domain she signs under.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { ml_kem512 } from '@noble/post-quantum/ml-kem';
import { Wallet } from 'ethers';
import type { UserDecryptMsg } from '../../chain/asc/messages.js';
import { FHEVM_ACL_SLOT_BASE, type FhevmProof } from '../../chain/isc-fhevm/messages.js';
import { signUserDecryptRequest, userDecryptAuthFields, type UserDecryptRequest } from '../../common/userDecryptAuth.js';
import type { AclNode } from '../evm/aclNode.js';
import { evmAddress } from '../fixtures/scripts/fhevmHeader.js';
import { WASM_DIR, type AttackChain, type Deployed } from './harness.js';

export const testKey = (label: string): Uint8Array => keccak_256(new TextEncoder().encode(label));

/** The host chain's validators: both sign every header a proof carries (ISC quorum 2). */
export const VALIDATOR_KEYS = [testKey('tkms-attack-ud-validator-0'), testKey('tkms-attack-ud-validator-1')];

const iscCode = new WeakMap<AttackChain, Promise<number>>();

/**
 * Instantiates one fhEVM ISC per application id, all reading `evm`'s ACL, and
 * registers each with the Config (governance: the deployer).
 */
export async function registerFhevmApps(chain: AttackChain, d: Deployed, evm: AclNode, appIds: readonly string[]): Promise<void> {
  const gov = chain.clients.governance;
  // Uploaded once per chain, like the Config and ASC code (harness.ts storedCode).
  let code = iscCode.get(chain);
  if (!code) {
    code = gov.upload(readFileSync(path.join(WASM_DIR, 'isc-fhevm.wasm'))).then((r) => r.codeId);
    code.catch(() => iscCode.delete(chain));
    iscCode.set(chain, code);
  }
  const codeId = await code;
  for (const appId of appIds) {
    const isc = await gov.instantiate(
      codeId,
      { chain_id: evm.chainId, acl_address: evm.acl, acl_slot_base: FHEVM_ACL_SLOT_BASE, validators: VALIDATOR_KEYS.map(evmAddress), quorum: 2 },
      `isc-${appId}`,
    );
    await gov.executeContract(d.config, { register_application: { app_id: appId, isc_type: 'fhevm', isc: isc.address } });
  }
}

/** A user of the fhEVM chain: an ordinary wallet, her ML-KEM encapsulation key, the EIP-712 domain of her requests. */
export interface FhevmUser {
  wallet: Wallet;
  /** Lower-case 0x address. */
  address: string;
  encKey: string;
  domain: UserDecryptMsg['eip712_domain'];
}

export function fhevmUser(label: string): FhevmUser {
  const wallet = new Wallet('0x' + bytesToHex(testKey(label)));
  return {
    wallet,
    address: wallet.address.toLowerCase(),
    encKey: bytesToHex(ml_kem512.keygen(new Uint8Array(64).fill(3)).publicKey),
    domain: { name: 'Decryption', version: '1', chain_id: '12345', verifying_contract: '0x' + 'de'.repeat(20) },
  };
}

/** The user's authorization for `allowedContracts`, valid from `startTimestamp` (default a minute ago) for an hour unless said otherwise. */
export function authorization(user: FhevmUser, allowedContracts: string[], over: Partial<UserDecryptRequest> = {}): UserDecryptRequest {
  return {
    clientAddress: user.address, encKey: user.encKey, allowedContracts, startTimestamp: Math.floor(Date.now() / 1000) - 60, durationSeconds: 3600,
    extraData: '0x', eip712Domain: user.domain, ...over,
  };
}

export const signAuthorization = (user: FhevmUser, auth: UserDecryptRequest): Promise<string> => signUserDecryptRequest(auth, user.wallet);

export interface UserDecryptParameters {
  user: FhevmUser;
  keyId: string;
  appId: string;
  handle: string;
  digest: string;
  auth: UserDecryptRequest;
  signature: string;
  /** The dApp contract the ACL proof is for. */
  contract: string;
}

/** A user_decrypt of one euint8 handle, with a fresh ACL proof (the user's and `contract`'s permissions, the digest) from the host chain. */
export async function userDecryptMsg(evm: AclNode, p: UserDecryptParameters): Promise<UserDecryptMsg> {
  const proof: FhevmProof = await evm.userProof(p.user.address, [{ handle: p.handle, contract: p.contract }], VALIDATOR_KEYS);
  return {
    key_id: p.keyId,
    ciphertexts: [{ ciphertext_handle: p.handle, ciphertext_digest: p.digest, fhe_type: 'euint8' }],
    enc_key: p.user.encKey,
    client_address: p.user.address,
    eip712_domain: p.user.domain,
    ...userDecryptAuthFields(p.auth),
    user_signature: p.signature,
    app_id: p.appId,
    proof: proof as unknown as Record<string, unknown>,
  };
}

/** Sends `msg` to the ASC as `from`: "accepted" or the chain's error message. */
export async function outcome(chain: AttackChain, d: Deployed, from: keyof AttackChain['clients'], msg: unknown): Promise<string> {
  try {
    await chain.clients[from].executeContract(d.asc, msg);
    return 'accepted';
  } catch (e) {
    return (e as Error).message;
  }
}
