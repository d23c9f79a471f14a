/**
 * @module common/provenInput
 * The metadata a proof of encryption is bound to (tfhe-rs ZK proofs take
 * arbitrary bytes the verifier must repeat). `tkms encrypt --prove` binds the
 * proof to the key, the CRS, the application and the KMS-chain account that
 * will submit it; the core recomputes the same bytes from the request (key id,
 * crs id, app id, the request's sender), so a proof made for one key, CRS,
 * application or requester does not verify in a request naming another: a
 * proven input admitted by its owner cannot be replayed by someone else or
 * through another application. Shared by the CLI and the core, like
 * common/signing.ts.
 */
const DOMAIN = 'tkms/proven-input/v2';

/** What a proof of encryption is bound to. */
export interface ProvenInputBinding {
  keyId: string;
  crsId: string;
  appId: string;
  /** The KMS-chain account (bech32) that submits the decryption request. */
  requester: string;
}

export function provenInputMetadata(b: ProvenInputBinding): Uint8Array {
  return new TextEncoder().encode(`${DOMAIN}\n${b.keyId}\n${b.crsId}\n${b.appId}\n${b.requester}`);
}
