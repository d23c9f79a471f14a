/**
 * @module cli/crsTranscript
 * `tkms verify-crs`: finds a CRS ceremony's transcript next to a signer's copy
 * of the CRS (same storage, data type `CrsTranscript`), replays it with the
 * native tool and checks that it ends at the signed digest. Storage is
 * untrusted: a copy that is missing, malformed, or replays to other bytes is
 * skipped for the next signer's.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { sha3_256 } from '@noble/hashes/sha3';
import { decodeCrsTranscript } from '../common/crsTranscript.js';
import { TkmsError } from '../common/errors.js';
import { replayCrsTranscript } from '../core/service/zk/crsTranscript.js';
import { download } from './publicMaterial.js';

/** The transcript's address beside a CRS copy (`…/CRS/<id>` → `…/CrsTranscript/<id>`, every storage backend's layout). */
export function transcriptUri(crsUri: string, crsId: string): string | undefined {
  const suffix = `/CRS/${crsId}`;
  return crsUri.endsWith(suffix) ? `${crsUri.slice(0, -suffix.length)}/CrsTranscript/${crsId}` : undefined;
}

export async function verifyCrsTranscript(o: { crsId: string; digest: string; maxNumBits: number; crsUris: readonly string[] }): Promise<{ contributors: number[]; uri: string }> {
  const failures: string[] = [];
  for (const crsUri of new Set(o.crsUris)) {
    const uri = transcriptUri(crsUri, o.crsId);
    if (!uri) {
      failures.push(`${crsUri}: no transcript address beside it`);
      continue;
    }
    try {
      const t = decodeCrsTranscript(await download(uri));
      if (t.requestId !== o.crsId || t.maxNumBits !== o.maxNumBits) throw new TkmsError('CRS_TRANSCRIPT_INVALID', `transcript of request ${t.requestId.slice(0, 80)} at ${t.maxNumBits} bits`);
      const r = await replayCrsTranscript(t);
      const digest = bytesToHex(sha3_256(r.crs));
      if (digest !== o.digest) throw new TkmsError('CRS_TRANSCRIPT_INVALID', `replays to sha3-256 ${digest}, not the signed ${o.digest}`);
      return { contributors: r.contributors, uri };
    } catch (e) {
      if (e instanceof TkmsError && e.code === 'ZK_TOOL_MISSING') throw e;
      failures.push(`${uri}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  throw new TkmsError('CRS_TRANSCRIPT_INVALID', `no published transcript of CRS ${o.crsId} replays to its signed digest (a CRS made by one process has none)`, { details: failures.join('; ') });
}
