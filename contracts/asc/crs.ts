/**
 * @module contracts/asc/crs
 * CRS registry: a `crs_gen` request that 2t+1 parties answered with the same
 * CRS digest records a `CrsInfo` (chain/asc/messages.ts) under its request id,
 * as keys are (state.ts layout, same paging):
 *   crs:<id> → CrsInfo JSON   crsseq:<n> → id   crspos:<id> → n   crscount → count
 * Queries: `crs {crs_id}`, `crs_list {start_after?, limit?}` → `{"crs": [...]}`.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { getString, setString } from "../lib/storage";
import { PartyAnswer } from "./response";

function count(): u64 {
  const s = getString("crscount");
  if (s === null) return 0;
  let n: u64 = 0;
  for (let i = 0; i < s.length; i++) n = n * 10 + <u64>(s.charCodeAt(i) - 48);
  return n;
}

/** Records the CRS a quorum agreed on (the URI of the answer that completed it). */
export function saveCrsOf(requestId: string, req: JValue, answer: PartyAnswer, height: string): void {
  const c = req.get("crs_gen");
  const info = JValue.obj()
    .setStr("crs_id", requestId)
    .setStr("crs_digest", answer.content[0])
    .setStr("crs_uri", answer.content[1])
    .set("max_num_bits", JValue.num(c !== null ? c.get("max_num_bits")!.text : "0"))
    .setStr("height", height);
  const n = count();
  setString("crs:" + requestId, info.toString());
  setString("crsseq:" + n.toString(), requestId);
  setString("crspos:" + requestId, n.toString());
  setString("crscount", (n + 1).toString());
}

/** Whether a CRS with this id was recorded (a completed crs_gen). */
export function crsExists(id: string): bool {
  return getString("crs:" + id) !== null;
}

export function queryCrs(args: JValue): Outcome {
  const id = args.getStr("crs_id");
  if (id === null) return Outcome.err("crs: crs_id must be a string");
  const s = getString("crs:" + id);
  if (s === null) return Outcome.err("unknown crs id " + id);
  return Outcome.ok(s);
}

/** Creation order; `start_after` the last id of the previous page; limit 30 by default, at most 100. */
export function queryCrsList(args: JValue): Outcome {
  let limit = 30;
  const l = args.get("limit");
  if (l !== null && !l.isNull) {
    limit = l.asIndex();
    if (limit < 0) return Outcome.err("crs_list: limit must be a non-negative integer");
    if (limit > 100) limit = 100;
  }
  let start: u64 = 0;
  const after = args.get("start_after");
  if (after !== null && !after.isNull) {
    if (!after.isStr) return Outcome.err("crs_list: start_after must be a string");
    const pos = getString("crspos:" + after.text);
    if (pos === null) return Outcome.err("crs_list: unknown start_after id " + after.text);
    let p: u64 = 0;
    for (let i = 0; i < pos.length; i++) p = p * 10 + <u64>(pos.charCodeAt(i) - 48);
    start = p + 1;
  }
  const total = count();
  const parts = new Array<string>();
  for (let seq = start; seq < total && parts.length < limit; seq++) {
    const id = getString("crsseq:" + seq.toString());
    if (id === null) continue;
    const s = getString("crs:" + id);
    if (s !== null) parts.push(s);
  }
  return Outcome.ok("{\"crs\":[" + parts.join(",") + "]}");
}
