/**
 * @module contracts/asc/queries
 * `request`, `requests`, `key`, `keys`, `config`, `claimable` (chain/asc/messages.ts). Lists
 * page in creation order: `start_after` is the last id of the previous page;
 * `limit` defaults to 30 and is capped at 100.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { getString } from "../lib/storage";
import { validateAddress } from "../lib/api";
import { keyAt, keyCount, keyPosition, loadConfigAddress, loadOwed, requestAt, requestCount, requestPosition } from "./state";

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 100;

export function queryRequest(args: JValue): Outcome {
  const id = args.getStr("request_id");
  if (id === null) return Outcome.err("request: request_id must be a string");
  const s = getString("req:" + id);
  if (s === null) return Outcome.err("unknown request id " + id);
  return Outcome.ok(s);
}

export function queryKey(args: JValue): Outcome {
  const id = args.getStr("key_id");
  if (id === null) return Outcome.err("key: key_id must be a string");
  const s = getString("key:" + id);
  if (s === null) return Outcome.err("unknown key id " + id);
  return Outcome.ok(s);
}

export function queryConfig(): Outcome {
  return Outcome.ok(JValue.obj().setStr("config", loadConfigAddress()).toString());
}

/** Reads `limit`: default 30, capped at 100, -1 when malformed. */
function pageLimit(args: JValue): i32 {
  const l = args.get("limit");
  if (l === null || l.isNull) return DEFAULT_LIMIT;
  const n = l.asIndex();
  if (n < 0) return -1;
  return n > MAX_LIMIT ? MAX_LIMIT : n;
}

/** One page of `requests` or `keys`. A flag rather than function parameters keeps the
 * module free of an indirect-call table. */
function page(args: JValue, keys: bool): Outcome {
  const what = keys ? "keys" : "requests";
  const prefix = keys ? "key:" : "req:";
  const total = keys ? keyCount() : requestCount();
  const limit = pageLimit(args);
  if (limit < 0) return Outcome.err(what + ": limit must be a non-negative integer");
  let start: u64 = 0;
  const after = args.get("start_after");
  if (after !== null && !after.isNull) {
    if (!after.isStr) return Outcome.err(what + ": start_after must be a string");
    const pos = keys ? keyPosition(after.text) : requestPosition(after.text);
    if (pos < 0) return Outcome.err(what + ": unknown start_after id " + after.text);
    start = <u64>pos + 1;
  }
  const parts = new Array<string>();
  for (let seq = start; seq < total && parts.length < limit; seq++) {
    const id = keys ? keyAt(seq) : requestAt(seq);
    if (id === null) continue;
    const s = getString(prefix + id);
    if (s !== null) parts.push(s);
  }
  return Outcome.ok("{\"" + what + "\":[" + parts.join(",") + "]}");
}

export function queryRequests(args: JValue): Outcome {
  return page(args, false);
}

export function queryKeys(args: JValue): Outcome {
  return page(args, true);
}

/** `claimable {address}` → `{"address":…,"amounts":[{denom, amount}]}` (unclaimed fees). */
export function queryClaimable(args: JValue): Outcome {
  const address = args.getStr("address");
  if (address === null) return Outcome.err("claimable: address must be a string");
  // Validated (cheaply refused when long) rather than echoed back: the answer repeats it.
  const bad = validateAddress(address);
  if (bad !== null) return Outcome.err("claimable: invalid address: " + bad);
  const owed = loadOwed(address);
  const amounts = JValue.arr();
  for (let i = 0; i < owed.keys.length; i++) {
    if (owed.values[i].text == "0") continue;
    amounts.push(JValue.obj().setStr("denom", owed.keys[i]).setStr("amount", owed.values[i].text));
  }
  return Outcome.ok(JValue.obj().setStr("address", address).set("amounts", amounts).toString());
}
