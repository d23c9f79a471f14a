/**
 * @module contracts/isc-fhevm/validate
 * The batch `validate` query (README "validate"): for every ciphertext of a
 * request, does the fhEVM chain's ACL contract, at a block a quorum of the
 * chain's validators signed, grant what the ASC asks for, and did the host
 * chain's coprocessors commit that handle to that ciphertext digest?
 *
 * - `purpose` "user_decrypt": the user (`requester`, the ASC sets it to the
 *   EIP-712-signed client address) AND the dApp contract named by the handle's
 *   proof entry may use the handle (`persistedAllowedPairs`), and that contract
 *   is one the user listed (`allowed_contracts`, from the signed request);
 * - `purpose` "public_decrypt": the handle is publicly decryptable
 *   (`allowedForDecryption`), whoever asks — a per-user permission proves
 *   nothing about the sender, since signed headers and eth_getProof data are public;
 * - both: `ciphertextDigest[handle] == digest`, so the ciphertext the parties
 *   decrypt is the one the host chain computed, not bytes someone uploaded under
 *   a permitted handle. That is why the answer carries `provenance: true`.
 *
 * Steps: the header and its signatures once (signedHeader.ts); then, per
 * ciphertext in request order, its own `eth_getProof` result (one call gives all
 * the slots it needs): account proof → storage root (aclProof.ts), each needed
 * slot (slots.ts) → value. Malformed input is answered `valid: false` too, so the
 * caller has one path.
 */
import { JValue } from "../lib/json";
import { Env } from "../lib/entry";
import { Outcome } from "../lib/outcome";
import { bytesEqual, isZero, parse0x, parseAddress, to0x } from "../lib/hex";
import { checkSignedHeader } from "./signedHeader";
import { proofError, readSlot, slotProofs, storageRootOf, SlotValue } from "./aclProof";
import { digestSlot, pairSlot, publicSlot } from "./slots";
import { IscConfig, loadConfig } from "./state";

export const PURPOSE_PUBLIC = "public_decrypt";
export const PURPOSE_USER = "user_decrypt";
/** The ASC's batch limit (contracts/asc/request.ts MAX_BATCH): bounds the proofs checked per query. */
export const MAX_CIPHERTEXTS = 32;
/** As in Zama's stack: a user decryption request names at most 10 contracts. */
export const MAX_ALLOWED_CONTRACTS = 10;

function invalid(reason: string): Outcome {
  return Outcome.ok(JValue.obj().set("valid", JValue.bool(false)).setStr("reason", reason).toString());
}

/** Valid, and the ISC vouches for the ciphertexts' origin (the digest commitments). */
function valid(): Outcome {
  return Outcome.ok("{\"valid\":true,\"provenance\":true}");
}

/** One ciphertext the ASC asks about. */
class Ciphertext {
  constructor(public handle: Uint8Array, public digest: Uint8Array) {}
}

/** A slot a ciphertext's proof must carry, and what it stands for (in reasons). */
class Needed {
  constructor(public slot: Uint8Array, public what: string) {}
}

/** Why the last `parseRequest` returned null. */
let parseError = "";

/** What a validate request asks, parsed. */
class Request {
  isPublic: bool = false;
  requester: Uint8Array = new Uint8Array(0);
  allowed: Uint8Array[] = [];
  ciphertexts: Ciphertext[] = [];
  proof: JValue = JValue.obj();
}

function parseRequest(req: JValue): Request | null {
  const r = new Request();
  const purpose = req.getStr("purpose");
  if (purpose === null || (purpose != PURPOSE_PUBLIC && purpose != PURPOSE_USER)) {
    parseError = "purpose must be \"" + PURPOSE_PUBLIC + "\" or \"" + PURPOSE_USER + "\"";
    return null;
  }
  r.isPublic = purpose == PURPOSE_PUBLIC;
  // A public decryption ignores `requester` and `allowed_contracts`: the handle must be public for everyone.
  if (!r.isPublic) {
    const rt = req.getStr("requester");
    const requester = rt !== null ? parseAddress(rt) : null;
    if (requester === null) { parseError = "requester must be a 20-byte 0x address"; return null; }
    r.requester = requester;
    const ac = req.get("allowed_contracts");
    if (ac === null || !ac.isArr || ac.items.length == 0 || ac.items.length > MAX_ALLOWED_CONTRACTS) {
      parseError = "allowed_contracts must be an array of 1.." + MAX_ALLOWED_CONTRACTS.toString() + " 0x addresses";
      return null;
    }
    for (let i = 0; i < ac.items.length; i++) {
      const a = ac.items[i].isStr ? parseAddress(ac.items[i].text) : null;
      if (a === null) { parseError = "allowed_contracts[" + i.toString() + "] must be a 20-byte 0x address"; return null; }
      r.allowed.push(a);
    }
  }
  const cts = req.get("ciphertexts");
  if (cts === null || !cts.isArr || cts.items.length == 0 || cts.items.length > MAX_CIPHERTEXTS) {
    parseError = "ciphertexts must be an array of 1.." + MAX_CIPHERTEXTS.toString() + " {handle, digest}";
    return null;
  }
  for (let i = 0; i < cts.items.length; i++) {
    const c = cts.items[i];
    const ht = c.isObj ? c.getStr("handle") : null;
    const dt = c.isObj ? c.getStr("digest") : null;
    const handle = ht !== null ? parse0x(ht, 32) : null;
    const digest = dt !== null ? parse0x(dt, 32) : null;
    if (handle === null || digest === null) {
      parseError = "ciphertexts[" + i.toString() + "] needs handle and digest, each 32 bytes of 0x hex";
      return null;
    }
    r.ciphertexts.push(new Ciphertext(handle, digest));
  }
  const proof = req.get("proof");
  if (proof === null || !proof.isObj) { parseError = "proof must be an object {header, signatures, handles}"; return null; }
  r.proof = proof;
  return r;
}

function contains(list: Uint8Array[], a: Uint8Array): bool {
  for (let i = 0; i < list.length; i++) if (bytesEqual(list[i], a)) return true;
  return false;
}

/** True when `aclProof.address` is the ACL contract. */
function isAcl(aclProof: JValue, cfg: IscConfig): bool {
  const pa = aclProof.getStr("address");
  const addr = pa !== null ? parseAddress(pa) : null;
  return addr !== null && bytesEqual(addr, cfg.aclAddress);
}

/** "is empty" (absent from the trie) or "is zero" (present with value 0). */
function emptiness(v: SlotValue): string {
  return v.found ? "is zero" : "is empty";
}

export function validate(req: JValue, env: Env): Outcome {
  const cfg = loadConfig();
  const r = parseRequest(req);
  if (r === null) return invalid("malformed request: " + parseError);

  // --- 1. header and validator signatures, once for the whole batch
  const header = checkSignedHeader(r.proof, cfg, env);
  if (header.stateRoot === null) return invalid(header.reason);
  const stateRoot = header.stateRoot!;

  const entries = r.proof.get("handles");
  if (entries === null || !entries.isArr || entries.items.length != r.ciphertexts.length) {
    return invalid(
      "malformed request: proof.handles must hold one {contract?, acl_proof} entry per ciphertext (" + r.ciphertexts.length.toString() + "), in request order",
    );
  }
  let checkedAccountProof: string | null = null;
  let storageRoot = new Uint8Array(0);
  for (let i = 0; i < r.ciphertexts.length; i++) {
    const ct = r.ciphertexts[i];
    const at = "ciphertext " + i.toString() + " (" + to0x(ct.handle) + "): ";
    const entry = entries.items[i];
    const aclProof = entry.isObj ? entry.get("acl_proof") : null;
    if (aclProof === null || !aclProof.isObj) return invalid("malformed request: " + at + "acl_proof must be an eth_getProof result object");

    // --- 2. account proof: state root → ACL account → storage root
    // Usually every entry carries the same account proof (one block, one ACL): its
    // nodes are verified once; the address is checked on every entry.
    const ap = aclProof.get("accountProof");
    const apText = ap !== null ? ap.toString() : "";
    if (checkedAccountProof === null || apText != checkedAccountProof || !isAcl(aclProof, cfg)) {
      const root = storageRootOf(aclProof, cfg.aclAddress, stateRoot);
      if (root === null) return invalid(at + proofError);
      storageRoot = root;
      checkedAccountProof = apText;
    }

    // --- 3. the slots this ciphertext needs
    const needed = new Array<Needed>();
    if (r.isPublic) {
      needed.push(new Needed(publicSlot(ct.handle, cfg.slotBase), "allowedForDecryption[handle]"));
    } else {
      const ctext = entry.getStr("contract");
      const contract = ctext !== null ? parseAddress(ctext) : null;
      if (contract === null) return invalid("malformed request: " + at + "a user decryption's proof entry needs contract (the dApp's 0x address)");
      if (!contains(r.allowed, contract)) return invalid(at + "contract " + to0x(contract) + " is not in the user's allowed_contracts");
      if (bytesEqual(contract, r.requester)) return invalid(at + "contract " + to0x(contract) + " is the user's own address");
      needed.push(new Needed(pairSlot(ct.handle, r.requester, cfg.slotBase), "persistedAllowedPairs[handle][user " + to0x(r.requester) + "]"));
      needed.push(new Needed(pairSlot(ct.handle, contract, cfg.slotBase), "persistedAllowedPairs[handle][contract " + to0x(contract) + "]"));
    }
    needed.push(new Needed(digestSlot(ct.handle, cfg.slotBase), "ciphertextDigest[handle]"));

    const slots = slotProofs(aclProof);
    if (slots === null) return invalid(at + proofError);
    for (let k = 0; k < slots.keys.length; k++) {
      let known = false;
      for (let n = 0; n < needed.length; n++) if (bytesEqual(slots.keys[k], needed[n].slot)) known = true;
      if (!known) return invalid(at + "unexpected slot: acl_proof proves slot " + to0x(slots.keys[k]) + ", which this request does not need");
    }

    // --- 4. storage proofs: storage root → each slot's value
    const values = new Array<SlotValue>();
    for (let n = 0; n < needed.length; n++) {
      const e = slots.find(needed[n].slot);
      if (e === null) return invalid(at + "missing slot: acl_proof has no proof of " + needed[n].what + " (slot " + to0x(needed[n].slot) + ")");
      const v = readSlot(e, needed[n].slot, storageRoot);
      if (v === null) return invalid(at + proofError);
      values.push(v);
    }
    if (r.isPublic) {
      if (isZero(values[0].word)) return invalid(at + "not publicly decryptable: the allowedForDecryption slot " + emptiness(values[0]));
    } else {
      if (isZero(values[0].word)) return invalid(at + "permission not granted to the user " + to0x(r.requester) + ": its ACL slot " + emptiness(values[0]));
      if (isZero(values[1].word)) return invalid(at + "permission not granted to the contract: the ACL slot of " + needed[1].what + " " + emptiness(values[1]));
    }
    const committed = values[values.length - 1];
    if (!committed.found || isZero(committed.word)) {
      return invalid(at + "no ciphertext digest committed: the host chain's ciphertextDigest[handle] slot " + emptiness(committed));
    }
    if (!bytesEqual(committed.word, ct.digest)) {
      return invalid(at + "ciphertext digest mismatch: the host chain committed " + to0x(committed.word) + ", the request names " + to0x(ct.digest));
    }
  }
  return valid();
}
