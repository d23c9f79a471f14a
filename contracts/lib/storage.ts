/**
 * @module contracts/lib/storage
 * Key-value storage through `db_read`/`db_write`/`db_remove` (keys and values
 * are raw bytes; we use UTF-8 strings for both).
 */
import { db_read, db_write, db_remove, db_scan, db_next } from "./env";
import { readRegion, readRegionString, regionOf, regionOfString } from "./region";
import { utf8 } from "./encoding";

/** cosmwasm-vm's MAX_LENGTH_DB_KEY: a longer key is a VM error (the call aborts). No stored key is longer. */
export const MAX_KEY_BYTES = 64 * 1024;

function keyTooLong(key: string): bool {
  return key.length > MAX_KEY_BYTES / 3 && String.UTF8.byteLength(key) > MAX_KEY_BYTES;
}

/** The value under `key`, or null (also for a key longer than any stored one: user ids reach here). */
export function getString(key: string): string | null {
  if (keyTooLong(key)) return null;
  const ptr = db_read(regionOfString(key));
  if (ptr == 0) return null;
  return readRegionString(ptr);
}

export function has(key: string): bool {
  if (keyTooLong(key)) return false;
  return db_read(regionOfString(key)) != 0;
}

export function setString(key: string, value: string): void {
  db_write(regionOfString(key), regionOfString(value));
}

export function remove(key: string): void {
  db_remove(regionOfString(key));
}

export class KV {
  constructor(public key: Uint8Array, public value: Uint8Array) {}
}

/**
 * Ascending range [start, end) over raw keys with the real CosmWasm iterator ABI
 * (`db_scan` returns an iterator id; `db_next` a Region with
 * `key ‖ u32be(keylen) ‖ value ‖ u32be(valuelen)`, empty key = end).
 * NOTE: cosmwasm-vm-js (cw-simulate) implements a different, Region-based
 * iterator ABI, so the contracts page through their own sequence indexes instead
 * and this helper is kept for wasmd-only use.
 */
export function scan(start: string, end: string, limit: i32): KV[] {
  const out = new Array<KV>();
  const it = db_scan(regionOf(utf8(start)), regionOf(utf8(end)), 1);
  while (out.length < limit) {
    const rec = readRegion(db_next(it));
    if (rec.length < 8) break;
    const vlen = readU32BE(rec, rec.length - 4);
    const kEnd = rec.length - 8 - <i32>vlen;
    const klen = readU32BE(rec, kEnd);
    if (klen == 0) break;
    out.push(new KV(rec.slice(0, <i32>klen), rec.slice(kEnd + 4, kEnd + 4 + <i32>vlen)));
  }
  return out;
}

function readU32BE(b: Uint8Array, at: i32): u32 {
  return (<u32>b[at] << 24) | (<u32>b[at + 1] << 16) | (<u32>b[at + 2] << 8) | <u32>b[at + 3];
}
