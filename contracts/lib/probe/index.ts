/**
 * @module contracts/lib/probe
 * Test-only wasm (not a contract, not in build.sh): exposes keccak, RLP, MPT and
 * account decoding to contracts/lib/evmlib.test.ts, which compiles it with asc and
 * compares the results with @noble/hashes and @ethereumjs vectors.
 * Buffers: `alloc(n)` returns a pointer the caller fills; results are returned as a
 * pointer to `u32 length ‖ bytes`.
 */
import "../abort";
import { keccak256, sha3_256 } from "../keccak";
import { rlpDecode, rlpError } from "../rlp";
import { verifyProof } from "../mpt";
import { decodeAccount, accountError } from "../account";
import { utf8 } from "../encoding";

const keep = new Array<Uint8Array>();

export function alloc(len: i32): usize {
  const b = new Uint8Array(len);
  keep.push(b);
  return b.dataStart;
}

function view(ptr: usize, len: i32): Uint8Array {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return b;
}

function out(status: u8, body: Uint8Array): usize {
  const b = new Uint8Array(5 + body.length);
  store<u32>(b.dataStart, <u32>(1 + body.length));
  b[4] = status;
  b.set(body, 5);
  keep.push(b);
  return b.dataStart;
}

export function keccak(ptr: usize, len: i32): usize {
  return out(1, keccak256(view(ptr, len)));
}

export function sha3(ptr: usize, len: i32): usize {
  return out(1, sha3_256(view(ptr, len)));
}

/** Status 1 and the re-encoded top-level raw bytes, or 0 and the error. */
export function rlp(ptr: usize, len: i32): usize {
  const it = rlpDecode(view(ptr, len));
  if (it === null) return out(0, utf8(rlpError));
  return out(1, it.raw);
}

function u32be(b: Uint8Array, at: i32): i32 {
  return (<i32>b[at] << 24) | (<i32>b[at + 1] << 16) | (<i32>b[at + 2] << 8) | <i32>b[at + 3];
}

/** Input: root[32] ‖ u32 keyLen ‖ key ‖ (u32 len ‖ node)*. Status 0 error, 1 absent, 2 present ‖ value. */
export function mpt(ptr: usize, len: i32): usize {
  const b = view(ptr, len);
  const root = b.slice(0, 32);
  const kl = u32be(b, 32);
  const key = b.slice(36, 36 + kl);
  const nodes = new Array<Uint8Array>();
  let at = 36 + kl;
  while (at < b.length) {
    const n = u32be(b, at);
    nodes.push(b.slice(at + 4, at + 4 + n));
    at += 4 + n;
  }
  const r = verifyProof(root, key, nodes);
  if (!r.ok) return out(0, utf8(r.error));
  return r.found ? out(2, r.value) : out(1, new Uint8Array(0));
}

/** Status 1 ‖ storageRoot ‖ codeHash, or 0 and the error. */
export function account(ptr: usize, len: i32): usize {
  const a = decodeAccount(view(ptr, len));
  if (a === null) return out(0, utf8(accountError));
  const body = new Uint8Array(64);
  body.set(a.storageRoot, 0);
  body.set(a.codeHash, 32);
  return out(1, body);
}
