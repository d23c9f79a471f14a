/**
 * @module contracts/asc/state
 * Storage layout of the ASC. Requests and keys are stored as the exact JSON the
 * queries return (chain/asc/messages.ts `RequestInfo`, `KeyInfo`), plus a
 * sequence index so the list queries page in creation order:
 *   config             → Config contract address
 *   counter            → u64 decimal: number of requests created so far
 *   req:<id>           → RequestInfo JSON      reqseq:<n> → id   reqpos:<id> → n
 *   keycount           → number of keys
 *   key:<id>           → KeyInfo JSON          keyseq:<n> → id   keypos:<id> → n
 *   owed:<address>     → `{denom: amount}` fees a party earned and has not claimed
 * The list queries use these indexes rather than `db_scan`, whose ABI differs
 * between wasmd and cw-simulate (see contracts/lib/storage.ts).
 */
import { getString, setString } from "../lib/storage";
import { JValue, parseJson } from "../lib/json";

export function loadConfigAddress(): string {
  const s = getString("config");
  return s !== null ? s : "";
}

export function saveConfigAddress(addr: string): void {
  setString("config", addr);
}

/** Parses a stored decimal u64 (0 when absent). */
function loadU64(key: string): u64 {
  const s = getString(key);
  return s === null ? 0 : parseU64(s);
}

function parseU64(s: string): u64 {
  let n: u64 = 0;
  for (let i = 0; i < s.length; i++) n = n * 10 + <u64>(s.charCodeAt(i) - 48);
  return n;
}

/** Returns the current request counter and stores counter + 1. */
export function nextRequestCounter(): u64 {
  const n = loadU64("counter");
  setString("counter", (n + 1).toString());
  return n;
}

export function requestCount(): u64 {
  return loadU64("counter");
}

export function loadRequest(id: string): JValue | null {
  const s = getString("req:" + id);
  return s === null ? null : parseJson(s);
}

export function saveRequest(id: string, req: JValue): void {
  setString("req:" + id, req.toString());
}

export function indexRequest(id: string, seq: u64): void {
  setString("reqseq:" + seq.toString(), id);
  setString("reqpos:" + id, seq.toString());
}

export function requestAt(seq: u64): string | null {
  return getString("reqseq:" + seq.toString());
}

/** Sequence number of a request, or -1 when unknown. */
export function requestPosition(id: string): i64 {
  const s = getString("reqpos:" + id);
  return s === null ? -1 : <i64>parseU64(s);
}

export function loadKey(id: string): string | null {
  return getString("key:" + id);
}

export function keyCount(): u64 {
  return loadU64("keycount");
}

/** Records a new key; `preprocId` (the keygen_preproc it was made from) goes into it as `preproc_id`. */
export function saveKey(id: string, info: JValue, preprocId: string | null = null): void {
  if (preprocId !== null) info.setStr("preproc_id", preprocId);
  const n = keyCount();
  setString("key:" + id, info.toString());
  setString("keyseq:" + n.toString(), id);
  setString("keypos:" + id, n.toString());
  setString("keycount", (n + 1).toString());
}

export function keyAt(seq: u64): string | null {
  return getString("keyseq:" + seq.toString());
}

export function keyPosition(id: string): i64 {
  const s = getString("keypos:" + id);
  return s === null ? -1 : <i64>parseU64(s);
}

/** Replaces a stored key's JSON (state changes) without touching the index. */
export function updateKey(id: string, info: JValue): void {
  setString("key:" + id, info.toString());
}

/** Fees owed to `address`: `{denom: decimal amount}` (an empty object when none). */
export function loadOwed(address: string): JValue {
  const s = getString("owed:" + address);
  if (s === null) return JValue.obj();
  const v = parseJson(s);
  if (v === null || !v.isObj) return JValue.obj();
  return v;
}

export function saveOwed(address: string, owed: JValue): void {
  setString("owed:" + address, owed.toString());
}

/** Parses a stored decimal height (0 when malformed). */
export function parseHeight(s: string): i64 {
  return <i64>parseU64(s);
}
