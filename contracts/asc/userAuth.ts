/**
 * @module contracts/asc/userAuth
 * The user's authorization of a `user_decrypt` (issue 10 item 5): an EIP-712
 * signature, by an ordinary Ethereum wallet (`signTypedData`), of the type
 * Zama's current stack uses,
 *
 *   UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,
 *                                  uint256 startTimestamp,uint256 durationSeconds,bytes extraData)
 *
 * under the request's `eip712_domain` (EIP712Domain(string name,string version,
 * uint256 chainId,address verifyingContract)), with
 *   userAddress      = client_address,
 *   publicKey        = enc_key (the ML-KEM-512 key the parties seal their shares to),
 *   allowedContracts = allowed_contracts (1..10 distinct dApp contracts, never the user;
 *                      the ISC checks each handle's contract is one of them),
 *   startTimestamp, durationSeconds = start_timestamp, duration_seconds (1 s .. 365 days),
 *   extraData        = extra_data (0x hex, may be empty).
 * The ASC checks the window against the KMS chain's block time — start ≤ now <
 * start + duration — and that the signature (65 bytes r ‖ s ‖ v, low s) recovers to
 * `client_address`. Without it anyone holding a copy of Alice's ACL proof could ask
 * for her plaintexts sealed to his own ML-KEM key; with the window a leaked signed
 * request stops working; with the contract list she says through which dApps her
 * handles may be read. TypeScript side: common/userDecryptAuth.ts (ethers).
 */
import { JValue } from "../lib/json";
import { concat, fromHex, toHex } from "../lib/encoding";
import { keccak256 } from "../lib/keccak";
import { addressWord, parse0x, parseAddress, parseU64, u64Word } from "../lib/hex";
import { recoverAddress, recoverError } from "../lib/secp256k1";
import { addressArrayHash, decimalWord, domainSeparator, keccakText, typedDataDigest } from "../lib/eip712";

export const USER_DECRYPT_REQUEST_TYPE =
  "UserDecryptRequestVerification(address userAddress,bytes publicKey,address[] allowedContracts,uint256 startTimestamp,uint256 durationSeconds,bytes extraData)";
/** As in Zama's stack: at most 10 contracts per request, valid for at most 365 days. */
export const MAX_ALLOWED_CONTRACTS = 10;
export const MAX_DURATION_SECONDS: u64 = 365 * 86400;
/** Bounds the bytes hashed for a field the ASC only passes through. */
export const MAX_EXTRA_DATA_BYTES = 1024;

/** The authorization's fields, normalised (addresses and hex lower-case, 0x-prefixed). */
export class UserAuth {
  allowedContracts: string[] = [];
  start: u64 = 0;
  duration: u64 = 0;
  extraData: string = "0x";
}

/** Why the last `checkUserAuth` returned null. */
export let userAuthError = "";

function fail(why: string): UserAuth | null {
  userAuthError = why;
  return null;
}

/** A u64 given as JSON number or decimal string; -1 (as i64) when malformed. */
function u64Of(v: JValue | null): i64 {
  if (v === null || !(v.isNum || v.isStr)) return -1;
  const p = parseU64(v.text);
  return p.ok && p.value <= <u64>i64.MAX_VALUE ? <i64>p.value : -1;
}

/** The EIP-712 digest the user signed (both sides: common/userDecryptAuth.ts). */
export function userDecryptRequestDigest(
  name: string, version: string, chainId: Uint8Array, verifying: Uint8Array,
  user: Uint8Array, publicKey: Uint8Array, contracts: Uint8Array[], start: u64, duration: u64, extraData: Uint8Array,
): Uint8Array {
  const structHash = keccak256(concat([
    keccakText(USER_DECRYPT_REQUEST_TYPE),
    addressWord(user),
    keccak256(publicKey),
    addressArrayHash(contracts),
    u64Word(start),
    u64Word(duration),
    keccak256(extraData),
  ]));
  return typedDataDigest(domainSeparator(name, version, chainId, verifying), structHash);
}

/**
 * Parses and checks a user_decrypt's authorization: `allowed_contracts`,
 * `start_timestamp`, `duration_seconds`, `extra_data`, `user_signature` of `args`,
 * for `client` and `encKey` (lower-case hex, no 0x) under the domain, at block
 * time `now` (Unix seconds). Null with `userAuthError` when refused.
 */
export function checkUserAuth(
  args: JValue, client: string, encKey: string,
  name: string, version: string, chainId: string, verifying: string, now: u64,
): UserAuth | null {
  const auth = new UserAuth();
  const user = parseAddress(client)!;
  // allowed_contracts: 1..10 distinct addresses, none of them the user.
  const ac = args.get("allowed_contracts");
  if (ac === null || !ac.isArr || ac.items.length == 0 || ac.items.length > MAX_ALLOWED_CONTRACTS) {
    return fail("allowed_contracts must be an array of 1.." + MAX_ALLOWED_CONTRACTS.toString() + " contract addresses (0x + 40 hex chars)");
  }
  const contracts = new Array<Uint8Array>();
  for (let i = 0; i < ac.items.length; i++) {
    const it = ac.items[i];
    const a = it.isStr && it.text.startsWith("0x") ? parseAddress(it.text) : null;
    if (a === null) return fail("allowed_contracts[" + i.toString() + "] must be 0x + 40 hex chars");
    const lc = "0x" + toHex(a);
    if (auth.allowedContracts.includes(lc)) return fail("allowed_contracts[" + i.toString() + "] repeats " + lc);
    if (lc == client) return fail("allowed_contracts[" + i.toString() + "] is the client_address itself: name the dApp contracts");
    auth.allowedContracts.push(lc);
    contracts.push(a);
  }
  // The validity window, on the KMS chain's clock.
  const start = u64Of(args.get("start_timestamp"));
  const duration = u64Of(args.get("duration_seconds"));
  if (start < 0) return fail("start_timestamp must be Unix seconds (a JSON integer or decimal string)");
  if (duration < 1 || <u64>duration > MAX_DURATION_SECONDS) {
    return fail("duration_seconds must be an integer in 1.." + MAX_DURATION_SECONDS.toString() + " (365 days)");
  }
  auth.start = <u64>start;
  auth.duration = <u64>duration;
  if (now < auth.start) {
    return fail("request not yet valid: start_timestamp " + auth.start.toString() + " is after the block time " + now.toString());
  }
  if (now >= auth.start + auth.duration) {
    return fail(
      "request expired: valid from " + auth.start.toString() + " for " + auth.duration.toString() + " s (until " +
        (auth.start + auth.duration).toString() + "), block time " + now.toString(),
    );
  }
  // extra_data: opaque bytes the user signed; "0x" when absent.
  const xv = args.get("extra_data");
  let extra = new Uint8Array(0);
  if (xv !== null && !xv.isNull) {
    const x = xv.isStr ? parse0x(xv.text, -1) : null;
    if (x === null) return fail("extra_data must be 0x-prefixed hex of whole bytes (\"0x\" when empty)");
    if (x.length > MAX_EXTRA_DATA_BYTES) return fail("extra_data must be at most " + MAX_EXTRA_DATA_BYTES.toString() + " bytes");
    extra = x;
  }
  auth.extraData = "0x" + toHex(extra);
  const chain = decimalWord(chainId);
  if (chain === null) return fail("eip712_domain.chain_id must be a decimal uint256");

  const digest = userDecryptRequestDigest(name, version, chain, parseAddress(verifying)!, user, fromHex(encKey)!, contracts, auth.start, auth.duration, extra);
  const sig = args.getStr("user_signature");
  if (sig === null) return fail("user_signature is missing: the client_address must sign the request (EIP-712 UserDecryptRequestVerification, chain/asc/messages.ts)");
  const bytes = parse0x(sig, 65);
  if (bytes === null) return fail("user_signature must be 0x + 65 bytes (r ‖ s ‖ v) of hex");
  const got = recoverAddress(digest, bytes);
  if (got === null) return fail("bad user_signature: " + recoverError);
  const who = "0x" + toHex(got);
  if (who != client) return fail("bad user_signature: signed by " + who + ", not by client_address " + client);
  return auth;
}
