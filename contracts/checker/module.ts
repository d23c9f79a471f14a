/**
 * @module contracts/checker/module
 * Parses the sections of a wasm binary (core spec §5.5) into the facts the
 * CosmWasm checks need. Function bodies are kept as raw ranges and scanned by
 * `instructions.ts`. Anything the parser cannot read is a format error.
 */
import { ByteReader, WasmFormatError } from './reader.js';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

const VALTYPES: Readonly<Record<number, ValType>> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  initial: number;
  maximum: number | undefined;
  shared: boolean;
  memory64: boolean;
}

export type ImportKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

export interface Import {
  module: string;
  name: string;
  kind: ImportKind;
  /** Type index for function imports. */
  typeIndex?: number;
}

export interface Export {
  name: string;
  kind: 'func' | 'table' | 'memory' | 'global' | 'tag';
  index: number;
}

export interface CodeBody {
  /** Function index (imports first). */
  funcIndex: number;
  start: number;
  end: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined (non-imported) function. */
  functions: number[];
  tables: { elemType: ValType; limits: Limits }[];
  memories: Limits[];
  globals: ValType[];
  exports: Export[];
  start: number | undefined;
  /** Element segment flag values (0 = MVP active segment). */
  elementFlags: number[];
  /** Data segment flag values (0 = MVP active segment on memory 0). */
  dataFlags: number[];
  hasDataCount: boolean;
  hasTags: boolean;
  codes: CodeBody[];
  bytes: Uint8Array;
}

export function valType(r: ByteReader): ValType {
  const b = r.u8();
  const t = VALTYPES[b];
  if (!t) throw new WasmFormatError(`unknown value type 0x${b.toString(16)} at offset ${r.pos - 1}`);
  return t;
}

function limits(r: ByteReader): Limits {
  const flags = r.u8();
  if (flags > 7) throw new WasmFormatError(`bad limits flags 0x${flags.toString(16)}`);
  const memory64 = (flags & 4) !== 0;
  const read = (): number => (memory64 ? r.sleb(64) : r.u32());
  const initial = read();
  const maximum = flags & 1 ? read() : undefined;
  return { initial, maximum, shared: (flags & 2) !== 0, memory64 };
}

/** Skips a constant expression (global init, segment offset) up to its `end`. */
function skipConstExpr(r: ByteReader): void {
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
        r.sleb(32);
        break;
      case 0x42:
        r.sleb(64);
        break;
      case 0x43:
        r.skip(4);
        break;
      case 0x44:
        r.skip(8);
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32();
        break;
      case 0xd0: // ref.null t
        r.u8();
        break;
      case 0xfd:
        r.u32();
        r.skip(16);
        break;
      default:
        // extended-const arithmetic (i32.add etc.) has no immediates
        if (op >= 0x6a && op <= 0x7e) break;
        throw new WasmFormatError(`unsupported opcode 0x${op.toString(16)} in constant expression`);
    }
  }
}

const EXPORT_KINDS = ['func', 'table', 'memory', 'global', 'tag'] as const;

export function parseModule(bytes: Uint8Array): WasmModule {
  const r = new ByteReader(bytes);
  const magic = r.take(4);
  if (magic[0] !== 0x00 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
    throw new WasmFormatError('not a wasm module (bad magic)');
  }
  const version = r.take(4);
  if (version[0] !== 1 || version[1] !== 0 || version[2] !== 0 || version[3] !== 0) {
    throw new WasmFormatError('unsupported wasm version (only core module version 1)');
  }
  const m: WasmModule = {
    types: [],
    imports: [],
    functions: [],
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    start: undefined,
    elementFlags: [],
    dataFlags: [],
    hasDataCount: false,
    hasTags: false,
    codes: [],
    bytes,
  };
  while (!r.done) {
    const id = r.u8();
    const size = r.u32();
    const s = r.sub(size);
    switch (id) {
      case 0:
        break; // custom section: names, producers; ignored
      case 1:
        for (let n = s.u32(); n > 0; n--) {
          const form = s.u8();
          if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)} (GC types)`);
          const params: ValType[] = [];
          for (let k = s.u32(); k > 0; k--) params.push(valType(s));
          const results: ValType[] = [];
          for (let k = s.u32(); k > 0; k--) results.push(valType(s));
          m.types.push({ params, results });
        }
        break;
      case 2:
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          if (kind === 0) m.imports.push({ module, name, kind: 'func', typeIndex: s.u32() });
          else if (kind === 1) {
            valType(s);
            limits(s);
            m.imports.push({ module, name, kind: 'table' });
          } else if (kind === 2) {
            limits(s);
            m.imports.push({ module, name, kind: 'memory' });
          } else if (kind === 3) {
            valType(s);
            s.u8();
            m.imports.push({ module, name, kind: 'global' });
          } else if (kind === 4) {
            s.u8();
            s.u32();
            m.imports.push({ module, name, kind: 'tag' });
          } else throw new WasmFormatError(`unknown import kind ${kind}`);
        }
        break;
      case 3:
        for (let n = s.u32(); n > 0; n--) m.functions.push(s.u32());
        break;
      case 4:
        for (let n = s.u32(); n > 0; n--) {
          const elemType = valType(s);
          m.tables.push({ elemType, limits: limits(s) });
        }
        break;
      case 5:
        for (let n = s.u32(); n > 0; n--) m.memories.push(limits(s));
        break;
      case 6:
        for (let n = s.u32(); n > 0; n--) {
          m.globals.push(valType(s));
          s.u8(); // mutability
          skipConstExpr(s);
        }
        break;
      case 7:
        for (let n = s.u32(); n > 0; n--) {
          const name = s.name();
          const kind = EXPORT_KINDS[s.u8()];
          if (!kind) throw new WasmFormatError(`unknown export kind for ${name}`);
          m.exports.push({ name, kind, index: s.u32() });
        }
        break;
      case 8:
        m.start = s.u32();
        break;
      case 9:
        for (let n = s.u32(); n > 0; n--) {
          const flags = s.u32();
          m.elementFlags.push(flags);
          if (flags === 0) {
            skipConstExpr(s);
            for (let k = s.u32(); k > 0; k--) s.u32();
          } else {
            // Non-MVP segments (reference types / bulk memory): the checker rejects
            // them, so their body is not decoded; skip the rest of the section.
            s.pos = s.end;
            n = 1;
          }
        }
        break;
      case 10: {
        const count = s.u32();
        for (let i = 0; i < count; i++) {
          const len = s.u32();
          const start = s.pos;
          s.skip(len);
          m.codes.push({ funcIndex: countFuncImports(m) + i, start, end: start + len });
        }
        break;
      }
      case 11:
        for (let n = s.u32(); n > 0; n--) {
          const flags = s.u32();
          m.dataFlags.push(flags);
          if (flags === 0) skipConstExpr(s);
          else if (flags === 2) {
            s.u32();
            skipConstExpr(s);
          } else if (flags !== 1) throw new WasmFormatError(`unknown data segment flags ${flags}`);
          s.skip(s.u32());
        }
        break;
      case 12:
        s.u32();
        m.hasDataCount = true;
        break;
      case 13:
        m.hasTags = true;
        s.pos = s.end;
        break;
      default:
        throw new WasmFormatError(`unknown section id ${id}`);
    }
    if (id !== 0 && !s.done && id !== 9) throw new WasmFormatError(`section ${id} has ${s.end - s.pos} trailing bytes`);
  }
  if (m.codes.length !== m.functions.length) {
    throw new WasmFormatError(`function and code section sizes differ (${m.functions.length} vs ${m.codes.length})`);
  }
  return m;
}

export function countFuncImports(m: WasmModule): number {
  return m.imports.filter((i) => i.kind === 'func').length;
}
