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
 */
import { querySmart } from "../lib/api";
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
