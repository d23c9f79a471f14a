/**
 * @module contracts/asc/funds
 * Fees held by the ASC, as Uint128 (contracts/lib/uint128.ts: an owed balance
 * of 10^18 or more no longer wraps). When a request is decided (completed, or
 * failed by an agreed failure) its fee is split equally among the parties that
 * formed the quorum (the first party in response order gets the remainder of
 * the division); each party's earnings accumulate per denom under
 * `owed:<address>` until it sends `claim {}`.
 *
 * Refunds (issue 10 item 4): `refund {request_id}` (anyone may send it; funds
 * only ever go to the sender and the parties) is accepted once, only after
 * `expires_at` (Unix seconds, against the block time) and only while the
 * request is still undecided. A decided request is never refunded: its fee went
 * to the quorum. The parties that answered before expiry (the ASC takes no
 * answer after it, fulfill.ts) are paid as if the quorum had formed:
 * fee / max(quorum size, answers) each, never more than the fee in total; the
 * remainder goes back to the sender and the request becomes `expired`. Without
 * this, a requester could read the parties' public answers, let the request
 * expire short of a quorum (or race it) and take the whole fee back.
 */
import { JValue } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { addOverflows, isUint128, u128, uint128, uint128String } from "../lib/uint128";
import { loadOwed, loadRequest, parseHeight, saveOwed, saveRequest } from "./state";
import { hasQuorum, resultQuorum } from "./quorum";
import { lastConfigError, params } from "./configClient";

/** Why the last `credit` / `payQuorum` failed. */
export let fundsError = "";

/**
 * Credits `amount` of `denom` to a party's unclaimed balance; false (with
 * `fundsError`) when the balance would pass 2^128 − 1 (the party claims first).
 */
export function credit(address: string, denom: string, amount: u128): bool {
  if (amount.isZero()) return true;
  const owed = loadOwed(address);
  const cur = owed.getStr(denom);
  const before = cur !== null && isUint128(cur) ? uint128(cur) : u128.Zero;
  if (addOverflows(before, amount)) {
    fundsError = "owed balance of " + address + " in " + denom + " would exceed 2^128-1: claim it first";
    return false;
  }
  owed.setStr(denom, uint128String(before + amount));
  saveOwed(address, owed);
  return true;
}

/** The fee of a request: its denom and amount (0 when the request carries none). */
class Fee {
  denom: string = "";
  amount: u128 = u128.Zero;
}

function feeOf(req: JValue): Fee {
  const f = new Fee();
  const fee = req.get("fee");
  if (fee === null) return f;
  const d = fee.getStr("denom");
  const a = fee.getStr("amount");
  if (d !== null) f.denom = d;
  if (a !== null && isUint128(a)) f.amount = uint128(a);
  return f;
}

/**
 * Splits the request's fee among the quorum (party ids and addresses, response
 * order) and records them as `payees`; false with `fundsError` on overflow.
 */
export function payQuorum(req: JValue, ids: i32[], addresses: string[], ev: Event): bool {
  const payees = JValue.arr();
  for (let i = 0; i < ids.length; i++) payees.push(JValue.num(ids[i].toString()));
  req.set("payees", payees);
  const fee = feeOf(req);
  if (ids.length == 0 || fee.amount.isZero()) return true;
  const count = u128.fromU32(<u32>ids.length);
  const share = fee.amount / count;
  const rest = fee.amount - share * count;
  for (let i = 0; i < ids.length; i++) {
    if (!credit(addresses[i], fee.denom, i == 0 ? share + rest : share)) return false;
  }
  ev.add("fee_share", uint128String(share) + fee.denom);
  return true;
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
  const kind = req.getStr("kind")!;
  // Every recorded answer came before expiry: fulfill.ts refuses later ones.
  const responses = req.get("responses")!;
  const answered = responses.items.length;
  let quorumSize = 0;
  if (answered > 0) {
    let t = 0;
    if (!hasQuorum(req)) {
      const p = params();
      if (p === null) return Outcome.err(lastConfigError);
      t = p.threshold;
    }
    quorumSize = resultQuorum(req, kind, t);
  }
  const fee = feeOf(req);
  const ids = new Array<i32>();
  const payees = JValue.arr();
  let share = u128.Zero;
  if (answered > 0) share = fee.amount / u128.fromU32(<u32>(answered > quorumSize ? answered : quorumSize));
  let paid = u128.Zero;
  for (let i = 0; i < answered; i++) {
    const r = responses.items[i];
    const pid = r.get("party_id")!.asIndex();
    const sender = r.getStr("sender");
    ids.push(pid);
    payees.push(JValue.num(pid.toString()));
    if (sender === null) continue;
    if (!credit(sender, fee.denom, share)) return Outcome.err(fundsError);
    paid = paid + share;
  }
  const back = fee.amount - paid;
  req.setStr("status", "expired");
  req.set("refunded", JValue.bool(true));
  if (answered > 0) req.set("payees", payees);
  saveRequest(id, req);
  const sender = req.getStr("sender")!;
  const res = new Response().addAttribute("action", "refund").addAttribute("request_id", id);
  const ev = new Event("tkms_refund").add("request_id", id).add("to", sender).add("amount", uint128String(back) + fee.denom);
  if (!back.isZero()) res.addBankSend(sender, fee.denom, uint128String(back));
  if (answered > 0) {
    const names = new Array<string>();
    for (let i = 0; i < ids.length; i++) names.push(ids[i].toString());
    ev.add("paid_parties", names.join(",")).add("fee_share", uint128String(share) + fee.denom);
  }
  res.addEvent(new Event("tkms_result").add("request_id", id).add("kind", kind).add("status", "expired"));
  return Outcome.ok(res.addEvent(ev).toJson());
}
