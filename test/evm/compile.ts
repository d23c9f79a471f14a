/**
 * @module test/evm/compile
 * Compiles a Solidity file with solc-js (the `solc` devDependency, pinned, so
 * the bytecode is the same on every machine). About 4 s for KmsVerifier.sol.
 *
 * @example
 * const { abi, bytecode } = compileSolidity('test/evm/KmsVerifier.sol', 'KmsVerifier');
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../../common/paths.js';

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}
interface Solc {
  version(): string;
  compile(input: string): string;
}

export interface CompiledContract {
  abi: unknown[];
  /** 0x-prefixed creation code. */
  bytecode: string;
  solcVersion: string;
}

/** @param file path relative to the repository root */
export function compileSolidity(file: string, contract: string): CompiledContract {
  const solc = createRequire(import.meta.url)('solc') as Solc;
  const name = path.basename(file);
  const input = {
    language: 'Solidity',
    sources: { [name]: { content: readFileSync(path.join(repoRoot(), file), 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc ${solc.version()}: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const c = out.contracts?.[name]?.[contract];
  if (!c) throw new Error(`solc output has no contract ${contract} in ${file}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, solcVersion: solc.version() };
}
