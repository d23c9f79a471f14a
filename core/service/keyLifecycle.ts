/**
 * @module core/service/keyLifecycle
 * The key lifecycle as a core mirrors it from the ASC (contracts/asc/keys.ts,
 * NIST SP 800-57 Part 1 §5.3). The chain decides transitions (governance,
 * checked there); a core takes what the chain says, with one rule of its own:
 * destroyed is final, because the private material is gone. What each state
 * means here (issue 5):
 * - pre_activation: nothing is decrypted yet (KEY_NOT_ACTIVE);
 * - active: everything;
 * - suspended, deactivated: still decrypts (existing data), but GetPublicKeyInfo
 *   and health report the state so clients stop encrypting under it;
 * - compromised: still decrypts, every result is flagged `key_compromised` and
 *   every such decryption is logged at warn level;
 * - destroyed: the private material is wiped; decryptions fail KEY_DESTROYED.
 */
export const KEY_STATES = ['pre_activation', 'active', 'suspended', 'deactivated', 'compromised', 'destroyed'] as const;
export type KeyLifecycleState = (typeof KEY_STATES)[number];

export function isKeyState(s: string): s is KeyLifecycleState {
  return (KEY_STATES as readonly string[]).includes(s);
}

/** What the core stores under `KeyState/<keyId>` (private storage). */
export interface KeyStateRecord {
  state: KeyLifecycleState;
  previous: KeyLifecycleState;
  /** ISO time the core learned of the change. */
  changedAt: string;
}

/** Why a key in `state` may not decrypt (a signed failure's code and message), or undefined. */
export function decryptRefusal(keyId: string, state: KeyLifecycleState): { code: string; message: string } | undefined {
  if (state === 'destroyed') return { code: 'KEY_DESTROYED', message: `key ${keyId} was destroyed: its private material is wiped and nothing it protected can be decrypted` };
  if (state === 'pre_activation') return { code: 'KEY_NOT_ACTIVE', message: `key ${keyId} is pre_activation: no decryption before activation` };
  return undefined;
}
