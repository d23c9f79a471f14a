/**
 * Generates `node-tfhe-1.7.json`: a client key and ciphertexts made by
 * node-tfhe 1.7 (client-key, compact-public-key and compressed encryptions),
 * with their plaintexts. They pin the byte layout `core/engine/tfhe` parses:
 * if a node-tfhe upgrade changes it, `core/engine/tfhe/vectors.test.ts` fails
 * on the stored bytes rather than silently on fresh ones.
 *
 * Run: `npx tsx test/vectors/tfhe/generate.ts`
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tfhe from 'node-tfhe';
import { repoRoot } from '../../../common/paths.js';
import { DEFAULT_PARAMETERS, encryptWithPublicKey } from '../../../core/engine/index.js';

const LIMIT = 1n << 26n;
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

const ck = tfhe.TfheClientKey.generate(tfhe.TfheConfigBuilder.default().build());
const pk = tfhe.TfheCompactPublicKey.new(ck).safe_serialize(LIMIT);
const vectors = [
  { type: 'ebool', value: '1', source: 'client_key', ciphertext: b64(tfhe.FheBool.encrypt_with_client_key(true, ck).safe_serialize(LIMIT)) },
  { type: 'euint4', value: '9', source: 'public_key', ciphertext: b64(encryptWithPublicKey(pk, 'euint4', 9n)) },
  { type: 'euint8', value: '173', source: 'client_key', ciphertext: b64(tfhe.FheUint8.encrypt_with_client_key(173, ck).safe_serialize(LIMIT)) },
  {
    type: 'euint64',
    value: '18364758544493064720',
    source: 'compressed_client_key',
    ciphertext: b64(tfhe.CompressedFheUint64.encrypt_with_client_key(18364758544493064720n, ck).safe_serialize(LIMIT)),
  },
];
const out = {
  description: 'node-tfhe 1.7.0 default-config material; decrypt each ciphertext with the big key of clientKey',
  generator: 'test/vectors/tfhe/generate.ts',
  nodeTfhe: '1.7.0',
  parameters: DEFAULT_PARAMETERS,
  clientKey: b64(ck.safe_serialize(LIMIT)),
  vectors,
};
const file = path.join(repoRoot(), 'test', 'vectors', 'tfhe', 'node-tfhe-1.7.json');
writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${file}`);
