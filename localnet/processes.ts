/**
 * @module localnet/processes
 * Child processes for a local network: each component runs as its own OS
 * process with its log in a file, a pid file so `make stop` / `make
 * localnet-down` can find it after the parent is gone, and a readiness probe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TimeoutError } from '../common/errors.js';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  dir: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Outlive the parent (for `make localnet`, stopped later through the pid file). */
  detached?: boolean;
}

export function spawnManaged(o: SpawnOptions): ManagedProcess {
  const logDir = path.join(o.dir, 'logs');
  const pidDir = path.join(o.dir, 'pids');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(pidDir, { recursive: true });
  const logFile = path.join(logDir, `${o.name}.log`);
  // The log file is the child's own stdout/stderr, so logging survives the parent.
  const fd = openSync(logFile, 'a');
  const child = spawn(o.command, o.args, { env: { ...process.env, ...o.env }, stdio: ['ignore', fd, fd], detached: o.detached ?? false });
  closeSync(fd);
  if (o.detached) child.unref();
  const pidFile = path.join(pidDir, `${o.name}.pid`);
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name: o.name,
    child,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(pidFile, { force: true });
    },
  };
}

/**
 * Stops every process whose pid file is under `dir/pids` (leftovers of a
 * previous run): SIGTERM, then waits for them to exit (SIGKILL after
 * `graceMs`), so their ports are free when this returns.
 */
export async function killFromPidFiles(dir: string, graceMs = 15_000): Promise<string[]> {
  const pidDir = path.join(dir, 'pids');
  if (!existsSync(pidDir)) return [];
  const killed: { name: string; pid: number }[] = [];
  for (const f of readdirSync(pidDir)) {
    const pid = Number(readFileSync(path.join(pidDir, f), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      killed.push({ name: f.replace(/\.pid$/, ''), pid });
    } catch {
      // already gone
    }
    rmSync(path.join(pidDir, f), { force: true });
  }
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + graceMs;
  while (killed.some((k) => alive(k.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const k of killed) if (alive(k.pid)) process.kill(k.pid, 'SIGKILL');
  return killed.map((k) => k.name);
}

/** Polls `probe` until it resolves true; fails early with the log tail if the process died. */
export async function waitReady(p: ManagedProcess, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) {
      throw new Error(`${p.name} exited with code ${p.child.exitCode} during start-up; log ${p.logFile}:\n${tail(p.logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new TimeoutError(`${p.name} to become ready (log ${p.logFile})`, timeoutMs);
}

export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url);
  return res.ok;
}

/** A port free right now on loopback (for tests that run several networks). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
