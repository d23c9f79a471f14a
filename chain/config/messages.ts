/**
 * @module chain/config/messages
 * The JSON protocol of the Config contract (contracts/config): the party set,
 * fixed at instantiation for now (governance changes come with the contracts issue).
 */

export interface PartyInfo {
  /** 1-based party id. */
  id: number;
  /** Chain address the party's connector signs transactions with. */
  address: string;
  /** Compressed secp256k1 public key (33 bytes, 66 hex) of the party's core signer. */
  signer_pubkey: string;
}

export interface ConfigInstantiateMsg {
  parties: PartyInfo[];
  /** t: a result needs t+1 identical party responses. n >= 3t+1 is enforced. */
  threshold: number;
}

export type ConfigQueryMsg =
  | { parties: Record<string, never> }
  | { party_by_address: { address: string } };

export interface PartiesResponse {
  parties: PartyInfo[];
  threshold: number;
}
export interface PartyByAddressResponse {
  party: PartyInfo | null;
}
