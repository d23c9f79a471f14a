/**
 * @module contracts/asc/requestId
 * 160-bit request ids (DESIGN §3: 40 hex chars, like an Ethereum address):
 *   id = hex(SHA-256( lp("TKMS-REQUEST-ID-V1") ‖ lp(chain_id) ‖ lp(contract_address)
 *                     ‖ lp(decimal counter) ‖ lp(sender) )[0..20])
 * The counter is the number of requests created before this one, so identical
 * calls still get distinct ids, and the chain id and contract address keep ids
 * distinct across deployments.
 */
import { concat, lengthPrefixed, toHex } from "../lib/encoding";
import { sha256 } from "../lib/sha256";

export const REQUEST_ID_DOMAIN = "TKMS-REQUEST-ID-V1";

export function requestId(chainId: string, contract: string, counter: u64, sender: string): string {
  const digest = sha256(
    concat([
      lengthPrefixed(REQUEST_ID_DOMAIN),
      lengthPrefixed(chainId),
      lengthPrefixed(contract),
      lengthPrefixed(counter.toString()),
      lengthPrefixed(sender),
    ]),
  );
  return toHex(digest.subarray(0, 20));
}
