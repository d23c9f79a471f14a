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
    evm_address: '0x' + 'Ab'.repeat(19) + p.id.toString(16).padStart(2, '0'),
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
      dev_mode: false,
      insecure_dealer_keys: false,
      trusted_submitters: [],
      operators: [],
    });
    // Not a dev network: the default application takes proven inputs only.
    expect(chain.query<ApplicationsResponse>(config, { applications: {} })).toEqual({ applications: [{ app_id: 'default', isc_type: 'proven' }] });
    expect(chain.query<ApplicationResponse>(config, { application: { app_id: 'nope' } })).toEqual({ application: null });
  });

  test('default: party endpoints, EVM address and TLS fingerprint are stored normalised', async () => {
    const ps = parties(4).map(FULL_PARTY);
    const { chain, config } = await instantiate({ parties: ps, threshold: 1, governance: GOV, fhe_parameters: 'fhevm-default' });
    const got = chain.query<PartiesResponse>(config, { parties: {} }).parties[0]!;
    expect(got.evm_address).toBe('0x' + 'ab'.repeat(19) + '01');
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
    // A dev network: open applications may be registered (see the dev_mode tests below).
    const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV, dev_mode: true });
    await expect(chain.execute(config, { update_fees: { fees: { decrypt: '5' } } }, GOV)).rejects.toThrow('fees.denom must be set');
    await expect(chain.execute(config, { update_fees: { fees: { denom: 'u', decrypt: '-5' } } }, GOV)).rejects.toThrow('fees.decrypt must be a Uint128 decimal string');
    await expect(chain.execute(config, { update_fees: { fees: { denom: 'u', mint: '1' } } }, GOV)).rejects.toThrow('unknown operation mint');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'allowlist' } }, GOV)).rejects.toThrow('isc must be');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'magic' } }, GOV)).rejects.toThrow('isc_type must be');
    await expect(chain.execute(config, { register_application: { app_id: 'a', isc_type: 'fhevm', isc: 'wasm1bad' } }, GOV)).rejects.toThrow('invalid isc address');
    await expect(chain.execute(config, { update_params: { request_expiry_seconds: 0 } }, GOV)).rejects.toThrow('request_expiry_seconds must be a positive');
    await expect(chain.execute(config, { update_params: { request_expiry_blocks: 8 } }, GOV)).rejects.toThrow(
      'unknown parameter request_expiry_blocks (expected fhe_parameters, request_expiry_seconds, trusted_submitters, operators)',
    );
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

  describe('dev_mode (issue 10)', () => {
    test('default: a Config is not a dev network unless it says so; only a dev network defaults to an open application', async () => {
      const dev = await instantiate({ parties: parties(1), threshold: 0, dev_mode: true });
      expect(dev.chain.query<ParamsResponse>(dev.config, { params: {} }).dev_mode).toBe(true);
      expect(dev.chain.query<ApplicationsResponse>(dev.config, { applications: {} })).toEqual({ applications: [{ app_id: 'default', isc_type: 'open' }] });
      const prod = await instantiate({ parties: parties(1), threshold: 0, dev_mode: false });
      expect(prod.chain.query<ParamsResponse>(prod.config, { params: {} }).dev_mode).toBe(false);
      expect(prod.chain.query<ApplicationsResponse>(prod.config, { applications: {} })).toEqual({ applications: [{ app_id: 'default', isc_type: 'proven' }] });
      await expect(instantiate({ parties: parties(1), threshold: 0, dev_mode: 'yes' })).rejects.toThrow('dev_mode must be a boolean');
    });

    test('malicious: open applications are refused outside dev mode, at instantiation and by governance', async () => {
      const open = [{ app_id: 'default', isc_type: 'open' }];
      const why = 'application default: isc_type open (no ISC, no provenance check) is only allowed on a dev_mode network';
      await expect(instantiate({ parties: parties(1), threshold: 0, applications: open })).rejects.toThrow(why);
      await expect(instantiate({ parties: parties(1), threshold: 0, dev_mode: false, applications: open })).rejects.toThrow(why);
      const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV });
      await expect(chain.execute(config, { register_application: { app_id: 'x', isc_type: 'open' } }, GOV)).rejects.toThrow(
        'application x: isc_type open (no ISC, no provenance check) is only allowed on a dev_mode network',
      );
      // dev_mode is fixed: not even governance turns a production network into a dev network.
      await expect(chain.execute(config, { update_params: { dev_mode: true } }, GOV)).rejects.toThrow(
        'update_params: dev_mode is fixed at instantiation and cannot be changed',
      );
      expect(chain.query<ParamsResponse>(config, { params: {} }).dev_mode).toBe(false);
      // proven applications: no ISC.
      await chain.execute(config, { register_application: { app_id: 'p', isc_type: 'proven' } }, GOV);
      expect(chain.query<ApplicationResponse>(config, { application: { app_id: 'p' } })).toEqual({ application: { app_id: 'p', isc_type: 'proven' } });
      await expect(chain.execute(config, { register_application: { app_id: 'q', isc_type: 'proven', isc: testAddress('isc') } }, GOV)).rejects.toThrow(
        'application q: a proven application has no isc',
      );
    });
  });

  describe('operators and trusted submitters (issue 10)', () => {
    const OP1 = testAddress('operator-1');
    const OP2 = testAddress('operator-2');
    const SUB = testAddress('submitter');

    test('default: set at instantiation, validated, deduplicated, returned by params and named in the event', async () => {
      const chain = new SimChain();
      const code = chain.upload(readWasm('config'));
      const config = await chain.instantiate(code, { parties: parties(1), threshold: 0, operators: [OP1, OP2, OP1], trusted_submitters: [SUB] });
      expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ operators: [OP1, OP2], trusted_submitters: [SUB] });
      await expect(chain.instantiate(code, { parties: parties(1), threshold: 0, operators: ['wasm1bad'] })).rejects.toThrow('operators[0]: invalid address wasm1bad');
      await expect(chain.instantiate(code, { parties: parties(1), threshold: 0, trusted_submitters: 'x' })).rejects.toThrow('trusted_submitters must be an array of addresses');
      await expect(chain.instantiate(code, { parties: parties(1), threshold: 0, operators: [5] })).rejects.toThrow('operators[0] must be an address string');
      const many = Array.from({ length: 65 }, (_, i) => testAddress(`op-${i}`));
      await expect(chain.instantiate(code, { parties: parties(1), threshold: 0, operators: many })).rejects.toThrow('operators: at most 64 addresses');
    });

    test('behavior: governance replaces either list with update_params; anyone else is refused', async () => {
      const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV, operators: [OP1] });
      const r = await chain.execute(config, { update_params: { operators: [OP2, OP2], trusted_submitters: [SUB] } }, GOV);
      expect(r.events.find((e) => e.type === 'wasm-tkms_config_update')?.attributes).toMatchObject({ action: 'update_params', operators: OP2, trusted_submitters: SUB });
      expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ operators: [OP2], trusted_submitters: [SUB] });
      // Absent: unchanged; []: emptied.
      await chain.execute(config, { update_params: { request_expiry_seconds: 60 } }, GOV);
      expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ operators: [OP2], trusted_submitters: [SUB] });
      await chain.execute(config, { update_params: { trusted_submitters: [] } }, GOV);
      expect(chain.query<ParamsResponse>(config, { params: {} })).toMatchObject({ operators: [OP2], trusted_submitters: [] });
      await expect(chain.execute(config, { update_params: { operators: [OP1] } }, OP2)).rejects.toThrow(`unauthorized: only governance (${GOV}) may update_params`);
      await expect(chain.execute(config, { update_params: { operators: ['nope'] } }, GOV)).rejects.toThrow('operators[0]: invalid address nope');
      expect(chain.query<ParamsResponse>(config, { params: {} }).operators).toEqual([OP2]);
    });
  });

  describe('party keys and amounts (issue 10)', () => {
    test('malicious: two parties with one signer key or one EVM address are refused', async () => {
      const ps = parties(4);
      await expect(instantiate({ parties: [...ps.slice(0, 3), { ...ps[3]!, signer_pubkey: ps[0]!.signer_pubkey.toUpperCase() }], threshold: 1 })).rejects.toThrow(
        `party 4: duplicate signer_pubkey ${ps[0]!.signer_pubkey} (party 1 has it)`,
      );
      const evm = '0x' + '12'.repeat(20);
      await expect(
        instantiate({ parties: [{ ...ps[0]!, evm_address: evm }, ps[1]!, ps[2]!, { ...ps[3]!, evm_address: evm.toUpperCase().replace('0X', '0x') }], threshold: 1 }),
      ).rejects.toThrow(`party 4: duplicate evm_address ${evm}`);
      const { chain, config } = await instantiate({ parties: ps, threshold: 1, governance: GOV });
      await expect(chain.execute(config, { update_parties: { parties: [...ps.slice(0, 3), { ...ps[3]!, signer_pubkey: ps[1]!.signer_pubkey }], threshold: 1 } }, GOV)).rejects.toThrow(
        'duplicate signer_pubkey',
      );
      expect(chain.query<PartiesResponse>(config, { parties: {} }).parties).toEqual(ps);
    });

    test('behavior: fees are Uint128: 10^21 and 2^128-1 are accepted; 2^128, signs and leading zeros are not', async () => {
      const { chain, config } = await instantiate({ parties: parties(1), threshold: 0, governance: GOV });
      const max = (2n ** 128n - 1n).toString();
      await chain.execute(config, { update_fees: { fees: { denom: 'u', decrypt: '1000000000000000000000', keygen: max } } }, GOV);
      expect(chain.query<FeeSchedule>(config, { fees: {} })).toMatchObject({ decrypt: '1000000000000000000000', keygen: max });
      for (const bad of [(2n ** 128n).toString(), '+5', '007', '1e3', '', ' 5', '99999999999999999999999999999999999999999']) {
        await expect(chain.execute(config, { update_fees: { fees: { denom: 'u', decrypt: bad } } }, GOV)).rejects.toThrow(
          'fees.decrypt must be a Uint128 decimal string',
        );
      }
    });
  });
});
