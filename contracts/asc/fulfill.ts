/**
 * @module contracts/asc/fulfill
 * `fulfill {request_id, response}`: a registered party answers a request.
 * Checks, in order: sender is a party (Config `party_by_address`), the request
 * exists and has not failed, the party has not answered yet, the answer kind fits
 * the request (a failure fits both), and the signature verifies (host
 * `secp256k1_verify`) against the party's signer key. The answer is recorded with
 * its height and `tkms_response` emitted. When t+1 parties gave identical answers
 * (same kind and content, signatures aside) and the request is still pending, it
 * completes (or fails, for an agreed failure) and `tkms_result` is emitted; a
 * completed keygen also registers the key (key_id = request id). Later answers
 * are still recorded, so conflicting answers stay visible.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { fromHex } from "../lib/encoding";
import { verifySecp256k1 } from "../lib/api";
import { lastConfigError, partyByAddress, threshold } from "./configClient";
import { PartyAnswer, answerError, parseAnswer } from "./response";
import { loadRequest, saveKey, saveRequest } from "./state";

export function fulfill(env: Env, info: Info, params: JValue): Outcome {
  const requestId = params.getStr("request_id");
  if (requestId === null) return Outcome.err("fulfill: request_id must be a string");
  const answer = parseAnswer(params.get("response"));
  if (answer === null) return Outcome.err(answerError);

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
  const responses = req.get("responses")!;
  for (let i = 0; i < responses.items.length; i++) {
    const idv = responses.items[i].get("party_id");
    if (idv !== null && idv.asIndex() == party.id) return Outcome.err("party " + pid + " already responded");
  }
  const kind = req.getStr("kind")!;
  if (answer.kind != kind && answer.kind != "failure") {
    return Outcome.err("response kind " + answer.kind + " does not match request kind " + kind);
  }

  const sig = fromHex(answer.signature);
  const pubkey = fromHex(party.signerPubkey);
  if (sig === null || pubkey === null || !verifySecp256k1(answer.digest(requestId, req), sig, pubkey)) {
    return Outcome.err("invalid signature from party " + pid);
  }

  responses.push(
    JValue.obj().set("party_id", JValue.num(pid)).set("response", answer.toJson()).setStr("height", env.height),
  );
  const res = new Response()
    .addAttribute("action", "fulfill")
    .addAttribute("request_id", requestId)
    .addEvent(new Event("tkms_response").add("request_id", requestId).add("party_id", pid).add("outcome", answer.kind));

  if (status == "pending") {
    const t = threshold();
    if (t < 0) return Outcome.err(lastConfigError);
    if (countSame(responses, answer) >= t + 1) finalize(requestId, req, kind, answer, res);
  }
  saveRequest(requestId, req);
  return Outcome.ok(res.toJson());
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

function finalize(requestId: string, req: JValue, kind: string, answer: PartyAnswer, res: Response): void {
  const failed = answer.kind == "failure";
  const status = failed ? "failed" : "completed";
  req.setStr("status", status);
  req.set("result", answer.toJson());
  if (failed) req.setStr("failure_reason", answer.content[0]);
  else if (kind == "keygen") {
    saveKey(
      requestId,
      JValue.obj()
        .setStr("key_id", requestId)
        .setStr("public_key_digest", answer.content[0])
        .setStr("public_key_uri", answer.content[1])
        .setStr("server_key_digest", answer.content[2])
        .setStr("server_key_uri", answer.content[3]),
    );
  }
  res.addEvent(new Event("tkms_result").add("request_id", requestId).add("kind", kind).add("status", status));
}
