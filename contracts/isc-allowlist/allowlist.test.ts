/**
 * Allow-list ISC on cw-simulate.
 */
import { readWasm, SimChain, testAddress } from '../testing/simChain.js';


type Answer = { valid: boolean; reason?: string };

const admin = testAddress('allowlist-admin');
const evmUser = '0x' + 'ab'.repeat(20);
const chainUser = testAddress('allowlist-user');

async function setup(allowed: string[] = [evmUser]): Promise<{ chain: SimChain; isc: string }> {
  const chain = new SimChain();
  const isc = await chain.instantiate(chain.upload(readWasm('isc-allowlist')), { admin, allowed });
  return { chain, isc };
}

function validate(chain: SimChain, isc: string, requester: string): Answer {
  return chain.query<Answer>(isc, { validate: { requester, handle: '0x' + '00'.repeat(32) } });
}

describe('isc-allowlist', () => {
  test('default: valid iff the requester is on the list (EVM addresses case-insensitive)', async () => {
    const { chain, isc } = await setup([evmUser.toUpperCase().replace('0X', '0x'), chainUser]);
    expect(validate(chain, isc, evmUser)).toEqual({ valid: true });
    expect(validate(chain, isc, chainUser)).toEqual({ valid: true });
    const stranger = '0x' + 'cd'.repeat(20);
    expect(validate(chain, isc, stranger)).toEqual({ valid: false, reason: `requester ${stranger} is not on the allow-list` });
    expect(chain.query(isc, { config: {} })).toEqual({ admin, allowed: [evmUser, chainUser] });
  });

  test('behavior: the admin adds and removes requesters', async () => {
    const { chain, isc } = await setup();
    const newcomer = '0x' + '12'.repeat(20);
    const res = await chain.execute(isc, { add: { address: newcomer } }, admin);
    expect(res.events.find((e) => e.type === 'wasm-tkms_isc_allowlist')?.attributes).toMatchObject({ action: 'add', address: newcomer });
    expect(validate(chain, isc, newcomer)).toEqual({ valid: true });
    await chain.execute(isc, { remove: { address: evmUser } }, admin);
    expect(validate(chain, isc, evmUser).valid).toBe(false);
    await expect(chain.execute(isc, { add: { address: newcomer } }, admin)).rejects.toThrow('already allowed');
    await expect(chain.execute(isc, { remove: { address: evmUser } }, admin)).rejects.toThrow('not on the list');
  });

  test('malicious: only the admin may change the list', async () => {
    const { chain, isc } = await setup();
    const intruder = testAddress('intruder');
    await expect(chain.execute(isc, { add: { address: intruder } }, intruder)).rejects.toThrow('unauthorized: only the admin may add');
    await expect(chain.execute(isc, { remove: { address: evmUser } }, intruder)).rejects.toThrow('unauthorized: only the admin may remove');
    expect(validate(chain, isc, evmUser)).toEqual({ valid: true });
    expect(validate(chain, isc, intruder).valid).toBe(false);
  });

  test('behavior: malformed input gets a clear error', async () => {
    await expect(setup(['0x1234'])).rejects.toThrow('allowed[0]: invalid EVM address 0x1234');
    await expect(setup(['wasm1notanaddress'])).rejects.toThrow('allowed[0]: invalid address wasm1notanaddress');
    const chain = new SimChain();
    await expect(chain.instantiate(chain.upload(readWasm('isc-allowlist')), { admin: 'nope', allowed: [] })).rejects.toThrow(
      'invalid admin address nope',
    );
    const { chain: c, isc } = await setup();
    expect(validate(c, isc, '0xzz').reason).toMatch(/^malformed request: invalid EVM address/);
    await expect(c.execute(isc, { add: {} }, admin)).rejects.toThrow('add needs {"address": …}');
    await expect(c.execute(isc, { grant: {} }, admin)).rejects.toThrow('unknown execute message grant');
  });
});
