/** `tkms fetch-key`: downloads public material and checks it against the signed digests. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fetchMaterial, resolveKeyId } from '../publicMaterial.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';

export function registerFetchKey(program: Command, ctx: () => CliContext): void {
  program
    .command('fetch-key')
    .description("download a key's public material (node-tfhe safe_serialize format) and verify it")
    .option('--key-id <id>', 'key id (default: the last generated key)')
    .option('--server-key', 'fetch the compressed server key instead of the compact public key')
    .option('-o, --out <file>', 'write the verified bytes to this file')
    .action(async (o: { keyId?: string; serverKey?: boolean; out?: string }) => {
      const c = ctx();
      const client = await c.chain(false);
      const keyId = await resolveKeyId(c, client, o.keyId);
      const kind = o.serverKey ? 'ServerKey' : 'PublicKey';
      const m = await fetchMaterial(c, client, keyId, kind);
      if (o.out) writeFileSync(o.out, m.bytes);
      printResult(c.opts, { keyId, kind, uri: m.uri, digest: m.digest, size: m.bytes.length, signers: m.signers, out: o.out ?? null }, () =>
        `${kind} of key ${keyId}: ${m.bytes.length} bytes, sha3-256 ${m.digest} verified (signed by parties ${m.signers.join(', ')})${o.out ? `\nwritten to ${o.out}` : ''}`,
      );
    });
}
