/**
 * @module contracts/lib/outcome
 * AssemblyScript has no exceptions, so every handler returns an Outcome: either
 * a JSON text (the `ok` payload) or an error message. Entry points turn it into
 * CosmWasm's `ContractResult` JSON: `{"ok":…}` / `{"error":"…"}`.
 */

export class Outcome {
  constructor(public json: string, public error: string | null) {}

  static ok(json: string): Outcome { return new Outcome(json, null); }
  static err(message: string): Outcome { return new Outcome("", message); }

  get failed(): bool { return this.error !== null; }
}
