/**
 * @module core/service/zk/_toolRun
 * Running `tkms-tfhe-zk` once (tools/tfhe-zk): a private temporary directory
 * (0700, removed afterwards) for the inputs, the process run asynchronously
 * under a timeout with bounded output, and its one JSON answer line mapped to
 * a success or a TkmsError. Shared by the one-shot wrappers (tfheZkTool.ts,
 * oprf.ts).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TimeoutError, TkmsError } from '../../../common/errors.js';
import { parseAnswer, tfheZkToolPath, toolError, type ToolSuccess } from './_toolAnswer.js';

export interface TfheZkToolOptions {
  /** Path to the binary (default: `TKMS_TFHE_ZK_BIN`, then the repository's `.cache`). */
  binary?: string;
  /** Kill the tool and fail with TIMEOUT after this long. */
  timeoutMs?: number;
  /** Parent of the private temporary directory (default `os.tmpdir()`). */
  tmpDir?: string;
}

/** The tool prints one short line; anything longer is a broken tool. */
const MAX_STDOUT_BYTES = 1 << 20;
const MAX_STDERR_BYTES = 16 << 10;

/** Runs `fn` with a fresh private directory (0700) that is removed afterwards, whatever happens. */
export async function withPrivateDir<T>(options: TfheZkToolOptions, fn: (dir: string) => Promise<T>): Promise<T> {
  // Locate the binary first: a missing tool should not cost writing 60 MB.
  tfheZkToolPath(options.binary);
  const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'tkms-zk-'));
  try {
    await chmod(dir, 0o700);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes an input file only the owner can read (key material). */
export async function writePrivate(file: string, bytes: Uint8Array): Promise<void> {
  await writeFile(file, bytes, { mode: 0o600 });
}

/** Runs the tool; resolves with its success answer, rejects with a mapped TkmsError. */
export async function runTool(args: string[], timeoutMs: number, options: TfheZkToolOptions): Promise<ToolSuccess> {
  const binary = tfheZkToolPath(options.binary);
  const op = args[0]!;
  const { code, signal, stdout, stderr, timedOut } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
  }>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= MAX_STDOUT_BYTES) out.push(b);
      else child.kill('SIGKILL');
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errBytes < MAX_STDERR_BYTES) err.push(b);
      errBytes += b.length;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new TkmsError('ZK_TOOL_FAILED', `cannot run ${binary}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').slice(-2000), timedOut });
    });
  });
  if (timedOut) throw new TimeoutError(`tkms-tfhe-zk ${op}`, timeoutMs);
  const answer = parseAnswer(stdout.trim().split('\n').pop());
  if (answer === undefined) {
    throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk ${op} ${signal ? `was killed by ${signal}` : `exited with ${code}`} without an answer`, {
      details: stderr.trim() || undefined,
    });
  }
  if (!answer.ok) throw toolError(op, answer);
  if (code !== 0) throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk ${op} answered ok but exited with ${code}`);
  return answer;
}

