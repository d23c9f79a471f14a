/**
 * @module cli/partyProgress
 * Per-party progress of a key generation or preprocessing while `tkms keygen`
 * waits for the chain: each core that serves public storage over HTTP answers
 * `GET /progress/<request id>` (core/service/publicStorageServer.ts) with its
 * stage and fraction. Parties whose URL the network file does not list, or
 * that do not answer, show as "?". Nothing here is trusted: it is a display,
 * the result is what the chain and the signatures say; what a core sends is
 * capped (4 KB, no redirect) and stripped to printable ASCII.
 *
 * @example
 * const watch = watchPartyProgress(network.cores, requestId, (line) => p.update(line));
 * try { await waitForResult(…) } finally { watch.stop() }
 */
import type { NetworkDescriptor } from '../chain/client.js';

export interface PartyProgress {
  partyId: number;
  /** 0..1; undefined when the party did not answer (not started, down, or no URL). */
  fraction?: number;
  stage?: string;
}

/** "party 1 37%, party 2 36% (random bits), party 3 ?, party 4 37%": the stage shown once, from the first party that has one. */
export function formatPartyProgress(parties: PartyProgress[]): string {
  const stage = parties.find((p) => p.stage)?.stage;
  const list = parties.map((p) => `party ${p.partyId} ${p.fraction === undefined ? '?' : `${Math.floor(p.fraction * 100)}%`}`).join(', ');
  return stage ? `${list} — ${stage}` : list;
}

/** A progress answer is a few hundred bytes; anything longer is not one. */
const MAX_PROGRESS_BYTES = 4096;

/** Printable ASCII only: a core must not write control sequences to the operator's terminal or log. */
export function printableStage(stage: string): string {
  return stage.replace(/[^\x20-\x7e]/g, '').slice(0, 120);
}

async function fetchProgress(publicUrl: string, requestId: string, timeoutMs: number): Promise<{ fraction: number; stage: string } | undefined> {
  try {
    // No redirects (a blind GET elsewhere from the operator's machine) and a read capped in bytes, not only in time.
    const res = await fetch(`${publicUrl}/progress/${requestId}`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { 'accept-encoding': 'identity' } });
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return undefined;
    const reader = res.body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_PROGRESS_BYTES) {
        await reader.cancel();
        return undefined;
      }
      parts.push(value);
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { fraction?: unknown; stage?: unknown };
    if (typeof body.fraction !== 'number' || !(body.fraction >= 0 && body.fraction <= 1)) return undefined;
    return { fraction: body.fraction, stage: typeof body.stage === 'string' ? printableStage(body.stage) : '' };
  } catch {
    return undefined;
  }
}

/**
 * Polls every party every `o.intervalMs` (default 2 s) and calls `onChange`
 * with the formatted line when some party moved to another `o.stepPercent`
 * step (default 1: every whole percent; a log wants 10) or the stage changed.
 * No URL for any party: does nothing.
 */
export function watchPartyProgress(
  cores: NetworkDescriptor['cores'],
  requestId: string,
  onChange: (line: string, parties: PartyProgress[]) => void,
  o: { intervalMs?: number; stepPercent?: number } = {},
): { stop(): void } {
  const intervalMs = o.intervalMs ?? 2000;
  const step = o.stepPercent ?? 1;
  if (!cores.some((c) => c.publicUrl)) return { stop: () => {} };
  let last = '';
  let stopped = false;
  const poll = async (): Promise<void> => {
    const parties = await Promise.all(
      cores.map(async (c): Promise<PartyProgress> => {
        const p = c.publicUrl ? await fetchProgress(c.publicUrl, requestId, Math.min(intervalMs, 1500)) : undefined;
        return p ? { partyId: c.partyId, fraction: p.fraction, stage: p.stage } : { partyId: c.partyId };
      }),
    );
    const key = parties.map((p) => (p.fraction === undefined ? '?' : Math.floor((p.fraction * 100) / step))).join('/') + (parties.find((p) => p.stage)?.stage ?? '');
    if (!stopped && key !== last && parties.some((p) => p.fraction !== undefined)) {
      last = key;
      onChange(formatPartyProgress(parties), parties);
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  void poll();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
