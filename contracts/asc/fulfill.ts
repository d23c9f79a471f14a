/**
 * @module contracts/asc/fulfill
 * `fulfill {request_id, response}`: a registered party answers a request.
 * Checks, in order: sender is a party (Config `party_by_address`), the request
 * exists, has not failed and has not expired (no answer after `expires_at`, block
 * time, decided or not: a refund pays the parties that answered before it), the
 * party has answered neither under its id nor from its address (a party set
 * changed mid-request must not let one account answer twice), the answer kind fits
 * the request (a failure fits both), and the signature verifies (host
 * `secp256k1_verify`) against the party's signer key. The answer is recorded with
 * its height and `tkms_response` emitted. When t+1 parties gave identical answers
 * (same kind and content, signatures aside) and the request is still pending, it
 * completes (or fails, for an agreed failure) and `tkms_result` is emitted; a
 * completed keygen also registers the key (key_id = request id, state active),
 * a completed crs_gen the CRS (crs.ts, crs_id = request id).
 * Later answers are still recorded, so conflicting answers stay visible.
 *
 * Quorum (identical answers, signatures aside) per issue 3: a public decrypt
 * result needs t+1, a keygen result 2t+1 (the digests bind public material every
 * client will use; with at most t liars, 2t+1 agreeing means a majority of the
 * honest parties vouch for it), an agreed failure t+1 (at least one honest party
 * saw it fail). An answer that differs from an earlier one sets `conflict: true`
 * on the request and emits `tkms_conflict` (request_id only): before the request
 * is decided nobody knows which side is wrong, and naming the later answerer
 * would blame an honest party that answered after a liar (security review S4).
 * When the request is decided, every party whose recorded answer differs from
 * the decision is named: `tkms_dissent` (request_id, party_ids "2,5") and
 * `dissent: [ids]` on the request; a differing answer after the decision is
 * named at once the same way. For a user decryption the decision is "answered
 * with a share" (shares always differ, so they are never compared): only a
 * failure answer dissents from a completed one.
 * The fee goes to the parties whose answers formed the quorum, for a result
 * and for an agreed failure alike (funds.ts).
 * Issue 5: a CRS result needs 2t+1 answers agreeing on the CRS digest (URIs may
 * differ, as for keygen); a user decryption completes when 2t+1 parties answered
 * `user_decrypt` (their signcryptions always differ, so they are counted, not
 * compared, and never set `conflict` among themselves; no `result` is stored:
 * the client reads every answer from `responses`). A party that answers after
 * completion is still recorded, so a client that cannot reconstruct from 2t+1
 * can use up to n answers.
 * Expired (refunded) requests take no more answers.
 * The quorum counts are the ones stored in the request when it was made
 * (quorum.ts), not the Config's current threshold.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { fromHex } from "../lib/encoding";
import { verifySecp256k1 } from "../lib/api";
import { lastConfigError, params as configParams, partyByAddress } from "./configClient";
import { fundsError, payQuorum } from "./funds";
import { hasQuorum, neededAnswers } from "./quorum";
import { PartyAnswer, answerError, parseAnswer, plaintextCountRefusal } from "./response";
import { loadRequest, parseHeight, saveKey, saveRequest } from "./state";
import { saveCrsOf } from "./crs";
import { fheParametersOf, insecureDealerKeysOf, preprocIdOf, saveSigncryption } from "./answerKinds";

export function fulfill(env: Env, info: Info, params: JValue): Outcome {
  const requestId = params.getStr("request_id");
  if (requestId === null) return Outcome.err("fulfill: request_id must be a string");
  const answer = parseAnswer(params.get("response"));
  if (answer === null) return Outcome.err(answerError);
  if (answer.stored) return Outcome.err("response.user_decrypt must carry the signcryption itself");

  const party = partyByAddress(info.sender);
  if (party === null) {
    if (lastConfigError.length > 0) return Outcome.err(lastConfigError);
    return Outcome.err("sender " + info.sender + " is not a registered party");
  }
  const pid = party.id.toString();

  const req = loadRequest(requestId);
  if (req === null) return Outcome.err("unknown request id " + requestId);
  const status = req.getStr("status")!;
  if (status == "failed") return Outcome.err("request " + requestId + " has failed");
  if (status == "expired") return Outcome.err("request " + requestId + " has expired");
  const ex = req.getStr("expires_at");
  if (ex !== null && parseHeight(env.time) > parseHeight(ex)) {
    return Outcome.err("request " + requestId + " expired at time " + ex + " (now " + env.time + ", Unix seconds): answers are no longer accepted");
  }
  const responses = req.get("responses")!;
  for (let i = 0; i < responses.items.length; i++) {
    const idv = responses.items[i].get("party_id");
    if (idv !== null && idv.asIndex() == party.id) return Outcome.err("party " + pid + " already responded");
    const from = responses.items[i].getStr("sender");
    if (from !== null && from == info.sender) {
      return Outcome.err("address " + info.sender + " already responded to request " + requestId + " (as party " + (idv !== null ? idv.text : "?") + ")");
    }
  }
  const kind = req.getStr("kind")!;
  if (answer.kind != kind && answer.kind != "failure") {
    return Outcome.err("response kind " + answer.kind + " does not match request kind " + kind);
  }

  const countErr = plaintextCountRefusal(answer, req);
  if (countErr !== null) return Outcome.err(countErr);

  const sig = fromHex(answer.signature);
  const pubkey = fromHex(party.signerPubkey);
  if (sig === null || pubkey === null || !verifySecp256k1(answer.digest(requestId, req), sig, pubkey)) {
    return Outcome.err("invalid signature from party " + pid);
  }

  let conflict = false;
  for (let i = 0; i < responses.items.length; i++) {
    const other = parseAnswer(responses.items[i].get("response"));
    if (other !== null && !other.sameAs(answer)) conflict = true;
  }
  if (answer.kind == "user_decrypt") saveSigncryption(requestId, pid, answer.content[0]);
  responses.push(
    JValue.obj()
      .set("party_id", JValue.num(pid))
      .setStr("sender", info.sender)
      .set("response", answer.toJson())
      .setStr("height", env.height),
  );
  const res = new Response()
    .addAttribute("action", "fulfill")
    .addAttribute("request_id", requestId)
    .addEvent(new Event("tkms_response").add("request_id", requestId).add("party_id", pid).add("outcome", answer.kind));
  if (conflict) {
    req.set("conflict", JValue.bool(true));
    res.addEvent(new Event("tkms_conflict").add("request_id", requestId));
  }

  if (status == "pending") {
    // Requests made before the quorum was stored read the Config's current threshold.
    let t = 0;
    if (!hasQuorum(req)) {
      const p = configParams();
      if (p === null) return Outcome.err(lastConfigError);
      t = p.threshold;
    }
    if (countSame(responses, answer) >= neededAnswers(req, kind, answer.kind, t)) {
      if (!finalize(requestId, req, kind, answer, res, env.height)) return Outcome.err(fundsError);
      const ids = new Array<i32>();
      for (let i = 0; i < responses.items.length; i++) {
        const r = responses.items[i];
        const other = parseAnswer(r.get("response"));
        if (other !== null && dissents(kind, answer, other)) ids.push(r.get("party_id")!.asIndex());
      }
      addDissent(requestId, req, ids, res);
    }
  } else {
    // Decided earlier (completed): a differing answer is named at once.
    const decision = decisionOf(req, kind);
    if (decision !== null && dissents(kind, decision, answer)) {
      const ids = new Array<i32>();
      ids.push(party.id);
      addDissent(requestId, req, ids, res);
    }
  }
  saveRequest(requestId, req);
  return Outcome.ok(res.toJson());
}

/** Whether `answer` differs from the request's decision `decision`. */
function dissents(kind: string, decision: PartyAnswer, answer: PartyAnswer): bool {
  // A completed user decryption: any share agrees (shares always differ by design).
  if (kind == "user_decrypt" && decision.kind == "user_decrypt") return answer.kind != "user_decrypt";
  return !decision.sameAs(answer);
}

/** The answer a decided request stands for: its `result`, or any share for a completed user decryption. */
function decisionOf(req: JValue, kind: string): PartyAnswer | null {
  const result = req.get("result");
  if (result !== null && !result.isNull) return parseAnswer(result);
  if (kind != "user_decrypt") return null;
  const responses = req.get("responses")!;
  for (let i = 0; i < responses.items.length; i++) {
    const a = parseAnswer(responses.items[i].get("response"));
    if (a !== null && a.kind == "user_decrypt") return a;
  }
  return null;
}

/** Appends `ids` to the request's `dissent` and emits `tkms_dissent` (nothing when empty). */
function addDissent(requestId: string, req: JValue, ids: i32[], res: Response): void {
  if (ids.length == 0) return;
  let list = req.get("dissent");
  if (list === null || !list.isArr) {
    list = JValue.arr();
    req.set("dissent", list);
  }
  const names = new Array<string>();
  for (let i = 0; i < ids.length; i++) {
    list.push(JValue.num(ids[i].toString()));
    names.push(ids[i].toString());
  }
  res.addEvent(new Event("tkms_dissent").add("request_id", requestId).add("party_ids", names.join(",")));
}

/** How many recorded responses carry the same answer as `answer`. */
function countSame(responses: JValue, answer: PartyAnswer): i32 {
  let n = 0;
  for (let i = 0; i < responses.items.length; i++) {
    const other = parseAnswer(responses.items[i].get("response"));
    if (other !== null && other.sameAs(answer)) n++;
  }
  return n;
}

/** Decides the request; false (with `fundsError`) when a payee's owed balance would overflow. */
function finalize(requestId: string, req: JValue, kind: string, answer: PartyAnswer, res: Response, height: string): bool {
  const failed = answer.kind == "failure";
  const status = failed ? "failed" : "completed";
  req.setStr("status", status);
  // A user decryption has no single result: every party's signcryption stays in `responses`.
  if (failed || kind != "user_decrypt") req.set("result", answer.toJson());
  const ev = new Event("tkms_result").add("request_id", requestId).add("kind", kind).add("status", status);
  if (failed) req.setStr("failure_reason", answer.content[0]);
  {
    // The fee goes to the parties whose answers formed the quorum, an agreed failure
    // included: the parties did the work, and a failure is mostly the request's fault
    // (malformed or missing ciphertext), so refunding it would make such requests free.
    const responses = req.get("responses")!;
    const ids = new Array<i32>();
    const addrs = new Array<string>();
    for (let i = 0; i < responses.items.length; i++) {
      const r = responses.items[i];
      const other = parseAnswer(r.get("response"));
      const sender = r.getStr("sender");
      if (other !== null && other.sameAs(answer) && sender !== null) {
        ids.push(r.get("party_id")!.asIndex());
        addrs.push(sender);
      }
    }
    if (!payQuorum(req, ids, addrs, ev)) return false;
  }
  if (!failed && kind == "keygen") {
    const key = JValue.obj()
      .setStr("key_id", requestId)
      .setStr("public_key_digest", answer.content[0])
      .setStr("public_key_uri", answer.content[1])
      .setStr("server_key_digest", answer.content[2])
      .setStr("server_key_uri", answer.content[3])
      .setStr("state", "active")
      .setStr("state_height", height)
      .setStr("fhe_parameters", fheParametersOf(req));
    // Said on the key itself: its parties may have dealt it (only such networks' keys carry the field).
    if (insecureDealerKeysOf(req)) key.set("insecure_dealer_keys", JValue.bool(true));
    saveKey(requestId, key, preprocIdOf(req));
  }
  if (!failed && kind == "crs_gen") saveCrsOf(requestId, req, answer, height);
  res.addEvent(ev);
  return true;
}
