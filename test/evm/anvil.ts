/**
 * @module test/evm/anvil
 * Starts a real EVM node for a test: Foundry's `anvil`, from the npm package
 * `@foundry-rs/anvil-linux-amd64` (a devDependency that ships the binary, so
 * `npm ci` is all a machine needs). The platform package is named directly
 * because its wrapper `@foundry-rs/anvil` resolves the binary with a postinstall
 * script and optional dependencies, and hardhat's EDR, whose optional native
 * packages the registry here does not all serve, leaves a lockfile that `npm ci`
 * rejects.
 *
 * @example
 * const node = await startAnvil({ chainId: 31337 });
 * const provider = new JsonRpcProvider(node.url);
 * // …
 * await node.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface AnvilParameters {
  chainId?: number;
  /** Milliseconds to wait for the node to listen. */
  startTimeoutMs?: number;
  /** More command-line flags (e.g. `--no-mining`, `--timestamp <s>` for reproducible fixtures). */
  args?: readonly string[];
}

export interface Anvil {
  /** JSON-RPC over HTTP. */
  url: string;
  chainId: number;
  stop(): Promise<void>;
}

export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
}

/** Spawns anvil on a free port (the OS picks it) and resolves once it listens. */
export function startAnvil(params: AnvilParameters = {}): Promise<Anvil> {
  const chainId = params.chainId ?? 31337;
  const child: ChildProcess = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId), ...(params.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`anvil did not start within ${params.startTimeoutMs ?? 10_000} ms:\n${output}`));
    }, params.startTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Listening on ([\d.]+):(\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      // Keep draining the pipes so anvil never blocks on a full one.
      child.stdout?.resume();
      resolve({ url: `http://${m[1]}:${m[2]}`, chainId, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with ${code} before listening:\n${output}`));
    });
  });
}
