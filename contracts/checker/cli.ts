/**
 * @module contracts/checker/cli
 * `node dist/contracts/checker/cli.js <file.wasm>...` (or via tsx): checks each
 * contract and exits 1 listing the violations.
 */
import { readFileSync } from 'node:fs';
import { checkWasm } from './checkWasm.js';

function main(files: string[]): number {
  if (files.length === 0) {
    process.stderr.write('usage: cli <file.wasm>...\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const bytes = readFileSync(file);
    const { ok, violations } = checkWasm(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    if (ok) {
      process.stdout.write(`${file}: ok (${bytes.length} bytes)\n`);
    } else {
      failed = true;
      process.stderr.write(`${file}: ${violations.length} violation(s)\n${violations.map((v) => `  - ${v}`).join('\n')}\n`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
