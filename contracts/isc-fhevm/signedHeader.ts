/**
 * @module contracts/isc-fhevm/signedHeader
 * Step 1 of `validate`, done once per request whatever the number of handles:
 * the proof's header is for this chain, fresh on the KMS chain's clock, and
 * signed by a quorum of distinct registered validators (README "Signed header").
 * Gives the state root the ACL proofs must lead from.
 */
import { JValue } from "../lib/json";
import { Env } from "../lib/entry";
import { bytesEqual, parse0x, parseAddress, parseU64, to0x } from "../lib/hex";
import { recoverAddress, recoverError } from "../lib/secp256k1";
import { headerDigest } from "./header";
import { IscConfig, MAX_FUTURE_SKEW_SECONDS } from "./state";

/** The state root a quorum signed, or the reason the header is refused. */
export class HeaderCheck {
  constructor(public stateRoot: Uint8Array | null, public reason: string) {}
  static ok(root: Uint8Array): HeaderCheck { return new HeaderCheck(root, ""); }
  static fail(reason: string): HeaderCheck { return new HeaderCheck(null, reason); }
}

const U64_BAD: u64 = 0xffffffffffffffff;

/** A JSON integer given as number or decimal string; U64_BAD when malformed. */
function u64Field(v: JValue | null): u64 {
  if (v === null || !(v.isNum || v.isStr)) return U64_BAD;
  const p = parseU64(v.text);
  return p.ok ? p.value : U64_BAD;
}

/** Seconds since the Unix epoch of the KMS chain's current block (`env.block.time`). */
function blockSeconds(env: Env): u64 {
  const p = parseU64(env.timeNanos);
  return p.ok ? p.value / 1000000000 : 0;
}

function isValidator(cfg: IscConfig, addr: Uint8Array): bool {
  for (let i = 0; i < cfg.validators.length; i++) if (bytesEqual(cfg.validators[i], addr)) return true;
  return false;
}

/** Checks `proof.header` and `proof.signatures` (README "validate", first rows of the table). */
export function checkSignedHeader(proof: JValue, cfg: IscConfig, env: Env): HeaderCheck {
  const header = proof.get("header");
  if (header === null || !header.isObj) return HeaderCheck.fail("malformed request: proof.header must be an object");
  const chainId = u64Field(header.get("chain_id"));
  const number = u64Field(header.get("number"));
  const timestamp = u64Field(header.get("timestamp"));
  if (chainId == U64_BAD || number == U64_BAD || timestamp == U64_BAD) {
    return HeaderCheck.fail("malformed request: header chain_id, number and timestamp must be u64 integers");
  }
  const bh = header.getStr("block_hash");
  const sr = header.getStr("state_root");
  const blockHash = bh !== null ? parse0x(bh, 32) : null;
  const stateRoot = sr !== null ? parse0x(sr, 32) : null;
  if (blockHash === null || stateRoot === null) return HeaderCheck.fail("malformed request: header block_hash and state_root must be 32 bytes of 0x hex");
  if (chainId != cfg.chainId) return HeaderCheck.fail("wrong chain id: header is for chain " + chainId.toString() + ", this ISC serves " + cfg.chainId.toString());
  // Freshness before the (costly) signature checks: the block must be recent on the
  // KMS chain's clock, so a permission revoked on the fhEVM chain stops working
  // within max_age_seconds.
  const now = blockSeconds(env);
  if (timestamp + cfg.maxAgeSeconds < now) {
    return HeaderCheck.fail(
      "stale header: block " + number.toString() + " has timestamp " + timestamp.toString() + ", " + (now - timestamp).toString() +
        " s before the KMS chain's block time " + now.toString() + " (max age " + cfg.maxAgeSeconds.toString() + " s)",
    );
  }
  if (timestamp > now + MAX_FUTURE_SKEW_SECONDS) {
    return HeaderCheck.fail(
      "header from the future: block " + number.toString() + " has timestamp " + timestamp.toString() + ", " + (timestamp - now).toString() +
        " s after the KMS chain's block time " + now.toString() + " (allowed skew " + MAX_FUTURE_SKEW_SECONDS.toString() + " s)",
    );
  }

  const digest = headerDigest(chainId, number, timestamp, blockHash, stateRoot);
  const sigs = proof.get("signatures");
  if (sigs === null || !sigs.isArr) return HeaderCheck.fail("malformed request: proof.signatures must be an array");
  // More signatures than validators cannot help the quorum: bound the recoveries.
  if (sigs.items.length > 2 * cfg.validators.length) {
    return HeaderCheck.fail("malformed request: " + sigs.items.length.toString() + " signatures for " + cfg.validators.length.toString() + " validators");
  }
  const signers = new Array<string>(); // distinct validators with a good signature
  for (let i = 0; i < sigs.items.length; i++) {
    const s = sigs.items[i];
    const vt = s.isObj ? s.getStr("validator") : null;
    const st = s.isObj ? s.getStr("signature") : null;
    const claimed = vt !== null ? parseAddress(vt) : null;
    const sig = st !== null ? parse0x(st, 65) : null;
    if (claimed === null || sig === null) {
      return HeaderCheck.fail("malformed request: signature " + i.toString() + " needs validator (0x address) and signature (65 bytes 0x hex)");
    }
    if (!isValidator(cfg, claimed)) return HeaderCheck.fail("unknown validator " + to0x(claimed) + " (signature " + i.toString() + ")");
    const got = recoverAddress(digest, sig);
    if (got === null) return HeaderCheck.fail("forged header signature " + i.toString() + " for validator " + to0x(claimed) + ": " + recoverError);
    if (!bytesEqual(got, claimed)) {
      return HeaderCheck.fail("forged header signature " + i.toString() + ": signed by " + to0x(got) + ", not by validator " + to0x(claimed));
    }
    // A validator signing twice still counts once.
    const who = to0x(got);
    if (!signers.includes(who)) signers.push(who);
  }
  if (signers.length < cfg.quorum) {
    return HeaderCheck.fail("quorum not met: " + signers.length.toString() + " distinct validator signature(s), need " + cfg.quorum.toString());
  }
  return HeaderCheck.ok(stateRoot);
}
