/**
 * @module core/service/zk/crsTranscript
 * Replays a CRS ceremony's public transcript (common/crsTranscript.ts) with
 * the native tool: from the starting state, every contribution is checked
 * exactly as the parties checked it, and the last state gives the CRS. The
 * caller compares its digest with the one the parties signed on chain
 * (`tkms verify-crs`). A contribution that does not check fails the replay
 * with its party named.
 *
 * @example
 * const { crs, contributors } = await replayCrsTranscript(decodeCrsTranscript(bytes));
 */
import { TkmsError } from '../../../common/errors.js';
import type { CrsTranscript } from '../../../common/crsTranscript.js';
import { ceremonySession, openCrsCeremonyTool } from './crsCeremonyTool.js';
import type { TfheZkToolOptions } from './_toolRun.js';

export interface ReplayedCeremony {
  crs: Uint8Array;
  /** The contributors whose proofs were checked, in order. */
  contributors: number[];
}

export async function replayCrsTranscript(t: CrsTranscript, options: TfheZkToolOptions = {}): Promise<ReplayedCeremony> {
  if (t.contributions.length === 0) throw new TkmsError('CRS_TRANSCRIPT_INVALID', 'the transcript holds no contribution');
  const tool = await openCrsCeremonyTool({ ...options, maxNumBits: t.maxNumBits, session: ceremonySession(t.requestId) });
  try {
    for (const c of t.contributions) {
      const r = await tool.apply(c.party, c.bytes);
      if (!r.ok) throw new TkmsError('CRS_TRANSCRIPT_INVALID', `party ${c.party}'s contribution in the transcript does not check: ${r.reason}`);
    }
    return { crs: await tool.finish(), contributors: t.contributions.map((c) => c.party) };
  } finally {
    await tool.close();
  }
}
