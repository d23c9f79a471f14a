/**
 * @module cli/output
 * Human output on stdout, progress on stderr (so `--json` stdout stays
 * machine-readable), and one way to report errors with stable codes.
 */
import { TkmsError } from '../common/errors.js';

export interface OutputOptions {
  json: boolean;
}

export function printResult(opts: OutputOptions, value: Record<string, unknown>, human: () => string): void {
  process.stdout.write((opts.json ? JSON.stringify(value, bigintSafe, 2) : human()) + '\n');
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Progress for long waits: elapsed seconds on one stderr line (TTY only). */
export function progress(label: string): { update(note?: string): void; done(note?: string): void } {
  const start = Date.now();
  const tty = process.stderr.isTTY;
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const draw = (note?: string): void => {
    if (note) last = note;
    const line = `${label} … ${((Date.now() - start) / 1000).toFixed(1)} s${last ? ` (${last})` : ''}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
  };
  if (tty) timer = setInterval(draw, 250);
  else process.stderr.write(`${label} …\n`);
  return {
    update: (note) => {
      if (tty) draw(note);
      else if (note) process.stderr.write(`  ${note}\n`);
    },
    done: (note) => {
      clearInterval(timer);
      const line = `${label}: done in ${((Date.now() - start) / 1000).toFixed(1)} s${note ? ` (${note})` : ''}`;
      process.stderr.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}

export function reportError(e: unknown, opts: OutputOptions): number {
  const code = e instanceof TkmsError ? e.code : 'ERROR';
  const message = e instanceof TkmsError ? e.shortMessage : e instanceof Error ? e.message : String(e);
  const details = e instanceof TkmsError ? e.details : undefined;
  if (opts.json) process.stdout.write(JSON.stringify({ error: { code, message, details } }) + '\n');
  else process.stderr.write(`error [${code}]: ${message}${details ? `\n  ${details}` : ''}\n`);
  return 1;
}
