/**
 * @module core/service/threshold/crsCeremony
 * The CRS ceremony among the threshold parties: no process ever knows the
 * trapdoor of the published `CompactPkeCrs` unless every contributor colludes.
 *
 * Parties contribute in turn, 1..n, each on top of the state all honest
 * parties agreed on before it (the cryptography and its proof are
 * tools/tfhe-zk/src/ceremony.rs, driven through ../zk/crsCeremonyTool.ts):
 *   1. contributor j re-randomizes the current state with a fresh secret and
 *      sends the contribution (new powers + proof) to every party;
 *   2. the parties run Byzantine agreement (phase king, agreement.ts) on what
 *      j sent, so a j that sends different bytes to different parties, or
 *      nothing, leaves every honest party with the same bytes or none;
 *   3. every party checks the agreed contribution against the agreed state;
 *      the check is deterministic (its randomness is hashed from the
 *      contribution), so all honest parties accept or reject alike. A rejected
 *      or missing contribution is skipped and its party named.
 * Honest parties therefore end with the same state and assemble byte-identical
 * CRS bytes (the tfhe-rs session id and hash separators are derived from the
 * request id), which they publish and sign. The result is used only if at
 * least t+1 contributions were accepted: then one of them is honest, and its
 * erased secret alone hides the trapdoor.
 *
 * Liveness: a silent contributor costs `contributionTimeoutMs`; a lying one
 * costs its check. At most t parties can be skipped, so with n ≥ 3t+1 the
 * ceremony always ends with ≥ 2t+1 accepted contributions.
 */
import { agreeValues } from '../../engine/mpc/agreement/agreement.js';
import type { Network } from '../../engine/mpc/network/network.js';
import { TkmsError } from '../../../common/errors.js';
import type { CrsCeremonyTool } from '../zk/crsCeremonyTool.js';

/** A contribution is a few MB (every power of the trapdoor, compressed): well below this. */
export const MAX_CONTRIBUTION_BYTES = 64 << 20;

export interface CrsCeremonyOptions {
  net: Network;
  t: number;
  tool: CrsCeremonyTool;
  /** How long to wait for a contributor's bytes (its contribution takes ~10–40 s natively, more on a loaded machine). */
  contributionTimeoutMs: number;
  /** Round timeout basis of the agreement on each contribution. */
  agreementTimeoutMs: number;
  onProgress?: (stage: string) => void;
  /**
   * Test-only: what this party sends as contributor instead of its honest
   * contribution (per recipient; `undefined` sends nothing). Adversaries in
   * crsCeremony.test.ts.
   */
  contributionFor?: (honest: () => Promise<Uint8Array>, to: number) => Promise<Uint8Array | undefined>;
}

export interface CeremonyFault {
  party: number;
  /** 'silent' (no agreed contribution) or the check that failed. */
  reason: string;
}

export interface CrsCeremonyResult {
  crs: Uint8Array;
  /** Contributors whose contributions are in the CRS, in order. */
  accepted: number[];
  /** Contributors skipped, with why: identical at every honest party. */
  rejected: CeremonyFault[];
  /** The accepted contributions as agreed, in order: the public transcript (common/crsTranscript.ts). */
  contributions: { party: number; bytes: Uint8Array }[];
}

export async function runCrsCeremony(o: CrsCeremonyOptions): Promise<CrsCeremonyResult> {
  const { net, t, tool } = o;
  const accepted: number[] = [];
  const rejected: CeremonyFault[] = [];
  const contributions: CrsCeremonyResult['contributions'] = [];
  // Parties all agreed were silent as contributors: later agreements do not
  // wait for them (they count against t, as agreement.ts's `ignore` says).
  const silent = new Set<number>();
  for (let j = 1; j <= net.n; j++) {
    o.onProgress?.(`contribution ${j}/${net.n}`);
    let received: Uint8Array | undefined;
    if (j === net.self) {
      const mine = await tool.contribute(j);
      // What it "received" from itself is what it starts the agreement from.
      received = o.contributionFor ? await o.contributionFor(() => Promise.resolve(mine), j) : mine;
      for (let p = 1; p <= net.n; p++) {
        if (p === net.self) continue;
        const bytes = o.contributionFor ? await o.contributionFor(() => Promise.resolve(mine), p) : mine;
        if (bytes) net.send(p, bytes);
      }
    } else {
      received = silent.has(j) ? undefined : await net.receive(j, o.contributionTimeoutMs);
      if (received && received.length > MAX_CONTRIBUTION_BYTES) received = undefined;
    }
    net.nextRound();
    const agreementNet = net.child(`agree-${j}`);
    let agreed: Uint8Array | undefined;
    try {
      [agreed] = await agreeValues(agreementNet, t, [received], { timeoutMs: o.agreementTimeoutMs, maxValueBytes: MAX_CONTRIBUTION_BYTES, ignore: silent });
    } finally {
      agreementNet.close();
    }
    if (!agreed) {
      silent.add(j);
      rejected.push({ party: j, reason: 'silent: no contribution all parties received alike' });
      continue;
    }
    const outcome = await tool.apply(j, agreed);
    if (outcome.ok) {
      accepted.push(j);
      contributions.push({ party: j, bytes: agreed });
    } else rejected.push({ party: j, reason: outcome.reason });
  }
  if (accepted.length < t + 1) {
    throw new TkmsError('CRS_CEREMONY_FAILED', `only ${accepted.length} contributions were correct, at least t+1 = ${t + 1} are needed for one of them to be honest`, {
      details: rejected.map((f) => `party ${f.party}: ${f.reason}`).join('; '),
    });
  }
  o.onProgress?.('assembling the CRS');
  return { crs: await tool.finish(), accepted, rejected, contributions };
}
