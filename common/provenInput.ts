/**
 * @module common/provenInput
 * The metadata a proof of encryption is bound to (tfhe-rs ZK proofs take
 * arbitrary bytes the verifier must repeat). `tkms encrypt --prove` binds the
 * proof to the key and the CRS it was made for; the core recomputes the same
 * bytes from the decrypt request (key id, crs id), so a proof made for one
 * key or CRS does not verify in a request naming another. Shared by the CLI
 * and the core, like common/signing.ts.
 */
const DOMAIN = 'tkms/proven-input/v1';

export function provenInputMetadata(keyId: string, crsId: string): Uint8Array {
  return new TextEncoder().encode(`${DOMAIN}\n${keyId}\n${crsId}`);
}
