/**
 * Config contract on cw-simulate (chain/config/messages.ts is the protocol under test).
 */
import type {
  ApplicationResponse,
  ApplicationsResponse,
  FeeSchedule,
  ParamsResponse,
  PartiesResponse,
  PartyByAddressResponse,
  PartyInfo,
} from '../../chain/config/messages.js';
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
    await expect(chain.execute(config, { anything: {} }, testAddress('user'))).rejects.toThrow('unknown execute message anything');
  });

  const GOV = testAddress('gov');
  const FULL_PARTY = (p: PartyInfo): PartyInfo => ({
    ...p,
    evm_address: '0x' + 'Ab'.repeat(20),
    grpc_endpoint: `core-${p.id}.example:50051`,
    tls_cert_fingerprint: 'EF'.repeat(32),
  });

  test('default: parameters, fees and applications default and are queryable', async () => {
    const { chain, config } = await instantiate({ parties: parties(4), threshold: 1 });
    expect(chain.query<ParamsResponse>(config, { params: {} })).toEqual({
      governance: testAddress('deployer'),
      fhe_parameters: 'default',
      n: 4,
      threshold: 1,
      fees: { denom: '', keygen: '0', decrypt: '0', crs_gen: '0', user_decrypt: '0', keygen_preproc: '0' },
      request_expiry_seconds: 3600,
    });
    expect(chain.query<ApplicationsResponse>(config, { applications: {} })).toEqual({ applications: [{ app_id: 'default', isc_type: 'open' }] });
    expect(chain.query<ApplicationResponse>(config, { application: { app_id: 'nope' } })).toEqual({ application: null });
  });

  test('default: party endpoints, EVM address and TLS fingerprint are stored normalised', async () => {
    const ps = parties(4).map(FULL_PARTY);
    const { chain, config } = await instantiate({ parties: ps, threshold: 1, governance: GOV, fhe_parameters: 'fhevm-default' });
    const got = chain.query<PartiesResponse>(config, { parties: {} }).parties[0]!;
    expect(got.evm_address).toBe('0x' + 'ab'.repeat(20));
    expect(got.tls_cert_fingerprint).toBe('ef'.repeat(32));
    expect(got.grpc_endpoint).toBe('core-1.example:50051');
    expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ governance: GOV, fhe_parameters: 'fhevm-default' });
    await expect(instantiate({ parties: [{ ...ps[0], evm_address: '0x12' }], threshold: 0 })).rejects.toThrow('evm_address must be 0x + 40 hex');
    await expect(instantiate({ parties: [{ ...ps[0], tls_cert_fingerprint: 'zz' }], threshold: 0 })).rejects.toThrow('tls_cert_fingerprint');
  });

  test('behavior: governance changes fees, parties, params and applications, each with an event', async () => {
    const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV });
    const fees: FeeSchedule = { denom: 'ustake', keygen: '1000', decrypt: '10', crs_gen: '0', user_decrypt: '5', keygen_preproc: '2' };
    const r1 = await chain.execute(config, { update_fees: { fees } }, GOV);
    expect(r1.events.find((e) => e.type === 'wasm-tkms_config_update')?.attributes).toMatchObject({ action: 'update_fees', decrypt: '10', denom: 'ustake' });
    expect(chain.query<FeeSchedule>(config, { fees: {} })).toEqual(fees);

    const ps = parties(4);
    const r2 = await chain.execute(config, { update_parties: { parties: ps, threshold: 1 } }, GOV);
    expect(r2.events.find((e) => e.type === 'wasm-tkms_config_update')?.attributes).toMatchObject({ action: 'update_parties', parties: '4', threshold: '1' });
    expect(chain.query<PartiesResponse>(config, { parties: {} })).toEqual({ parties: ps, threshold: 1 });
    // The old party 1 address is still party 1 here; a removed address disappears from the index.
    await chain.execute(config, { update_parties: { parties: ps.slice(1).map((p, i) => ({ ...p, id: i + 1 })), threshold: 0 } }, GOV);
    expect(chain.query<PartyByAddressResponse>(config, { party_by_address: { address: ps[0]!.address } })).toEqual({ party: null });

    await chain.execute(config, { update_params: { fhe_parameters: 'big', request_expiry_seconds: 7 } }, GOV);
    expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ fhe_parameters: 'big', request_expiry_seconds: 7, n: 3, threshold: 0 });

    const isc = testAddress('isc');
    const r3 = await chain.execute(config, { register_application: { app_id: 'fhevm-1', isc_type: 'fhevm', isc } }, GOV);
    expect(r3.events.find((e) => e.type === 'wasm-tkms_config_update')?.attributes).toMatchObject({ action: 'register_application', app_id: 'fhevm-1', isc });
    expect(chain.query<ApplicationResponse>(config, { application: { app_id: 'fhevm-1' } })).toEqual({
      application: { app_id: 'fhevm-1', isc_type: 'fhevm', isc },
    });
    await chain.execute(config, { remove_application: { app_id: 'default' } }, GOV);
    expect(chain.query<ApplicationsResponse>(config, { applications: {} }).applications.map((a) => a.app_id)).toEqual(['fhevm-1']);

    const next = testAddress('gov-2');
    await chain.execute(config, { update_governance: { governance: next } }, GOV);
    await expect(chain.execute(config, { update_params: { fhe_parameters: 'x' } }, GOV)).rejects.toThrow('unauthorized');
    await chain.execute(config, { update_params: { fhe_parameters: 'x' } }, next);
  });

  test('malicious: a non-governance sender cannot change anything', async () => {
    const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV });
    const user = testAddress('deployer'); // even the deployer, once governance is set elsewhere
    const msgs = [
      { update_fees: { fees: { denom: 'ustake', decrypt: '0' } } },
      { update_parties: { parties: parties(1), threshold: 0 } },
      { update_params: { request_expiry_seconds: 1 } },
      { update_governance: { governance: user } },
      { register_application: { app_id: 'x', isc_type: 'open' } },
      { remove_application: { app_id: 'default' } },
    ];
    for (const m of msgs) {
      await expect(chain.execute(config, m, user)).rejects.toThrow(`unauthorized: only governance (${GOV}) may ${Object.keys(m)[0]}`);
    }
    expect(chain.query<ParamsResponse>(config, { params: {} }).governance).toBe(GOV);
  });

  test('behavior: invalid fees, applications and params are rejected', async () => {
    const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV });
    await expect(chain.execute(config, { update_fees: { fees: { decrypt: '5' } } }, GOV)).rejects.toThrow('fees.denom must be set');
    await expect(chain.execute(config, { update_fees: { fees: { denom: 'u', decrypt: '-5' } } }, GOV)).rejects.toThrow('fees.decrypt must be a decimal');
    await expect(chain.execute(config, { update_fees: { fees: { denom: 'u', mint: '1' } } }, GOV)).rejects.toThrow('unknown operation mint');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'allowlist' } }, GOV)).rejects.toThrow('isc must be');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'magic' } }, GOV)).rejects.toThrow('isc_type must be');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'fhevm', isc: 'wasm1bad' } }, GOV)).rejects.toThrow('invalid isc address');
    await expect(chain.execute(config, { update_params: { request_expiry_seconds: 0 } }, GOV)).rejects.toThrow('request_expiry_seconds must be a positive');
    await expect(chain.execute(config, { update_params: { request_expiry_blocks: 8 } }, GOV)).rejects.toThrow('unknown parameter request_expiry_blocks');
    await expect(chain.execute(config, { update_parties: { parties: parties(3), threshold: 1 } }, GOV)).rejects.toThrow('n >= 3t+1');
    await expect(chain.execute(config, { remove_application: { app_id: 'nope' } }, GOV)).rejects.toThrow('unknown application nope');
    // Registering an app id twice is refused (no silent ISC swap); remove, then register, replaces it.
    await chain.execute(config, { register_application: { app_id: 'twice', isc_type: 'open' } }, GOV);
    await expect(chain.execute(config, { register_application: { app_id: 'twice', isc_type: 'open' } }, GOV)).rejects.toThrow(
      'application twice is already registered',
    );
    await expect(chain.execute(config, { register_application: { app_id: 'default', isc_type: 'open' } }, GOV)).rejects.toThrow('already registered');
    await chain.execute(config, { remove_application: { app_id: 'twice' } }, GOV);
    await chain.execute(config, { register_application: { app_id: 'twice', isc_type: 'open' } }, GOV);
  });
});
