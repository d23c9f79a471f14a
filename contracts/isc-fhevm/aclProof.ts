/**
 * @module contracts/isc-fhevm/aclProof
 * Reading ACL storage from one `eth_getProof(acl_address, slots, block)` result
 * (EIP-1186): the account proof leads from the signed state root to the ACL
 * contract's account and its storage root; each `storageProof` entry leads from
 * that root to one slot's value. Every value is taken from the proofs, never from
 * the result's own `value`, `storageHash` or `balance` fields.
 */
import { JValue } from "../lib/json";
import { keccak256 } from "../lib/keccak";
import { bytesEqual, parse0x, parseAddress, parseWord, to0x } from "../lib/hex";
import { verifyProof } from "../lib/mpt";
import { decodeAccount, accountError } from "../lib/account";
import { rlpDecode, isCanonicalScalar } from "../lib/rlp";

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

/** Why the last `storageRootOf` / `readSlot` failed. */
export let proofError = "";

/**
 * The ACL account's storage root at `stateRoot`, proven by `aclProof.accountProof`;
 * null with `proofError` set when the proof is for another account, malformed or
 * does not lead from the root.
 */
export function storageRootOf(aclProof: JValue, acl: Uint8Array, stateRoot: Uint8Array): Uint8Array | null {
  const pa = aclProof.getStr("address");
  const proofAddr = pa !== null ? parseAddress(pa) : null;
  if (proofAddr === null) { proofError = "malformed request: acl_proof.address must be a 0x address"; return null; }
  if (!bytesEqual(proofAddr, acl)) {
    proofError = "bad account proof: proof is for " + to0x(proofAddr) + ", not the ACL contract " + to0x(acl);
    return null;
  }
  const nodes = nodeList(aclProof.get("accountProof"));
  if (nodes === null) { proofError = "malformed request: acl_proof.accountProof must be an array of 0x-hex nodes"; return null; }
  const acc = verifyProof(stateRoot, keccak256(acl), nodes);
  if (!acc.ok) { proofError = "bad account proof: " + acc.error; return null; }
  if (!acc.found) { proofError = "bad account proof: the ACL contract has no account at this state root"; return null; }
  const account = decodeAccount(acc.value);
  if (account === null) { proofError = "bad account proof: " + accountError; return null; }
  return account.storageRoot;
}

/** The slots a `storageProof` array proves: their keys as 32-byte words, and the entries. */
export class SlotProofs {
  keys: Uint8Array[] = [];
  entries: JValue[] = [];

  /** The entry proving `slot`, or null. */
  find(slot: Uint8Array): JValue | null {
    for (let i = 0; i < this.keys.length; i++) if (bytesEqual(this.keys[i], slot)) return this.entries[i];
    return null;
  }
}

/** Parses `aclProof.storageProof`; null with `proofError` set when malformed. */
export function slotProofs(aclProof: JValue): SlotProofs | null {
  const sp = aclProof.get("storageProof");
  if (sp === null || !sp.isArr) { proofError = "malformed request: acl_proof.storageProof must be an array"; return null; }
  const out = new SlotProofs();
  for (let i = 0; i < sp.items.length; i++) {
    const e = sp.items[i];
    const kt = e.isObj ? e.getStr("key") : null;
    const key = kt !== null ? parseWord(kt) : null;
    if (key === null) { proofError = "malformed request: storageProof[" + i.toString() + "].key must be a 0x word"; return null; }
    out.keys.push(key);
    out.entries.push(e);
  }
  return out;
}

/** A proven slot value: `found` false when the slot is absent from the trie (Solidity's zero). */
export class SlotValue {
  constructor(public found: bool, public word: Uint8Array) {}
}

/**
 * The value of `slot` proven by `entry.proof` against `storageRoot`, as a 32-byte
 * word; null with `proofError` set when the proof is bad.
 */
export function readSlot(entry: JValue, slot: Uint8Array, storageRoot: Uint8Array): SlotValue | null {
  const nodes = nodeList(entry.get("proof"));
  if (nodes === null) { proofError = "malformed request: storageProof proof must be an array of 0x-hex nodes"; return null; }
  const st = verifyProof(storageRoot, keccak256(slot), nodes);
  if (!st.ok) { proofError = "bad storage proof: " + st.error; return null; }
  if (!st.found) return new SlotValue(false, new Uint8Array(32));
  const val = rlpDecode(st.value);
  if (val === null || val.isList || !isCanonicalScalar(val.bytes, 32)) { proofError = "bad storage proof: slot value is not a canonical RLP word"; return null; }
  const word = new Uint8Array(32);
  word.set(val.bytes, 32 - val.bytes.length);
  return new SlotValue(true, word);
}
