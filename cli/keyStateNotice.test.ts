/**
 * The key-state notice `tkms decrypt` and `tkms user-decrypt` print, against a
 * scripted ASC `key` query (the e2e scenario runs them on a real chain).
 */
import type { KmsChainClient } from '../chain/client.js';
import type { KeyInfo } from '../chain/asc/messages.js';
import { keyStateNotice, warnAboutKeyState } from './keyStateNotice.js';

const KEY = 'ab'.repeat(20);

function chainAnswering(key: () => KeyInfo): KmsChainClient {
  return {
    async queryContract<T>(_contract: string, msg: unknown): Promise<T> {
      expect(msg).toEqual({ key: { key_id: KEY } });
      return key() as T;
    },
  } as unknown as KmsChainClient;
}
const info = (state?: KeyInfo['state']): KeyInfo => ({ key_id: KEY, public_key_digest: '', public_key_uri: '', server_key_digest: '', server_key_uri: '', ...(state ? { state } : {}) });

test('default: an active key (or one without a recorded state) prints nothing', async () => {
  for (const state of ['active', undefined] as const) {
    const lines: string[] = [];
    expect(await warnAboutKeyState(chainAnswering(() => info(state)), 'asc', KEY, (l) => lines.push(l))).toEqual({ keyState: 'active' });
    expect(lines).toEqual([]);
  }
});

test('behavior: a compromised key is a warning naming the key; suspended and deactivated a note', async () => {
  const lines: string[] = [];
  const n = await warnAboutKeyState(chainAnswering(() => info('compromised')), 'asc', KEY, (l) => lines.push(l));
  expect(n.keyState).toBe('compromised');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^WARNING: key ${KEY} is COMPROMISED`));
  expect(keyStateNotice(KEY, 'suspended').warning).toMatch(/is suspended: it still decrypts/);
  expect(keyStateNotice(KEY, 'deactivated').warning).toMatch(/is deactivated: it still decrypts/);
});

test('behavior: a failed state query does not fail the decryption: state unknown, said so', async () => {
  const lines: string[] = [];
  const failing = chainAnswering(() => {
    throw new Error('connection reset');
  });
  expect((await warnAboutKeyState(failing, 'asc', KEY, (l) => lines.push(l))).keyState).toBe('unknown');
  expect(lines[0]).toMatch(/could not be read/);
});
