/**
 * @module common/paths
 * Locates the repository root whether code runs from source (ts-jest, tsx) or
 * from the compiled `dist/` tree.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function repoRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** Where running networks keep their state (git-ignored). */
export function stateDir(...parts: string[]): string {
  return path.join(repoRoot(), '.state', ...parts);
}
