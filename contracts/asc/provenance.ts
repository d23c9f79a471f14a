/**
 * @module contracts/asc/provenance
 * Where a decryption's ciphertexts come from (issue 10, DESIGN.md §7). The
 * KMS cannot tell a malformed ciphertext from a good one, and decrypting
 * attacker-made bytes is a key-extraction oracle (a block with mask 2^59·e_j
 * and body 0 decrypts to key bit s_j). So the ASC admits a decrypt or
 * user_decrypt only when the chain can vouch for the ciphertexts' origin, and
 * records which way it did on the request (`provenance`):
 *
 * - `open`: an `open` application; the Config accepts those only on a network
 *   instantiated in dev mode, so nothing real is at stake;
 * - `proven`: the request names a CRS (`crs_id`): every core verifies each
 *   ciphertext's ZK proof of encryption, bound to the key, the CRS, the
 *   application and the requester, and expands it itself before decrypting;
 *   the only way into a `proven` application;
 * - `isc`: the application's ISC checked a commitment of every handle to its
 *   ciphertext digest (fhEVM: written on the host chain by its coprocessors,
 *   proven against a header its validators signed) and said so
 *   (`"provenance": true` in its `validate` answer);
 * - `trusted_submitter`: the sender is on the Config's `trusted_submitters`
 *   list, a trust assumption governance makes and `tkms config` names.
 * Anything else is refused.
 */

export const PROVENANCE_OPEN = "open";
export const PROVENANCE_PROVEN = "proven";
export const PROVENANCE_ISC = "isc";
export const PROVENANCE_TRUSTED = "trusted_submitter";

/** Why the last `provenanceOf` returned null. */
export let provenanceError = "";

/**
 * The provenance of a request's ciphertexts, or null (with `provenanceError`)
 * when the chain cannot vouch for them. `appType` is the application's
 * `isc_type`; `iscProvenance` whether its ISC attested every digest.
 */
export function provenanceOf(appId: string, appType: string, crsId: string | null, iscProvenance: bool, trustedSubmitter: bool): string | null {
  provenanceError = "";
  if (crsId !== null) return PROVENANCE_PROVEN;
  if (appType == "open") return PROVENANCE_OPEN;
  if (appType == "proven") {
    provenanceError = "ciphertext provenance: application " + appId +
      " accepts proven inputs only: name the CRS their proofs of encryption were made against (crs_id; tkms encrypt --prove)";
    return null;
  }
  if (iscProvenance) return PROVENANCE_ISC;
  if (trustedSubmitter) return PROVENANCE_TRUSTED;
  provenanceError = "ciphertext provenance: nothing vouches for these ciphertexts: no proof of encryption (crs_id), the ISC of application " + appId +
    " did not attest their digests, and the sender is not a trusted submitter (Config trusted_submitters); the KMS does not decrypt ciphertexts of unknown origin";
  return null;
}
