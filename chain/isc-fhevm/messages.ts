/**
 * @module chain/isc-fhevm/messages
 * The JSON protocol of the fhEVM ISC (contracts/isc-fhevm, its README): the
 * instantiate message governance sends, the `proof` a request carries, and the
 * batch `validate` query the ASC sends every ISC with it.
 */

/** fhEVM's ACL keeps `persistedAllowedPairs` at this ERC-7201 slot (contracts/isc-fhevm/README.md). */
export const FHEVM_ACL_SLOT_BASE = '0xa688f31953c2015baaf8c0a488ee1ee22eb0e05273cc1fd31ea4cbee42febc00';

export interface FhevmIscInstantiateMsg {
  chain_id: number;
  acl_address: string;
  /** Default 0x0 in the contract; fhEVM's ACL uses FHEVM_ACL_SLOT_BASE. */
  acl_slot_base?: string;
  validators: string[];
  quorum: number;
  /** How old a signed header may be against the KMS chain's block time (default 3600). */
  max_age_seconds?: number;
}

export interface FhevmHeader {
  chain_id: number;
  /** Decimal block number. */
  number: string;
  /** Decimal block timestamp (s since the epoch). */
  timestamp: string;
  block_hash: string;
  state_root: string;
}

/**
 * One ciphertext's part of an fhEVM proof: `eth_getProof(acl_address, slots, block)`
 * at the header's block, with every slot the ISC reads for that handle (one call):
 * - user decryption: `persistedAllowedPairs[handle][user]`, `persistedAllowedPairs[handle][contract]`
 *   and `ciphertextDigest[handle]`; `contract` (the dApp contract) must be one of the
 *   request's signed `allowed_contracts`;
 * - public decryption: `allowedForDecryption[handle]` and `ciphertextDigest[handle]`
 *   (`contract` is ignored).
 * No other slot may appear.
 */
export interface FhevmHandleProof {
  contract?: string;
  /** The node's `eth_getProof` result, verbatim. */
  acl_proof: unknown;
}

/**
 * The `proof` of a decrypt or user_decrypt request for an fhEVM application:
 * one header signed by a quorum of the fhEVM chain's validators (checked once)
 * and one entry per ciphertext, in request order. The ASC passes it verbatim in
 * its `validate` query (IscValidateMsg); the ISC answers `provenance: true`.
 */
export interface FhevmProof {
  header: FhevmHeader;
  signatures: { validator: string; signature: string }[];
  handles: FhevmHandleProof[];
}

/** What the ASC asks an ISC, once per request (every ISC type; the plan's "validate protocol"). */
export interface IscValidateMsg {
  validate: {
    purpose: 'public_decrypt' | 'user_decrypt';
    /**
     * allowlist ISC: the tx sender; fhevm ISC, user decryption: the request's EIP-712-signed
     * `client_address`; absent for an fhEVM public decryption (a public handle is public for all).
     */
    requester?: string;
    /** user decryption only: the contracts the user's signed request names (lower-case 0x). */
    allowed_contracts?: string[];
    /** The request's ciphertexts in order: `0x` + 64 hex each. */
    ciphertexts: { handle: string; digest: string }[];
    /** The request's `proof`, verbatim. */
    proof: Record<string, unknown>;
  };
}

/**
 * The ISC's answer. `provenance: true` means the ISC vouched for the origin of every
 * ciphertext (the fhEVM ISC checked the host chain's handle → digest commitments);
 * the allow-list ISC answers `false`.
 */
export type IscValidateAnswer = { valid: true; provenance: boolean } | { valid: false; reason: string };
