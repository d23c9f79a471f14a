/**
 * @module contracts/lib/env
 * Host functions a CosmWasm VM (cosmwasm-vm 1.5–3.x, `packages/vm/src/imports.rs`)
 * provides to a contract. Every argument is a pointer to a Region (see region.ts)
 * unless noted. Only module `env` and only these names pass wasmd's upload check
 * (`compatibility.rs` SUPPORTED_IMPORTS); AssemblyScript emits an import only when
 * it is called, so declaring more here costs nothing.
 */

/** Aborts execution with the UTF-8 message in the Region. */
// @ts-ignore: decorator
@external("env", "abort")
export declare function abort(msgPtr: u32): void;

/** Prints a debug message (ignored by nodes unless debug is on). */
// @ts-ignore: decorator
@external("env", "debug")
export declare function debug(msgPtr: u32): void;

/** Returns a Region pointer holding the value, or 0 when the key is absent. */
// @ts-ignore: decorator
@external("env", "db_read")
export declare function db_read(keyPtr: u32): u32;

// @ts-ignore: decorator
@external("env", "db_write")
export declare function db_write(keyPtr: u32, valuePtr: u32): void;

// @ts-ignore: decorator
@external("env", "db_remove")
export declare function db_remove(keyPtr: u32): void;

/** Opens an iterator over [start, end) (0 = unbounded); order 1 ascending, 2 descending.
 * Returns the iterator id (a plain u32, not a Region). */
// @ts-ignore: decorator
@external("env", "db_scan")
export declare function db_scan(startPtr: u32, endPtr: u32, order: i32): u32;

/** Next record of an iterator as a Region holding `key ‖ u32be(len key) ‖ value ‖ u32be(len value)`;
 * an empty key marks the end. */
// @ts-ignore: decorator
@external("env", "db_next")
export declare function db_next(iteratorId: u32): u32;

/** 0 when the address is valid, else a Region pointer with the error message. */
// @ts-ignore: decorator
@external("env", "addr_validate")
export declare function addr_validate(addrPtr: u32): u32;

/** 0 = valid signature, 1 = invalid, anything else = error code (malformed input). */
// @ts-ignore: decorator
@external("env", "secp256k1_verify")
export declare function secp256k1_verify(hashPtr: u32, sigPtr: u32, pubkeyPtr: u32): u32;

/** Takes a Region with a JSON `QueryRequest`; returns a Region with the JSON
 * `SystemResult<ContractResult<Binary>>`. */
// @ts-ignore: decorator
@external("env", "query_chain")
export declare function query_chain(requestPtr: u32): u32;
