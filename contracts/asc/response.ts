/**
 * @module contracts/asc/response
 * A party's `FulfillResponse` (chain/asc/messages.ts): parsed, validated, put in
 * canonical form, and the digest it signs (common/signing.ts):
 *   SHA-256( lp("TKMS-RESPONSE-V1") ‖ lp(kind) ‖ lp(field_1) ‖ … ‖ lp(field_k) )
 *   decrypt: request_id, key_id, ciphertext_digest, fhe_type, plaintext
 *   keygen:  request_id, public_key_digest, public_key_uri, server_key_digest, server_key_uri
 *   failure: request_id, reason
 *   user_decrypt, crs_gen: see answerKinds.ts
 * Decrypt fields other than the plaintext come from the stored request, so a
 * party cannot sign a result for a different ciphertext or key.
 */
import { JValue } from "../lib/json";
import { concat, isHex, lengthPrefixed } from "../lib/encoding";
import { sha256 } from "../lib/sha256";
import { CRS_GEN_FIELDS, MAX_SIGNCRYPTION_HEX, STORED_USER_DECRYPT_FIELDS, USER_DECRYPT_FIELDS, contentError, digestFields, hexSha256, ignoredInComparison } from "./answerKinds";

export const RESPONSE_DOMAIN = "TKMS-RESPONSE-V1";
const MAX_FIELD_LEN = 4096;

const KEYGEN_FIELDS: string[] = ["public_key_digest", "public_key_uri", "server_key_digest", "server_key_uri"];

export class PartyAnswer {
  /** "decrypt" | "keygen" | "user_decrypt" | "crs_gen" | "failure" */
  kind: string = "";
  /** Content fields, signature excluded, in digest order. */
  content: string[] = [];
  signature: string = "";
  /** A user_decrypt answer read back from storage: content[0] is the signcryption's SHA-256, not the blob. */
  stored: bool = false;

  /**
   * True when both carry the same kind and content (signatures may differ).
   * Keygen answers agree on the digests: each party publishes the material
   * under its own URI, and the digest is what binds it.
   */
  sameAs(other: PartyAnswer): bool {
    if (this.kind != other.kind || this.content.length != other.content.length) return false;
    for (let i = 0; i < this.content.length; i++) {
      if (ignoredInComparison(this.kind, i)) continue;
      if (this.content[i] != other.content[i]) return false;
    }
    return true;
  }

  /** The FulfillResponse JSON, keys in protocol order. */
  toJson(): JValue {
    const body = JValue.obj();
    if (this.kind == "decrypt") body.setStr("plaintext", this.content[0]);
    else if (this.kind == "keygen") {
      for (let i = 0; i < KEYGEN_FIELDS.length; i++) body.setStr(KEYGEN_FIELDS[i], this.content[i]);
    } else if (this.kind == "user_decrypt") {
      // Stored form: the blob lives apart (answerKinds.ts).
      body.setStr("signcryption_sha256", this.stored ? this.content[0] : hexSha256(this.content[0]));
      body.setStr("eip712_signature", this.content[1]);
    } else if (this.kind == "crs_gen") {
      for (let i = 0; i < CRS_GEN_FIELDS.length; i++) body.setStr(CRS_GEN_FIELDS[i], this.content[i]);
    } else body.setStr("reason", this.content[0]);
    body.setStr("signature", this.signature);
    return JValue.obj().set(this.kind, body);
  }

  /** Digest fields after the kind; `request` is the stored RequestInfo. */
  digest(requestId: string, request: JValue): Uint8Array {
    const fields = new Array<string>();
    fields.push(requestId);
    if (this.kind == "decrypt") {
      const d = request.get("decrypt");
      if (d !== null) {
        fields.push(d.getStr("key_id")!);
        fields.push(d.getStr("ciphertext_digest")!);
        fields.push(d.getStr("fhe_type")!);
      }
    }
    if (this.kind == "user_decrypt" || this.kind == "crs_gen") digestFields(this.kind, request, this.content, fields);
    else for (let i = 0; i < this.content.length; i++) fields.push(this.content[i]);
    const parts = new Array<Uint8Array>();
    parts.push(lengthPrefixed(RESPONSE_DOMAIN));
    parts.push(lengthPrefixed(this.kind));
    for (let i = 0; i < fields.length; i++) parts.push(lengthPrefixed(fields[i]));
    return sha256(concat(parts));
  }
}

/** Parses a FulfillResponse; null with `answerError` when malformed. */
export function parseAnswer(v: JValue | null): PartyAnswer | null {
  answerError = "";
  if (v === null || !v.isObj || v.keys.length != 1) {
    answerError = "response must be one of {decrypt}, {keygen}, {user_decrypt}, {crs_gen}, {failure}";
    return null;
  }
  const a = new PartyAnswer();
  a.kind = v.keys[0];
  const body = v.values[0];
  if (!body.isObj) { answerError = "response." + a.kind + " must be an object"; return null; }
  let names: string[];
  if (a.kind == "decrypt") names = ["plaintext"];
  else if (a.kind == "keygen") names = KEYGEN_FIELDS;
  else if (a.kind == "failure") names = ["reason"];
  else if (a.kind == "user_decrypt") {
    a.stored = body.get("signcryption_sha256") !== null;
    names = a.stored ? STORED_USER_DECRYPT_FIELDS : USER_DECRYPT_FIELDS;
  }
  else if (a.kind == "crs_gen") names = CRS_GEN_FIELDS;
  else { answerError = "unknown response kind " + a.kind; return null; }
  for (let i = 0; i < names.length; i++) {
    const s = body.getStr(names[i]);
    if (s === null) { answerError = "response." + a.kind + "." + names[i] + " must be a string"; return null; }
    if (s.length > (a.kind == "user_decrypt" && i == 0 ? MAX_SIGNCRYPTION_HEX : MAX_FIELD_LEN)) { answerError = "response." + a.kind + "." + names[i] + " is too long"; return null; }
    a.content.push(s);
  }
  const bad = contentError(a.kind, a.content, a.stored);
  if (bad !== null) { answerError = bad; return null; }
  const sig = body.getStr("signature");
  if (sig === null || !isHex(sig, 128, false)) {
    answerError = "response." + a.kind + ".signature must be 128 hex chars (compact r||s)";
    return null;
  }
  a.signature = sig.toLowerCase();
  return a;
}
export let answerError = "";
