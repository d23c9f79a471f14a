/**
 * @module contracts/lib/account
 * Ethereum account state as the state trie stores it (Yellow Paper §4.1):
 * `RLP([nonce, balance, storageRoot, codeHash])`.
 */
import { rlpDecode, rlpError, isCanonicalScalar } from "./rlp";

export class Account {
  constructor(
    public nonce: Uint8Array,
    public balance: Uint8Array,
    public storageRoot: Uint8Array,
    public codeHash: Uint8Array,
  ) {}
}

export let accountError = "";

/** Decodes the RLP account value of a state-trie leaf; null (see `accountError`) when malformed. */
export function decodeAccount(value: Uint8Array): Account | null {
  const it = rlpDecode(value);
  if (it === null) { accountError = rlpError; return null; }
  if (!it.isList || it.items.length != 4) { accountError = "account must be a list of 4 items"; return null; }
  for (let i = 0; i < 4; i++) {
    if (it.items[i].isList) { accountError = "account field " + i.toString() + " is a list"; return null; }
  }
  const nonce = it.items[0].bytes;
  const balance = it.items[1].bytes;
  if (!isCanonicalScalar(nonce, 8)) { accountError = "account nonce is not a canonical u64"; return null; }
  if (!isCanonicalScalar(balance, 32)) { accountError = "account balance is not a canonical u256"; return null; }
  const storageRoot = it.items[2].bytes;
  const codeHash = it.items[3].bytes;
  if (storageRoot.length != 32 || codeHash.length != 32) { accountError = "account storageRoot and codeHash must be 32 bytes"; return null; }
  return new Account(nonce, balance, storageRoot, codeHash);
}
