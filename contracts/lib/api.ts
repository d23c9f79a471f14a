/**
 * @module contracts/lib/api
 * Host crypto, address and querier helpers on top of the raw imports.
 */
import { addr_validate, secp256k1_verify, query_chain } from "./env";
import { readRegionString, regionOf, regionOfString } from "./region";
import { fromBase64, fromUtf8, toBase64, utf8 } from "./encoding";
import { JValue, parseJson, quote } from "./json";
import { Outcome } from "./outcome";

/**
 * The most bytes cosmwasm-vm reads as an `addr_validate` input
 * (MAX_LENGTH_HUMAN_ADDRESS) or as a `query_chain` request
 * (MAX_LENGTH_QUERY_CHAIN_REQUEST). Longer inputs are a VM error, which aborts
 * the call: they are refused here with a message instead.
 */
export const MAX_ADDRESS_BYTES = 256;
export const MAX_QUERY_REQUEST_BYTES = 64 * 1024;

/** Null when the host accepts `addr` as a valid address, else the host's reason. */
export function validateAddress(addr: string): string | null {
  if (addr.length == 0) return "empty address";
  if (String.UTF8.byteLength(addr) > MAX_ADDRESS_BYTES) return "address longer than " + MAX_ADDRESS_BYTES.toString() + " bytes";
  const res = addr_validate(regionOfString(addr));
  if (res == 0) return null;
  return readRegionString(res);
}

/** Verifies a compact (r‖s, 64-byte) secp256k1 signature over a 32-byte hash.
 * Malformed input counts as invalid (the host returns an error code > 1). */
export function verifySecp256k1(hash: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): bool {
  return secp256k1_verify(regionOf(hash), regionOf(signature), regionOf(pubkey)) == 0;
}

/**
 * WasmQuery::Smart to another contract. The request is the JSON
 * `{"wasm":{"smart":{"contract_addr":…,"msg":<base64 JSON>}}}`; the host answers
 * with `SystemResult<ContractResult<Binary>>`, i.e. `{"ok":{"ok":"<base64>"}}`,
 * `{"ok":{"error":"…"}}` or `{"error":{…}}` (cosmwasm-std `results/`). cw-simulate
 * writes the contract error as `{"ok":{"err":"…"}}`; both are accepted.
 * Returns the decoded JSON text of the answer.
 */
export function querySmart(contract: string, msg: string): Outcome {
  // The request's size is known before it is built (base64 of the UTF-8 message, plus
  // the envelope): an oversized one is refused without encoding it.
  const msgBytes = String.UTF8.byteLength(msg);
  const bytes = 4 * ((msgBytes + 2) / 3) + String.UTF8.byteLength(contract) + 64;
  if (bytes > MAX_QUERY_REQUEST_BYTES) {
    return Outcome.err("query to " + contract + " is " + bytes.toString() + " bytes; the VM accepts at most " + MAX_QUERY_REQUEST_BYTES.toString());
  }
  const request =
    "{\"wasm\":{\"smart\":{\"contract_addr\":" + quote(contract) + ",\"msg\":" + quote(toBase64(utf8(msg))) + "}}}";
  const raw = readRegionString(query_chain(regionOfString(request)));
  const top = parseJson(raw);
  if (top === null || !top.isObj) return Outcome.err("querier returned malformed JSON");
  const sys = top.get("ok");
  if (sys === null) {
    const e = top.get("error");
    return Outcome.err("querier system error: " + (e !== null ? e.toString() : raw));
  }
  const data = sys.getStr("ok");
  if (data !== null) {
    const bytes = fromBase64(data);
    if (bytes === null) return Outcome.err("querier returned bad base64");
    return Outcome.ok(fromUtf8(bytes));
  }
  let e = sys.getStr("error");
  if (e === null) e = sys.getStr("err");
  return Outcome.err("query to " + contract + " failed: " + (e !== null ? e : sys.toString()));
}

/** Parses the JSON text of a successful Outcome. */
export function outcomeJson(o: Outcome): JValue | null {
  return parseJson(o.json);
}
