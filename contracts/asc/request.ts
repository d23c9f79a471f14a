/**
 * @module contracts/asc/request
 * `keygen {}` and `decrypt {…}`: create a pending request, store it, and emit
 * `tkms_request` (on chain `wasm-tkms_request`). The request id is returned both
 * as the Response `data` (base64 of the UTF-8 id) and as an event attribute.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { isHex } from "../lib/encoding";
import { requestId } from "./requestId";
import { indexRequest, loadKey, nextRequestCounter, saveRequest } from "./state";

export const FHE_TYPES: string[] = [
  "ebool", "euint4", "euint8", "euint16", "euint32", "euint64", "euint128", "euint160", "euint256",
];

function newRequest(env: Env, info: Info, kind: string, decrypt: JValue | null): Response {
  const seq = nextRequestCounter();
  const id = requestId(env.chainId, env.contract, seq, info.sender);
  const req = JValue.obj()
    .setStr("request_id", id)
    .setStr("kind", kind)
    .setStr("sender", info.sender)
    .setStr("height", env.height)
    .setStr("status", "pending");
  if (decrypt !== null) req.set("decrypt", decrypt);
  req.set("responses", JValue.arr());
  saveRequest(id, req);
  indexRequest(id, seq);

  const ev = new Event("tkms_request").add("request_id", id).add("kind", kind).add("sender", info.sender);
  if (decrypt !== null) {
    for (let i = 0; i < decrypt.keys.length; i++) ev.add(decrypt.keys[i], decrypt.values[i].text);
  }
  return new Response().addAttribute("action", kind).addAttribute("request_id", id).addEvent(ev).setDataString(id);
}

export function keygen(env: Env, info: Info): Outcome {
  return Outcome.ok(newRequest(env, info, "keygen", null).toJson());
}

export function decrypt(env: Env, info: Info, params: JValue): Outcome {
  const keyId = params.getStr("key_id");
  const handle = params.getStr("ciphertext_handle");
  const digest = params.getStr("ciphertext_digest");
  const fheType = params.getStr("fhe_type");
  if (keyId === null) return Outcome.err("decrypt: key_id must be a string");
  if (fheType === null || !FHE_TYPES.includes(fheType)) {
    return Outcome.err("unknown fhe_type " + (fheType !== null ? fheType : "(missing)") + "; expected one of " + FHE_TYPES.join(", "));
  }
  if (handle === null || !isHex(handle, 64, true)) {
    return Outcome.err("ciphertext_handle must be 64 lower-case hex chars (32 bytes)");
  }
  if (digest === null || !isHex(digest, 64, true)) {
    return Outcome.err("ciphertext_digest must be 64 lower-case hex chars (32 bytes)");
  }
  if (loadKey(keyId) === null) return Outcome.err("unknown key id " + keyId);
  const d = JValue.obj()
    .setStr("key_id", keyId)
    .setStr("ciphertext_handle", handle)
    .setStr("ciphertext_digest", digest)
    .setStr("fhe_type", fheType);
  return Outcome.ok(newRequest(env, info, "decrypt", d).toJson());
}
