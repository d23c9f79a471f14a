/**
 * @module chain/isc-fhevm/messages
 * The JSON protocol of the fhEVM ISC (contracts/isc-fhevm, its README): the
 * instantiate message governance sends, and the `validate` request the ASC
 * forwards from a decrypt request's `proof` (plus the handle).
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
 * The `proof` of a decrypt or user_decrypt request for an fhEVM application. The
 * ASC adds `handle` and `purpose` ("public_decrypt" for `decrypt`, "user_decrypt"
 * for `user_decrypt`) and, for a user decryption, sets `requester` to the signed
 * `client_address`. A public decryption's proof is the `allowedForDecryption[handle]`
 * slot (the ISC ignores `requester`); a user decryption's is the
 * `persistedAllowedPairs[handle][client_address]` slot.
 */
export interface FhevmProof {
  /** Not needed: the ASC sets it (user_decrypt) or the ISC ignores it (public decrypt). */
  requester?: string;
  header: FhevmHeader;
  signatures: { validator: string; signature: string }[];
  /** `eth_getProof(acl_address, [slot], block)` as the node returns it. */
  acl_proof: unknown;
}
