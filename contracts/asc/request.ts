/**
 * @module contracts/asc/request
 * `keygen_preproc {fhe_parameters?}`, `keygen {preproc_id?, fhe_parameters?}` and `decrypt {…}`: universal validation, the fee, the
 * application's ISC (decrypt), then a pending request is stored and
 * `tkms_request` emitted (on chain `wasm-tkms_request`). The request id is
 * returned both as the Response `data` (base64 of the UTF-8 id) and as an event
 * attribute.
 *
 * Fees (Config `params.fees`, fees.ts): the funds sent with the message must be
 * exactly the fee of the request kind, in the fee denom ("fee too low: …",
 * "overpayment refused: …"). The fee is held by the contract (`RequestInfo.fee`)
 * until the request is decided (then it is owed to the parties that formed the
 * quorum, see fulfill.ts) or refunded after expiry (funds.ts). A request expires
 * `request_expiry_seconds` after the block time it was created at (`expires_at`,
 * Unix seconds): block counts drift with block times, seconds do not. The
 * quorum is fixed when the request is made (`quorum`, quorum.ts).
 * `keygen`, `keygen_preproc` and `crs_gen` are accepted only from governance or
 * a Config operator.
 *
 * Applications: a decrypt names `app_id` (default "default") and carries an
 * opaque `proof` object. The application must be registered in Config. `open`
 * applications accept every request; otherwise the ASC sends the ISC one batch
 * `validate` query per request (isc.ts): `purpose` ("public_decrypt" or
 * "user_decrypt"), the request's ciphertexts as {handle, digest} in order, and the
 * proof verbatim; for an `allowlist` ISC `requester` is the tx sender (an
 * allow-list admits chain accounts, so the sender cannot claim someone else's
 * entry); for an `fhevm` ISC a user decryption's `requester` is the EIP-712-signed
 * `client_address` with its signed `allowed_contracts` (userAuth.ts), and a public
 * decryption names no requester (the handle must be publicly decryptable: signed
 * headers and eth_getProof data are public, so a per-user permission proves
 * nothing about who sends the request). The ASC sets the ciphertexts itself, so a
 * proof cannot speak for another one, and checks that each handle is the handle
 * of its digest and type (handles.ts), so the ciphertext the cores decrypt is the
 * one the ISC judged.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { isHex, parseAmount } from "../lib/encoding";
import { exactFee, feeError } from "./fees";
import { requestQuorum } from "./quorum";
import { requestId } from "./requestId";
import { indexRequest, loadKey, loadRequest, nextRequestCounter, parseHeight, saveRequest } from "./state";
import { Params, application, lastConfigError, params } from "./configClient";
import { decryptAllowed, keyState } from "./keys";
import { parseJson } from "../lib/json";
import { handleRefusal } from "./handles";
import { checkUserAuth, userAuthError } from "./userAuth";
import { AppCheck, askIscInParts, validateBody } from "./isc";
import { crsExists } from "./crs";
import { provenanceError, provenanceOf } from "./provenance";
import { fheParametersOf } from "./answerKinds";

export const FHE_TYPES: string[] = [
  "ebool", "euint4", "euint8", "euint16", "euint32", "euint64", "euint128", "euint160", "euint256",
];
export const DEFAULT_APP_ID = "default";

/** Why the last `appOf` / `proofOf` returned its failure value. */
let requestError = "";

/**
 * Null when `sender` may start a `kind` request (keygen, keygen_preproc,
 * crs_gen): governance or a Config operator. Each of them makes every core run
 * minutes of MPC and grows the lists every connector re-reads, so they are not
 * open to anyone (issue 10 item 4).
 */
function operatorRefusal(p: Params, sender: string, kind: string): string | null {
  if (p.isOperator(sender)) return null;
  return "unauthorized: " + kind + " is restricted to governance and the Config operators";
}

/** Stores a pending request; `decrypt` (decrypt) or `other` (crs_gen, user_decrypt) is kept under the kind's name. */
function newRequest(env: Env, info: Info, p: Params, kind: string, paid: string, decrypt: JValue | null, other: JValue | null = null): Response {
  const seq = nextRequestCounter();
  const id = requestId(env.chainId, env.contract, seq, info.sender);
  const expires = parseHeight(env.time) + p.expirySeconds;
  const req = JValue.obj()
    .setStr("request_id", id)
    .setStr("kind", kind)
    .setStr("sender", info.sender)
    .setStr("height", env.height)
    .setStr("status", "pending");
  if (decrypt !== null) req.set("decrypt", decrypt);
  if (other !== null) req.set(kind, other);
  req.set("responses", JValue.arr());
  req.set("fee", JValue.obj().setStr("denom", p.denom).setStr("amount", paid));
  req.setStr("expires_at", expires.toString());
  req.set("quorum", requestQuorum(kind, p.threshold));
  saveRequest(id, req);
  indexRequest(id, seq);

  const ev = new Event("tkms_request").add("request_id", id).add("kind", kind).add("sender", info.sender);
  if (decrypt !== null) {
    for (let i = 0; i < decrypt.keys.length; i++) ev.add(decrypt.keys[i], decrypt.values[i].text);
  }
  if (other !== null) {
    // Scalars as attributes; the full parameters are in the stored request (query `request`).
    for (let i = 0; i < other.keys.length; i++) {
      const v = other.values[i];
      if (v.isStr || v.isNum) {
        if (other.keys[i] != "enc_key") ev.add(other.keys[i], v.text);
      } else if (v.isArr) ev.add(other.keys[i], v.items.length.toString());
    }
  }
  ev.add("fee", paid + p.denom).add("expires_at", expires.toString());
  return new Response().addAttribute("action", kind).addAttribute("request_id", id).addEvent(ev).setDataString(id);
}

/** Null when decryption under `keyId` is allowed, else why not. */
function keyRefusal(keyId: string): string | null {
  const key = loadKey(keyId);
  if (key === null) return "unknown key id " + keyId;
  const kv = parseJson(key);
  const state = kv !== null ? keyState(kv) : "active";
  if (!decryptAllowed(state)) return "key " + keyId + " is " + state + ": decryption refused";
  return null;
}

/** What a request asks the ISC for: the ASC sets `purpose` in every `validate` body. */
export const PURPOSE_PUBLIC = "public_decrypt";
export const PURPOSE_USER = "user_decrypt";

/**
 * Whether application `appId` admits the request (isc.ts `AppCheck`: the refusal,
 * and whether the ISC vouched for the ciphertexts' provenance). One `validate`
 * query for the whole batch; the ASC sets every member but the proof: the
 * requester is the tx sender for an allow-list ISC, else `client` (the signed
 * client address of a user decryption; null for a public one), and
 * `allowedContracts` the user's signed contract list (null for a public decryption).
 * Applications without an ISC are admitted without a query.
 */
function applicationRefusal(
  info: Info, appId: string, proof: JValue, ciphertexts: JValue, purpose: string, client: string | null, allowedContracts: string[] | null,
): AppCheck {
  const app = application(appId);
  if (app === null) return AppCheck.refused(lastConfigError.length > 0 ? lastConfigError : "unregistered application " + appId);
  // No ISC to ask: `open` (dev networks) and `proven` (the cores verify each input's proof).
  if (app.iscType == "open" || app.iscType == "proven") return AppCheck.admitted(app.iscType, false);
  const requester = app.iscType == "allowlist" ? info.sender : client;
  return askIscInParts(app, validateBody(purpose, requester, allowedContracts, ciphertexts, proof));
}

/** `app_id` (default "default") of a request; null with `requestError` set when malformed. */
function appOf(args: JValue): string | null {
  const av = args.get("app_id");
  if (av === null || av.isNull) return DEFAULT_APP_ID;
  // Checked before anything costly (the user-decrypt digest hashes it): an application
  // id is 1..64 printable ASCII characters (contracts/config/validate.ts isName).
  if (!av.isStr || !isAppId(av.text)) { requestError = "app_id must be 1..64 printable ASCII characters without spaces"; return null; }
  return av.text;
}

function isAppId(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** `proof` of a request (default {}); null with `requestError` set when not an object. */
function proofOf(args: JValue): JValue | null {
  const proof = args.get("proof");
  if (proof === null || proof.isNull) return JValue.obj();
  if (!proof.isObj) { requestError = "proof must be an object"; return null; }
  return proof;
}

/** The parameter sets cores can make keys with (core/engine/tfhe/parameters.ts FHE_PARAMETER_SETS). */
export const FHE_PARAMETER_SETS: string[] = ["default", "fhevm", "test-insecure"];
/**
 * Sets with toy dimensions that protect nothing (tests and CI only): refused
 * unless the network's Config was instantiated in dev mode (`dev_mode` is
 * immutable, so a production network can never make such a key).
 */
export const INSECURE_FHE_PARAMETER_SETS: string[] = ["test-insecure"];

/**
 * The `fhe_parameters` a `kind` request (keygen, keygen_preproc) names: null
 * when absent, "" (with `requestError` set) when it is no known set, or an
 * INSECURE one while Config is not in dev mode. One check for both kinds: a
 * preprocessing is made for the set of the key built on it.
 */
function fheParametersArg(args: JValue, kind: string, p: Params): string | null {
  const fv = args.get("fhe_parameters");
  if (fv === null || fv.isNull) return null;
  if (!fv.isStr || !FHE_PARAMETER_SETS.includes(fv.text)) {
    requestError = kind + ": fhe_parameters must be one of " + FHE_PARAMETER_SETS.join(", ");
    return "";
  }
  if (INSECURE_FHE_PARAMETER_SETS.includes(fv.text) && !p.devMode) {
    requestError = kind + ": fhe_parameters " + fv.text + " is INSECURE (toy dimensions, for tests only) and is refused: this network's Config is not in dev mode";
    return "";
  }
  return fv.text;
}

/**
 * `keygen {preproc_id?, fhe_parameters?}`; on a network whose Config has
 * `insecure_dealer_keys` the stored request also says so (the connectors pass
 * it to the cores: the only way a core may deal a key), and so does the key.
 * `fhe_parameters` ("default",
 * "fhevm": dedicated compact-public-key parameters, whose inputs can carry ZK
 * proofs, or "test-insecure": INSECURE toy parameters for tests, refused
 * unless Config is in dev mode) is passed to the cores and recorded on the
 * key (absent: "default").
 * With `preproc_id`, the key is made from that keygen
 * preprocessing: it must name a completed `keygen_preproc` request no other
 * keygen used (the preprocessing request records `used_by`, at request time,
 * so two keygens cannot race for it; a used preprocessing stays used even if
 * its keygen fails, as its material is consumed). Stored as
 * `keygen: {preproc_id?, fhe_parameters?}` and passed to the key (KeyInfo.preproc_id).
 * The preprocessing must have been made for the keygen's parameter set (both
 * absent: "default"), as its material only fits that set.
 * Without it the cores run the preprocessing inline (earlier behaviour).
 */
export function keygen(env: Env, info: Info, args: JValue): Outcome {
  const pv = args.get("preproc_id");
  let preprocId: string | null = null;
  if (pv !== null && !pv.isNull) {
    if (!pv.isStr || !isHex(pv.text, 40, true)) return Outcome.err("keygen: preproc_id must be a keygen_preproc request id (40 lower-case hex chars)");
    preprocId = pv.text;
  }
  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  const fheParameters = fheParametersArg(args, "keygen", p);
  if (fheParameters == "") return Outcome.err(requestError);
  const denied = operatorRefusal(p, info.sender, "keygen");
  if (denied !== null) return Outcome.err(denied);
  let preproc: JValue | null = null;
  if (preprocId !== null) {
    preproc = loadRequest(preprocId);
    const refusal = preprocRefusal(preprocId, preproc, fheParameters !== null ? fheParameters : "default");
    if (refusal !== null) return Outcome.err(refusal);
  }
  const paid = exactFee(info, p, "keygen");
  if (paid === null) return Outcome.err(feeError);
  let k: JValue | null = null;
  if (preprocId !== null || fheParameters !== null || p.insecureDealerKeys) {
    k = JValue.obj();
    if (preprocId !== null) k.setStr("preproc_id", preprocId);
    if (fheParameters !== null) k.setStr("fhe_parameters", fheParameters);
    // Read by the connectors: only on such a network may a core deal the key (INSECURE).
    if (p.insecureDealerKeys) k.set("insecure_dealer_keys", JValue.bool(true));
  }
  const res = newRequest(env, info, p, "keygen", paid, null, k);
  if (preprocId !== null && preproc !== null) {
    preproc.setStr("used_by", requestIdOf(res));
    saveRequest(preprocId, preproc);
  }
  return Outcome.ok(res.toJson());
}

/** Null when `req` (the request stored under `id`) is a keygen preprocessing a keygen for parameter set `wanted` may use, else why not. */
function preprocRefusal(id: string, req: JValue | null, wanted: string): string | null {
  const what = "keygen: preproc_id " + id;
  if (req === null) return what + " is unknown";
  const kind = req.getStr("kind");
  if (kind != "keygen_preproc") return what + " is a " + (kind !== null ? kind : "?") + " request, not keygen_preproc";
  const made = fheParametersOf(req, "keygen_preproc");
  if (made != wanted) return "keygen: preprocessing " + id + " was made for parameter set " + made + ", the keygen asks for " + wanted;
  const status = req.getStr("status");
  if (status == "pending") return what + " is still pending";
  if (status != "completed") {
    const why = req.getStr("failure_reason");
    return what + " is " + (status !== null ? status : "?") + (why !== null ? ": " + why : "") + "; it cannot be used";
  }
  const usedBy = req.getStr("used_by");
  if (usedBy !== null) return what + " is already used by keygen " + usedBy;
  return null;
}

/** The request id a `newRequest` Response carries as its `request_id` attribute. */
function requestIdOf(res: Response): string {
  const attrs = res.attributes.items;
  for (let i = 0; i < attrs.length; i++) {
    if (attrs[i].getStr("key") == "request_id") return attrs[i].getStr("value")!;
  }
  return "";
}

/**
 * `keygen_preproc {fhe_parameters?}`: the preprocessing a later keygen names
 * (`keygen {preproc_id}`), made for one parameter set (checked as keygen's;
 * absent: "default"), which that keygen must ask for too. Stored as
 * `keygen_preproc: {fhe_parameters}` when given. The parties answer
 * `{keygen_preproc: {signature}}` (digest over request_id only: the request
 * fixes the set) and 2t+1 answers complete it.
 */
export function keygenPreproc(env: Env, info: Info, args: JValue): Outcome {
  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  const fheParameters = fheParametersArg(args, "keygen_preproc", p);
  if (fheParameters == "") return Outcome.err(requestError);
  const denied = operatorRefusal(p, info.sender, "keygen_preproc");
  if (denied !== null) return Outcome.err(denied);
  const paid = exactFee(info, p, "keygen_preproc");
  if (paid === null) return Outcome.err(feeError);
  const k = fheParameters !== null ? JValue.obj().setStr("fhe_parameters", fheParameters) : null;
  return Outcome.ok(newRequest(env, info, p, "keygen_preproc", paid, null, k).toJson());
}

/**
 * The ciphertexts of a public decrypt: `ciphertexts: [{ciphertext_handle,
 * ciphertext_digest, fhe_type}]` (1..MAX_BATCH), or the single-ciphertext form
 * with those three members at the top level. Null with `requestError` set.
 */
function decryptCiphertexts(args: JValue, keyId: string, appId: string): JValue | null {
  const cts = args.get("ciphertexts");
  const list = new Array<JValue>();
  if (cts !== null && !cts.isNull) {
    if (!cts.isArr || cts.items.length == 0 || cts.items.length > MAX_BATCH) {
      requestError = "ciphertexts must be an array of 1.." + MAX_BATCH.toString();
      return null;
    }
    if (args.get("ciphertext_handle") !== null) { requestError = "give either ciphertexts or ciphertext_handle, not both"; return null; }
    for (let i = 0; i < cts.items.length; i++) list.push(cts.items[i]);
  } else list.push(args);
  const stored = JValue.arr();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const at = cts !== null && !cts.isNull ? "ciphertexts[" + i.toString() + "]." : "";
    if (!c.isObj) { requestError = at + " must be an object"; return null; }
    const handle = c.getStr("ciphertext_handle");
    const digest = c.getStr("ciphertext_digest");
    const fheType = c.getStr("fhe_type");
    if (fheType === null || !FHE_TYPES.includes(fheType)) {
      requestError = at + "fhe_type: unknown fhe_type " + (fheType !== null ? fheType : "(missing)") + "; expected one of " + FHE_TYPES.join(", ");
      return null;
    }
    if (handle === null || !isHex(handle, 64, true)) { requestError = at + "ciphertext_handle must be 64 lower-case hex chars (32 bytes)"; return null; }
    if (digest === null || !isHex(digest, 64, true)) { requestError = at + "ciphertext_digest must be 64 lower-case hex chars (32 bytes)"; return null; }
    const bound = handleRefusal(handle, digest, fheType, FHE_TYPES.indexOf(fheType), keyId, appId);
    if (bound !== null) { requestError = at + bound; return null; }
    stored.push(JValue.obj().setStr("ciphertext_handle", handle).setStr("ciphertext_digest", digest).setStr("fhe_type", fheType));
  }
  return stored;
}

/**
 * `decrypt {key_id, ciphertexts | (ciphertext_handle, ciphertext_digest, fhe_type),
 * app_id?, proof?, crs_id?}`: a public decryption of 1..MAX_BATCH ciphertexts,
 * all or nothing: every handle must be bound to (digest, key, app) (handles.ts)
 * and pass the application's ISC, and the ciphertexts' origin must be vouched
 * for (provenance.ts), else the whole request is refused. Stored as
 * `decrypt: {key_id, ciphertexts, app_id, crs_id?, provenance}`.
 * `crs_id` (a CRS request id, 40 hex) asks the cores to verify each ciphertext's
 * proof of encryption against that CRS before decrypting.
 */
export function decrypt(env: Env, info: Info, args: JValue): Outcome {
  const keyId = args.getStr("key_id");
  // A key id is a keygen request id. Checked first: handles are hashed over it (handles.ts), so a huge one would cost gas before the key lookup refused it.
  if (keyId === null || !isHex(keyId, 40, true)) return Outcome.err("decrypt: key_id must be a key id (40 lower-case hex chars)");
  const appId = appOf(args);
  if (appId === null) return Outcome.err("decrypt: " + requestError);
  const stored = decryptCiphertexts(args, keyId, appId);
  if (stored === null) return Outcome.err("decrypt: " + requestError);
  const crsId = crsOf(args);
  if (requestError.length > 0) return Outcome.err("decrypt: " + requestError);
  const proof = proofOf(args);
  if (proof === null) return Outcome.err("decrypt: " + requestError);

  const keyErr = keyRefusal(keyId);
  if (keyErr !== null) return Outcome.err(keyErr);

  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  const paid = exactFee(info, p, "decrypt");
  if (paid === null) return Outcome.err(feeError);

  const appCheck = applicationRefusal(info, appId, proof, stored, PURPOSE_PUBLIC, null, null);
  if (appCheck.refusal !== null) return Outcome.err(appCheck.refusal!);
  const provenance = provenanceOf(appId, appCheck.appType, crsId, appCheck.iscProvenance, p.trustedSubmitters.includes(info.sender));
  if (provenance === null) return Outcome.err("decrypt: " + provenanceError);

  const d = JValue.obj().setStr("key_id", keyId).set("ciphertexts", stored).setStr("app_id", appId);
  if (crsId !== null) d.setStr("crs_id", crsId);
  d.setStr("provenance", provenance);
  return Outcome.ok(newRequest(env, info, p, "decrypt", paid, null, d).toJson());
}

/**
 * `crs_id` of a request: a CRS the parties made (crs_list), or null when absent;
 * `requestError` is set (and null returned) when it is malformed or unknown.
 */
function crsOf(args: JValue): string | null {
  requestError = "";
  const crs = args.get("crs_id");
  if (crs === null || crs.isNull) return null;
  if (!crs.isStr || !isHex(crs.text, 40, true)) { requestError = "crs_id must be a CRS request id (40 lower-case hex chars)"; return null; }
  if (!crsExists(crs.text)) { requestError = "crs_id " + crs.text + " is not a CRS the parties made (crs_list)"; return null; }
  return crs.text;
}

export const MAX_CRS_BITS = 65536;

/** `crs_gen {max_num_bits}`: a CRS for proofs of encryption of up to that many bits. */
export function crsGen(env: Env, info: Info, args: JValue): Outcome {
  const bits = args.get("max_num_bits");
  const n = bits !== null ? bits.asIndex() : -1;
  if (n < 1 || n > MAX_CRS_BITS) return Outcome.err("crs_gen: max_num_bits must be an integer in 1.." + MAX_CRS_BITS.toString());
  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  const denied = operatorRefusal(p, info.sender, "crs_gen");
  if (denied !== null) return Outcome.err(denied);
  const paid = exactFee(info, p, "crs_gen");
  if (paid === null) return Outcome.err(feeError);
  const c = JValue.obj().set("max_num_bits", JValue.num(n.toString()));
  return Outcome.ok(newRequest(env, info, p, "crs_gen", paid, null, c).toJson());
}

export const MAX_BATCH = 32;
/** ML-KEM-512 encapsulation key: 800 bytes. */
const ENC_KEY_HEX = 1600;

function isEvmAddress(s: string | null): bool {
  return s !== null && s.startsWith("0x") && isHex(s.substring(2), 40, false);
}

/**
 * `user_decrypt {key_id, ciphertexts: [{ciphertext_handle, ciphertext_digest, fhe_type}],
 * enc_key, client_address, eip712_domain: {name, version, chain_id, verifying_contract},
 * allowed_contracts, start_timestamp, duration_seconds, extra_data?, user_signature,
 * app_id?, proof?}`: each party will signcrypt its share to `enc_key` (ML-KEM-512).
 * `user_signature` must be `client_address`'s EIP-712 `UserDecryptRequestVerification`
 * signature, valid at the block time (userAuth.ts); the application's ISC is asked
 * once for all handles, for that client address and its signed contract list
 * (purpose "user_decrypt"). Stored with the authorization's fields (not the signature).
 */
export function userDecrypt(env: Env, info: Info, args: JValue): Outcome {
  const keyId = args.getStr("key_id");
  // A key id is a keygen request id. Checked first: handles are hashed over it (handles.ts), so a huge one would cost gas before the key lookup refused it.
  if (keyId === null || !isHex(keyId, 40, true)) return Outcome.err("user_decrypt: key_id must be a key id (40 lower-case hex chars)");
  const appId = appOf(args);
  if (appId === null) return Outcome.err("user_decrypt: " + requestError);
  const cts = args.get("ciphertexts");
  if (cts === null || !cts.isArr || cts.items.length == 0 || cts.items.length > MAX_BATCH) {
    return Outcome.err("user_decrypt: ciphertexts must be an array of 1.." + MAX_BATCH.toString());
  }
  const stored = JValue.arr();
  for (let i = 0; i < cts.items.length; i++) {
    const c = cts.items[i];
    const at = "user_decrypt: ciphertexts[" + i.toString() + "]";
    const handle = c.getStr("ciphertext_handle");
    const digest = c.getStr("ciphertext_digest");
    const fheType = c.getStr("fhe_type");
    if (handle === null || !isHex(handle, 64, true)) return Outcome.err(at + ".ciphertext_handle must be 64 lower-case hex chars");
    if (digest === null || !isHex(digest, 64, true)) return Outcome.err(at + ".ciphertext_digest must be 64 lower-case hex chars");
    if (fheType === null || !FHE_TYPES.includes(fheType)) return Outcome.err(at + ": unknown fhe_type");
    const bound = handleRefusal(handle, digest, fheType, FHE_TYPES.indexOf(fheType), keyId, appId);
    if (bound !== null) return Outcome.err(at + "." + bound);
    stored.push(JValue.obj().setStr("ciphertext_handle", handle).setStr("ciphertext_digest", digest).setStr("fhe_type", fheType));
  }
  const encKey = args.getStr("enc_key");
  if (encKey === null || !isHex(encKey, ENC_KEY_HEX, false)) return Outcome.err("user_decrypt: enc_key must be an ML-KEM-512 public key (800 bytes, 1600 hex chars)");
  const client = args.getStr("client_address");
  if (!isEvmAddress(client)) return Outcome.err("user_decrypt: client_address must be 0x + 40 hex chars");
  const dom = args.get("eip712_domain");
  if (dom === null || !dom.isObj) return Outcome.err("user_decrypt: eip712_domain must be an object");
  const name = dom.getStr("name");
  const version = dom.getStr("version");
  const chainId = dom.getStr("chain_id");
  const verifying = dom.getStr("verifying_contract");
  if (name === null || version === null) return Outcome.err("user_decrypt: eip712_domain.name and .version must be strings");
  if (chainId === null) return Outcome.err("user_decrypt: eip712_domain.chain_id must be a decimal string");
  if (!isEvmAddress(verifying)) return Outcome.err("user_decrypt: eip712_domain.verifying_contract must be 0x + 40 hex chars");
  const crsId = crsOf(args);
  if (requestError.length > 0) return Outcome.err("user_decrypt: " + requestError);
  const proof = proofOf(args);
  if (proof === null) return Outcome.err("user_decrypt: " + requestError);

  const keyErr = keyRefusal(keyId);
  if (keyErr !== null) return Outcome.err(keyErr);
  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  const paid = exactFee(info, p, "user_decrypt");
  if (paid === null) return Outcome.err(feeError);
  const clientLc = client!.toLowerCase();
  const auth = checkUserAuth(args, clientLc, encKey.toLowerCase(), name, version, chainId, verifying!.toLowerCase(), <u64>parseHeight(env.time));
  if (auth === null) return Outcome.err("user_decrypt: " + userAuthError);
  const appCheck = applicationRefusal(info, appId, proof, stored, PURPOSE_USER, clientLc, auth.allowedContracts);
  if (appCheck.refusal !== null) return Outcome.err(appCheck.refusal!);
  const provenance = provenanceOf(appId, appCheck.appType, crsId, appCheck.iscProvenance, p.trustedSubmitters.includes(info.sender));
  if (provenance === null) return Outcome.err("user_decrypt: " + provenanceError);

  const u = JValue.obj()
    .setStr("key_id", keyId)
    .set("ciphertexts", stored)
    .setStr("enc_key", encKey.toLowerCase())
    .setStr("client_address", client!.toLowerCase())
    .set(
      "eip712_domain",
      JValue.obj().setStr("name", name).setStr("version", version).setStr("chain_id", chainId).setStr("verifying_contract", verifying!.toLowerCase()),
    )
    .set("allowed_contracts", strings(auth.allowedContracts))
    .setStr("start_timestamp", auth.start.toString())
    .setStr("duration_seconds", auth.duration.toString())
    .setStr("extra_data", auth.extraData)
    .setStr("app_id", appId);
  if (crsId !== null) u.setStr("crs_id", crsId);
  u.setStr("provenance", provenance);
  return Outcome.ok(newRequest(env, info, p, "user_decrypt", paid, null, u).toJson());
}

function strings(list: string[]): JValue {
  const a = JValue.arr();
  for (let i = 0; i < list.length; i++) a.push(JValue.str(list[i]));
  return a;
}
