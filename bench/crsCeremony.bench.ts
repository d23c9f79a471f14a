#!/usr/bin/env node
/**
 * @module bench/crsCeremony.bench
 * The CRS ceremony at (4,1) (core/service/threshold/crsCeremony.ts), all four
 * parties in this process over the in-memory network, each with its own
 * native tool: the whole ceremony's wall time, a contribution's and a check's
 * native time (medians over the parties), the bytes the network carried (each
 * contribution, then the agreement on it), and a dealer's `crsgen` for
 * comparison. `make bench` runs it; alone: `node --no-warnings
 * dist/bench/crsCeremony.bench.js` (~3 min on 2 cores).
 */
import { randomBytes } from 'node:crypto';
import { printMachine, recordResults, median, type BenchResult } from './_results.js';
import { runParties } from '../core/engine/mpc/network/runParties.js';
import { runCrsCeremony } from '../core/service/threshold/crsCeremony.js';
import { ceremonySession, openCrsCeremonyTool, type CrsCeremonyTool } from '../core/service/zk/crsCeremonyTool.js';
import { generateCrs } from '../core/service/zk/tfheZkTool.js';

printMachine();
const results: BenchResult[] = [];
const N = 4;
const T = 1;

/** The tool, timing its contributions and checks. */
function timed(tool: CrsCeremonyTool, self: number, contribute: number[], check: number[]): CrsCeremonyTool {
  return {
    ...tool,
    async contribute(party) {
      const t0 = performance.now();
      const c = await tool.contribute(party);
      contribute.push(performance.now() - t0);
      return c;
    },
    async apply(party, bytes) {
      const t0 = performance.now();
      const r = await tool.apply(party, bytes);
      // Own contributions are adopted without a check: only others' count.
      if (party !== self) check.push(performance.now() - t0);
      return r;
    },
  };
}

for (const maxBits of [64, 2048]) {
  const requestId = randomBytes(20).toString('hex');
  const contribute: number[] = [];
  const check: number[] = [];
  let contributionBytes = 0;
  const t0 = performance.now();
  const r = await runParties(
    N,
    T,
    async (net) => {
      const tool = await openCrsCeremonyTool({ maxNumBits: maxBits, session: ceremonySession(requestId) });
      try {
        const out = await runCrsCeremony({
          net,
          t: T,
          tool: timed(tool, net.self, contribute, check),
          contributionTimeoutMs: 600_000,
          agreementTimeoutMs: 30_000,
          contributionFor: async (honest) => {
            const c = await honest();
            contributionBytes = c.length;
            return c;
          },
        });
        return out.crs.length;
      } finally {
        await tool.close();
      }
    },
    { timeoutMs: 30_000 },
  );
  const wall = performance.now() - t0;
  if (r.failures.size > 0) throw new Error(`ceremony failed: ${[...r.failures.values()].map(String).join('; ')}`);
  const params = { n: N, t: T, maxNumBits: maxBits, network: 'in-memory, one process', parties: 'each with its own tkms-tfhe-zk' };
  results.push({ name: 'crs.ceremony.total', unit: 'ms', value: Math.round(wall), params });
  results.push({ name: 'crs.ceremony.contribute', unit: 'ms', value: Math.round(median(contribute)), params: { ...params, measure: 'one contribution, native (median over parties)' } });
  results.push({ name: 'crs.ceremony.check', unit: 'ms', value: Math.round(median(check)), params: { ...params, measure: 'checking another party’s contribution, native (median)' } });
  results.push({ name: 'crs.ceremony.contribution_bytes', unit: 'bytes', value: contributionBytes, params });
  results.push({ name: 'crs.ceremony.sent_per_party', unit: 'bytes', value: Math.round(r.stats.bytes / N), params: { ...params, measure: 'contributions plus the agreement on each, average over parties' } });
  results.push({ name: 'crs.ceremony.crs_bytes', unit: 'bytes', value: r.outputs.values().next().value ?? 0, params });

  const d0 = performance.now();
  await generateCrs(maxBits);
  results.push({ name: 'crs.dealer.crsgen', unit: 'ms', value: Math.round(performance.now() - d0), params: { maxNumBits: maxBits, measure: 'one process makes the CRS (knows its trapdoor): for comparison' } });
}
recordResults(results);
process.exit(0);
