/** `tkms encrypt` and `tkms upload`: put ciphertexts in the KV-store and print their handles. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fetchMaterial, fetchVerifiedCrs, requireActiveKey, resolveKeyId } from '../publicMaterial.js';
import { printResult, progress } from '../output.js';
import type { CliContext } from '../context.js';
import { maxPlaintext, parseFheType, type FheType } from '../../common/fheTypes.js';
import { putCiphertext } from '../../connector/kvstore/client.js';
import { encryptWithProof, encryptWithPublicKey, isInsecureParameterSet } from '../../core/engine/index.js';
import { provenInputMetadata } from '../../common/provenInput.js';
import { TkmsError } from '../../common/errors.js';
import type { HandleScope } from '../../common/ciphertext.js';

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

async function store(c: CliContext, bytes: Uint8Array, type: FheType, scope: HandleScope, extra: Record<string, unknown>): Promise<string> {
  const stored = await putCiphertext(c.network().kvStoreUrl, bytes, type, scope);
  printResult(c.opts, { handle: stored.handle, digest: stored.digest, fheType: type, size: bytes.length, keyId: scope.keyId, appId: scope.appId, ...extra }, () =>
    `handle: ${stored.handle}\ndigest: ${stored.digest} (${type}, ${bytes.length} bytes, key ${scope.keyId}, application ${scope.appId}${extra['proven'] ? `, proven against CRS ${String(extra['crsId'])} for ${String(extra['requester'])}` : ''})`,
  );
  return stored.handle;
}

export function registerEncrypt(program: Command, ctx: () => CliContext): void {
  program
    .command('encrypt <value>')
    .description("encrypt a value under the KMS's public key and store the ciphertext in the KV-store")
    .requiredOption('-t, --type <fheType>', 'ebool, euint4, euint8, euint16, euint32, euint64, euint128, euint160, euint256')
    .option('--key-id <id>', 'key id (default: the last generated key)')
    .option('--app <appId>', 'the registered application the ciphertext is for: its handle is bound to it', 'default')
    .option('--prove', 'attach a zero-knowledge proof of encryption (needs a key made with `tkms keygen --params fhevm` and a CRS from `tkms crsgen`); `tkms decrypt` then has the parties verify it')
    .option('--crs-id <id>', 'with --prove: the CRS to prove against (default: the newest on chain)')
    .action(async (value: string, o: { type: string; keyId?: string; app: string; prove?: boolean; crsId?: string }) => {
      const c = ctx();
      const type = parseFheType(o.type);
      const plaintext = parseValue(value, type);
      if (o.crsId !== undefined && !o.prove) throw new TkmsError('BAD_ARGUMENT', '--crs-id only applies with --prove');
      const client = await c.chain(false);
      const keyId = await resolveKeyId(c, client, o.keyId);
      const key = await requireActiveKey(c, client, keyId);
      const params = key.fhe_parameters ?? 'default';
      if (o.prove && params !== 'fhevm') {
        throw new TkmsError('PROOF_UNSUPPORTED', `key ${keyId} uses the ${params} parameter set, which has no proofs of encryption`, {
          details: 'make a key with `tkms keygen --params fhevm`',
        });
      }
      if (!o.prove && params === 'fhevm') {
        throw new TkmsError('PROOF_REQUIRED', `key ${keyId} uses the fhevm parameter set: its inputs are expanded by the parties after a proof check`, {
          details: 'encrypt with --prove',
        });
      }
      if (isInsecureParameterSet(params)) process.stderr.write(`warning: key ${keyId} uses the INSECURE ${params} parameter set (tests only): this encryption protects nothing\n`);
      const { bytes: publicKey } = await fetchMaterial(c, client, keyId, 'PublicKey');
      const scope = { keyId, appId: o.app };
      if (!o.prove) {
        await store(c, encryptWithPublicKey(publicKey, type, plaintext), type, scope, {});
        return;
      }
      const crs = await fetchVerifiedCrs(c, client, o.crsId);
      const p = progress(`proving the encryption against CRS ${crs.crsId} (~15 s per value)`);
      const started = Date.now();
      // Bound to the account that will ask for its decryption: nobody else can submit this proof.
      const requester = (await c.account()).address;
      const list = encryptWithProof(publicKey, crs.bytes, type, plaintext, provenInputMetadata({ keyId, crsId: crs.crsId, appId: o.app, requester }));
      p.done(`${list.length} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const handle = await store(c, list, type, scope, { crsId: crs.crsId, proven: true, requester });
      const state = c.state();
      state.provenInputs = { ...(state.provenInputs ?? {}), [handle]: crs.crsId };
      c.saveState(state);
    });
  program
    .command('upload <file>')
    .description('store a ciphertext made by any tfhe-rs client (safe_serialize bytes) in the KV-store')
    .requiredOption('-t, --type <fheType>', 'the encrypted type of the ciphertext')
    .option('--key-id <id>', 'the key it is encrypted under (default: the last generated key)')
    .option('--app <appId>', 'the registered application it is for: its handle is bound to it', 'default')
    .action(async (file: string, o: { type: string; keyId?: string; app: string }) => {
      const c = ctx();
      const type = parseFheType(o.type);
      const keyId = await resolveKeyId(c, await c.chain(false), o.keyId);
      await store(c, new Uint8Array(readFileSync(file)), type, { keyId, appId: o.app }, {});
    });
}
