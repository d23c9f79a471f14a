/**
 * @module bench/_results
 * Shared by every benchmark: prints the machine, prints each figure, and merges
 * figures into bench/results.json (a list of {name, unit, value, params}),
 * replacing entries of the same name and params.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../common/paths.js';

export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  params: Record<string, string | number | boolean>;
}

const RESULTS_FILE = path.join(repoRoot(), 'bench', 'results.json');

export function machineInfo(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function printMachine(): void {
  const m = machineInfo();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}`);
}

function sameEntry(a: BenchResult, b: BenchResult): boolean {
  return a.name === b.name && JSON.stringify(a.params) === JSON.stringify(b.params);
}

/** Prints the figures and merges them into bench/results.json. */
export function recordResults(results: BenchResult[], file: string = RESULTS_FILE): void {
  for (const r of results) {
    const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${r.name.padEnd(40)} ${r.value.toFixed(3).padStart(12)} ${r.unit.padEnd(6)} ${params}`);
  }
  const existing: BenchResult[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]) : [];
  const merged = existing.filter((e) => !results.some((r) => sameEntry(e, r))).concat(results);
  writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
}

/** Median of repeated timings in milliseconds. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
