import { decodeCrsTranscript, encodeCrsTranscript } from './crsTranscript.js';

const sample = { requestId: 'ab'.repeat(20), maxNumBits: 64, contributions: [{ party: 1, bytes: Uint8Array.of(1, 2, 3) }, { party: 3, bytes: new Uint8Array(0) }] };

test('a transcript decodes to what was encoded', () => {
  expect(decodeCrsTranscript(encodeCrsTranscript(sample))).toEqual(sample);
});

test('truncated, extended, re-tagged or oversized counts are refused with CRS_TRANSCRIPT_MALFORMED', () => {
  const bytes = encodeCrsTranscript(sample);
  const bad = [bytes.subarray(0, bytes.length - 1), Uint8Array.of(...bytes, 0), Uint8Array.of(bytes[0]! ^ 1, ...bytes.subarray(1)), new Uint8Array(3)];
  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(22 + 8 + 40, 1 << 20); // the contribution count
  bad.push(huge);
  for (const b of bad) expect(() => decodeCrsTranscript(b)).toThrow(expect.objectContaining({ code: 'CRS_TRANSCRIPT_MALFORMED' }));
});
