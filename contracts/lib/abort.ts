/**
 * @module contracts/lib/abort
 * AssemblyScript calls a 4-argument `abort(message, file, line, column)`; CosmWasm
 * offers only the 1-argument `env.abort(Region)`. The build routes AssemblyScript's
 * abort here with `--use abort=contracts/lib/abort/cwAbort`.
 */
import { abort } from "./env";
import { regionOfString } from "./region";

export function cwAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = message !== null ? message : "abort";
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  abort(regionOfString(text));
  unreachable();
}
