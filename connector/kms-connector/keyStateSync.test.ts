/**
 * The connector's key-state mirror against a scripted ASC `keys` query and a
 * recording core (the end-to-end suites run it against real chains and cores).
 */
import { pino } from 'pino';
import type { KmsChainClient } from '../../chain/client.js';
import type { KeyInfo } from '../../chain/asc/messages.js';
import { allKeys, KeyStateSync } from './keyStateSync.js';

const silent = pino({ level: 'silent' });

function key(i: number, state?: KeyInfo['state']): KeyInfo {
  const id = i.toString(16).padStart(40, '0');
  return { key_id: id, public_key_digest: '', public_key_uri: '', server_key_digest: '', server_key_uri: '', ...(state ? { state } : {}) };
}

/** A chain whose ASC answers `keys` (paged by start_after/limit) from `keys`. */
function chainWith(keys: () => KeyInfo[]): KmsChainClient & { queries: number } {
  const c = {
    queries: 0,
    async queryContract<T>(_contract: string, msg: unknown): Promise<T> {
      c.queries++;
      const q = (msg as { keys: { start_after?: string; limit?: number } }).keys;
      const all = keys();
      const from = q.start_after ? all.findIndex((k) => k.key_id === q.start_after) + 1 : 0;
      return { keys: all.slice(from, from + (q.limit ?? 30)) } as T;
    },
  };
  return c as unknown as KmsChainClient & { queries: number };
}

function recordingCore(fail: (keyId: string) => Error | undefined = () => undefined) {
  const calls: [string, string][] = [];
  return {
    calls,
    async setKeyState(keyId: string, state: string): Promise<void> {
      const e = fail(keyId);
      if (e) throw e;
      calls.push([keyId, state]);
    },
  };
}

test('default: every key once at start, then only changes; keys without a state are active', async () => {
  let keys = [key(1), key(2, 'suspended')];
  const core = recordingCore();
  const sync = new KeyStateSync({ chain: chainWith(() => keys), asc: 'asc', core, logger: silent });
  await sync.syncOnce();
  expect(core.calls).toEqual([
    [key(1).key_id, 'active'],
    [key(2).key_id, 'suspended'],
  ]);
  await sync.syncOnce();
  expect(core.calls).toHaveLength(2);
  // A state skipped between two rounds (deactivated) is fine: the latest one goes.
  keys = [key(1), key(2, 'destroyed'), key(3, 'compromised')];
  await sync.syncOnce();
  expect(core.calls.slice(2)).toEqual([
    [key(2).key_id, 'destroyed'],
    [key(3).key_id, 'compromised'],
  ]);
});

test('behavior: a failed push is retried next round', async () => {
  let down = true;
  const core = recordingCore(() => (down ? Object.assign(new Error('core unreachable'), { code: 'UNAVAILABLE' }) : undefined));
  const sync = new KeyStateSync({ chain: chainWith(() => [key(1, 'suspended')]), asc: 'asc', core, logger: silent });
  await sync.syncOnce();
  expect(core.calls).toEqual([]);
  down = false;
  await sync.syncOnce();
  await sync.syncOnce();
  expect(core.calls).toEqual([[key(1).key_id, 'suspended']]);
});

test('behavior: a key the core does not hold yet: active is left alone, another state is offered until the core has the key', async () => {
  const held = new Set<string>();
  const asked: string[] = [];
  const core = recordingCore((id) => {
    asked.push(id);
    return held.has(id) ? undefined : Object.assign(new Error('unknown key'), { code: 'NOT_FOUND' });
  });
  const sync = new KeyStateSync({ chain: chainWith(() => [key(1), key(2, 'compromised')]), asc: 'asc', core, logger: silent });
  await sync.syncOnce();
  await sync.syncOnce();
  expect(asked).toEqual([key(1).key_id, key(2).key_id, key(2).key_id]);
  held.add(key(2).key_id);
  await sync.syncOnce();
  await sync.syncOnce();
  expect(core.calls).toEqual([[key(2).key_id, 'compromised']]);
});

test('behavior: pages through more than 100 keys', async () => {
  const keys = Array.from({ length: 250 }, (_, i) => key(i + 1));
  const chain = chainWith(() => keys);
  expect((await allKeys(chain, 'asc')).map((k) => k.key_id)).toEqual(keys.map((k) => k.key_id));
  expect(chain.queries).toBe(3);
});
