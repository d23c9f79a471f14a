/**
 * @module test/helpers/tkms
 * Runs the built `tkms` CLI as a user would (a separate process) and parses
 * its `--json` output.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../common/paths.js';
import type { KmsChainClient, NetworkDescriptor } from '../../chain/client.js';
import { connectChain } from '../../chain/connect.js';
import { accountFromMnemonic } from '../../chain/wallet.js';


export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

export interface CliEnv {
  network: string;
  home: string;
}

/** `signal`: kills the CLI when aborted (a test that stops waiting for it cleans it up). */
export function runTkms(env: CliEnv, args: string[], timeoutMs = 600_000, signal?: AbortSignal): Promise<CliRun> {
  const main = path.join(repoRoot(), 'dist', 'cli', 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', main, '--json', '--network', env.network, '--home', env.home, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tkms ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    const abort = (): void => void child.kill('SIGKILL');
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    child.on('exit', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        // left empty: the assertion on `code`/`json` reports the raw output
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** Runs and insists on success, with the CLI's own words in the failure message. */
export async function tkmsOk(env: CliEnv, args: string[]): Promise<Record<string, unknown>> {
  const r = await runTkms(env, args);
  if (r.code !== 0) throw new Error(`tkms ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.json;
}

/** A fresh CLI home (`tkms-cli-<label>-…` in the temp dir) with a funded development account: `keys create`, then `faucet`. */
export async function fundedCli(networkFile: string, label: string): Promise<CliEnv> {
  const cli = { network: networkFile, home: mkdtempSync(path.join(os.tmpdir(), `tkms-cli-${label}-`)) };
  await tkmsOk(cli, ['keys', 'create', '--keyring', 'test']);
  await tkmsOk(cli, ['faucet']);
  return cli;
}

/** A chain client signing as the CLI home's account, for tests that send transactions themselves. */
export async function cliAccountClient(cli: CliEnv, network: NetworkDescriptor): Promise<KmsChainClient> {
  const keyFile = JSON.parse(readFileSync(path.join(cli.home, 'keys', 'default.json'), 'utf8')) as { mnemonic: string };
  return connectChain(network, await accountFromMnemonic(keyFile.mnemonic, network.bech32Prefix));
}
