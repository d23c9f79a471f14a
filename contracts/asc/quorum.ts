/**
 * @module contracts/asc/quorum
 * The quorum of a request, fixed when it is made (issue 10 item 4): the
 * threshold t and the number of identical answers that decide it are stored
 * in the request as `quorum: {threshold, result, failure}`, so a governance
 * change of the party set or threshold while a request is pending cannot
 * lower (or raise) what that request needs. Fulfillments and the fee split
 * read the stored counts; a request stored before this existed falls back to
 * the Config's current threshold.
 *   result:  2t+1 for keygen, keygen_preproc, crs_gen and user_decrypt
 *            (answerKinds.ts `needsTwoThirds`), t+1 for decrypt;
 *   failure: t+1 (at least one honest party saw it fail).
 */
import { JValue } from "../lib/json";
import { needsTwoThirds } from "./answerKinds";

/** `{threshold, result, failure}` for a `kind` request under threshold t. */
export function requestQuorum(kind: string, t: i32): JValue {
  return JValue.obj()
    .set("threshold", JValue.num(t.toString()))
    .set("result", JValue.num((needsTwoThirds(kind) ? 2 * t + 1 : t + 1).toString()))
    .set("failure", JValue.num((t + 1).toString()));
}

/** Whether the request carries its quorum (requests made before it was stored do not). */
export function hasQuorum(req: JValue): bool {
  const q = req.get("quorum");
  return q !== null && q.isObj;
}

/**
 * Identical answers of kind `answerKind` that decide the request: the stored
 * count, or for an older request the count under `currentT`.
 */
export function neededAnswers(req: JValue, kind: string, answerKind: string, currentT: i32): i32 {
  const stored = req.get("quorum");
  const field = answerKind == kind ? "result" : "failure";
  if (stored !== null && stored.isObj) {
    const n = stored.get(field);
    if (n !== null && n.asIndex() > 0) return n.asIndex();
  }
  return requestQuorum(kind, currentT).get(field)!.asIndex();
}

/** The size of a result quorum: what the fee is split by. */
export function resultQuorum(req: JValue, kind: string, currentT: i32): i32 {
  return neededAnswers(req, kind, kind, currentT);
}
