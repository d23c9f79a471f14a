import { describe, expect, test } from '@jest/globals';
import { MpcParameterError } from '../errors.js';
import { InMemoryHub } from './inMemory.js';
import { receiveFromAll, sendToAll } from './network.js';
import { runParties } from './runParties.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('InMemoryHub', () => {
  test('default: point-to-point delivery within a round', async () => {
    const hub = new InMemoryHub({ timeoutMs: 50 });
    const [a, b] = hub.endpoints('s', 2);
    a!.send(2, bytes(1, 2, 3));
    expect(await b!.receive(1)).toEqual(bytes(1, 2, 3));
    expect(hub.stats).toMatchObject({ messages: 1, bytes: 3 });
  });

  test('behavior: a child session has its own rounds and ids; closing it frees only this party\'s mailboxes', async () => {
    const hub = new InMemoryHub({ timeoutMs: 30 });
    const [a, b, c] = hub.endpoints('s', 3);
    const ca = a!.child('decide');
    expect(ca.sessionId).toBe('s/decide');
    expect(() => a!.child('x/y')).toThrow(RangeError);
    ca.send(2, bytes(7)); // before party 2 opens the child
    ca.send(3, bytes(8));
    a!.send(2, bytes(1));
    ca.nextRound();
    ca.send(2, bytes(9));
    const cb = b!.child('decide');
    expect(await cb.receive(1)).toEqual(bytes(7));
    expect(await b!.receive(1)).toEqual(bytes(1));
    cb.close(); // party 2's child mailboxes only
    expect(await cb.receive(1)).toBeUndefined();
    expect(await c!.child('decide').receive(1)).toEqual(bytes(8));
    // The parent's round 1 is not the child's round 1.
    b!.nextRound();
    expect(await b!.receive(1)).toBeUndefined();
  });

  test('behavior: receive waits for a later send, and times out to undefined', async () => {
    const hub = new InMemoryHub({ timeoutMs: 30 });
    const [a, b] = hub.endpoints('s', 2);
    const pending = b!.receive(1);
    setTimeout(() => a!.send(2, bytes(9)), 5);
    expect(await pending).toEqual(bytes(9));
    expect(await b!.receive(1, 10)).toEqual(bytes(9)); // same round: still there
    b!.nextRound();
    expect(await b!.receive(1, 10)).toBeUndefined();
  });

  test('malicious: messages are bound to their session id and round', async () => {
    const hub = new InMemoryHub({ timeoutMs: 20 });
    const [, b] = hub.endpoints('session-A', 2);
    const [other] = hub.endpoints('session-B', 2);
    other!.send(2, bytes(1)); // right sender/recipient ids, wrong session
    hub.deliver({ sessionId: 'session-A', round: 1, from: 1, to: 2, payload: bytes(2) }); // future round
    expect(await b!.receive(1)).toBeUndefined();
    b!.nextRound();
    expect(await b!.receive(1)).toEqual(bytes(2));
  });

  test('malicious: a sender cannot overwrite its message (first one wins)', async () => {
    const hub = new InMemoryHub({ timeoutMs: 20 });
    const [a, b] = hub.endpoints('s', 2);
    a!.send(2, bytes(1));
    a!.send(2, bytes(2));
    expect(await b!.receive(1)).toEqual(bytes(1));
    expect(hub.stats.rejectedDuplicates).toBe(1);
  });

  test('behavior: the sender cannot mutate a message after sending it', async () => {
    const hub = new InMemoryHub({ timeoutMs: 20 });
    const [a, b] = hub.endpoints('s', 2);
    const buf = bytes(7);
    a!.send(2, buf);
    buf[0] = 8;
    expect(await b!.receive(1)).toEqual(bytes(7));
  });

  test('behavior: session ids cannot collide through separators', async () => {
    const hub = new InMemoryHub({ timeoutMs: 20 });
    const [x] = hub.endpoints('a|0', 2);
    const [, y] = hub.endpoints('a', 2);
    x!.send(2, bytes(1));
    expect(await y!.receive(1)).toBeUndefined();
  });

  test('behavior: concurrent receives of the same message all resolve', async () => {
    const hub = new InMemoryHub({ timeoutMs: 50 });
    const [a, b] = hub.endpoints('s', 2);
    const early = b!.receive(1, 5);
    const both = [b!.receive(1), b!.receive(1)];
    expect(await early).toBeUndefined();
    a!.send(2, bytes(4));
    expect(await Promise.all(both)).toEqual([bytes(4), bytes(4)]);
  });

  test('behavior: bad party ids are refused', () => {
    const [a] = new InMemoryHub().endpoints('s', 3);
    expect(() => a!.send(4, bytes())).toThrow(RangeError);
    expect(() => a!.receive(0)).toThrow(RangeError);
  });
});

describe('runParties', () => {
  test('behavior: two concurrent sessions on one hub do not mix', async () => {
    const hub = new InMemoryHub({ timeoutMs: 50 });
    const program = (tag: number) => async (net: Parameters<Parameters<typeof runParties>[2]>[0]) => {
      sendToAll(net, bytes(tag));
      const got = await receiveFromAll(net);
      return [...got.values()].map((m) => m?.[0]);
    };
    const [a, b] = await Promise.all([runParties(4, 1, program(1), { hub, sessionId: 'req-a' }), runParties(4, 1, program(2), { hub, sessionId: 'req-b' })]);
    for (const out of a.outputs.values()) expect(out).toEqual([1, 1, 1]);
    for (const out of b.outputs.values()) expect(out).toEqual([2, 2, 2]);
  });

  test('default: runs all parties concurrently and returns honest outputs', async () => {
    const run = await runParties(4, 1, async (net) => {
      sendToAll(net, bytes(net.self));
      const got = await receiveFromAll(net);
      return [...got.values()].reduce((s, m) => s + (m?.[0] ?? 0), net.self);
    });
    expect([...run.outputs.values()]).toEqual([10, 10, 10, 10]);
    expect(run.honest).toEqual([1, 2, 3, 4]);
  });

  test('malicious: adversaries replace parties; honest failures are reported, not thrown', async () => {
    const run = await runParties(
      4,
      1,
      async (net) => {
        sendToAll(net, bytes(1));
        const got = await receiveFromAll(net, 20);
        if ([...got.values()].some((m) => m === undefined)) throw new Error('someone was silent');
        return 'ok';
      },
      { malicious: new Map([[3, async () => 'silent']]) },
    );
    expect(run.honest).toEqual([1, 2, 4]);
    expect(run.outputs.size).toBe(0);
    expect(run.failures.size).toBe(3);
  });

  test('behavior: bad parameters are refused', async () => {
    await expect(runParties(0, 0, async () => 1)).rejects.toThrow(MpcParameterError);
    await expect(runParties(4, 1, async () => 1, { malicious: new Map([[5, async () => 0]]) })).rejects.toThrow(MpcParameterError);
  });
});
