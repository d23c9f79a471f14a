/**
 * @module contracts/isc-allowlist/address
 * A requester is an EVM address (`0x` + 40 hex digits, stored lower-case) or an
 * address of this chain (checked with the host's `addr_validate`).
 */
import { validateAddress } from "../lib/api";
import { parseAddress, to0x } from "../lib/hex";

/** Why the last `normalizeRequester` returned null. */
export let requesterError = "";

export function normalizeRequester(s: string): string | null {
  if (s.startsWith("0x") || s.startsWith("0X")) {
    const a = parseAddress(s);
    if (a === null) { requesterError = "invalid EVM address " + s + " (want 0x + 40 hex digits)"; return null; }
    return to0x(a);
  }
  const bad = validateAddress(s);
  if (bad !== null) { requesterError = "invalid address " + s + ": " + bad; return null; }
  return s;
}
