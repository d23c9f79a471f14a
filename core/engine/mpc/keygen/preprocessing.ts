/**
 * @module core/engine/mpc/keygen/preprocessing
 * Key-generation preprocessing in chunks: the shared random bits and Beaver
 * triples a `distributedKeygen` consumes, made ahead (hours for a real
 * parameter set) in fixed-size chunks that a service seals and stores one by
 * one, so memory stays bounded and a restart loses at most the chunk in
 * flight.
 *
 * Rules that keep it safe (the same as the decryption pool's):
 * - every party makes chunk i in the same MPC session and stores it under
 *   index i: chunk i of party p matches chunk i of party q only;
 * - the keygen consumes bits and triples in one fixed order (`ChunkedRandomness`
 *   streams chunk after chunk), so all parties take the same material;
 * - material is used once: the preprocessing is named by one keygen only
 *   (the ASC refuses a second) and the core wipes it after use.
 *
 * @example
 * const plan = keygenPreprocessingPlan(keygenLayout(shape));
 * for (const c of plan.chunks) store(c.index, encodeChunk(R, await generateChunk(session, c)));
 * await distributedKeygen(session, shape, masks, { randomness: new ChunkedRandomness(R, plan, load) });
 */
import type { GaloisRing, GrVector } from '../algebra/galoisRing.js';
import { MpcParameterError } from '../errors.js';
import type { MpcSession } from '../online/session.js';
import { generateRandomBits } from '../preprocessing/randomBits.js';
import { generateTriples, type Triples } from '../preprocessing/triples.js';
import type { KeygenLayout, KeygenRandomness } from './keygen.js';

/** Elements per chunk by default: 2^15 triples are ~2.4 MB at d = 3 (three ring elements each). */
export const DEFAULT_CHUNK_SIZE = 1 << 15;

export interface ChunkSpec {
  index: number;
  kind: 'bits' | 'triples';
  count: number;
}

export interface KeygenPreprocessingPlan {
  bits: number;
  triples: number;
  chunkSize: number;
  /** Bit chunks first, then triple chunks. */
  chunks: ChunkSpec[];
}

export function keygenPreprocessingPlan(layout: Pick<KeygenLayout, 'bits' | 'products'>, chunkSize = DEFAULT_CHUNK_SIZE): KeygenPreprocessingPlan {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new MpcParameterError(`chunk size ${chunkSize}`);
  const chunks: ChunkSpec[] = [];
  const add = (kind: ChunkSpec['kind'], total: number): void => {
    for (let at = 0; at < total; at += chunkSize) chunks.push({ index: chunks.length, kind, count: Math.min(chunkSize, total - at) });
  };
  add('bits', layout.bits);
  add('triples', layout.products);
  return { bits: layout.bits, triples: layout.products, chunkSize, chunks };
}

export type Chunk = { kind: 'bits'; bits: GrVector } | { kind: 'triples'; triples: Triples };

/** Makes one chunk (bits consume one triple each, made in the same session). */
export async function generateChunk(session: MpcSession, spec: ChunkSpec): Promise<Chunk> {
  const triples = await generateTriples(session, spec.count);
  if (spec.kind === 'triples') return { kind: 'triples', triples };
  const bits = await generateRandomBits(session, spec.count, triples);
  triples.a.fill(0);
  triples.b.fill(0);
  triples.c.fill(0);
  return { kind: 'bits', bits };
}

const MAGIC = 'TKMS-DKG-CHUNK-V1';

/** Chunk bytes: magic, kind, ring degree, count, then the shares (`R.toBytes`). */
export function encodeChunk(R: GaloisRing, spec: ChunkSpec, chunk: Chunk): Uint8Array {
  const head = new TextEncoder().encode(`${MAGIC}/${spec.index}/${chunk.kind}/${R.d}/${spec.count}\n`);
  const parts = chunk.kind === 'bits' ? [chunk.bits] : [chunk.triples.a, chunk.triples.b, chunk.triples.c];
  const out = new Uint8Array(head.length + parts.reduce((s, p) => s + p.byteLength, 0));
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

/** Parses a stored chunk, checking it is the one `spec` expects (index, kind, ring, count). */
export function decodeChunk(R: GaloisRing, spec: ChunkSpec, bytes: Uint8Array): Chunk {
  const nl = bytes.indexOf(10);
  const head = nl > 0 && nl < 128 ? new TextDecoder().decode(bytes.subarray(0, nl)) : '';
  const expected = `${MAGIC}/${spec.index}/${spec.kind}/${R.d}/${spec.count}`;
  if (head !== expected) throw new MpcParameterError(`stored preprocessing chunk ${spec.index} is not the expected one (${head.slice(0, 80) || 'no header'})`);
  const parts = spec.kind === 'bits' ? 1 : 3;
  const body = bytes.subarray(nl + 1);
  if (body.length !== parts * spec.count * R.bytesPerElement) throw new MpcParameterError(`stored preprocessing chunk ${spec.index} holds ${body.length} bytes, expected ${parts * spec.count * R.bytesPerElement}`);
  const element = (i: number): GrVector => R.fromBytes(body.subarray(i * spec.count * R.bytesPerElement, (i + 1) * spec.count * R.bytesPerElement), spec.count)!;
  if (spec.kind === 'bits') return { kind: 'bits', bits: element(0) };
  return { kind: 'triples', triples: { count: spec.count, a: element(0), b: element(1), c: element(2) } };
}

/**
 * Streams stored chunks to a `distributedKeygen` in plan order: at most one
 * bit chunk and one triple chunk in memory; consumed shares are zeroed.
 */
export class ChunkedRandomness implements KeygenRandomness {
  private nextBitChunk: number;
  private nextTripleChunk: number;
  private bitBuffer: { v: GrVector; at: number; count: number } | undefined;
  private tripleBuffer: { v: Triples; at: number } | undefined;

  constructor(
    private readonly R: GaloisRing,
    private readonly plan: KeygenPreprocessingPlan,
    private readonly load: (spec: ChunkSpec) => Promise<Chunk>,
  ) {
    this.nextBitChunk = plan.chunks.findIndex((c) => c.kind === 'bits');
    this.nextTripleChunk = plan.chunks.findIndex((c) => c.kind === 'triples');
  }

  private async nextChunk(kind: ChunkSpec['kind']): Promise<Chunk> {
    const i = kind === 'bits' ? this.nextBitChunk : this.nextTripleChunk;
    const spec = i >= 0 ? this.plan.chunks[i] : undefined;
    if (!spec || spec.kind !== kind) throw new MpcParameterError(`the keygen preprocessing has no more ${kind}`);
    if (kind === 'bits') this.nextBitChunk++;
    else this.nextTripleChunk++;
    const chunk = await this.load(spec);
    if (chunk.kind !== kind) throw new MpcParameterError(`preprocessing chunk ${spec.index} holds ${chunk.kind}, expected ${kind}`);
    return chunk;
  }

  private async nextBits(): Promise<GrVector> {
    const c = await this.nextChunk('bits');
    return c.kind === 'bits' ? c.bits : this.R.alloc(0);
  }

  private async nextTriples(): Promise<Triples> {
    const c = await this.nextChunk('triples');
    return c.kind === 'triples' ? c.triples : { count: 0, a: this.R.alloc(0), b: this.R.alloc(0), c: this.R.alloc(0) };
  }

  async bits(_session: MpcSession, count: number): Promise<GrVector> {
    const R = this.R;
    const out = R.alloc(count);
    let filled = 0;
    while (filled < count) {
      if (!this.bitBuffer || this.bitBuffer.at === this.bitBuffer.count) {
        this.bitBuffer?.v.fill(0);
        const v = await this.nextBits();
        this.bitBuffer = { v, at: 0, count: v.length / R.limbs };
      }
      const b = this.bitBuffer;
      const m = Math.min(count - filled, b.count - b.at);
      out.set(b.v.subarray(b.at * R.limbs, (b.at + m) * R.limbs), filled * R.limbs);
      b.v.fill(0, b.at * R.limbs, (b.at + m) * R.limbs);
      b.at += m;
      filled += m;
    }
    return out;
  }

  async triples(_session: MpcSession, count: number): Promise<Triples> {
    const R = this.R;
    const out: Triples = { count, a: R.alloc(count), b: R.alloc(count), c: R.alloc(count) };
    let filled = 0;
    while (filled < count) {
      if (!this.tripleBuffer || this.tripleBuffer.at === this.tripleBuffer.v.count) {
        if (this.tripleBuffer) for (const v of [this.tripleBuffer.v.a, this.tripleBuffer.v.b, this.tripleBuffer.v.c]) v.fill(0);
        this.tripleBuffer = { v: await this.nextTriples(), at: 0 };
      }
      const t = this.tripleBuffer;
      const m = Math.min(count - filled, t.v.count - t.at);
      for (const k of ['a', 'b', 'c'] as const) {
        out[k].set(t.v[k].subarray(t.at * R.limbs, (t.at + m) * R.limbs), filled * R.limbs);
        t.v[k].fill(0, t.at * R.limbs, (t.at + m) * R.limbs);
      }
      t.at += m;
      filled += m;
    }
    return out;
  }
}
