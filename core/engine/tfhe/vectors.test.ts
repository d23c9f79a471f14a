import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFheType } from '../../../common/fheTypes.js';
import { repoRoot } from '../../../common/paths.js';
import { ciphertextByteLength, parseCiphertext } from './ciphertext.js';
import { parseClientKey } from './clientKey.js';
import { decompressCiphertext } from './compressed.js';
import { decryptCiphertext } from './decrypt.js';

interface VectorFile {
  clientKey: string;
  vectors: { type: string; value: string; source: string; ciphertext: string }[];
}

const file = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'vectors', 'tfhe', 'node-tfhe-1.7.json'), 'utf8')) as VectorFile;
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

describe('stored node-tfhe 1.7 vectors', () => {
  const { bigKey } = parseClientKey(fromB64(file.clientKey));
  for (const v of file.vectors) {
    test(`default: ${v.type} from ${v.source}`, () => {
      const type = parseFheType(v.type);
      let bytes = fromB64(v.ciphertext);
      if (v.source.startsWith('compressed')) bytes = decompressCiphertext(bytes, type);
      expect(bytes.length).toBe(ciphertextByteLength(type));
      expect(decryptCiphertext(parseCiphertext(bytes, type), bigKey)).toBe(BigInt(v.value));
    });
  }
});
