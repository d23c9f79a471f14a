/**
 * @module contracts/asc/answerKinds
 * The `user_decrypt`, `crs_gen` and `keygen_preproc` answers (chain/asc/messages.ts): field
 * checks and the request fields their digest covers (common/signing.ts):
 *   user_decrypt: request_id, key_id, k, (ciphertext_digest_i, fhe_type_i)_{i=1..k},
 *                 hex SHA-256(enc_key bytes), hex SHA-256(signcryption bytes), eip712_signature
 *   crs_gen:      request_id, max_num_bits, crs_digest, crs_uri
 *   keygen_preproc: request_id (the answer is only `{signature}`: a party vouches
 *                 that it holds the preprocessing material for that id)
 * A user_decrypt answer is one signcryption per party covering every ciphertext
 * of the request; answers of different parties always differ (different shares,
 * fresh KEM randomness), so they are counted, never compared.
 *
 * Storage: a signcryption is kept apart from the request, under
 * `udans:<request_id>:<party_id>`, and the stored response carries its SHA-256
 * (`signcryption_sha256`) instead: each fulfillment rewrites the whole request,
 * and storage writes are charged per byte, so keeping 2t+1 blobs of up to 8 KiB
 * inside it made the third answer run out of gas. Query
 * `user_decrypt_answers {request_id}` returns the blobs.
 */
import { JType, JValue } from "../lib/json";
import { fromHex, isHex, toHex } from "../lib/encoding";
import { sha256 } from "../lib/sha256";
import { Outcome } from "../lib/outcome";
import { getString, setString } from "../lib/storage";
import { loadRequest } from "./state";

/** Largest signcryption on chain: 8 KiB (16384 hex chars). Measured: 32 euint64 as threshold shares at n = 4 (GR(2^64, 3), also n ≤ 7) seal to 7.3 KB; centralized plaintexts to 2.9 KB. */
export const MAX_SIGNCRYPTION_HEX = 16384;
export const USER_DECRYPT_FIELDS: string[] = ["signcryption", "eip712_signature"];
/** A user_decrypt answer as stored in the request (the blob is stored apart). */
export const STORED_USER_DECRYPT_FIELDS: string[] = ["signcryption_sha256", "eip712_signature"];
export const CRS_GEN_FIELDS: string[] = ["crs_digest", "crs_uri"];
/** A keygen_preproc answer carries only its signature. */
export const KEYGEN_PREPROC_FIELDS: string[] = [];

/**
 * Request kinds whose result needs 2t+1 identical answers: keys, CRSs and key
 * preprocessings (the key built on it must be backed by a majority of honest
 * parties), and user decryptions (2t+1 answers, counted).
 */
export function needsTwoThirds(kind: string): bool {
  return kind == "keygen" || kind == "crs_gen" || kind == "user_decrypt" || kind == "keygen_preproc";
}

/** The parameter set a keygen (or, with `kind`, keygen_preproc) request named, "default" when it named none. */
export function fheParametersOf(req: JValue, kind: string = "keygen"): string {
  const k = req.get(kind);
  const p = k !== null ? k.getStr("fhe_parameters") : null;
  return p !== null ? p : "default";
}

/** Whether a keygen request was made on a network that lets cores deal keys (INSECURE; KeyInfo.insecure_dealer_keys). */
export function insecureDealerKeysOf(req: JValue): bool {
  const k = req.get("keygen");
  const v = k !== null ? k.get("insecure_dealer_keys") : null;
  return v !== null && v.type == JType.Bool && v.bool;
}

/** The preprocessing a keygen request named (KeyInfo.preproc_id), or null. */
export function preprocIdOf(req: JValue): string | null {
  const k = req.get("keygen");
  return k !== null ? k.getStr("preproc_id") : null;
}

/** Null when the content of a user_decrypt / crs_gen answer is well-formed, else why not. */
export function contentError(kind: string, content: string[], stored: bool): string | null {
  if (kind == "user_decrypt" && stored) {
    if (!isHex(content[0], 64, true)) return "response.user_decrypt.signcryption_sha256 must be 64 lower-case hex chars";
  } else if (kind == "user_decrypt") {
    const s = content[0];
    if (s.length == 0 || s.length > MAX_SIGNCRYPTION_HEX || s.length % 2 != 0 || !isHex(s, s.length, true)) {
      return "response.user_decrypt.signcryption must be lower-case hex of at most " + (MAX_SIGNCRYPTION_HEX / 2).toString() + " bytes";
    }
    const e = content[1];
    if (!e.startsWith("0x") || !isHex(e.substring(2), 130, true)) return "response.user_decrypt.eip712_signature must be 0x + 130 lower-case hex chars";
  } else if (kind == "crs_gen") {
    if (!isHex(content[0], 64, true)) return "response.crs_gen.crs_digest must be 64 lower-case hex chars";
  }
  return null;
}

/** Whether field `i` of a `kind` answer is ignored when answers are compared. */
export function ignoredInComparison(kind: string, i: i32): bool {
  if (kind == "keygen") return i == 1 || i == 3; // public_key_uri, server_key_uri
  if (kind == "crs_gen") return i == 1; // crs_uri: each party serves the CRS itself
  return kind == "user_decrypt"; // every share differs by design
}

/** The digest fields of a user_decrypt / crs_gen answer after request_id. */
export function digestFields(kind: string, request: JValue, content: string[], fields: string[]): void {
  if (kind == "user_decrypt") {
    const u = request.get("user_decrypt");
    if (u === null) return;
    fields.push(u.getStr("key_id")!);
    const cts = u.get("ciphertexts")!;
    fields.push(cts.items.length.toString());
    for (let i = 0; i < cts.items.length; i++) {
      fields.push(cts.items[i].getStr("ciphertext_digest")!);
      fields.push(cts.items[i].getStr("fhe_type")!);
    }
    fields.push(hexSha256(u.getStr("enc_key")!));
    fields.push(hexSha256(content[0]));
    fields.push(content[1]);
  } else if (kind == "crs_gen") {
    const c = request.get("crs_gen");
    if (c !== null) fields.push(c.get("max_num_bits")!.text);
    fields.push(content[0]);
    fields.push(content[1]);
  }
}

export function hexSha256(hex: string): string {
  const b = fromHex(hex);
  return toHex(sha256(b !== null ? b : new Uint8Array(0)));
}

export function saveSigncryption(requestId: string, partyId: string, hex: string): void {
  setString("udans:" + requestId + ":" + partyId, hex);
}

/** `user_decrypt_answers {request_id}` → `{"answers":[{"party_id":n,"signcryption":hex}]}`, in answer order. */
export function queryUserDecryptAnswers(args: JValue): Outcome {
  const id = args.getStr("request_id");
  if (id === null) return Outcome.err("user_decrypt_answers: request_id must be a string");
  const req = loadRequest(id);
  if (req === null) return Outcome.err("unknown request id " + id);
  const responses = req.get("responses")!;
  const parts = new Array<string>();
  for (let i = 0; i < responses.items.length; i++) {
    const pid = responses.items[i].get("party_id")!.text;
    const blob = getString("udans:" + id + ":" + pid);
    if (blob !== null) parts.push("{\"party_id\":" + pid + ",\"signcryption\":\"" + blob + "\"}");
  }
  return Outcome.ok("{\"answers\":[" + parts.join(",") + "]}");
}
