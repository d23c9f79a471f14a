#!/usr/bin/env node
/**
 * @module bench/run
 * `make bench`: runs every benchmark as its own process (so one's memory and
 * JIT state do not skew another's) and leaves the figures in bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../common/paths.js';

const benches: [string, string[]][] = [
  ['engine.bench.js', []],
  ['parameterSets.bench.js', []],
  ['mpc.bench.js', []],
  ['core.bench.js', []],
  ['threshold.bench.js', []],
  ['gas.bench.js', []],
  ['zk.bench.js', []],
  ['oprf.bench.js', []],
  ['crsCeremony.bench.js', []],
  ['dkg.bench.js', []],
  ['userDecrypt.bench.js', []],
  ['e2eUserDecrypt.bench.js', ['--chain', 'embedded']],
  ['e2e.bench.js', ['--chain', 'embedded']],
  ['e2e.bench.js', ['--chain', 'wasmd']],
  ['e2e.bench.js', ['--chain', 'wasmd', '--parties', '4']],
];
let failed = 0;
for (const [file, args] of benches) {
  console.log(`\n== ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--no-warnings', path.join(repoRoot(), 'dist', 'bench', file), ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
console.log(`\nfigures: ${path.join(repoRoot(), 'bench', 'results.json')}`);
process.exit(failed ? 1 : 0);
