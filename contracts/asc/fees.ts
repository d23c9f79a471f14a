/**
 * @module contracts/asc/fees
 * What a request pays (issue 10 item 4): exactly Config's fee for its kind, in
 * the fee denom, as Uint128 (contracts/lib/uint128.ts). Less is "fee too low";
 * more is refused ("overpayment refused") rather than kept silently: the ASC
 * holds the fee until the parties are paid or the sender refunded, and an excess
 * would belong to nobody. Funds in another denom are refused, as are funds sent
 * to a free request.
 */
import { Info } from "../lib/entry";
import { addOverflows, isUint128, u128, uint128, uint128String } from "../lib/uint128";
import { Params } from "./configClient";

/** Why the last `exactFee` returned null. */
export let feeError = "";

/** The fee paid for a `kind` request (decimal text; "0" when free), or null with `feeError` set. */
export function exactFee(info: Info, p: Params, kind: string): string | null {
  feeError = "";
  const fee = p.fee(kind);
  const denom = p.denom;
  let paid = u128.Zero;
  for (let i = 0; i < info.funds.length; i++) {
    const c = info.funds[i];
    if (!isUint128(c.amount)) { feeError = "funds amount " + c.amount + " is not a Uint128"; return null; }
    const a = uint128(c.amount);
    if (a.isZero()) continue;
    if (c.denom != denom || denom.length == 0) {
      feeError = "unexpected funds in " + c.denom + ": " + kind + " fees are paid in " + (denom.length > 0 ? denom : "(no denom: fees are 0)");
      return null;
    }
    if (addOverflows(paid, a)) { feeError = "funds overflow Uint128"; return null; }
    paid = paid + a;
  }
  const what = kind + " costs " + uint128String(fee) + denom + ", sent " + uint128String(paid) + denom;
  if (paid < fee) { feeError = "fee too low: " + what; return null; }
  if (paid > fee) { feeError = "overpayment refused: " + what + "; send exactly the fee"; return null; }
  return uint128String(fee);
}
