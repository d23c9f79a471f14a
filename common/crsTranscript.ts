/**
 * @module common/crsTranscript
 * The public record of a CRS ceremony (core/service/threshold/crsCeremony.ts):
 * the request it answered, the bit count, and every accepted contribution in
 * order, each as its contributor sent it (new powers and proof). Every party
 * publishes it next to the CRS; anyone can replay it from the starting state
 * (core/service/zk/crsTranscript.ts, `tkms verify-crs`) and check that it ends
 * at the CRS whose digest the parties signed. Nothing in it is secret.
 *
 * Layout: the tag `TKMS-CRS-TRANSCRIPT-V1`, then big-endian u32 fields —
 * maxNumBits, request id length and bytes, contribution count, and per
 * contribution its party and length, then its bytes.
 */
import { TkmsError } from './errors.js';

export interface CrsTranscript {
  requestId: string;
  maxNumBits: number;
  contributions: { party: number; bytes: Uint8Array }[];
}

const TAG = new TextEncoder().encode('TKMS-CRS-TRANSCRIPT-V1');
const MAX_CONTRIBUTIONS = 256;
/** A contribution is a few MB; the whole record stays far below this. */
export const MAX_CRS_TRANSCRIPT_BYTES = 1 << 30;

export function encodeCrsTranscript(t: CrsTranscript): Uint8Array {
  const id = new TextEncoder().encode(t.requestId);
  const size = TAG.length + 12 + id.length + t.contributions.reduce((s, c) => s + 8 + c.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(TAG, 0);
  let at = TAG.length;
  const u32 = (v: number): void => {
    view.setUint32(at, v);
    at += 4;
  };
  u32(t.maxNumBits);
  u32(id.length);
  out.set(id, at);
  at += id.length;
  u32(t.contributions.length);
  for (const c of t.contributions) {
    u32(c.party);
    u32(c.bytes.length);
    out.set(c.bytes, at);
    at += c.bytes.length;
  }
  return out;
}

export function decodeCrsTranscript(bytes: Uint8Array): CrsTranscript {
  const bad = (why: string): TkmsError => new TkmsError('CRS_TRANSCRIPT_MALFORMED', `not a CRS ceremony transcript: ${why}`);
  if (bytes.length > MAX_CRS_TRANSCRIPT_BYTES) throw bad(`${bytes.length} bytes, more than ${MAX_CRS_TRANSCRIPT_BYTES}`);
  if (bytes.length < TAG.length || !TAG.every((b, i) => bytes[i] === b)) throw bad('wrong tag');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = TAG.length;
  const u32 = (): number => {
    if (at + 4 > bytes.length) throw bad('truncated');
    const v = view.getUint32(at);
    at += 4;
    return v;
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw bad('truncated');
    const b = bytes.slice(at, at + n);
    at += n;
    return b;
  };
  const maxNumBits = u32();
  const idLength = u32();
  if (idLength > 256) throw bad('request id too long');
  const requestId = new TextDecoder('utf-8', { fatal: true }).decode(take(idLength));
  const count = u32();
  if (count > MAX_CONTRIBUTIONS) throw bad(`${count} contributions`);
  const contributions: CrsTranscript['contributions'] = [];
  for (let i = 0; i < count; i++) {
    const party = u32();
    contributions.push({ party, bytes: take(u32()) });
  }
  if (at !== bytes.length) throw bad('trailing bytes');
  return { requestId, maxNumBits, contributions };
}
