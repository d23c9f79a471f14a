/**
 * @module contracts/isc-fhevm/header
 * What the fhEVM validators sign: one digest binding a block of one chain to its
 * time and state root (README "Signed header").
 *
 *   digest = keccak256( 0x19 ‖ "TKMS fhEVM header v2\n"
 *                       ‖ uint256(chain_id) ‖ uint256(block_number) ‖ uint256(timestamp)
 *                       ‖ block_hash[32] ‖ state_root[32] )
 *
 * v2 adds the block's timestamp (seconds since the Unix epoch, the EVM header's
 * `timestamp`) so the ISC can refuse old headers: without it a quorum-signed
 * header stayed valid forever, and a permission revoked later could still be
 * shown with a proof against the old state root.
 *
 * The leading 0x19 byte (as in EIP-191) keeps the message from being a valid RLP
 * transaction; the text tag and version separate it from any other signed data;
 * the integers are 32-byte big-endian words (Solidity `abi.encode`). Each
 * validator signs the digest itself with secp256k1 (no further prefix), 65 bytes
 * `r ‖ s ‖ v`, low s.
 */
import { keccak256 } from "../lib/keccak";
import { concat, utf8 } from "../lib/encoding";
import { u64Word } from "../lib/hex";

export const HEADER_TAG = "TKMS fhEVM header v2\n";

export function headerDigest(chainId: u64, number: u64, timestamp: u64, blockHash: Uint8Array, stateRoot: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(1);
  prefix[0] = 0x19;
  return keccak256(concat([prefix, utf8(HEADER_TAG), u64Word(chainId), u64Word(number), u64Word(timestamp), blockHash, stateRoot]));
}
