/**
 * `pollEvents`, the loop behind both embedded clients' `watchEvents`: a read
 * that fails is retried for `retryForMs`, then the subscription ends with the
 * error (a consumer that must keep listening subscribes again: the connector's
 * EventWatch); `progress()` tells when a read last succeeded.
 */
import type { ChainEvent } from '../client.js';
import type { SequencedEvent } from './embeddedChain.js';
import { pollEvents } from './inProcessClient.js';

const ev = (seq: number, height: number): SequencedEvent => ({ seq, type: 'wasm-x', attributes: { n: String(seq) }, height, txHash: `t${seq}` });

test('behavior: a few failed reads are retried without losing or repeating an event', async () => {
  const log = [ev(1, 3), ev(2, 4), ev(3, 6)];
  let calls = 0;
  const seen: ChainEvent[] = [];
  const sub = pollEvents(
    async (pos) => {
      calls++;
      if (calls === 2 || calls === 3) throw new Error('ECONNREFUSED');
      return log.filter((e) => (pos.afterSeq !== undefined ? e.seq > pos.afterSeq : e.height >= (pos.fromHeight ?? 0))).slice(0, 1);
    },
    0,
    async (e) => void seen.push(e),
    { pollMs: 1, retryForMs: 10_000 },
  );
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 5));
  sub.close();
  await sub.done;
  expect(seen.map((e) => e.attributes['n'])).toEqual(['1', '2', '3']);
  expect(sub.progress?.().lastPollAt).toBeGreaterThan(0);
});

test('behavior: reads failing past retryForMs end the subscription with the error', async () => {
  const sub = pollEvents(
    async () => {
      throw new Error('ECONNREFUSED');
    },
    0,
    async () => undefined,
    { retryForMs: 300 },
  );
  await expect(sub.done).rejects.toThrow('ECONNREFUSED');
  expect(sub.progress?.().lastPollAt).toBeUndefined();
});

test('behavior: a read failing after close() resolves done (the node stopping after the consumer left is no failure)', async () => {
  let fail!: (e: Error) => void;
  const sub = pollEvents(() => new Promise<SequencedEvent[]>((_, reject) => (fail = reject)), 0, async () => undefined);
  await new Promise((r) => setTimeout(r, 10));
  sub.close();
  fail(new Error('ECONNREFUSED'));
  await expect(sub.done).resolves.toBeUndefined();
});
