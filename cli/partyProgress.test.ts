/**
 * `tkms keygen`'s per-party progress: the line it prints, and the watcher
 * polling real HTTP servers (core/service/publicStorageServer.ts, the route
 * cores serve) — a party that is down or never started shows as "?".
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPublicStorageServer, type PublicStorageServer } from '../core/service/publicStorageServer.js';
import { formatPartyProgress, printableStage, watchPartyProgress } from './partyProgress.js';

const ID = 'ab'.repeat(20);

describe('per-party keygen progress', () => {
  test('default: one line, percent per party, unknown parties as "?", the stage once', () => {
    expect(formatPartyProgress([{ partyId: 1, fraction: 0.374, stage: 'random bits' }, { partyId: 2 }, { partyId: 3, fraction: 1 }])).toBe('party 1 37%, party 2 ?, party 3 100% — random bits');
  });

  test('malicious: a core cannot write control sequences, forged log lines or megabytes to the operator', async () => {
    expect(printableStage('chunk 3\x1b[2A\x1b]52;c;Zm9v\x07\nINFO forged line')).toBe('chunk 3[2A]52;c;Zm9vINFO forged line');
    const root = mkdtempSync(path.join(os.tmpdir(), 'tkms-progress-'));
    const huge = await startPublicStorageServer({ root, host: '127.0.0.1', port: 0, progress: () => () => ({ fraction: 0.5, stage: 'x'.repeat(100_000) }) });
    try {
      const lines: string[] = [];
      const watch = watchPartyProgress([{ partyId: 1, grpcUrl: '-', publicUrl: huge.url }], ID, (line) => lines.push(line), { intervalMs: 100 });
      await new Promise((r) => setTimeout(r, 600));
      watch.stop();
      expect(lines).toEqual([]); // over 4 KB: not a progress answer
    } finally {
      await huge.close();
    }
  }, 30_000);

  test('behavior: polls each core, reports changes only, and survives a party that is down or has no such job', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tkms-progress-'));
    const jobs = new Map<string, { fraction: number; stage: string }>([[ID, { fraction: 0.25, stage: 'chunk 1 of 4' }]]);
    const servers: PublicStorageServer[] = [];
    for (let p = 0; p < 2; p++) servers.push(await startPublicStorageServer({ root, host: '127.0.0.1', port: 0, progress: () => (id) => (p === 0 ? jobs.get(id) : undefined) }));
    try {
      // The route itself: a known job as JSON, an unknown or malformed id 404.
      expect(await (await fetch(`${servers[0]!.url}/progress/${ID}`)).json()).toEqual({ fraction: 0.25, stage: 'chunk 1 of 4' });
      expect((await fetch(`${servers[0]!.url}/progress/${'cd'.repeat(20)}`)).status).toBe(404);
      expect((await fetch(`${servers[0]!.url}/progress/..%2f..%2fetc`)).status).toBe(404);
      expect((await fetch(`${servers[1]!.url}/progress/${ID}`)).status).toBe(404);

      const lines: string[] = [];
      const cores = [
        { partyId: 1, grpcUrl: '-', publicUrl: servers[0]!.url },
        { partyId: 2, grpcUrl: '-', publicUrl: servers[1]!.url },
        { partyId: 3, grpcUrl: '-', publicUrl: 'http://127.0.0.1:1' }, // nothing listens
        { partyId: 4, grpcUrl: '-' }, // no URL
      ];
      const watch = watchPartyProgress(cores, ID, (line) => lines.push(line), { intervalMs: 100, stepPercent: 10 });
      const until = async (what: () => boolean): Promise<void> => {
        for (let i = 0; i < 100 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await until(() => lines.length >= 1);
      await new Promise((r) => setTimeout(r, 350)); // more polls, no change: no more lines
      expect(lines).toEqual(['party 1 25%, party 2 ?, party 3 ?, party 4 ? — chunk 1 of 4']);
      jobs.set(ID, { fraction: 0.27, stage: 'chunk 1 of 4' }); // same 10 % step: not reported
      await new Promise((r) => setTimeout(r, 350));
      jobs.set(ID, { fraction: 0.5, stage: 'chunk 2 of 4' });
      await until(() => lines.length >= 2);
      watch.stop();
      expect(lines).toEqual(['party 1 25%, party 2 ?, party 3 ?, party 4 ? — chunk 1 of 4', 'party 1 50%, party 2 ?, party 3 ?, party 4 ? — chunk 2 of 4']);
    } finally {
      for (const s of servers) await s.close();
    }
  }, 30_000);
});
