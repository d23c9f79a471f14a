/**
 * @module contracts/isc-fhevm/validate
 * The `validate` query (README "validate"): does the fhEVM chain's ACL contract,
 * at a block that a quorum of the chain's validators signed, grant what the ASC
 * asks for? `purpose` "user_decrypt": `requester` (the ASC sets it to the signed
 * client address) may use ciphertext `handle`; `purpose` "public_decrypt": the
 * handle is publicly decryptable (`allowForDecryption`), whoever asks — a
 * per-user permission proves nothing about the sender, since signed headers and
 * eth_getProof data are public.
 *
 * Steps, each with its own rejection reason:
 * 1. the header is for this chain, its timestamp is at most `max_age_seconds`
 *    before the KMS chain's block time and at most a small skew after it, and at
 *    least `quorum` distinct registered validators signed its digest (header.ts);
 * 2. the account proof leads from the signed state root to the ACL contract's
 *    account, which gives its storage root;
 * 3. the storage proof is for slot
 *    keccak256(pad32(requester) ‖ keccak256(handle ‖ p)) — Solidity's layout of
 *    `mapping(bytes32 => mapping(address => bool))` at slot p — for a user
 *    decryption, or keccak256(handle ‖ (p + 1)) — `mapping(bytes32 => bool)
 *    allowedForDecryption`, the struct's next member — for a public one;
 * 4. it leads from that storage root to a non-zero value.
 * Malformed input is answered `valid: false` too, so the caller has one path.
 */
import { JValue } from "../lib/json";
import { Env } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { keccak256, keccak256Pair } from "../lib/keccak";
import { addressWord, bytesEqual, isZero, parse0x, parseAddress, parseU64, parseWord, to0x } from "../lib/hex";
import { verifyProof } from "../lib/mpt";
import { decodeAccount, accountError } from "../lib/account";
import { rlpDecode, isCanonicalScalar } from "../lib/rlp";
import { recoverAddress, recoverError } from "../lib/secp256k1";
import { headerDigest } from "./header";
import { IscConfig, loadConfig, MAX_FUTURE_SKEW_SECONDS } from "./state";

function invalid(reason: string): Outcome {
  return Outcome.ok(JValue.obj().set("valid", JValue.bool(false)).setStr("reason", reason).toString());
}

function valid(): Outcome {
  return Outcome.ok("{\"valid\":true}");
}

/** The ACL slot that holds `persistedAllowedPairs[handle][requester]`. */
export function aclSlot(handle: Uint8Array, requester: Uint8Array, base: Uint8Array): Uint8Array {
  const inner = keccak256Pair(handle, base); // slot of the mapping persistedAllowedPairs[handle]
  return keccak256Pair(addressWord(requester), inner);
}

/** The ACL slot that holds `allowedForDecryption[handle]`: the mapping at `base + 1`. */
export function publicSlot(handle: Uint8Array, base: Uint8Array): Uint8Array {
  return keccak256Pair(handle, plusOne(base));
}

/** `word + 1` for a 32-byte big-endian word (wrapping). */
function plusOne(word: Uint8Array): Uint8Array {
  const out = word.slice(0);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = out[i] + 1;
    if (out[i] != 0) break;
  }
  return out;
}

export const PURPOSE_PUBLIC = "public_decrypt";
export const PURPOSE_USER = "user_decrypt";

/** A JSON integer given as number or decimal string. */
function u64Field(v: JValue | null): u64 {
  if (v === null || !(v.isNum || v.isStr)) return U64_BAD;
  const p = parseU64(v.text);
  return p.ok ? p.value : U64_BAD;
}
const U64_BAD: u64 = 0xffffffffffffffff;

/** Parses an array of 0x-hex byte strings; null when any entry is malformed. */
function nodeList(v: JValue | null): Uint8Array[] | null {
  if (v === null || !v.isArr) return null;
  const out = new Array<Uint8Array>();
  for (let i = 0; i < v.items.length; i++) {
    const it = v.items[i];
    const b = it.isStr ? parse0x(it.text, -1) : null;
    if (b === null) return null;
    out.push(b);
  }
  return out;
}

function isValidator(cfg: IscConfig, addr: Uint8Array): bool {
  for (let i = 0; i < cfg.validators.length; i++) if (bytesEqual(cfg.validators[i], addr)) return true;
  return false;
}

/** Seconds since the Unix epoch of the KMS chain's current block (`env.block.time`). */
function blockSeconds(env: Env): u64 {
  const p = parseU64(env.timeNanos);
  return p.ok ? p.value / 1000000000 : 0;
}

export function validate(req: JValue, env: Env): Outcome {
  const cfg = loadConfig();

  // --- request fields
  const purpose = req.getStr("purpose");
  if (purpose === null || (purpose != PURPOSE_PUBLIC && purpose != PURPOSE_USER)) {
    return invalid("malformed request: purpose must be \"" + PURPOSE_PUBLIC + "\" or \"" + PURPOSE_USER + "\"");
  }
  const isPublic = purpose == PURPOSE_PUBLIC;
  // A public decryption ignores `requester`: the handle must be public for everyone.
  let requester: Uint8Array | null = null;
  if (!isPublic) {
    const reqText = req.getStr("requester");
    if (reqText !== null) requester = parseAddress(reqText);
  }
  if (!isPublic && requester === null) return invalid("malformed request: requester must be a 20-byte 0x address");
  const handleText = req.getStr("handle");
  const handle = handleText !== null ? parse0x(handleText, 32) : null;
  if (handle === null) return invalid("malformed request: handle must be 32 bytes of 0x hex");

  // --- 1. header and validator signatures
  const header = req.get("header");
  if (header === null || !header.isObj) return invalid("malformed request: header must be an object");
  const chainId = u64Field(header.get("chain_id"));
  const number = u64Field(header.get("number"));
  const timestamp = u64Field(header.get("timestamp"));
  if (chainId == U64_BAD || number == U64_BAD || timestamp == U64_BAD) {
    return invalid("malformed request: header chain_id, number and timestamp must be u64 integers");
  }
  const bh = header.getStr("block_hash");
  const sr = header.getStr("state_root");
  const blockHash = bh !== null ? parse0x(bh, 32) : null;
  const stateRoot = sr !== null ? parse0x(sr, 32) : null;
  if (blockHash === null || stateRoot === null) return invalid("malformed request: header block_hash and state_root must be 32 bytes of 0x hex");
  if (chainId != cfg.chainId) return invalid("wrong chain id: header is for chain " + chainId.toString() + ", this ISC serves " + cfg.chainId.toString());
  // Freshness before the (costly) signature checks: the block must be recent on the
  // KMS chain's clock, so a permission revoked on the fhEVM chain stops working
  // within max_age_seconds.
  const now = blockSeconds(env);
  if (timestamp + cfg.maxAgeSeconds < now) {
    return invalid(
      "stale header: block " + number.toString() + " has timestamp " + timestamp.toString() + ", " + (now - timestamp).toString() +
        " s before the KMS chain's block time " + now.toString() + " (max age " + cfg.maxAgeSeconds.toString() + " s)",
    );
  }
  if (timestamp > now + MAX_FUTURE_SKEW_SECONDS) {
    return invalid(
      "header from the future: block " + number.toString() + " has timestamp " + timestamp.toString() + ", " + (timestamp - now).toString() +
        " s after the KMS chain's block time " + now.toString() + " (allowed skew " + MAX_FUTURE_SKEW_SECONDS.toString() + " s)",
    );
  }

  const digest = headerDigest(chainId, number, timestamp, blockHash, stateRoot);
  const sigs = req.get("signatures");
  if (sigs === null || !sigs.isArr) return invalid("malformed request: signatures must be an array");
  const signers = new Array<string>(); // distinct validators with a good signature
  for (let i = 0; i < sigs.items.length; i++) {
    const s = sigs.items[i];
    const vt = s.isObj ? s.getStr("validator") : null;
    const st = s.isObj ? s.getStr("signature") : null;
    const claimed = vt !== null ? parseAddress(vt) : null;
    const sig = st !== null ? parse0x(st, 65) : null;
    if (claimed === null || sig === null) {
      return invalid("malformed request: signature " + i.toString() + " needs validator (0x address) and signature (65 bytes 0x hex)");
    }
    if (!isValidator(cfg, claimed)) return invalid("unknown validator " + to0x(claimed) + " (signature " + i.toString() + ")");
    const got = recoverAddress(digest, sig);
    if (got === null) return invalid("forged header signature " + i.toString() + " for validator " + to0x(claimed) + ": " + recoverError);
    if (!bytesEqual(got, claimed)) {
      return invalid("forged header signature " + i.toString() + ": signed by " + to0x(got) + ", not by validator " + to0x(claimed));
    }
    // A validator signing twice still counts once.
    const who = to0x(got);
    if (!signers.includes(who)) signers.push(who);
  }
  if (signers.length < cfg.quorum) {
    return invalid("quorum not met: " + signers.length.toString() + " distinct validator signature(s), need " + cfg.quorum.toString());
  }

  // --- 2. account proof: state root → ACL account → storage root
  const proof = req.get("acl_proof");
  if (proof === null || !proof.isObj) return invalid("malformed request: acl_proof must be an eth_getProof result object");
  const pa = proof.getStr("address");
  const proofAddr = pa !== null ? parseAddress(pa) : null;
  if (proofAddr === null) return invalid("malformed request: acl_proof.address must be a 0x address");
  if (!bytesEqual(proofAddr, cfg.aclAddress)) {
    return invalid("bad account proof: proof is for " + to0x(proofAddr) + ", not the ACL contract " + to0x(cfg.aclAddress));
  }
  const accountNodes = nodeList(proof.get("accountProof"));
  if (accountNodes === null) return invalid("malformed request: acl_proof.accountProof must be an array of 0x-hex nodes");
  const acc = verifyProof(stateRoot, keccak256(cfg.aclAddress), accountNodes);
  if (!acc.ok) return invalid("bad account proof: " + acc.error);
  if (!acc.found) return invalid("bad account proof: the ACL contract has no account at this state root");
  const account = decodeAccount(acc.value);
  if (account === null) return invalid("bad account proof: " + accountError);

  // --- 3. the slot must be the one for (handle, requester), or for the handle's public flag
  const sp = proof.get("storageProof");
  if (sp === null || !sp.isArr || sp.items.length != 1 || !sp.items[0].isObj) {
    return invalid("malformed request: acl_proof.storageProof must hold exactly one slot");
  }
  const entry = sp.items[0];
  const kt = entry.getStr("key");
  const key = kt !== null ? parseWord(kt) : null;
  if (key === null) return invalid("malformed request: storageProof key must be a 0x word");
  const slot = isPublic ? publicSlot(handle, cfg.slotBase) : aclSlot(handle, requester!, cfg.slotBase);
  if (!bytesEqual(key, slot)) {
    const what = isPublic ? "wrong slot for allowedForDecryption[handle]" : "wrong slot for handle/requester";
    return invalid(what + ": proof is for slot " + to0x(key) + ", expected " + to0x(slot));
  }

  // --- 4. storage proof: storage root → slot value
  const storageNodes = nodeList(entry.get("proof"));
  if (storageNodes === null) return invalid("malformed request: storageProof proof must be an array of 0x-hex nodes");
  const st = verifyProof(account.storageRoot, keccak256(slot), storageNodes);
  if (!st.ok) return invalid("bad storage proof: " + st.error);
  if (!st.found) return invalid(isPublic ? "not publicly decryptable: the allowedForDecryption slot is empty" : "permission not granted: the ACL slot is empty");
  const val = rlpDecode(st.value);
  if (val === null || val.isList || !isCanonicalScalar(val.bytes, 32)) return invalid("bad storage proof: slot value is not a canonical RLP word");
  if (isZero(val.bytes)) return invalid(isPublic ? "not publicly decryptable: the allowedForDecryption slot is zero" : "permission not granted: the ACL slot is zero");
  return valid();
}
