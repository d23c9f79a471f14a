/**
 * @module contracts/lib/mpt
 * Verification of Ethereum Merkle-Patricia trie proofs (Yellow Paper, Appendix D;
 * EIP-1186 `eth_getProof`). A proof is the list of RLP-encoded nodes on the path
 * from the root to the key, root first. Nodes whose encoding is shorter than 32
 * bytes are embedded in their parent instead of referenced by hash; go-ethereum's
 * `eth_getProof` leaves them out of the list, ethereumjs repeats them, and both
 * forms verify.
 *
 * The walk (go-ethereum `trie/proof.go` VerifyProof, made strict):
 * - the first node must hash to the root; every later hash reference must be the
 *   next node in the list;
 * - branch (17 items): follow the child for the next key nibble; an empty child
 *   proves the key absent;
 * - extension / leaf (2 items, hex-prefix path, Appendix C): a leaf with the
 *   remaining key yields its value, a leaf with another path proves absence; an
 *   extension whose path the key does not continue proves absence;
 * - a proof that ends with nodes left over, or needs a node it lacks, is invalid.
 *
 * @example
 *   const r = verifyProof(stateRoot, keccak256(address), accountProof);
 *   if (!r.ok) fail(r.error); else if (!r.found) absent(); else use(r.value);
 */
import { keccak256 } from "./keccak";
import { RlpItem, rlpDecode, rlpError } from "./rlp";
import { bytesEqual } from "./hex";

export class ProofResult {
  constructor(
    /** False when the proof is malformed or does not match the root. */
    public ok: bool,
    /** True when the key is in the trie (then `value` is its RLP-encoded value). */
    public found: bool,
    public value: Uint8Array,
    public error: string,
  ) {}

  static fail(error: string): ProofResult { return new ProofResult(false, false, new Uint8Array(0), error); }
  static absent(): ProofResult { return new ProofResult(true, false, new Uint8Array(0), ""); }
  static present(v: Uint8Array): ProofResult { return new ProofResult(true, true, v, ""); }
}

/** The key as nibbles, high nibble first. */
function nibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 15;
  }
  return out;
}

/** Decoded hex-prefix path (Appendix C): flag nibble 0/1 extension, 2/3 leaf; odd flag = odd length. */
class HexPrefix {
  constructor(public ok: bool, public leaf: bool, public path: Uint8Array) {}
}

function decodeHexPrefix(enc: Uint8Array): HexPrefix {
  if (enc.length == 0) return new HexPrefix(false, false, new Uint8Array(0));
  const flag = enc[0] >> 4;
  if (flag > 3) return new HexPrefix(false, false, new Uint8Array(0));
  const odd = (flag & 1) != 0;
  // With an even path the low nibble of the first byte is padding and must be zero.
  if (!odd && (enc[0] & 15) != 0) return new HexPrefix(false, false, new Uint8Array(0));
  const all = nibbles(enc);
  return new HexPrefix(true, (flag & 2) != 0, all.slice(odd ? 1 : 2));
}

/** The next node to visit: by hash (`hash` set) or embedded (`node` set). */
class Ref {
  hash: Uint8Array | null = null;
  node: RlpItem | null = null;
  empty: bool = false;
  error: string = "";
}

/** Interprets a child reference: a 32-byte hash, an embedded node (< 32 bytes) or empty. */
function childRef(item: RlpItem): Ref {
  const r = new Ref();
  if (item.isList) {
    if (item.raw.length >= 32) r.error = "embedded node of 32 bytes or more";
    else r.node = item;
  } else if (item.bytes.length == 0) {
    r.empty = true;
  } else if (item.bytes.length == 32) {
    r.hash = item.bytes;
  } else {
    r.error = "child reference is neither a hash nor a node";
  }
  return r;
}

/**
 * Verifies `proof` (RLP nodes, root first) for `key` against the 32-byte `root`.
 * The key is used as is: pass keccak256(address) for the state trie and
 * keccak256(slot) for a storage trie (both are "secure" tries).
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, proof: Uint8Array[]): ProofResult {
  if (root.length != 32) return ProofResult.fail("root must be 32 bytes");
  const path = nibbles(key);
  let pos = 0; // nibbles of the key consumed
  let next = 0; // proof nodes consumed
  let ref = new Ref();
  ref.hash = root;

  for (;;) {
    let node: RlpItem;
    const h = ref.hash;
    if (h !== null) {
      if (next >= proof.length) return ProofResult.fail("proof ends before the key is resolved (node " + next.toString() + " missing)");
      const enc = proof[next];
      if (!bytesEqual(keccak256(enc), h)) return ProofResult.fail("proof node " + next.toString() + " does not match its hash");
      const dec = rlpDecode(enc);
      if (dec === null) return ProofResult.fail("proof node " + next.toString() + ": " + rlpError);
      node = dec;
      next++;
    } else {
      node = ref.node!;
      // go-ethereum leaves embedded nodes out of the list, ethereumjs repeats
      // them; accept a verbatim copy (it adds nothing the parent did not commit to).
      if (next < proof.length && bytesEqual(proof[next], node.raw)) next++;
    }
    if (!node.isList) return ProofResult.fail("trie node is not a list");

    let result: ProofResult | null = null;
    if (node.items.length == 17) {
      // Branch: 16 children by nibble, then the value of a key ending here.
      if (pos == path.length) {
        const v = node.items[16];
        if (v.isList) return ProofResult.fail("branch value is a list");
        result = v.bytes.length == 0 ? ProofResult.absent() : ProofResult.present(v.bytes);
      } else {
        const c = node.items[<i32>path[pos]];
        pos++;
        const r = childRef(c);
        if (r.error.length > 0) return ProofResult.fail(r.error);
        if (r.empty) result = ProofResult.absent();
        else ref = r;
      }
    } else if (node.items.length == 2) {
      const first = node.items[0];
      if (first.isList) return ProofResult.fail("trie node path is a list");
      const hp = decodeHexPrefix(first.bytes);
      if (!hp.ok) return ProofResult.fail("bad hex-prefix path");
      const p = hp.path;
      if (hp.leaf) {
        // Leaf: the key is present iff the remaining nibbles equal the leaf path.
        const v = node.items[1];
        if (v.isList || v.bytes.length == 0) return ProofResult.fail("leaf value must be a non-empty byte string");
        const rest = path.slice(pos);
        result = bytesEqual(rest, p) ? ProofResult.present(v.bytes) : ProofResult.absent();
      } else {
        if (p.length == 0) return ProofResult.fail("extension with an empty path");
        let follows = pos + p.length <= path.length;
        for (let i = 0; follows && i < p.length; i++) if (path[pos + i] != p[i]) follows = false;
        if (!follows) {
          result = ProofResult.absent();
        } else {
          pos += p.length;
          const r = childRef(node.items[1]);
          if (r.error.length > 0) return ProofResult.fail(r.error);
          if (r.empty) return ProofResult.fail("extension without a child");
          ref = r;
        }
      }
    } else {
      return ProofResult.fail("trie node has " + node.items.length.toString() + " items (want 2 or 17)");
    }

    if (result !== null) {
      if (next != proof.length) return ProofResult.fail("proof has " + (proof.length - next).toString() + " unused node(s)");
      return result;
    }
  }
  return ProofResult.fail("unreachable");
}
