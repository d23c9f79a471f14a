/**
 * Config contract on cw-simulate (chain/config/messages.ts is the protocol under test).
 */
import type { PartiesResponse, PartyByAddressResponse, PartyInfo } from '../../chain/config/messages.js';
import { readWasm, SimChain, testAddress } from '../testing/simChain.js';

function parties(n: number): PartyInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    address: testAddress(`party-${i + 1}`),
    signer_pubkey: `0${2 + (i % 2)}${(i + 1).toString(16).padStart(2, '0').repeat(32)}`,
  }));
}

async function instantiate(msg: unknown): Promise<{ chain: SimChain; config: string }> {
  const chain = new SimChain();
  const config = await chain.instantiate(chain.upload(readWasm('config')), msg);
  return { chain, config };
}

describe('config', () => {
  test('default: stores the party set and answers both queries', async () => {
    const ps = parties(4);
    const { chain, config } = await instantiate({ parties: ps, threshold: 1 });
    expect(chain.query<PartiesResponse>(config, { parties: {} })).toEqual({ parties: ps, threshold: 1 });
    expect(chain.query<PartyByAddressResponse>(config, { party_by_address: { address: ps[2]?.address } })).toEqual({ party: ps[2] });
    expect(chain.query<PartyByAddressResponse>(config, { party_by_address: { address: testAddress('nobody') } })).toEqual({
      party: null,
    });
  });

  test('behavior: 7 parties with t=2 and a single party with t=0 are accepted', async () => {
    await expect(instantiate({ parties: parties(7), threshold: 2 })).resolves.toBeDefined();
    await expect(instantiate({ parties: parties(1), threshold: 0 })).resolves.toBeDefined();
  });

  test('behavior: n < 3t+1 is rejected', async () => {
    await expect(instantiate({ parties: parties(3), threshold: 1 })).rejects.toThrow('need n >= 3t+1 parties: n=3, t=1');
    await expect(instantiate({ parties: parties(6), threshold: 2 })).rejects.toThrow('n >= 3t+1');
  });

  test('behavior: duplicate ids and addresses are rejected', async () => {
    const ps = parties(4);
    await expect(instantiate({ parties: [...ps.slice(0, 3), { ...ps[3], id: 1 }], threshold: 1 })).rejects.toThrow('duplicate party id 1');
    await expect(
      instantiate({ parties: [...ps.slice(0, 3), { ...ps[3], address: ps[0]?.address }], threshold: 1 }),
    ).rejects.toThrow('duplicate party address');
  });

  test('behavior: invalid addresses and public keys are rejected', async () => {
    const ps = parties(4);
    await expect(instantiate({ parties: [{ ...ps[0], address: 'wasm1notanaddress' }], threshold: 0 })).rejects.toThrow(
      'party 1: invalid address wasm1notanaddress',
    );
    await expect(instantiate({ parties: [{ ...ps[0], signer_pubkey: 'ab'.repeat(33) }], threshold: 0 })).rejects.toThrow(
      'compressed key',
    );
    await expect(instantiate({ parties: [{ ...ps[0], signer_pubkey: '02' + 'ab'.repeat(31) }], threshold: 0 })).rejects.toThrow(
      'signer_pubkey must be 33 bytes',
    );
    await expect(instantiate({ parties: [{ ...ps[0], id: 0 }], threshold: 0 })).rejects.toThrow('id must be a positive integer');
    await expect(instantiate({ parties: ps, threshold: -1 })).rejects.toThrow('threshold must be a non-negative integer');
  });

  test('behavior: malformed messages get a clear error', async () => {
    const { chain, config } = await instantiate({ parties: parties(1), threshold: 0 });
    expect(() => chain.query(config, { nope: {} })).toThrow('unknown query nope');
    await expect(chain.execute(config, { anything: {} }, testAddress('user'))).rejects.toThrow('no execute messages');
  });
});
