/**
 * @module cli/keyStateNotice
 * What the user of a decryption must know about the key it ran under. The
 * cores flag a compromised key in each result they return (core.proto
 * `key_compromised`), but that flag stays between core and connector; the
 * chain's key state (ASC `key` query, set by governance) is the word a client
 * can check. A compromised key still decrypts correctly, but its secret may be
 * known to others: nothing it protected is confidential any more. Suspended and
 * deactivated keys still decrypt; nothing new should be encrypted under them.
 */
import { getKey } from '../chain/asc/actions.js';
import type { KeyState } from '../chain/asc/messages.js';
import type { KmsChainClient } from '../chain/client.js';

export interface KeyStateNotice {
  /** The key's state on chain; `unknown` when it could not be read. */
  keyState: KeyState | 'unknown';
  /** One line for stderr, absent for an active key. */
  warning?: string;
}

/** The notice for a key in `state` (undefined: a key recorded before the lifecycle, i.e. active). */
export function keyStateNotice(keyId: string, state: KeyState | 'unknown' | undefined): KeyStateNotice {
  const keyState = state ?? 'active';
  switch (keyState) {
    case 'active':
      return { keyState };
    case 'compromised':
      return {
        keyState,
        warning: `WARNING: key ${keyId} is COMPROMISED: the plaintext is right, but the key's secret may be known to others; treat everything encrypted under it as disclosed`,
      };
    case 'suspended':
    case 'deactivated':
      return { keyState, warning: `note: key ${keyId} is ${keyState}: it still decrypts, but nothing new should be encrypted under it` };
    case 'unknown':
      return { keyState, warning: `note: the state of key ${keyId} could not be read from the chain; check it with \`tkms key-state ${keyId}\`` };
    default:
      return { keyState, warning: `note: key ${keyId} is ${keyState}` };
  }
}

/**
 * Reads the key's state from the ASC and writes its warning, if any, to stderr
 * (stdout stays the result, `--json` included). Never throws: a decryption that
 * succeeded is not failed by a query that did not.
 */
export async function warnAboutKeyState(client: KmsChainClient, asc: string, keyId: string, stderr: (line: string) => void = (l) => void process.stderr.write(l + '\n')): Promise<KeyStateNotice> {
  let notice: KeyStateNotice;
  try {
    notice = keyStateNotice(keyId, (await getKey(client, asc, keyId)).state);
  } catch {
    notice = keyStateNotice(keyId, 'unknown');
  }
  if (notice.warning) stderr(notice.warning);
  return notice;
}
