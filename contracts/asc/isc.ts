/**
 * @module contracts/asc/isc
 * The ASC's side of the batch `validate` protocol (chain/isc-fhevm/messages.ts
 * `IscValidateMsg`; contracts/isc-fhevm/README.md): one smart query per request,
 * whatever the number of ciphertexts,
 *
 *   {"validate": {"purpose": "public_decrypt" | "user_decrypt",
 *                 "requester"?: "<addr>", "allowed_contracts"?: ["0x…"],
 *                 "ciphertexts": [{"handle": "0x…", "digest": "0x…"}],   // request order
 *                 "proof": { …the request's proof, verbatim… }}}
 *   → {"valid": true, "provenance": true | false} | {"valid": false, "reason": "…"}
 *
 * The ASC fills every member but `proof` itself, so a proof cannot pick its own
 * purpose, requester, contracts or ciphertexts. `provenance: true` means the ISC
 * vouched for the ciphertexts' origin (the fhEVM ISC checked the host chain's
 * handle → digest commitments); the caller records it (issue 10 "Provenance").
 *
 * One query carries at most 64 KiB (cosmwasm-vm's MAX_LENGTH_QUERY_CHAIN_REQUEST,
 * the message travelling base64-encoded): about three fhEVM proofs on a small
 * host chain, fewer on a large one. A request whose body is larger, and whose
 * proof has one entry per ciphertext (`proof.handles`, the fhEVM form), is asked
 * in consecutive parts, each with its ciphertexts, their proof entries and the
 * rest of the proof (header and signatures) unchanged: every part must be
 * valid, and the request has provenance only if every part has.
 */
import { MAX_QUERY_REQUEST_BYTES, querySmart } from "../lib/api";
import { JType, JValue, parseJson } from "../lib/json";
import { Application } from "./configClient";

/** What the application said about a request. */
export class AppCheck {
  constructor(
    /** Null when admitted, else why the request is refused. */
    public refusal: string | null,
    /** The ISC answered `provenance: true` (false without an ISC). */
    public iscProvenance: bool,
    /** The application's `isc_type` ("" when the application is unknown). */
    public appType: string,
  ) {}

  static refused(reason: string, appType: string = ""): AppCheck { return new AppCheck(reason, false, appType); }
  static admitted(appType: string, provenance: bool): AppCheck { return new AppCheck(null, provenance, appType); }
}

/**
 * The `validate` body. `ciphertexts` is the request's stored list
 * (`[{ciphertext_handle, ciphertext_digest, fhe_type}]`, hex without 0x);
 * `requester` and `allowedContracts` are left out when null.
 */
export function validateBody(purpose: string, requester: string | null, allowedContracts: string[] | null, ciphertexts: JValue, proof: JValue): JValue {
  const body = JValue.obj().setStr("purpose", purpose);
  if (requester !== null) body.setStr("requester", requester);
  if (allowedContracts !== null) {
    const ac = JValue.arr();
    for (let i = 0; i < allowedContracts.length; i++) ac.push(JValue.str(allowedContracts[i]));
    body.set("allowed_contracts", ac);
  }
  const cts = JValue.arr();
  for (let i = 0; i < ciphertexts.items.length; i++) {
    const c = ciphertexts.items[i];
    cts.push(JValue.obj().setStr("handle", "0x" + c.getStr("ciphertext_handle")!).setStr("digest", "0x" + c.getStr("ciphertext_digest")!));
  }
  body.set("ciphertexts", cts);
  body.set("proof", proof);
  return body;
}

/** Asks the application's ISC `{"validate": body}` once. */
export function askIsc(app: Application, body: JValue): AppCheck {
  const o = querySmart(app.isc, JValue.obj().set("validate", body).toString());
  const e = o.error;
  if (e !== null) return AppCheck.refused("ISC of application " + app.appId + " failed: " + e, app.iscType);
  const v = parseJson(o.json);
  if (v === null || !v.isObj) return AppCheck.refused("ISC of application " + app.appId + " returned malformed JSON", app.iscType);
  const valid = v.get("valid");
  if (valid !== null && valid.type == JType.Bool && valid.bool) {
    const p = v.get("provenance");
    return AppCheck.admitted(app.iscType, p !== null && p.type == JType.Bool && p.bool);
  }
  const reason = v.getStr("reason");
  return AppCheck.refused("application " + app.appId + " refused the request: " + (reason !== null ? reason : "not valid"), app.iscType);
}

/** The bytes the query of `body` takes on the wire (querySmart's estimate: base64 of the message, plus the envelope). */
function queryBytes(app: Application, body: JValue): i32 {
  const msgBytes = String.UTF8.byteLength(JValue.obj().set("validate", body).toString());
  return 4 * ((msgBytes + 2) / 3) + String.UTF8.byteLength(app.isc) + 64;
}

/** `body` for ciphertexts `from .. to` only, with the matching slice of `proof.handles`. */
function partOf(body: JValue, from: i32, to: i32): JValue {
  const part = JValue.obj();
  for (let i = 0; i < body.keys.length; i++) {
    const k = body.keys[i];
    const v = body.values[i];
    if (k == "ciphertexts") part.set(k, slice(v, from, to));
    else if (k == "proof") {
      const proof = JValue.obj();
      for (let j = 0; j < v.keys.length; j++) proof.set(v.keys[j], v.keys[j] == "handles" ? slice(v.values[j], from, to) : v.values[j]);
      part.set(k, proof);
    } else part.set(k, v);
  }
  return part;
}

function slice(list: JValue, from: i32, to: i32): JValue {
  const out = JValue.arr();
  for (let i = from; i < to; i++) out.push(list.items[i]);
  return out;
}

/**
 * Asks the ISC about the whole request (module doc): in one query when it
 * fits, else in parts of consecutive ciphertexts when the proof has one entry
 * per ciphertext; refused with the size when neither works.
 */
export function askIscInParts(app: Application, body: JValue): AppCheck {
  if (queryBytes(app, body) <= MAX_QUERY_REQUEST_BYTES) return askIsc(app, body);
  const cts = body.get("ciphertexts")!;
  const proof = body.get("proof");
  const perHandle = proof !== null && proof.isObj ? proof.get("handles") : null;
  const n = cts.items.length;
  if (perHandle === null || !perHandle.isArr || perHandle.items.length != n) {
    return AppCheck.refused(
      "application " + app.appId + ": the request's ISC query is " + queryBytes(app, body).toString() + " bytes, over the VM's " +
        MAX_QUERY_REQUEST_BYTES.toString() + ", and its proof has no per-ciphertext entries (proof.handles) to send in parts",
      app.iscType,
    );
  }
  let provenance = true;
  let from = 0;
  while (from < n) {
    // The longest run of ciphertexts from `from` whose part fits (at least one).
    let to = from + 1;
    while (to < n && queryBytes(app, partOf(body, from, to + 1)) <= MAX_QUERY_REQUEST_BYTES) to++;
    const part = partOf(body, from, to);
    if (queryBytes(app, part) > MAX_QUERY_REQUEST_BYTES) {
      return AppCheck.refused(
        "application " + app.appId + ": the proof of ciphertext " + from.toString() + " alone makes a " + queryBytes(app, part).toString() +
          "-byte ISC query, over the VM's " + MAX_QUERY_REQUEST_BYTES.toString(),
        app.iscType,
      );
    }
    const check = askIsc(app, part);
    // The ISC numbers ciphertexts within the part: say which part it was.
    if (check.refusal !== null) return AppCheck.refused("(ciphertexts " + from.toString() + ".." + (to - 1).toString() + " of the request, asked in parts) " + check.refusal!, app.iscType);
    provenance = provenance && check.iscProvenance;
    from = to;
  }
  return AppCheck.admitted(app.iscType, provenance);
}
