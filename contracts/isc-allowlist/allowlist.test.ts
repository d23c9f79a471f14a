/**
 * Allow-list ISC on cw-simulate.
 */
import { readWasm, SimChain, testAddress } from '../testing/simChain.js';


type Answer = { valid: boolean; provenance?: boolean; reason?: string };
const VALID = { valid: true, provenance: false };

const admin = testAddress('allowlist-admin');
const evmUser = '0x' + 'ab'.repeat(20);
const chainUser = testAddress('allowlist-user');

async function setup(allowed: string[] = [evmUser]): Promise<{ chain: SimChain; isc: string }> {
  const chain = new SimChain();
  const isc = await chain.instantiate(chain.upload(readWasm('isc-allowlist')), { admin, allowed });
  return { chain, isc };
}

/** The ASC's batch validate query (chain/isc-fhevm/messages.ts IscValidateMsg); only purpose and requester matter here. */
function validate(chain: SimChain, isc: string, requester: string, purpose = 'public_decrypt'): Answer {
  return chain.query<Answer>(isc, {
    validate: { purpose, requester, ciphertexts: [{ handle: '0x' + '00'.repeat(32), digest: '0x' + '11'.repeat(32) }], proof: {} },
  });
}

describe('isc-allowlist', () => {
  test('default: valid iff the requester is on the list (EVM addresses case-insensitive), never with provenance', async () => {
    const { chain, isc } = await setup([evmUser.toUpperCase().replace('0X', '0x'), chainUser]);
    expect(validate(chain, isc, evmUser)).toEqual(VALID);
    expect(validate(chain, isc, chainUser, 'user_decrypt')).toEqual(VALID);
    const stranger = '0x' + 'cd'.repeat(20);
    expect(validate(chain, isc, stranger)).toEqual({ valid: false, reason: `requester ${stranger} is not on the allow-list` });
    expect(chain.query(isc, { config: {} })).toEqual({ admin, allowed: [evmUser, chainUser] });
  });

  test('behavior: the admin adds and removes requesters', async () => {
    const { chain, isc } = await setup();
    const newcomer = '0x' + '12'.repeat(20);
    const res = await chain.execute(isc, { add: { address: newcomer } }, admin);
    expect(res.events.find((e) => e.type === 'wasm-tkms_isc_allowlist')?.attributes).toMatchObject({ action: 'add', address: newcomer });
    expect(validate(chain, isc, newcomer)).toEqual(VALID);
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
    expect(validate(chain, isc, evmUser)).toEqual(VALID);
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
    expect(validate(c, isc, evmUser, 'anything').reason).toBe('malformed request: purpose must be "public_decrypt" or "user_decrypt"');
    expect(c.query<Answer>(isc, { validate: { purpose: 'user_decrypt' } }).reason).toBe('malformed request: requester must be a string');
    await expect(c.execute(isc, { add: {} }, admin)).rejects.toThrow('add needs {"address": …}');
    await expect(c.execute(isc, { grant: {} }, admin)).rejects.toThrow('unknown execute message grant');
  });
});
