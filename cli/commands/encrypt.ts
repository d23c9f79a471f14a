/** `tkms encrypt` and `tkms upload`: put ciphertexts in the KV-store and print their handles. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fetchMaterial, requireActiveKey, resolveKeyId } from '../publicMaterial.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';
import { maxPlaintext, parseFheType, type FheType } from '../../common/fheTypes.js';
import { putCiphertext } from '../../connector/kvstore/client.js';
import { encryptWithPublicKey } from '../../core/engine/index.js';
import { TkmsError } from '../../common/errors.js';

function parseValue(raw: string, type: FheType): bigint | boolean {
  if (type === 'ebool') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new TkmsError('BAD_VALUE', `"${raw}" is not a boolean (true/false/1/0)`);
  }
  if (!/^\d+$/.test(raw)) throw new TkmsError('BAD_VALUE', `"${raw}" is not an unsigned integer`);
  const value = BigInt(raw);
  if (value > maxPlaintext(type)) throw new TkmsError('BAD_VALUE', `${raw} does not fit in ${type} (max ${maxPlaintext(type)})`);
  return value;
}

async function store(c: CliContext, bytes: Uint8Array, type: FheType, extra: Record<string, unknown>): Promise<void> {
  const stored = await putCiphertext(c.network().kvStoreUrl, bytes, type);
  printResult(c.opts, { handle: stored.handle, digest: stored.digest, fheType: type, size: bytes.length, ...extra }, () =>
    `handle: ${stored.handle}\ndigest: ${stored.digest} (${type}, ${bytes.length} bytes)`,
  );
}

export function registerEncrypt(program: Command, ctx: () => CliContext): void {
  program
    .command('encrypt <value>')
    .description("encrypt a value under the KMS's public key and store the ciphertext in the KV-store")
    .requiredOption('-t, --type <fheType>', 'ebool, euint4, euint8, euint16, euint32, euint64, euint128, euint160, euint256')
    .option('--key-id <id>', 'key id (default: the last generated key)')
    .action(async (value: string, o: { type: string; keyId?: string }) => {
      const c = ctx();
      const type = parseFheType(o.type);
      const plaintext = parseValue(value, type);
      const client = await c.chain(false);
      const keyId = await resolveKeyId(c, client, o.keyId);
      await requireActiveKey(c, client, keyId);
      const { bytes: publicKey } = await fetchMaterial(c, client, keyId, 'PublicKey');
      const ciphertext = encryptWithPublicKey(publicKey, type, plaintext);
      await store(c, ciphertext, type, { keyId });
    });
  program
    .command('upload <file>')
    .description('store a ciphertext made by any tfhe-rs client (safe_serialize bytes) in the KV-store')
    .requiredOption('-t, --type <fheType>', 'the encrypted type of the ciphertext')
    .action(async (file: string, o: { type: string }) => {
      const c = ctx();
      const type = parseFheType(o.type);
      await store(c, new Uint8Array(readFileSync(file)), type, {});
    });
}
