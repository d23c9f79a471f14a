/**
 * The CRS ceremony at (4,1) with the real native tool: honest parties end with
 * one byte-identical CRS that node-tfhe proves against and the native verifier
 * accepts, whatever one party does (wrong proof, equivocation, garbage,
 * silence); a faulty contributor is skipped and named alike everywhere.
 * Needs tkms-tfhe-zk (`make tfhe-zk`); excluded from `make test-fast`.
 */
import { randomBytes } from 'node:crypto';
import * as tfhe from 'node-tfhe';
import { encryptWithProof } from '../../engine/tfhe/encrypt.js';
import { generateKeySet } from '../../engine/tfhe/keyset.js';
import { loadCrs } from '../../engine/tfhe/crs.js';
import type { Network } from '../../engine/mpc/network/network.js';
import { runParties } from '../../engine/mpc/network/runParties.js';
import { ceremonySession, openCrsCeremonyTool } from '../zk/crsCeremonyTool.js';
import { generateCrs, verifyAndExpand } from '../zk/tfheZkTool.js';
import { replayCrsTranscript } from '../zk/crsTranscript.js';
import { decodeCrsTranscript, encodeCrsTranscript } from '../../../common/crsTranscript.js';
import { runCrsCeremony, type CrsCeremonyOptions, type CrsCeremonyResult } from './crsCeremony.js';

const N = 4;
const T = 1;
const MAX_BITS = 64;

type Adversary = (requestId: string) => Partial<Pick<CrsCeremonyOptions, 'contributionFor'>> & { silent?: boolean };

/** One party's ceremony (its own tool, its own private state). */
async function party(net: Network, requestId: string, extra: Partial<CrsCeremonyOptions> = {}): Promise<CrsCeremonyResult> {
  const tool = await openCrsCeremonyTool({ maxNumBits: MAX_BITS, session: ceremonySession(requestId) });
  try {
    return await runCrsCeremony({ net, t: T, tool, contributionTimeoutMs: 120_000, agreementTimeoutMs: 3_000, ...extra });
  } finally {
    await tool.close();
  }
}

async function ceremony(
  adversaries: ReadonlyMap<number, Adversary> = new Map(),
  timing: Partial<CrsCeremonyOptions> = {},
): Promise<{ results: (CrsCeremonyResult & { requestId: string })[]; honest: number[] }> {
  const requestId = randomBytes(20).toString('hex');
  const malicious = new Map(
    [...adversaries].map(([id, make]) => [
      id,
      async (net: Network) => {
        const a = make(requestId);
        if (a.silent) return undefined;
        return party(net, requestId, { ...timing, ...(a.contributionFor ? { contributionFor: a.contributionFor } : {}) });
      },
    ]),
  );
  const r = await runParties(N, T, (net) => party(net, requestId, timing), { malicious, timeoutMs: 5_000 });
  expect([...r.failures.values()]).toEqual([]);
  const results = r.honest.map((p) => ({ ...r.outputs.get(p)!, requestId }));
  // The heart of it: every honest party assembled the same CRS and names the same faults.
  expect(new Set(results.map((x) => Buffer.from(x.crs).toString('hex'))).size).toBe(1);
  for (const x of results) {
    expect(x.accepted).toEqual(results[0]!.accepted);
    expect(x.rejected).toEqual(results[0]!.rejected);
  }
  return { results, honest: r.honest };
}

test('a contribution with a wrong proof is rejected and its party named, though its author also sent garbage to one party', async () => {
  // Party 2 contributes on the starting state instead of party 1's, as one
  // would to cancel earlier contributions: its proof cannot verify. It sends
  // that to parties 1 and 3 and garbage to party 4, so the honest parties
  // start the agreement from different bytes and must still decide alike.
  let stale: Promise<Uint8Array> | undefined;
  const staleContribution = async (requestId: string): Promise<Uint8Array> => {
    const tool = await openCrsCeremonyTool({ maxNumBits: MAX_BITS, session: ceremonySession(requestId) });
    try {
      return await tool.contribute(2);
    } finally {
      await tool.close();
    }
  };
  const { results } = await ceremony(new Map<number, Adversary>([[2, (requestId) => ({ contributionFor: (_honest, to) => (to === 4 ? Promise.resolve(new Uint8Array(randomBytes(4096))) : (stale ??= staleContribution(requestId))) })]]));
  expect(results[0]!.accepted).toEqual([1, 3, 4]);
  expect(results[0]!.rejected).toEqual([{ party: 2, reason: expect.stringMatching(/proof of knowledge/) }]);

  // The honest contributions make a CRS node-tfhe proves against and the native verifier (every core's) accepts.
  const crs = results[0]!.crs;
  loadCrs(crs).free();
  const keys = generateKeySet({ parameters: 'fhevm' });
  const metadata = new TextEncoder().encode('crs-ceremony-test');
  const list = encryptWithProof(keys.compactPublicKey, crs, 'euint64', 0xfeedbeefn, metadata);
  const [value] = await verifyAndExpand({ crs, compactPublicKey: keys.compactPublicKey, compressedServerKey: keys.compressedServerKey, list, metadata });
  const clientKey = tfhe.TfheClientKey.safe_deserialize(keys.clientKey, 1n << 30n);
  expect(tfhe.FheUint64.safe_deserialize(value!.ciphertext, 1n << 26n).decrypt(clientKey)).toBe(0xfeedbeefn);
  // Anyone can replay the public transcript to the same CRS; reordered, it fails and names the party.
  const transcript = { requestId: results[0]!.requestId, maxNumBits: MAX_BITS, contributions: results[0]!.contributions };
  const replayed = await replayCrsTranscript(decodeCrsTranscript(encodeCrsTranscript(transcript)));
  expect(Buffer.from(replayed.crs).equals(Buffer.from(crs))).toBe(true);
  expect(replayed.contributors).toEqual([1, 3, 4]);
  const [a, b, c] = transcript.contributions;
  await expect(replayCrsTranscript({ ...transcript, contributions: [b!, a!, c!] })).rejects.toMatchObject({ code: 'CRS_TRANSCRIPT_INVALID', message: expect.stringContaining('party 3') });

  // The proof is bound to this CRS: the same list against another CRS is refused.
  const other = await generateCrs(MAX_BITS);
  await expect(verifyAndExpand({ crs: other, compactPublicKey: keys.compactPublicKey, compressedServerKey: keys.compressedServerKey, list, metadata })).rejects.toMatchObject({ code: 'PROOF_INVALID' });
}, 600_000);

test('a silent party is skipped and named; the others still make the CRS', async () => {
  // The first contributor, so the wait for it is paid once: later agreements no longer wait for it.
  const { results } = await ceremony(new Map<number, Adversary>([[1, () => ({ silent: true })]]), { contributionTimeoutMs: 45_000 });
  expect(results[0]!.accepted).toEqual([2, 3, 4]);
  expect(results[0]!.rejected).toEqual([{ party: 1, reason: expect.stringMatching(/silent/) }]);
  loadCrs(results[0]!.crs).free();
}, 600_000);
