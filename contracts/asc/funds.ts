/**
 * @module contracts/asc/funds
 * Fees held by the ASC. When a request is decided (completed, or failed by an
 * agreed failure) its fee is split equally among the parties that formed the
 * quorum (the first party in response order gets the remainder of the division);
 * each party's earnings accumulate per denom under `owed:<address>` until it
 * sends `claim {}`. A request that is still pending after `expires_at` (Unix seconds, against the block time) is
 * refunded in full to its sender by `refund {request_id}` (anyone may send it;
 * the funds only ever go to the sender), once; it becomes `expired`.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { parseAmount } from "../lib/encoding";
import { loadOwed, loadRequest, parseHeight, saveOwed, saveRequest } from "./state";

/** Credits `amount` of `denom` to a party's unclaimed balance. */
export function credit(address: string, denom: string, amount: i64): void {
  if (amount <= 0) return;
  const owed = loadOwed(address);
  const cur = owed.getStr(denom);
  const before: i64 = cur !== null ? parseAmount(cur) : 0;
  owed.setStr(denom, (before + amount).toString());
  saveOwed(address, owed);
}

/** Splits the request's fee among the quorum (party ids and addresses, response order). */
export function payQuorum(req: JValue, ids: i32[], addresses: string[], ev: Event): void {
  const fee = req.get("fee");
  const payees = JValue.arr();
  for (let i = 0; i < ids.length; i++) payees.push(JValue.num(ids[i].toString()));
  req.set("payees", payees);
  if (fee === null || ids.length == 0) return;
  const denom = fee.getStr("denom")!;
  const amount = parseAmount(fee.getStr("amount")!);
  if (amount <= 0) return;
  const share = amount / <i64>ids.length;
  const rest = amount - share * <i64>ids.length;
  for (let i = 0; i < ids.length; i++) credit(addresses[i], denom, i == 0 ? share + rest : share);
  ev.add("fee_share", share.toString() + denom);
}

export function claim(info: Info): Outcome {
  const owed = loadOwed(info.sender);
  const res = new Response().addAttribute("action", "claim");
  const ev = new Event("tkms_claim").add("address", info.sender);
  let any = false;
  for (let i = 0; i < owed.keys.length; i++) {
    const amount = owed.values[i].text;
    if (amount == "0") continue;
    any = true;
    res.addBankSend(info.sender, owed.keys[i], amount);
    ev.add("amount", amount + owed.keys[i]);
  }
  if (!any) return Outcome.err("nothing to claim for " + info.sender);
  saveOwed(info.sender, JValue.obj());
  return Outcome.ok(res.addEvent(ev).toJson());
}

export function refund(env: Env, args: JValue): Outcome {
  const id = args.getStr("request_id");
  if (id === null) return Outcome.err("refund: request_id must be a string");
  const req = loadRequest(id);
  if (req === null) return Outcome.err("unknown request id " + id);
  const refunded = req.get("refunded");
  if (refunded !== null && refunded.bool) return Outcome.err("request " + id + " was already refunded");
  const status = req.getStr("status")!;
  const ex = req.getStr("expires_at");
  const expiresAt: i64 = ex !== null ? parseHeight(ex) : 0;
  if (status != "pending") return Outcome.err("request " + id + " is " + status + ": its fee went to the parties");
  if (parseHeight(env.time) <= expiresAt) {
    return Outcome.err("request " + id + " is pending until time " + expiresAt.toString() + " (now " + env.time + ", Unix seconds)");
  }
  req.setStr("status", "expired");
  req.set("refunded", JValue.bool(true));
  saveRequest(id, req);
  const sender = req.getStr("sender")!;
  const res = new Response().addAttribute("action", "refund").addAttribute("request_id", id);
  const ev = new Event("tkms_refund").add("request_id", id).add("to", sender);
  const fee = req.get("fee");
  if (fee !== null) {
    const amount = fee.getStr("amount")!;
    const denom = fee.getStr("denom")!;
    if (amount != "0") res.addBankSend(sender, denom, amount);
    ev.add("amount", amount + denom);
  }
  res.addEvent(new Event("tkms_result").add("request_id", id).add("kind", req.getStr("kind")!).add("status", "expired"));
  return Outcome.ok(res.addEvent(ev).toJson());
}
