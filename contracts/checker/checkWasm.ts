/**
 * @module contracts/checker/checkWasm
 * Static check of a contract binary against what wasmd/cosmwasm-vm accepts at
 * upload, so the build fails here rather than on chain. cw-simulate (the embedded
 * chain) does no such validation, which is why this check exists.
 *
 * @example
 * const { ok, violations } = checkWasm(readFileSync('contracts/build/asc.wasm'));
 * if (!ok) console.error(violations.join('\n'));
 */
import { WasmFormatError } from './reader.js';
import { parseModule, type WasmModule } from './module.js';
import { scanInstructions } from './instructions.js';
import {
  INTERFACE_VERSION,
  MAX_FUNCTION_PARAMS,
  MAX_FUNCTION_RESULTS,
  MAX_FUNCTIONS,
  MAX_IMPORTS,
  MAX_WASM_SIZE,
  MEMORY_LIMIT_PAGES,
  REQUIRED_FUNCTION_EXPORTS,
  SUPPORTED_IMPORTS,
  TABLE_SIZE_LIMIT,
} from './rules.js';

export interface CheckWasmReturnType {
  ok: boolean;
  violations: string[];
}

export function checkWasm(bytes: Uint8Array): CheckWasmReturnType {
  const violations: string[] = [];
  if (bytes.length > MAX_WASM_SIZE) {
    violations.push(`size ${bytes.length} bytes exceeds wasmd's limit of ${MAX_WASM_SIZE} bytes (800 KiB)`);
  }
  let m: WasmModule;
  try {
    m = parseModule(bytes);
  } catch (e) {
    if (e instanceof WasmFormatError) return { ok: false, violations: [...violations, `malformed wasm: ${e.message}`] };
    throw e;
  }
  checkImports(m, violations);
  checkExports(m, violations);
  checkMemory(m, violations);
  checkTypesAndTables(m, violations);
  checkSegments(m, violations);
  try {
    const seen = new Set<string>();
    for (const u of scanInstructions(m)) {
      const key = `${u.feature}:${u.what}`;
      if (seen.has(key)) continue; // one line per kind of instruction is enough
      seen.add(key);
      violations.push(`${u.feature} not supported by CosmWasm: ${u.what} in function ${u.funcIndex} (offset ${u.offset})`);
    }
  } catch (e) {
    if (!(e instanceof WasmFormatError)) throw e;
    violations.push(`malformed code: ${e.message}`);
  }
  return { ok: violations.length === 0, violations };
}

function sig(types: string[]): string {
  return `(${types.join(', ')})`;
}

function checkImports(m: WasmModule, out: string[]): void {
  if (m.imports.length > MAX_IMPORTS) out.push(`${m.imports.length} imports exceed the limit of ${MAX_IMPORTS}`);
  for (const imp of m.imports) {
    const full = `${imp.module}.${imp.name}`;
    if (imp.module !== 'env') {
      out.push(`forbidden import ${full}: only module "env" is provided by CosmWasm`);
      continue;
    }
    if (!(imp.name in SUPPORTED_IMPORTS)) {
      out.push(`forbidden import ${full}: not a CosmWasm host function`);
      continue;
    }
    if (imp.kind !== 'func') {
      out.push(`forbidden import ${full}: CosmWasm imports are functions, not a ${imp.kind}`);
      continue;
    }
    const expected = SUPPORTED_IMPORTS[imp.name];
    const actual = imp.typeIndex === undefined ? undefined : m.types[imp.typeIndex];
    if (expected && actual) {
      const same =
        sig(expected.params) === sig(actual.params) && sig(expected.results) === sig(actual.results);
      if (!same) {
        out.push(
          `import ${full} has signature ${sig(actual.params)} -> ${sig(actual.results)}, expected ${sig(expected.params)} -> ${sig(expected.results)}`,
        );
      }
    }
  }
}

function checkExports(m: WasmModule, out: string[]): void {
  const funcs = new Set(m.exports.filter((e) => e.kind === 'func').map((e) => e.name));
  const markers = [...funcs].filter((n) => n.startsWith('interface_version_'));
  if (markers.length === 0) out.push(`missing export ${INTERFACE_VERSION}`);
  else if (markers.length > 1) out.push(`more than one interface_version_* export: ${markers.join(', ')}`);
  else if (markers[0] !== INTERFACE_VERSION) out.push(`unsupported marker ${markers[0]}; expected ${INTERFACE_VERSION}`);
  for (const name of REQUIRED_FUNCTION_EXPORTS) {
    if (!funcs.has(name)) out.push(`missing export ${name}`);
  }
  if (!m.exports.some((e) => e.kind === 'memory' && e.name === 'memory')) out.push('missing export memory');
  if (m.start !== undefined) {
    out.push(`start section present (function ${m.start}): export the start function and call it from the entry points`);
  }
}

function checkMemory(m: WasmModule, out: string[]): void {
  const imported = m.imports.filter((i) => i.kind === 'memory').length;
  const total = imported + m.memories.length;
  if (total !== 1) out.push(`the contract must define exactly one memory, found ${total}`);
  for (const mem of m.memories) {
    if (mem.initial > MEMORY_LIMIT_PAGES) {
      out.push(`memory initial size ${mem.initial} pages exceeds ${MEMORY_LIMIT_PAGES} pages`);
    }
    if (mem.maximum !== undefined) {
      out.push(`memory declares a maximum (${mem.maximum} pages); CosmWasm requires it unset (the host sets it)`);
    }
    if (mem.shared) out.push('threads not supported by CosmWasm: shared memory');
    if (mem.memory64) out.push('memory64 not supported by CosmWasm');
  }
}

function checkTypesAndTables(m: WasmModule, out: string[]): void {
  m.types.forEach((t, i) => {
    if (t.results.length > MAX_FUNCTION_RESULTS) {
      out.push(`multi-value not supported by CosmWasm: type ${i} has ${t.results.length} results`);
    }
    if (t.params.length > MAX_FUNCTION_PARAMS) out.push(`type ${i} has ${t.params.length} params (max ${MAX_FUNCTION_PARAMS})`);
    for (const v of [...t.params, ...t.results]) {
      if (v === 'v128') out.push(`simd not supported by CosmWasm: v128 in type ${i}`);
      if (v === 'funcref' || v === 'externref') out.push(`reference-types not supported by CosmWasm: ${v} in type ${i}`);
    }
  });
  if (m.functions.length > MAX_FUNCTIONS) out.push(`${m.functions.length} functions exceed the limit of ${MAX_FUNCTIONS}`);
  for (const g of m.globals) {
    if (g === 'v128') out.push('simd not supported by CosmWasm: v128 global');
    if (g === 'funcref' || g === 'externref') out.push(`reference-types not supported by CosmWasm: ${g} global`);
  }
  const tables = m.tables.length + m.imports.filter((i) => i.kind === 'table').length;
  if (tables > 1) out.push(`reference-types not supported by CosmWasm: ${tables} tables`);
  for (const t of m.tables) {
    if (t.elemType !== 'funcref') out.push(`reference-types not supported by CosmWasm: table of ${t.elemType}`);
    if (t.limits.initial > TABLE_SIZE_LIMIT) {
      out.push(`table initial size ${t.limits.initial} exceeds ${TABLE_SIZE_LIMIT} entries`);
    }
  }
  if (m.hasTags) out.push('exceptions not supported by CosmWasm: tag section');
}

function checkSegments(m: WasmModule, out: string[]): void {
  for (const f of m.elementFlags) {
    if (f !== 0) out.push(`bulk-memory/reference-types not supported by CosmWasm: element segment with flags ${f}`);
  }
  for (const f of m.dataFlags) {
    if (f === 1) out.push('bulk-memory not supported by CosmWasm: passive data segment');
    if (f === 2) out.push('multi-memory not supported by CosmWasm: data segment with explicit memory index');
  }
  if (m.hasDataCount) out.push('bulk-memory not supported by CosmWasm: data count section');
}
