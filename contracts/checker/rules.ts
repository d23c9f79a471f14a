/**
 * @module contracts/checker/rules
 * What a CosmWasm VM (cosmwasm-vm 2.x/3.x, wasmd v0.5x–0.70) accepts at upload.
 * Sources: cosmwasm `packages/vm/src/compatibility.rs` (memory, interface marker,
 * required exports, supported imports, limits) and `static_analysis.rs`
 * (wasmparser validation with post-MVP proposals off); wasmd `MaxWasmSize`.
 */

/** Host functions and their signatures (cosmwasm-std `src/imports.rs`). `null`: name known, signature not checked. */
export const SUPPORTED_IMPORTS: Readonly<Record<string, { params: string[]; results: string[] } | null>> = {
  abort: { params: ['i32'], results: [] },
  debug: { params: ['i32'], results: [] },
  db_read: { params: ['i32'], results: ['i32'] },
  db_write: { params: ['i32', 'i32'], results: [] },
  db_remove: { params: ['i32'], results: [] },
  db_scan: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  db_next: { params: ['i32'], results: ['i32'] },
  db_next_key: { params: ['i32'], results: ['i32'] },
  db_next_value: { params: ['i32'], results: ['i32'] },
  addr_validate: { params: ['i32'], results: ['i32'] },
  addr_canonicalize: { params: ['i32', 'i32'], results: ['i32'] },
  addr_humanize: { params: ['i32', 'i32'], results: ['i32'] },
  secp256k1_verify: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  secp256k1_recover_pubkey: { params: ['i32', 'i32', 'i32'], results: ['i64'] },
  secp256r1_verify: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  secp256r1_recover_pubkey: { params: ['i32', 'i32', 'i32'], results: ['i64'] },
  ed25519_verify: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  ed25519_batch_verify: { params: ['i32', 'i32', 'i32'], results: ['i32'] },
  bls12_381_aggregate_g1: null,
  bls12_381_aggregate_g2: null,
  bls12_381_pairing_equality: null,
  bls12_381_hash_to_g1: null,
  bls12_381_hash_to_g2: null,
  query_chain: { params: ['i32'], results: ['i32'] },
};

/** The one interface marker cosmwasm-vm 2.x/3.x accepts. */
export const INTERFACE_VERSION = 'interface_version_8';
/** Exports the VM requires besides the marker and `memory`. */
export const REQUIRED_FUNCTION_EXPORTS = ['allocate', 'deallocate', 'instantiate'] as const;
/** Initial memory limit in 64 KiB pages (compatibility.rs MEMORY_LIMIT). */
export const MEMORY_LIMIT_PAGES = 512;
/** wasmd's default MaxWasmSize (x/wasm/types/validation.go). */
export const MAX_WASM_SIZE = 800 * 1024;
/** compatibility.rs limits (cosmwasm-vm 2.x). */
export const MAX_IMPORTS = 100;
export const MAX_FUNCTIONS = 20_000;
export const MAX_FUNCTION_PARAMS = 100;
export const MAX_FUNCTION_RESULTS = 1;
export const TABLE_SIZE_LIMIT = 2500;
