/**
 * @module core/service/zk/tfheZkServer
 * A long-lived `tkms-tfhe-zk serve` for a core that verifies many lists (or
 * makes many pseudo-random values, ./oprf.ts): the
 * tool keeps decompressed server keys (~0.7 s each to decompress, ~300 MB in
 * memory), public keys and CRSs cached by the SHA3 of their file, and this
 * wrapper writes each key's bytes once, under its SHA-256, into a private
 * directory (0700) removed by `close()`. Requests run one at a time (the tool
 * answers in order); each has a timeout, after which the process is killed
 * and the next request starts a new one. A crashed process is restarted the
 * same way.
 *
 * @example
 * const zk = new TfheZkServer();
 * try {
 *   const values = await zk.verifyAndExpand({ crs, compactPublicKey, compressedServerKey, list, metadata });
 * } finally {
 *   await zk.close();
 * }
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TimeoutError, TkmsError } from '../../../common/errors.js';
import { parseAnswer, readItems, tfheZkToolPath, toolError, type ExpandedValue, type ToolSuccess } from './_toolAnswer.js';
import { oprfArguments, readOprfValue, type GenerateOprfParameters, type GenerateOprfReturnType } from './oprf.js';
import { DEFAULT_VERIFY_TIMEOUT_MS, type ExpandParameters, type TfheZkToolOptions, type VerifyAndExpandParameters } from './tfheZkTool.js';

interface Pending {
  resolve: (line: string) => void;
  reject: (e: Error) => void;
}

/** One `serve` process and the request it is answering. */
interface Proc {
  child: ChildProcessWithoutNullStreams;
  pending?: Pending;
}

/** A request's place in the queue (`takeTurn`). */
interface Turn {
  ready: Promise<unknown>;
  release: () => void;
}

export class TfheZkServer {
  private readonly binary: string;
  private readonly timeoutMs: number;
  private readonly tmpParent: string;
  private dir: Promise<string> | undefined;
  /** Key files already written, by SHA-256 hex. */
  private readonly written = new Map<string, Promise<string>>();
  /** The same, by buffer: callers pass the same key material again and again (a 60 MB server key is worth not rehashing). */
  private readonly fileOf = new WeakMap<Uint8Array, Promise<string>>();
  private proc: Proc | undefined;
  /** Serializes requests: the tool answers one line per request, in order (`takeTurn`). */
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;
  private closed = false;
  /** Successful answers for which the tool had to decompress the server key (not cached). */
  serverKeyDecompressions = 0;

  /** Throws ZK_TOOL_MISSING at once if the binary is not built. */
  constructor(options: TfheZkToolOptions = {}) {
    this.binary = tfheZkToolPath(options.binary);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
    this.tmpParent = options.tmpDir ?? os.tmpdir();
  }

  /** As `verifyAndExpand` of tfheZkTool, with keys cached across calls. */
  async verifyAndExpand(params: VerifyAndExpandParameters): Promise<ExpandedValue[]> {
    const turn = this.takeTurn();
    const [crs, publicKey, serverKey] = await Promise.all([
      this.keyFile(params.crs),
      this.keyFile(params.compactPublicKey),
      this.keyFile(params.compressedServerKey),
    ]).catch((e: unknown) => {
      turn.release();
      throw e;
    });
    return this.withRequestDir(turn, params.list, (list, outDir) => ({
      op: 'verify-expand',
      crs,
      publicKey,
      serverKey,
      list,
      metadataHex: Buffer.from(params.metadata).toString('hex'),
      outDir,
    }));
  }

  /** As `expand` of tfheZkTool, with the server key cached across calls. */
  async expand(params: ExpandParameters): Promise<ExpandedValue[]> {
    const turn = this.takeTurn();
    const serverKey = await this.keyFile(params.compressedServerKey).catch((e: unknown) => {
      turn.release();
      throw e;
    });
    return this.withRequestDir(turn, params.list, (list, outDir) => ({ op: 'expand', serverKey, list, outDir }));
  }

  /** As `generateOprf` of ./oprf.ts, with the server key cached across calls (a value then costs only its generation). */
  async oprf(params: GenerateOprfParameters): Promise<GenerateOprfReturnType> {
    const { fheType, randomBits, args } = oprfArguments(params);
    const turn = this.takeTurn();
    const serverKey = await this.keyFile(params.compressedServerKey).catch((e: unknown) => {
      turn.release();
      throw e;
    });
    return this.inRequestDir(
      turn,
      async (dir) => ({ op: 'oprf', serverKey, ...flagsToRequest(args), out: path.join(dir, 'value.bin') }),
      (answer, dir) => readOprfValue(answer, path.join(dir, 'value.bin'), fheType, randomBits),
    );
  }

  /** Stops the process and removes the private directory (keys included). */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    const child = this.proc?.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }

  private privateDir(): Promise<string> {
    this.dir ??= (async () => {
      const dir = await mkdtemp(path.join(this.tmpParent, 'tkms-zk-serve-'));
      await chmod(dir, 0o700);
      return dir;
    })();
    return this.dir;
  }

  /** The file holding `bytes`, written once per content (SHA-256 off the event loop); a buffer seen before is not hashed again. */
  private async keyFile(bytes: Uint8Array): Promise<string> {
    const known = this.fileOf.get(bytes);
    if (known) return known;
    const file = this.keyFileByContent(bytes);
    this.fileOf.set(bytes, file);
    file.catch(() => this.fileOf.delete(bytes));
    return file;
  }

  private async keyFileByContent(bytes: Uint8Array): Promise<string> {
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
    let file = this.written.get(digest);
    if (!file) {
      file = (async () => {
        const f = path.join(await this.privateDir(), `${digest}.bin`);
        await writeFile(f, bytes, { mode: 0o600 });
        return f;
      })();
      this.written.set(digest, file);
      file.catch(() => this.written.delete(digest));
    }
    return file;
  }

  private async withRequestDir(turn: Turn, list: Uint8Array, request: (list: string, outDir: string) => Record<string, string>): Promise<ExpandedValue[]> {
    return this.inRequestDir(
      turn,
      async (dir) => {
        const listFile = path.join(dir, 'list.bin');
        await writeFile(listFile, list, { mode: 0o600 });
        return request(listFile, path.join(dir, 'out'));
      },
      (answer, dir) => readItems(answer, path.join(dir, 'out')),
    );
  }

  /** Runs one request in its own private directory (removed afterwards): `prepare` writes its inputs, `read` its outputs. */
  private async inRequestDir<T>(
    turn: Turn,
    prepare: (dir: string) => Promise<Record<string, string>>,
    read: (answer: ToolSuccess, dir: string) => Promise<T>,
  ): Promise<T> {
    let dir: string | undefined;
    try {
      if (this.closed) throw new TkmsError('ZK_TOOL_FAILED', 'the tkms-tfhe-zk server is closed');
      const id = String(++this.nextId);
      dir = path.join(await this.privateDir(), `req-${id}`);
      await mkdir(dir, { mode: 0o700 });
      const req = { id, ...(await prepare(dir)) };
      await turn.ready;
      const answer = await this.send(req).finally(turn.release);
      return await read(answer, dir);
    } finally {
      turn.release();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * A place in the queue, taken when the caller asks: the tool answers one
   * request at a time, and requests are sent in call order whatever their
   * file writes take. `release` (idempotent) lets the next one go.
   */
  private takeTurn(): Turn {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const turn = { ready: this.queue, release };
    this.queue = mine;
    return turn;
  }

  private async send(req: Record<string, string>): Promise<ToolSuccess> {
    const op = req.op ?? '';
    const proc = this.ensureProcess();
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.pending = undefined;
        this.discard(proc);
        reject(new TimeoutError(`tkms-tfhe-zk serve ${op}`, this.timeoutMs));
      }, this.timeoutMs);
      proc.pending = {
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      proc.child.stdin.write(JSON.stringify(req) + '\n');
    });
    const answer = parseAnswer(line);
    if (!answer || (answer as { id?: unknown }).id !== req.id) {
      this.discard(proc);
      throw new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk serve answered ${op} with an unexpected line`);
    }
    if (!answer.ok) throw toolError(op, answer);
    if (answer.serverKeyCached === false) this.serverKeyDecompressions++;
    return answer;
  }

  /** Kills a process in an unknown state; the next request starts a new one. */
  private discard(proc: Proc): void {
    if (this.proc === proc) this.proc = undefined;
    proc.child.kill('SIGKILL');
  }

  private ensureProcess(): Proc {
    if (this.proc) return this.proc;
    const child = spawn(this.binary, ['serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const proc: Proc = { child };
    this.proc = proc;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-2000);
    });
    createInterface({ input: child.stdout }).on('line', (l) => {
      const p = proc.pending;
      proc.pending = undefined;
      p?.resolve(l);
    });
    // Settles only this process's own request: a replacement has its own.
    const gone = (why: string): void => {
      if (this.proc === proc) this.proc = undefined;
      const p = proc.pending;
      proc.pending = undefined;
      p?.reject(new TkmsError('ZK_TOOL_FAILED', `tkms-tfhe-zk serve ${why}`, { details: stderr.trim() || undefined }));
    };
    child.on('error', (e) => gone(`could not run: ${e.message}`));
    child.on('close', (code, signal) => gone(signal ? `was killed by ${signal}` : `exited with ${code}`));
    child.stdin.on('error', () => undefined); // EPIPE after a crash: reported by 'close'
    return proc;
  }
}

/** `['--random-bits', '3']` → `{ randomBits: '3' }`: serve requests carry the CLI flags in camelCase (tools/tfhe-zk/src/main.rs). */
function flagsToRequest(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < args.length; i += 2) {
    out[args[i]!.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = args[i + 1]!;
  }
  return out;
}
