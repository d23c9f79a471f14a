/**
 * @module contracts/asc/response
 * A party's `FulfillResponse` (chain/asc/messages.ts): parsed, validated, put in
 * canonical form, and the digest it signs (common/signing.ts):
 *   SHA-256( lp("TKMS-RESPONSE-V1") ‖ lp(kind) ‖ lp(field_1) ‖ … ‖ lp(field_k) )
 *   decrypt: request_id, key_id, then per ciphertext in request order:
 *            ciphertext_digest, fhe_type, plaintext   (one signature for the batch;
 *            a one-ciphertext request signs exactly the fields it always did)
 *   keygen:  request_id, public_key_digest, public_key_uri, server_key_digest, server_key_uri
 *   failure: request_id, reason
 *   keygen_preproc: request_id
 *   user_decrypt, crs_gen: see answerKinds.ts
 * Decrypt fields other than the plaintexts come from the stored request, so a
 * party cannot sign a result for a different ciphertext or key. A decrypt answer
 * is `{plaintexts: [...], signature}`, one plaintext per requested ciphertext.
 */
import { JValue } from "../lib/json";
import { concat, isHex, lengthPrefixed } from "../lib/encoding";
import { sha256 } from "../lib/sha256";
import { CRS_GEN_FIELDS, KEYGEN_PREPROC_FIELDS, MAX_SIGNCRYPTION_HEX, STORED_USER_DECRYPT_FIELDS, USER_DECRYPT_FIELDS, contentError, digestFields, hexSha256, ignoredInComparison } from "./answerKinds";

export const RESPONSE_DOMAIN = "TKMS-RESPONSE-V1";
const MAX_FIELD_LEN = 4096;
/**
 * Longest plaintext: a euint256 in decimal has 78 digits. Every answer is stored
 * in the request, and a stored value over 128 KiB is a VM error on wasmd: 32
 * plaintexts of 4096 chars from one lying party would have made the request too
 * large for the honest parties' answers to be written.
 */
const MAX_PLAINTEXT_LEN = 128;
/** = contracts/asc/request.ts MAX_BATCH. */
const MAX_PLAINTEXTS = 32;

const KEYGEN_FIELDS: string[] = ["public_key_digest", "public_key_uri", "server_key_digest", "server_key_uri"];

/** Null when a decrypt answer carries one plaintext per requested ciphertext, else why not. */
export function plaintextCountRefusal(answer: PartyAnswer, request: JValue): string | null {
  if (answer.kind != "decrypt") return null;
  const d = request.get("decrypt");
  const cts = d !== null ? d.get("ciphertexts") : null;
  const want = cts !== null && cts.isArr ? cts.items.length : 0;
  if (answer.content.length != want) {
    return "response.decrypt.plaintexts has " + answer.content.length.toString() + " entries; the request names " + want.toString() + " ciphertexts";
  }
  return null;
}

export class PartyAnswer {
  /** "decrypt" | "keygen" | "keygen_preproc" | "user_decrypt" | "crs_gen" | "failure" */
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
    if (this.kind == "decrypt") {
      const pts = JValue.arr();
      for (let i = 0; i < this.content.length; i++) pts.push(JValue.str(this.content[i]));
      body.set("plaintexts", pts);
    } else if (this.kind == "keygen") {
      for (let i = 0; i < KEYGEN_FIELDS.length; i++) body.setStr(KEYGEN_FIELDS[i], this.content[i]);
    } else if (this.kind == "user_decrypt") {
      // Stored form: the blob lives apart (answerKinds.ts).
      body.setStr("signcryption_sha256", this.stored ? this.content[0] : hexSha256(this.content[0]));
      body.setStr("eip712_signature", this.content[1]);
    } else if (this.kind == "crs_gen") {
      for (let i = 0; i < CRS_GEN_FIELDS.length; i++) body.setStr(CRS_GEN_FIELDS[i], this.content[i]);
    } else if (this.kind == "failure") body.setStr("reason", this.content[0]);
    body.setStr("signature", this.signature);
    return JValue.obj().set(this.kind, body);
  }

  /** Digest fields after the kind; `request` is the stored RequestInfo. */
  digest(requestId: string, request: JValue): Uint8Array {
    const fields = new Array<string>();
    fields.push(requestId);
    if (this.kind == "decrypt") {
      const d = request.get("decrypt");
      const cts = d !== null ? d.get("ciphertexts") : null;
      if (d !== null && cts !== null) {
        fields.push(d.getStr("key_id")!);
        for (let i = 0; i < cts.items.length; i++) {
          fields.push(cts.items[i].getStr("ciphertext_digest")!);
          fields.push(cts.items[i].getStr("fhe_type")!);
          fields.push(i < this.content.length ? this.content[i] : "");
        }
      }
    } else if (this.kind == "user_decrypt" || this.kind == "crs_gen") {
      digestFields(this.kind, request, this.content, fields);
    } else {
      for (let i = 0; i < this.content.length; i++) fields.push(this.content[i]);
    }
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
    answerError = "response must be one of {decrypt}, {keygen}, {keygen_preproc}, {user_decrypt}, {crs_gen}, {failure}";
    return null;
  }
  const a = new PartyAnswer();
  a.kind = v.keys[0];
  const body = v.values[0];
  if (!body.isObj) { answerError = "response." + a.kind + " must be an object"; return null; }
  if (a.kind == "decrypt") {
    const pts = body.get("plaintexts");
    if (pts === null || !pts.isArr || pts.items.length == 0 || pts.items.length > MAX_PLAINTEXTS) {
      answerError = "response.decrypt.plaintexts must be an array of 1.." + MAX_PLAINTEXTS.toString() + " strings";
      return null;
    }
    for (let i = 0; i < pts.items.length; i++) {
      const s = pts.items[i];
      if (!s.isStr || s.text.length > MAX_PLAINTEXT_LEN) { answerError = "response.decrypt.plaintexts[" + i.toString() + "] must be a string of at most " + MAX_PLAINTEXT_LEN.toString() + " chars"; return null; }
      a.content.push(s.text);
    }
  }
  let names: string[];
  if (a.kind == "decrypt") names = []; // its plaintexts array was read above
  else if (a.kind == "keygen") names = KEYGEN_FIELDS;
  else if (a.kind == "failure") names = ["reason"];
  else if (a.kind == "user_decrypt") {
    a.stored = body.get("signcryption_sha256") !== null;
    names = a.stored ? STORED_USER_DECRYPT_FIELDS : USER_DECRYPT_FIELDS;
  }
  else if (a.kind == "crs_gen") names = CRS_GEN_FIELDS;
  else if (a.kind == "keygen_preproc") names = KEYGEN_PREPROC_FIELDS;
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
