/**
 * @module contracts/checker/instructions
 * Walks every function body (core spec §5.4) and reports the post-MVP features
 * it uses. cosmwasm-vm validates modules with these proposals switched off
 * (bulk memory, reference types, SIMD, threads, multi-value, tail calls,
 * exceptions); sign extension and non-trapping float-to-int are allowed.
 */
import { ByteReader, WasmFormatError } from './reader.js';
import { valType, type WasmModule } from './module.js';

export type Feature =
  | 'bulk-memory'
  | 'reference-types'
  | 'simd'
  | 'threads'
  | 'multi-value'
  | 'tail-calls'
  | 'exceptions'
  | 'multi-memory';

export interface FeatureUse {
  feature: Feature;
  /** Human-readable instruction, e.g. `memory.copy`. */
  what: string;
  funcIndex: number;
  offset: number;
}

const FC_OPS: Readonly<Record<number, { name: string; feature?: Feature; immediates: number }>> = {
  0: { name: 'i32.trunc_sat_f32_s', immediates: 0 },
  1: { name: 'i32.trunc_sat_f32_u', immediates: 0 },
  2: { name: 'i32.trunc_sat_f64_s', immediates: 0 },
  3: { name: 'i32.trunc_sat_f64_u', immediates: 0 },
  4: { name: 'i64.trunc_sat_f32_s', immediates: 0 },
  5: { name: 'i64.trunc_sat_f32_u', immediates: 0 },
  6: { name: 'i64.trunc_sat_f64_s', immediates: 0 },
  7: { name: 'i64.trunc_sat_f64_u', immediates: 0 },
  8: { name: 'memory.init', feature: 'bulk-memory', immediates: 2 },
  9: { name: 'data.drop', feature: 'bulk-memory', immediates: 1 },
  10: { name: 'memory.copy', feature: 'bulk-memory', immediates: 2 },
  11: { name: 'memory.fill', feature: 'bulk-memory', immediates: 1 },
  12: { name: 'table.init', feature: 'bulk-memory', immediates: 2 },
  13: { name: 'elem.drop', feature: 'bulk-memory', immediates: 1 },
  14: { name: 'table.copy', feature: 'bulk-memory', immediates: 2 },
  15: { name: 'table.grow', feature: 'reference-types', immediates: 1 },
  16: { name: 'table.size', feature: 'reference-types', immediates: 1 },
  17: { name: 'table.fill', feature: 'reference-types', immediates: 1 },
};

/** Scans all code bodies; stops scanning a body at the first opcode it cannot decode. */
export function scanInstructions(m: WasmModule): FeatureUse[] {
  const uses: FeatureUse[] = [];
  for (const code of m.codes) {
    const r = new ByteReader(m.bytes, code.start, code.end);
    const use = (feature: Feature, what: string, offset: number): void => {
      uses.push({ feature, what, funcIndex: code.funcIndex, offset });
    };
    for (let groups = r.u32(); groups > 0; groups--) {
      r.u32();
      const t = valType(r);
      if (t === 'v128') use('simd', 'v128 local', r.pos);
      if (t === 'funcref' || t === 'externref') use('reference-types', `${t} local`, r.pos);
    }
    scanBody(r, m, use);
  }
  return uses;
}

function scanBody(r: ByteReader, m: WasmModule, use: (f: Feature, what: string, offset: number) => void): void {
  while (!r.done) {
    const at = r.pos;
    const op = r.u8();
    if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b) continue;
    if (op >= 0x45 && op <= 0xc4) continue; // numeric instructions (incl. sign extension 0xC0–0xC4)
    if (op >= 0x02 && op <= 0x04) {
      blockType(r, m, at, use);
      continue;
    }
    if (op >= 0x28 && op <= 0x3e) {
      r.u32(); // align (bit 6 set = explicit memory index: multi-memory)
      r.u32();
      continue;
    }
    switch (op) {
      case 0x0c:
      case 0x0d:
      case 0x10:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
        r.u32();
        continue;
      case 0x0e:
        for (let n = r.u32(); n > 0; n--) r.u32();
        r.u32();
        continue;
      case 0x11: {
        r.u32();
        const table = r.u32();
        if (table !== 0) use('reference-types', `call_indirect on table ${table}`, at);
        continue;
      }
      case 0x12:
      case 0x13:
        use('tail-calls', op === 0x12 ? 'return_call' : 'return_call_indirect', at);
        return;
      case 0x1c:
        use('reference-types', 'typed select', at);
        for (let n = r.u32(); n > 0; n--) valType(r);
        continue;
      case 0x25:
      case 0x26:
        use('reference-types', op === 0x25 ? 'table.get' : 'table.set', at);
        r.u32();
        continue;
      case 0x3f:
      case 0x40: {
        const mem = r.u32();
        if (mem !== 0) use('multi-memory', `memory.${op === 0x3f ? 'size' : 'grow'} on memory ${mem}`, at);
        continue;
      }
      case 0x41:
        r.sleb(32);
        continue;
      case 0x42:
        r.sleb(64);
        continue;
      case 0x43:
        r.skip(4);
        continue;
      case 0x44:
        r.skip(8);
        continue;
      case 0xd0:
        use('reference-types', 'ref.null', at);
        r.u8();
        continue;
      case 0xd1:
        use('reference-types', 'ref.is_null', at);
        continue;
      case 0xd2:
        use('reference-types', 'ref.func', at);
        r.u32();
        continue;
      case 0xfc: {
        const sub = r.u32();
        const info = FC_OPS[sub];
        if (!info) throw new WasmFormatError(`unknown 0xFC ${sub} opcode at offset ${at}`);
        if (info.feature) use(info.feature, info.name, at);
        for (let k = 0; k < info.immediates; k++) r.u32();
        continue;
      }
      case 0xfd:
        use('simd', `SIMD opcode 0xFD ${r.u32()}`, at);
        return; // SIMD immediates vary; the body is rejected anyway
      case 0xfe:
        use('threads', `atomic opcode 0xFE ${r.u32()}`, at);
        return;
      case 0x06:
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x0a:
      case 0x18:
      case 0x19:
      case 0x1f:
        use('exceptions', `exception-handling opcode 0x${op.toString(16)}`, at);
        return;
      default:
        throw new WasmFormatError(`unknown opcode 0x${op.toString(16)} at offset ${at}`);
    }
  }
}

/** Block types: 0x40 (empty), a value type, or an s33 type index (multi-value proposal). */
function blockType(r: ByteReader, m: WasmModule, at: number, use: (f: Feature, what: string, offset: number) => void): void {
  const b = r.bytes[r.pos];
  if (b === 0x40) {
    r.pos++;
    return;
  }
  if (b === 0x7f || b === 0x7e || b === 0x7d || b === 0x7c) {
    r.pos++;
    return;
  }
  if (b === 0x7b) {
    r.pos++;
    use('simd', 'v128 block type', at);
    return;
  }
  if (b === 0x70 || b === 0x6f) {
    r.pos++;
    use('reference-types', 'reference block type', at);
    return;
  }
  const index = r.sleb(33);
  const type = m.types[index];
  use('multi-value', `block with type index ${index}${type ? ` (${type.params.length} params, ${type.results.length} results)` : ''}`, at);
}
