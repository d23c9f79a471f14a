/**
 * @module core/service/zk/crsCeremonyTool
 * One party's side of the CRS ceremony's cryptography, done by `tkms-tfhe-zk`
 * (tools/tfhe-zk/src/ceremony.rs: tfhe-rs's own zk-pok curve arithmetic). The
 * states (every power of the trapdoor, ~1.6 MB for 64 bits) stay in a private
 * directory between steps; only contributions and the final CRS cross into
 * TypeScript. The protocol around it (who contributes when, agreement on what
 * was contributed) is core/service/threshold/crsCeremony.ts.
 *
 * @example
 * const tool = await openCrsCeremonyTool({ maxNumBits: 64, session: sessionOf(requestId) });
 * const mine = await tool.contribute(1);
 * await tool.apply(1, mine); // { ok: true }
 * const crs = await tool.finish(); // CompactPkeCrs, safe_serialize
 * await tool.close();
 */
import { mkdtemp, readFile, rename, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha3_256 } from '@noble/hashes/sha3';
import { TkmsError } from '../../../common/errors.js';
import { checkCrsNumBits } from '../../engine/tfhe/crs.js';
import { tfheZkToolPath } from './_toolAnswer.js';
import { runTool, writePrivate, type TfheZkToolOptions } from './_toolRun.js';
import { DEFAULT_CRSGEN_TIMEOUT_MS } from './tfheZkTool.js';

export interface CrsCeremonyToolOptions extends TfheZkToolOptions {
  maxNumBits: number;
  /** 32 bytes every party derives alike (`ceremonySession`); the CRS's session id and hash separators come from it. */
  session: Uint8Array;
}

export type ApplyOutcome = { ok: true } | { ok: false; reason: string };

export interface CrsCeremonyTool {
  /** `party`'s contribution on top of the current state: a fresh secret, used and erased inside the tool. */
  contribute(party: number): Promise<Uint8Array>;
  /** Checks `party`'s contribution against the current state; a correct one becomes the current state. */
  apply(party: number, contribution: Uint8Array): Promise<ApplyOutcome>;
  /** The CRS of the current state (refused while no contribution was applied). */
  finish(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The ceremony session of a CRS request: every party derives the same 32 bytes. */
export function ceremonySession(requestId: string): Uint8Array {
  return sha3_256(new TextEncoder().encode(`TKMS-CRS-CEREMONY-V1\0${requestId}`));
}

export async function openCrsCeremonyTool(o: CrsCeremonyToolOptions): Promise<CrsCeremonyTool> {
  checkCrsNumBits(o.maxNumBits);
  if (o.session.length !== 32) throw new RangeError(`ceremony session must be 32 bytes, got ${o.session.length}`);
  tfheZkToolPath(o.binary);
  const dir = await mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'tkms-crs-ceremony-'));
  await chmod(dir, 0o700);
  const state = path.join(dir, 'state.bin');
  const timeoutMs = o.timeoutMs ?? DEFAULT_CRSGEN_TIMEOUT_MS;
  const common = ['--max-bits', String(o.maxNumBits)];
  const session = ['--session', Buffer.from(o.session).toString('hex')];
  let step = 0;
  let mine: { party: number; bytes: Uint8Array; next: string } | undefined;
  try {
    await runTool(['crs-ceremony-init', ...common, '--out', state], timeoutMs, o);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    async contribute(party) {
      const out = path.join(dir, `mine-${++step}.bin`);
      const next = path.join(dir, `mine-next-${step}.bin`);
      await runTool(['crs-ceremony-contribute', ...common, ...session, '--party', String(party), '--state', state, '--out', out, '--next-state', next], timeoutMs, o);
      const bytes = new Uint8Array(await readFile(out));
      await rm(out, { force: true });
      mine = { party, bytes, next };
      return bytes;
    },
    async apply(party, contribution) {
      // Our own contribution, agreed unchanged: its state is already at hand
      // (a check would only re-prove our own arithmetic, ~4 s at 64 bits).
      if (mine && mine.party === party && Buffer.from(mine.bytes).equals(contribution)) {
        await rename(mine.next, state);
        mine = undefined;
        return { ok: true };
      }
      const file = path.join(dir, `contribution-${++step}.bin`);
      const next = path.join(dir, `next-${step}.bin`);
      await writePrivate(file, contribution);
      try {
        await runTool(['crs-ceremony-verify', ...common, ...session, '--party', String(party), '--state', state, '--contribution', file, '--out', next], timeoutMs, o);
        await rename(next, state);
        return { ok: true };
      } catch (e) {
        if (e instanceof TkmsError && e.code === 'CRS_CONTRIBUTION_INVALID') return { ok: false, reason: contributionFault(e) };
        throw e;
      } finally {
        await rm(file, { force: true });
      }
    },
    async finish() {
      const out = path.join(dir, 'crs.bin');
      await runTool(['crs-ceremony-finish', ...common, ...session, '--state', state, '--out', out], timeoutMs, o);
      return new Uint8Array(await readFile(out));
    },
    async close() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The tool's own words on what is wrong (they name checks, never secrets). */
function contributionFault(e: TkmsError): string {
  const m = /CONTRIBUTION_INVALID \(contribution\): (.*)$/s.exec(String(e.details ?? ''));
  return m?.[1]?.slice(0, 300) ?? e.message;
}
