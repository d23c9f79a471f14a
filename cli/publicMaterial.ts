/**
 * @module cli/publicMaterial
 * Downloads public key material from wherever its URI points (untrusted
 * storage) and accepts it only if its digest matches the one that at least
 * t+1 parties signed in the keygen result on chain.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KmsChainClient } from '../chain/client.js';
import { getKey, getRequest, listKeys } from '../chain/asc/actions.js';
import { getCrs, listCrs } from '../chain/asc/userDecryptCrsActions.js';
import { verifyRequestResult } from '../chain/asc/verify.js';
import type { KeyInfo } from '../chain/asc/messages.js';
import { sha3_256 } from '@noble/hashes/sha3';
import { bytesToHex } from '@noble/hashes/utils';
import { TkmsError } from '../common/errors.js';
import type { CliContext } from './context.js';

export type MaterialKind = 'PublicKey' | 'ServerKey';

export async function download(uri: string): Promise<Uint8Array> {
  if (uri.startsWith('file://')) return new Uint8Array(await readFile(fileURLToPath(uri)));
  const res = await fetch(uri).catch((e: unknown) => {
    throw new TkmsError('DOWNLOAD_FAILED', `cannot download ${uri}`, { cause: e });
  });
  if (!res.ok) throw new TkmsError('DOWNLOAD_FAILED', `downloading ${uri} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Key info whose keygen result carries at least t+1 valid party signatures, and every signer's URIs. */
export async function verifiedKeyInfo(ctx: CliContext, client: KmsChainClient, keyId: string): Promise<{ key: KeyInfo; signers: number[]; copies: Record<MaterialKind, string[]> }> {
  const asc = ctx.network().contracts.asc;
  const key = await getKey(client, asc, keyId).catch((e: unknown) => {
    throw new TkmsError('UNKNOWN_KEY', `key ${keyId} is not known to the ASC`, { cause: e });
  });
  const request = await getRequest(client, asc, keyId);
  const { parties, threshold } = await ctx.parties(client);
  const { signers } = verifyRequestResult(request, parties, threshold);
  // Every signer published its own copy; the recorded URI first, then the others.
  const copies: Record<MaterialKind, string[]> = { PublicKey: [key.public_key_uri], ServerKey: [key.server_key_uri] };
  for (const r of request.responses) {
    if (!('keygen' in r.response) || !signers.includes(r.party_id)) continue;
    const k = r.response.keygen;
    if (k.public_key_digest === key.public_key_digest) copies.PublicKey.push(k.public_key_uri);
    if (k.server_key_digest === key.server_key_digest) copies.ServerKey.push(k.server_key_uri);
  }
  return { key, signers, copies: { PublicKey: [...new Set(copies.PublicKey)], ServerKey: [...new Set(copies.ServerKey)] } };
}

/**
 * The first copy among `uris` whose sha3-256 is `digest` (the digest binds the
 * bytes, so any party's storage will do: a party that is down or serves other
 * bytes only costs a try). Throws DIGEST_MISMATCH when a copy was downloaded
 * but none matched, DOWNLOAD_FAILED when none could be downloaded.
 */
export async function downloadFirstMatching(uris: readonly string[], digest: string, what: string): Promise<{ bytes: Uint8Array; uri: string }> {
  const failures: string[] = [];
  let downloaded = false;
  for (const uri of uris) {
    let bytes: Uint8Array;
    try {
      bytes = await download(uri);
    } catch (e) {
      failures.push(`${uri}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    downloaded = true;
    const actual = bytesToHex(sha3_256(bytes));
    if (actual === digest) return { bytes, uri };
    failures.push(`${uri}: digest ${actual} does not match the signed ${digest}`);
  }
  if (!downloaded) throw new TkmsError('DOWNLOAD_FAILED', `cannot download ${what} from any of its ${uris.length} published copies`, { details: failures.join('; ') });
  throw new TkmsError('DIGEST_MISMATCH', `no copy of ${what} matches the signed digest: the storage served other bytes; nothing was saved`, { details: failures.join('; ') });
}

export async function fetchMaterial(ctx: CliContext, client: KmsChainClient, keyId: string, kind: MaterialKind): Promise<{ bytes: Uint8Array; uri: string; digest: string; signers: number[]; cached: boolean }> {
  const { key, signers, copies } = await verifiedKeyInfo(ctx, client, keyId);
  const digest = kind === 'PublicKey' ? key.public_key_digest : key.server_key_digest;
  const cacheFile = path.join(ctx.cacheDir('keys', keyId), kind);
  if (existsSync(cacheFile)) {
    const bytes = new Uint8Array(readFileSync(cacheFile));
    if (bytesToHex(sha3_256(bytes)) === digest) return { bytes, uri: copies[kind][0]!, digest, signers, cached: true };
  }
  const { bytes, uri } = await downloadFirstMatching(copies[kind], digest, `${kind} of key ${keyId}`);
  writeFileSync(cacheFile, bytes);
  return { bytes, uri, digest, signers, cached: false };
}

/** `--key-id`, else the last key this CLI generated on this chain, else the only key on chain. */
export async function resolveKeyId(ctx: CliContext, client: KmsChainClient, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const last = ctx.state().lastKeyId[ctx.network().chainId];
  if (last) return last;
  const keys = await listKeys(client, ctx.network().contracts.asc);
  if (keys.length === 1) return keys[0]!.key_id;
  if (keys.length === 0) throw new TkmsError('NO_KEY_ON_CHAIN', 'no FHE key exists yet', { details: 'run `tkms keygen` first' });
  throw new TkmsError('AMBIGUOUS_KEY', `${keys.length} keys exist; pass --key-id`, { details: keys.map((k) => k.key_id).join(', ') });
}

/**
 * Refuses new encryption under a key that is not `active` (NIST SP 800-57: only an
 * active key protects new data; the ASC still decrypts under suspended,
 * deactivated and compromised keys). Keys without a recorded state are active.
 */
export async function requireActiveKey(ctx: CliContext, client: KmsChainClient, keyId: string): Promise<KeyInfo> {
  const key = await getKey(client, ctx.network().contracts.asc, keyId).catch((e: unknown) => {
    throw new TkmsError('UNKNOWN_KEY', `key ${keyId} is not known to the ASC`, { cause: e });
  });
  const state = key.state ?? 'active';
  if (state !== 'active') {
    throw new TkmsError('KEY_NOT_ACTIVE', `key ${keyId} is ${state}: encryption under it is refused`, {
      details: 'only an active key may protect new data; decryption of existing ciphertexts still works unless the key is destroyed',
    });
  }
  return key;
}

/**
 * Downloads a CRS (default: the newest on chain) from the URIs its signers
 * published and accepts the first copy whose sha3-256 matches the digest 2t+1
 * parties signed on chain.
 */
/** A CRS's record on chain, checked against a quorum of party signatures, and every signer's copy (nothing downloaded). */
export async function verifiedCrsRecord(
  ctx: CliContext,
  client: KmsChainClient,
  explicitId?: string,
): Promise<{ crsId: string; digest: string; maxNumBits: number; signers: number[]; uris: string[] }> {
  const asc = ctx.network().contracts.asc;
  let crsId = explicitId;
  if (!crsId) {
    const all = [];
    for (let page = await listCrs(client, asc, undefined, 100); page.length > 0; page = await listCrs(client, asc, page[page.length - 1]!.crs_id, 100)) all.push(...page);
    if (all.length === 0) throw new TkmsError('NO_CRS_ON_CHAIN', 'no CRS exists yet', { details: 'run `tkms crsgen` first' });
    crsId = all[all.length - 1]!.crs_id;
  }
  const id = crsId;
  const crs = await getCrs(client, asc, id).catch((e: unknown) => {
    throw new TkmsError('UNKNOWN_CRS', `CRS ${id} is not known to the ASC`, { cause: e });
  });
  const request = await getRequest(client, asc, id);
  const { parties, threshold } = await ctx.parties(client);
  const { signers } = verifyRequestResult(request, parties, threshold);
  // Any signer's copy will do: the digest binds the bytes. Try them in turn.
  const uris = request.responses.flatMap((r) => ('crs_gen' in r.response && signers.includes(r.party_id) && r.response.crs_gen.crs_digest === crs.crs_digest ? [r.response.crs_gen.crs_uri] : []));
  return { crsId: id, digest: crs.crs_digest, maxNumBits: crs.max_num_bits, signers, uris };
}

export async function fetchVerifiedCrs(
  ctx: CliContext,
  client: KmsChainClient,
  explicitId?: string,
): Promise<{ crsId: string; uri: string; digest: string; bytes: Uint8Array; maxNumBits: number; signers: number[] }> {
  const { crsId, digest, maxNumBits, signers, uris } = await verifiedCrsRecord(ctx, client, explicitId);
  const { bytes, uri } = await downloadFirstMatching(uris, digest, `CRS ${crsId}`);
  return { crsId, uri, digest, bytes, maxNumBits, signers };
}
