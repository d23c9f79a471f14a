/**
 * The static checker on hand-assembled modules (each also validated by V8, so
 * the bytes are real wasm) and on our built contracts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_DIR, readWasm } from '../testing/simChain.js';
import { checkWasm } from './checkWasm.js';

declare const WebAssembly: { validate(bytes: Uint8Array): boolean };

const leb = (value: number): number[] => {
  const out: number[] = [];
  let n = value;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s: string): number[] => [...leb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

const I32 = 0x7f;
const TYPES = {
  void: [0x60, 0, 0],
  i32_i32: [0x60, 1, I32, 1, I32],
  i32_void: [0x60, 1, I32, 0],
  i32x3_i32: [0x60, 3, I32, I32, I32, 1, I32],
  pair: [0x60, 0, 2, I32, I32], // multi-value result
};
const TYPE_LIST = [TYPES.void, TYPES.i32_i32, TYPES.i32_void, TYPES.i32x3_i32];
const T = { void: 0, i32_i32: 1, i32_void: 2, i32x3_i32: 3, pair: 4 } as const;

interface ModuleSpec {
  imports?: { module: string; name: string; type: number }[];
  /** Instructions of the extra function `work` (type void), without the final `end`. */
  work?: number[];
  /** Memory limits bytes, default: no maximum, 1 page. */
  memory?: number[];
  skipExports?: string[];
  extraExports?: string[];
  /** Adds type 4: () -> (i32, i32). */
  pairType?: boolean;
}

/** A minimal CosmWasm-shaped module: memory, marker, allocate, deallocate, instantiate, work. */
function buildModule(spec: ModuleSpec = {}): Uint8Array {
  const imports = spec.imports ?? [];
  const base = imports.length;
  const fn = (locals: number[], code: number[]): number[] => {
    const body = [...vec(locals.length ? [locals] : []), ...code, 0x0b];
    return [...leb(body.length), ...body];
  };
  const funcs = [
    { type: T.void, name: 'interface_version_8', body: fn([], []) },
    { type: T.i32_i32, name: 'allocate', body: fn([], [0x20, 0]) },
    { type: T.i32_void, name: 'deallocate', body: fn([], []) },
    { type: T.i32x3_i32, name: 'instantiate', body: fn([], [0x41, 0]) },
    { type: T.void, name: 'work', body: fn([], spec.work ?? []) },
  ];
  const exportNames = [...funcs.map((f) => f.name), ...(spec.extraExports ?? [])].filter((n) => !spec.skipExports?.includes(n));
  const exports = exportNames.map((name) => {
    const idx = funcs.findIndex((f) => f.name === name);
    return [...str(name), 0x00, ...leb(base + (idx < 0 ? 0 : idx))];
  });
  if (!spec.skipExports?.includes('memory')) exports.push([...str('memory'), 0x02, 0]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(spec.pairType ? [...TYPE_LIST, TYPES.pair] : TYPE_LIST)),
    ...(imports.length ? section(2, vec(imports.map((i) => [...str(i.module), ...str(i.name), 0x00, ...leb(i.type)]))) : []),
    ...section(3, vec(funcs.map((f) => leb(f.type)))),
    ...section(5, vec([spec.memory ?? [0x00, 1]])),
    ...section(7, vec(exports)),
    ...section(10, vec(funcs.map((f) => f.body))),
  ];
  const out = new Uint8Array(bytes);
  expect(WebAssembly.validate(out)).toBe(true);
  return out;
}

function expectViolation(bytes: Uint8Array, pattern: RegExp): void {
  const { ok, violations } = checkWasm(bytes);
  expect(ok).toBe(false);
  expect(violations.some((v) => pattern.test(v))).toBe(true);
}

describe('checkWasm', () => {
  test('default: a minimal CosmWasm module passes', () => {
    expect(checkWasm(buildModule({ imports: [{ module: 'env', name: 'db_read', type: T.i32_i32 }] }))).toEqual({
      ok: true,
      violations: [],
    });
  });

  test('default: our built contracts pass', () => {
    for (const name of ['asc', 'config'] as const) {
      const bytes = readWasm(name);
      expect(checkWasm(bytes)).toEqual({ ok: true, violations: [] });
      expect(bytes.length).toBeLessThan(150 * 1024);
    }
  });

  test('behavior: bulk memory (memory.copy, memory.fill) is rejected', () => {
    const copy = [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 10, 0, 0];
    expectViolation(buildModule({ work: copy }), /bulk-memory.*memory\.copy/);
    const fill = [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 11, 0];
    expectViolation(buildModule({ work: fill }), /bulk-memory.*memory\.fill/);
  });

  test('behavior: non-trapping float-to-int and sign extension are allowed', () => {
    const satTrunc = [0x43, 0, 0, 0, 0, 0xfc, 0, 0x1a]; // f32.const 0; i32.trunc_sat_f32_s; drop
    const signExt = [0x41, 0, 0xc0, 0x1a]; // i32.const 0; i32.extend8_s; drop
    expect(checkWasm(buildModule({ work: [...satTrunc, ...signExt] })).ok).toBe(true);
  });

  test('behavior: an AssemblyScript build with bulk memory left on is rejected', () => {
    // test/fixtures/wasm/config-bulk-memory.wasm: contracts/config built without `--disable bulk-memory`.
    const bytes = new Uint8Array(readFileSync(join(CONTRACTS_DIR, '..', 'test', 'fixtures', 'wasm', 'config-bulk-memory.wasm')));
    expectViolation(bytes, /bulk-memory.*memory\.copy/);
    expectViolation(bytes, /bulk-memory.*data count section/);
  });

  test('behavior: SIMD is rejected', () => {
    const v128 = [0xfd, 12, ...new Array<number>(16).fill(0), 0x1a]; // v128.const 0; drop
    expectViolation(buildModule({ work: v128 }), /simd/);
  });

  test('behavior: reference types are rejected', () => {
    expectViolation(buildModule({ work: [0xd0, 0x70, 0xd1, 0x1a] }), /reference-types.*ref\.null/);
  });

  test('behavior: multi-value function types and block types are rejected', () => {
    expectViolation(buildModule({ pairType: true }), /multi-value.*type 4 has 2 results/);
    const blockWithType = [0x02, 0x00, 0x0b]; // block (type 0) end
    expectViolation(buildModule({ work: blockWithType }), /multi-value.*block with type index 0/);
  });

  test('behavior: forbidden imports are rejected', () => {
    expectViolation(buildModule({ imports: [{ module: 'env', name: 'seed', type: T.void }] }), /forbidden import env\.seed/);
    expectViolation(
      buildModule({ imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write', type: T.i32x3_i32 }] }),
      /forbidden import wasi_snapshot_preview1\.fd_write/,
    );
    // AssemblyScript's default 4-argument abort has the wrong signature.
    expectViolation(buildModule({ imports: [{ module: 'env', name: 'db_read', type: T.void }] }), /import env\.db_read has signature/);
  });

  test('behavior: missing exports, a memory maximum and too many pages are rejected', () => {
    expectViolation(buildModule({ skipExports: ['interface_version_8'] }), /missing export interface_version_8/);
    expectViolation(buildModule({ skipExports: ['allocate'] }), /missing export allocate/);
    expectViolation(buildModule({ skipExports: ['memory'] }), /missing export memory/);
    expectViolation(buildModule({ extraExports: ['interface_version_7'] }), /more than one interface_version/);
    expectViolation(buildModule({ memory: [0x01, 1, 16] }), /maximum/);
    expectViolation(buildModule({ memory: [0x00, ...leb(513)] }), /513 pages exceeds 512/);
  });

  test('behavior: garbage and oversized input are rejected without throwing', () => {
    expectViolation(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), /malformed wasm/);
    const big = new Uint8Array(801 * 1024);
    big.set(buildModule());
    expectViolation(big, /exceeds wasmd's limit/);
  });
});
