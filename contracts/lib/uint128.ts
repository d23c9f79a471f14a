/**
 * @module contracts/lib/uint128
 * Native coin amounts: CosmWasm `Uint128`, decimal text in JSON, held as
 * as-bignum's `u128`. Parsing is strict (as-bignum's `fromString` accepts signs,
 * prefixes and trailing garbage and wraps on overflow): digits only, no leading
 * zero, at most 2^128 − 1. Sums are checked: an overflow is an error, never a wrap.
 * (No nullable u128 in the API: `u128` overloads `==`, so `x === null` does not
 * compile; callers ask `isUint128` first.)
 *
 * @example
 * if (!isUint128(text)) return Outcome.err("amount must be a Uint128 decimal string");
 * const fee = uint128(text); // e.g. 10^21: fine
 */
import { u128 } from "as-bignum/assembly";

export { u128 };

/** 2^128 − 1 is 340282366920938463463374607431768211455: 39 digits. */
const MAX_DIGITS = 39;

/** Parses, or returns `u128.Max` with `valid` false. */
class Parsed {
  valid: bool = false;
  value: u128 = u128.Zero;
}

function parse(s: string): Parsed {
  const out = new Parsed();
  const n = s.length;
  if (n == 0 || n > MAX_DIGITS) return out;
  if (n > 1 && s.charCodeAt(0) == 48) return out;
  const limit = u128.div10(u128.Max); // (2^128 − 1) / 10; the last digit of 2^128 − 1 is 5
  const ten = u128.fromU32(10);
  let v = u128.Zero;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return out;
    if (v > limit || (v == limit && d > 5)) return out;
    v = v * ten + u128.fromU32(<u32>d);
  }
  out.valid = true;
  out.value = v;
  return out;
}

/** Whether `s` is a Uint128 decimal string: digits only, no leading zero, at most 2^128 − 1. */
export function isUint128(s: string): bool {
  return parse(s).valid;
}

/** The value of a Uint128 decimal string; 0 when `s` is not one (check `isUint128` first). */
export function uint128(s: string): u128 {
  const p = parse(s);
  return p.valid ? p.value : u128.Zero;
}

/** Whether a + b exceeds 2^128 − 1. */
export function addOverflows(a: u128, b: u128): bool {
  return a + b < a;
}

/** Decimal text of `v` (CosmWasm `Uint128` JSON). */
export function uint128String(v: u128): string {
  return v.toString();
}
