/**
 * @module contracts/asc/keys
 * Key lifecycle after NIST SP 800-57 Part 1 §5.3: pre_activation, active,
 * suspended, deactivated, compromised, destroyed. A key produced by a keygen
 * quorum (2t+1 parties agreeing on its digests) starts `active`. Only governance
 * (Config `params.governance`) moves a key, with `set_key_state {key_id, state}`,
 * and only along the transitions SP 800-57 draws:
 *   pre_activation → active | compromised | destroyed
 *   active         → suspended | deactivated | compromised
 *   suspended      → active | deactivated | compromised
 *   deactivated    → compromised | destroyed
 *   compromised    → destroyed
 *   destroyed      → (none)
 * Operations: decryption (protecting existing data) is allowed in active,
 * suspended, deactivated and compromised (seed 004), refused in pre_activation
 * and destroyed. Encryption happens off chain: clients read `state` from the key
 * query and encrypt only under an `active` key (the CLI refuses otherwise).
 */
import { JValue, parseJson } from "../lib/json";
import { Outcome } from "../lib/outcome";
import { Event, Response } from "../lib/response";
import { Env, Info } from "../lib/entry";
import { loadKey, updateKey } from "./state";
import { lastConfigError, params } from "./configClient";

export const KEY_STATES: string[] = ["pre_activation", "active", "suspended", "deactivated", "compromised", "destroyed"];

/** The state stored in a KeyInfo (keys recorded before the lifecycle existed are active). */
export function keyState(key: JValue): string {
  const s = key.getStr("state");
  return s !== null ? s : "active";
}

export function decryptAllowed(state: string): bool {
  return state == "active" || state == "suspended" || state == "deactivated" || state == "compromised";
}

export function transitionAllowed(from: string, to: string): bool {
  if (from == "pre_activation") return to == "active" || to == "compromised" || to == "destroyed";
  if (from == "active") return to == "suspended" || to == "deactivated" || to == "compromised";
  if (from == "suspended") return to == "active" || to == "deactivated" || to == "compromised";
  if (from == "deactivated") return to == "compromised" || to == "destroyed";
  if (from == "compromised") return to == "destroyed";
  return false;
}

export function setKeyState(env: Env, info: Info, args: JValue): Outcome {
  const keyId = args.getStr("key_id");
  if (keyId === null) return Outcome.err("set_key_state: key_id must be a string");
  const to = args.getStr("state");
  if (to === null || !KEY_STATES.includes(to)) return Outcome.err("set_key_state: state must be one of " + KEY_STATES.join(", "));
  const p = params();
  if (p === null) return Outcome.err(lastConfigError);
  if (info.sender != p.governance) return Outcome.err("unauthorized: only governance (" + p.governance + ") may change key states");
  const s = loadKey(keyId);
  if (s === null) return Outcome.err("unknown key id " + keyId);
  const key = parseJson(s);
  if (key === null) return Outcome.err("stored key " + keyId + " is malformed");
  const from = keyState(key);
  if (!transitionAllowed(from, to)) return Outcome.err("key " + keyId + ": transition " + from + " → " + to + " is not allowed");
  key.setStr("state", to);
  key.setStr("state_height", env.height);
  updateKey(keyId, key);
  const res = new Response()
    .addAttribute("action", "set_key_state")
    .addEvent(new Event("tkms_key_state").add("key_id", keyId).add("from", from).add("to", to));
  return Outcome.ok(res.toJson());
}
