/**
 * @module contracts/isc-fhevm/readIscWasm
 * Test helper (Node, not AssemblyScript): the ISC wasm files that
 * contracts/build.sh produces, rebuilt when older than their sources. Mirrors
 * contracts/testing/simChain.ts `ensureBuilt`, which only watches asc/config, and
 * takes the same lock so parallel Jest workers never build over each other.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, CONTRACTS_DIR, ensureBuilt } from '../testing/simChain.js';

export type IscName = 'isc-fhevm' | 'isc-allowlist';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|mjs|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function upToDate(name: IscName): boolean {
  const wasm = join(BUILD_DIR, `${name}.wasm`);
  const sources = Math.max(newestSource(join(CONTRACTS_DIR, 'lib')), newestSource(join(CONTRACTS_DIR, name)));
  return existsSync(wasm) && statSync(wasm).mtimeMs >= sources;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function readIscWasm(name: IscName): Uint8Array {
  ensureBuilt();
  if (!upToDate(name)) {
    const lock = join(BUILD_DIR, '.lock');
    mkdirSync(BUILD_DIR, { recursive: true });
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
        sleepMs(250);
      }
    }
    try {
      if (!upToDate(name)) execFileSync(join(CONTRACTS_DIR, 'build.sh'), { stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return new Uint8Array(readFileSync(join(BUILD_DIR, `${name}.wasm`)));
}
