/**
 * @module contracts/lib/exports
 * Exports every contract re-exports: the memory ABI and the interface marker.
 * cosmwasm-vm 2.x/3.x requires exactly one `interface_version_*` export and
 * accepts only `interface_version_8` (compatibility.rs `check_interface_version`).
 */
// Loaded so that `--use abort=contracts/lib/abort/cwAbort` can resolve it.
import "./abort";
export { allocate, deallocate } from "./region";

export function interface_version_8(): void {}
