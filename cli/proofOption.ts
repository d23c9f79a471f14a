/**
 * @module cli/proofOption
 * The `--proof <json>` option of `tkms decrypt` and `tkms user-decrypt`: the
 * application's proof, passed verbatim to its ISC (chain/isc-fhevm/messages.ts).
 * Checked here only as far as saves a fee-paying round trip: it must be a JSON
 * object, and an fhEVM proof (`handles` present) must carry one entry per handle,
 * in the order the handles were given.
 */
import { TkmsError } from '../common/errors.js';

/** Parses `--proof`; undefined when the option was not given. */
export function parseProofOption(text: string | undefined, handleCount: number): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let proof: unknown;
  try {
    proof = JSON.parse(text);
  } catch (e) {
    throw new TkmsError('BAD_PROOF', '--proof must be a JSON object', { cause: e });
  }
  if (proof === null || typeof proof !== 'object' || Array.isArray(proof)) throw new TkmsError('BAD_PROOF', '--proof must be a JSON object');
  const entries = (proof as { handles?: unknown }).handles;
  if (entries !== undefined && (!Array.isArray(entries) || entries.length !== handleCount)) {
    throw new TkmsError(
      'BAD_PROOF',
      `--proof.handles must hold one entry per handle, in the order given: ${handleCount} handle(s), ${Array.isArray(entries) ? entries.length : 'no array of'} entr${Array.isArray(entries) && entries.length === 1 ? 'y' : 'ies'}`,
    );
  }
  return proof as Record<string, unknown>;
}

/** The distinct dApp contracts an fhEVM user-decryption proof names (`handles[i].contract`), lower-case, in order. */
export function proofContracts(proof: Record<string, unknown> | undefined): string[] {
  const entries = proof?.['handles'];
  if (!Array.isArray(entries)) return [];
  const out: string[] = [];
  for (const e of entries) {
    const c = (e as { contract?: unknown } | null)?.contract;
    if (typeof c === 'string' && !out.includes(c.toLowerCase())) out.push(c.toLowerCase());
  }
  return out;
}
