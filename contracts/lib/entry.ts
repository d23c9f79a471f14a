/**
 * @module contracts/lib/entry
 * Entry-point plumbing. The VM calls `instantiate(env, info, msg)`,
 * `execute(env, info, msg)` and `query(env, msg)` with Region pointers to JSON and
 * expects a Region pointer to a `ContractResult`: for instantiate/execute
 * `{"ok":<Response>}`, for query `{"ok":"<base64 of the answer JSON>"}`, and
 * `{"error":"…"}` on failure.
 */
import { readRegionString, regionLength, regionOffset, regionOfString } from "./region";
import { asciiString, utf8Kind, UTF8_ASCII, UTF8_INVALID } from "./utf8";
import { JValue, parseJson, parseError, quote } from "./json";
import { toBase64, utf8 } from "./encoding";
import { Outcome } from "./outcome";

/** The parts of cosmwasm-std `Env` the contracts use. */
export class Env {
  constructor(
    public height: string,
    public chainId: string,
    public contract: string,
    /** `block.time` in nanoseconds since the Unix epoch, decimal text ("0" when absent). */
    public timeNanos: string = "0",
    /** The block time in whole seconds since the Unix epoch (decimal; "0" when absent). */
    public time: string = "0",
  ) {}
}

/** One native coin: `amount` is the decimal Uint128 text. */
export class Coin {
  constructor(public denom: string, public amount: string) {}
}

/** `MessageInfo`: who called and the funds sent with the message. */
export class Info {
  funds: Coin[] = [];
  constructor(public sender: string) {}
}

export function parseEnv(ptr: u32): Env {
  const v = parseJson(readRegionString(ptr));
  let height = "0", chainId = "", contract = "", timeNanos = "0", time = "0";
  if (v !== null) {
    const block = v.get("block");
    if (block !== null) {
      const h = block.get("height");
      if (h !== null) height = h.text;
      const c = block.getStr("chain_id");
      if (c !== null) chainId = c;
      // Timestamp: nanoseconds as a decimal string (Uint64); also kept in whole seconds.
      const t = block.get("time");
      if (t !== null) {
        timeNanos = t.text;
        if (t.text.length > 9) time = t.text.substring(0, t.text.length - 9);
      }
    }
    const ct = v.get("contract");
    if (ct !== null) {
      const a = ct.getStr("address");
      if (a !== null) contract = a;
    }
  }
  return new Env(height, chainId, contract, timeNanos, time);
}

export function parseInfo(ptr: u32): Info {
  const v = parseJson(readRegionString(ptr));
  let sender = "";
  const funds = new Array<Coin>();
  if (v !== null) {
    const s = v.getStr("sender");
    if (s !== null) sender = s;
    const f = v.get("funds");
    if (f !== null && f.isArr) {
      for (let i = 0; i < f.items.length; i++) {
        const d = f.items[i].getStr("denom");
        const a = f.items[i].getStr("amount");
        if (d !== null && a !== null) funds.push(new Coin(d, a));
      }
    }
  }
  const info = new Info(sender);
  info.funds = funds;
  return info;
}

/**
 * Largest message accepted: 128 KiB. The largest legitimate messages are far
 * smaller: a decrypt's proof must fit the VM's 64 KiB `query_chain` limit to
 * reach its ISC, a user-decrypt answer carries at most 16 KiB of signcryption, a
 * party set of a hundred parties is about 40 KB. Parsing is linear, about
 * 50–120 gas per byte on the embedded chain's meter (more for escapes), so the
 * cap bounds what refusing any message costs (contracts/lib/maliciousJson.test.ts
 * measures it).
 */
export const MAX_MESSAGE_BYTES: u32 = 128 * 1024;
/** Longest error text returned: a refusal never echoes a huge user string back. */
export const MAX_ERROR_CHARS = 1024;

/**
 * Parses the message Region; null (with `lastMessageError`) when it is larger
 * than MAX_MESSAGE_BYTES, not UTF-8, not JSON, or not a JSON object.
 */
export function parseMsg(ptr: u32): JValue | null {
  const len = regionLength(ptr);
  if (len > MAX_MESSAGE_BYTES) {
    lastMessageError = "message too large: " + len.toString() + " bytes (at most " + MAX_MESSAGE_BYTES.toString() + ")";
    return null;
  }
  const at = <usize>regionOffset(ptr);
  const kind = utf8Kind(at, <usize>len);
  if (kind == UTF8_INVALID) { lastMessageError = "invalid JSON message: not valid UTF-8"; return null; }
  const v = parseJson(kind == UTF8_ASCII ? asciiString(at, <usize>len) : readRegionString(ptr));
  if (v === null) { lastMessageError = "invalid JSON message: " + parseError; return null; }
  if (!v.isObj) { lastMessageError = "message must be a JSON object"; return null; }
  return v;
}
export let lastMessageError = "";

/** The single variant of an externally tagged enum message, e.g. `{"keygen":{}}` → "keygen". */
export function variantOf(msg: JValue): string | null {
  if (msg.keys.length != 1) return null;
  return msg.keys[0];
}

function errorResult(message: string): u32 {
  const m = message.length > MAX_ERROR_CHARS ? message.substring(0, MAX_ERROR_CHARS) + "… (truncated)" : message;
  return regionOfString("{\"error\":" + quote(m) + "}");
}

/** Result Region for instantiate/execute: the Outcome's JSON is a Response. */
export function responseResult(o: Outcome): u32 {
  const e = o.error;
  if (e !== null) return errorResult(e);
  return regionOfString("{\"ok\":" + o.json + "}");
}

/** Result Region for query: the answer JSON goes out as base64 `Binary`. */
export function queryResult(o: Outcome): u32 {
  const e = o.error;
  if (e !== null) return errorResult(e);
  return regionOfString("{\"ok\":" + quote(toBase64(utf8(o.json))) + "}");
}

export function messageError(): u32 {
  return errorResult(lastMessageError);
}
