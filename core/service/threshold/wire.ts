/**
 * @module core/service/threshold/wire
 * Byte formats of the threshold backend: the dealer's message to a party, and
 * what a party stores privately per key (its share and the key's PRSS keys).
 * Length-prefixed fields (u32 big-endian), strict parsing.
 */
import type { PrssKeys } from '../../engine/mpc/index.js';
import { TkmsError } from '../../../common/errors.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((a, p) => a + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const p of parts) {
    view.setUint32(o, p.length, false);
    out.set(p, o + 4);
    o += 4 + p.length;
  }
  return out;
}

function split(bytes: Uint8Array, count: number, what: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < count; i++) {
    if (o + 4 > bytes.length) throw new TkmsError('THRESHOLD_WIRE_MALFORMED', `${what}: truncated at field ${i}`);
    const len = view.getUint32(o, false);
    if (o + 4 + len > bytes.length) throw new TkmsError('THRESHOLD_WIRE_MALFORMED', `${what}: field ${i} overruns the message`);
    out.push(bytes.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  if (o !== bytes.length) throw new TkmsError('THRESHOLD_WIRE_MALFORMED', `${what}: ${bytes.length - o} trailing bytes`);
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export interface DealMessage {
  share: Uint8Array;
  lweDimension: number;
  compactPublicKey: Uint8Array;
  compressedServerKey: Uint8Array;
  parameters: string;
}

export function encodeDealMessage(m: DealMessage): Uint8Array {
  return concat([utf8('TKMS-DEAL-V1'), m.share, utf8(String(m.lweDimension)), m.compactPublicKey, m.compressedServerKey, utf8(m.parameters)]);
}

export function decodeDealMessage(bytes: Uint8Array): DealMessage {
  const [tag, share, dim, pk, sk, params] = split(bytes, 6, 'deal message');
  if (text(tag!) !== 'TKMS-DEAL-V1') throw new TkmsError('THRESHOLD_WIRE_MALFORMED', 'not a deal message');
  const lweDimension = Number(text(dim!));
  if (!Number.isInteger(lweDimension) || lweDimension < 1) throw new TkmsError('THRESHOLD_WIRE_MALFORMED', 'bad LWE dimension');
  // Copies: the transport's buffer may be released with the session.
  return { share: share!.slice(), lweDimension, compactPublicKey: pk!.slice(), compressedServerKey: sk!.slice(), parameters: text(params!) };
}

export interface KeyMaterial {
  share: Uint8Array;
  lweDimension: number;
  prss: PrssKeys;
}

function prssJson(k: PrssKeys): string {
  return JSON.stringify({ n: k.n, t: k.t, party: k.party, sets: k.sets.map((s) => ({ members: [...s.members], key: Buffer.from(s.key).toString('hex') })) });
}

function prssOfJson(json: string): PrssKeys {
  const p = JSON.parse(json) as { n: number; t: number; party: number; sets: { members: number[]; key: string }[] };
  return { n: p.n, t: p.t, party: p.party, sets: p.sets.map((s) => ({ members: s.members, key: Uint8Array.from(Buffer.from(s.key, 'hex')) })) };
}

export function encodeKeyMaterial(m: KeyMaterial): Uint8Array {
  return concat([utf8('TKMS-KEYSHARE-V1'), m.share, utf8(String(m.lweDimension)), utf8(prssJson(m.prss))]);
}

export function decodeKeyMaterial(bytes: Uint8Array): KeyMaterial {
  const [tag, share, dim, prss] = split(bytes, 4, 'key share');
  if (text(tag!) !== 'TKMS-KEYSHARE-V1') throw new TkmsError('THRESHOLD_WIRE_MALFORMED', 'not a key share record');
  return { share: share!.slice(), lweDimension: Number(text(dim!)), prss: prssOfJson(text(prss!)) };
}

/** Key generation preprocessing material (private, sealed by the vault): the PRSS keys agreed for the party set. */
export function encodePreprocMaterial(prss: PrssKeys): Uint8Array {
  return concat([utf8('TKMS-KEYGEN-PREPROC-V1'), utf8(prssJson(prss))]);
}

export function decodePreprocMaterial(bytes: Uint8Array): PrssKeys {
  const [tag, prss] = split(bytes, 2, 'keygen preprocessing');
  if (text(tag!) !== 'TKMS-KEYGEN-PREPROC-V1') throw new TkmsError('THRESHOLD_WIRE_MALFORMED', 'not a keygen preprocessing record');
  return prssOfJson(text(prss!));
}
