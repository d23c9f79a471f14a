/**
 * fhEVM ISC on cw-simulate against real eth_getProof output
 * (test/fixtures/evm/acl-proofs.json from test/fixtures/scripts/make-evm-proofs.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { CONTRACTS_DIR, readWasm, SimChain } from '../testing/simChain.js';

import { FhevmHeader, HeaderSignature, aclSlot, hexToBytes, signHeader, to0x } from '../../test/fixtures/scripts/fhevmHeader.js';

const fixture = JSON.parse(readFileSync(join(CONTRACTS_DIR, '..', 'test', 'fixtures', 'evm', 'acl-proofs.json'), 'utf8'));
const header: FhevmHeader = fixture.header;
const validatorKeys: Uint8Array[] = fixture.test_keys.validators.map(hexToBytes);
const unknownKey = hexToBytes(fixture.test_keys.not_a_validator);

type Answer = { valid: boolean; reason?: string };
type Case = keyof typeof fixture.cases & string;

let chain: SimChain;
let isc: string;
let codeId: number;

beforeAll(async () => {
  chain = new SimChain();
  codeId = chain.upload(readWasm('isc-fhevm'));
  isc = await chain.instantiate(codeId, fixture.instantiate);
});

/**
 * A deep copy of a fixture case as a validate request, signed by validators 0..2;
 * purpose "user_decrypt" with the case's requester, or the case's own purpose.
 */
function request(name: Case, over: Record<string, unknown> = {}): Record<string, unknown> {
  const c = structuredClone(fixture.cases[name]);
  return {
    ...(c.requester !== undefined ? { requester: c.requester } : {}),
    purpose: c.purpose ?? 'user_decrypt',
    handle: c.handle,
    header: { ...header },
    signatures: validatorKeys.slice(0, 3).map((k) => signHeader(header, k)),
    acl_proof: c.acl_proof,
    ...over,
  };
}

/** KMS chain block time for the queries: 100 s after the fixture's block. */
const headerTime = Number(header.timestamp);
const NOW = headerTime + 100;

function validate(req: Record<string, unknown>, contract = isc, now = NOW): Answer {
  chain.setBlockTime(now);
  return chain.query<Answer>(contract, { validate: req });
}

function flipByte(hex: string, at: number): string {
  const b = hexToBytes(hex);
  b[at] = b[at]! ^ 0x01;
  return to0x(b);
}

describe('isc-fhevm', () => {
  test('default: a quorum-signed header and real proofs of a granted pair are accepted', () => {
    expect(validate(request('granted'))).toEqual({ valid: true });
    expect(validate(request('other_requester'))).toEqual({ valid: true });
    // All four validators, and the fixture's own signatures, work too.
    expect(validate(request('granted', { signatures: fixture.signatures }))).toEqual({ valid: true });
  });

  test('default: a public decryption needs the allowedForDecryption slot of the handle; the requester is ignored', () => {
    expect(validate(request('public'))).toEqual({ valid: true });
    // Whoever is named as requester (or nobody): a public handle is public.
    expect(validate(request('public', { requester: fixture.cases.granted.requester }))).toEqual({ valid: true });
    expect(validate(request('public', { requester: 'not an address' }))).toEqual({ valid: true });
  });

  test('malicious: a per-user permission is not a public one', () => {
    // The granted pair's proof offered for a public decryption: wrong slot.
    const r = validate(request('granted', { purpose: 'public_decrypt' }));
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^wrong slot for allowedForDecryption\[handle\]: proof is for slot 0x[0-9a-f]{64}, expected 0x[0-9a-f]{64}$/);
    // The handle is granted to a user but was never marked public: its public slot is empty.
    expect(validate(request('not_public'))).toEqual({ valid: false, reason: 'not publicly decryptable: the allowedForDecryption slot is empty' });
    // And a public flag does not stand for a user permission.
    expect(validate(request('public', { purpose: 'user_decrypt', requester: fixture.cases.granted.requester })).reason).toMatch(/^wrong slot for handle\/requester/);
    // The purpose must be given.
    const { purpose: _p, ...unsaid } = request('granted');
    expect(validate(unsaid).reason).toBe('malformed request: purpose must be "public_decrypt" or "user_decrypt"');
    expect(validate(request('granted', { purpose: 'anything' })).reason).toMatch(/^malformed request: purpose/);
  });

  test('default: config query returns the normalised configuration', () => {
    expect(chain.query(isc, { config: {} })).toEqual({ ...fixture.instantiate, max_age_seconds: 3600 });
  });

  test('behavior: handle and requester in upper-case hex, block number as a number', () => {
    const r = request('granted');
    r.handle = '0x' + (r.handle as string).slice(2).toUpperCase();
    r.requester = '0x' + (r.requester as string).slice(2).toUpperCase();
    r.header = { ...header, number: Number(header.number) };
    expect(validate(r)).toEqual({ valid: true });
  });

  test('malicious: forged header signature', () => {
    // Validator 1's name on validator 0's signature.
    const s = signHeader(header, validatorKeys[0]!, fixture.instantiate.validators[1]);
    const r = validate(request('granted', { signatures: [s, ...validatorKeys.slice(2, 4).map((k) => signHeader(header, k))] }));
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^forged header signature 0: signed by 0x[0-9a-f]{40}, not by validator/);
    // A flipped bit in r.
    const sigs = validatorKeys.slice(0, 3).map((k) => signHeader(header, k));
    sigs[1] = { ...sigs[1]!, signature: flipByte(sigs[1]!.signature, 5) };
    expect(validate(request('granted', { signatures: sigs })).reason).toMatch(/^forged header signature 1/);
    // r = 0 and r >= n recover no key at all (the host's error path).
    for (const r of ['00'.repeat(32), 'ff'.repeat(32)]) {
      const fresh = validatorKeys.slice(0, 3).map((k) => signHeader(header, k));
      const broken = [...fresh.slice(0, 2), { ...fresh[2]!, signature: '0x' + r + fresh[2]!.signature.slice(66) }];
      expect(validate(request('granted', { signatures: broken })).reason).toMatch(/^forged header signature 2 for validator 0x[0-9a-f]{40}: no public key recovers/);
    }
    // The same signature with high s (n - s, v flipped) is refused (EIP-2).
    const good = secp256k1.Signature.fromCompact(hexToBytes(sigs[0]!.signature).subarray(0, 64));
    const v = hexToBytes(sigs[0]!.signature)[64]!;
    const high = new secp256k1.Signature(good.r, secp256k1.CURVE.n - good.s);
    const malleated = { ...sigs[0]!, signature: to0x(Uint8Array.from([...high.toCompactRawBytes(), v === 27 ? 28 : 27])) };
    expect(validate(request('granted', { signatures: [malleated, ...sigs.slice(2)] })).reason).toMatch(/EIP-2/);
  });

  test('malicious: signature by an unknown validator', () => {
    const sigs: HeaderSignature[] = [...validatorKeys.slice(0, 2).map((k) => signHeader(header, k)), signHeader(header, unknownKey)];
    const r = validate(request('granted', { signatures: sigs }));
    expect(r).toEqual({ valid: false, reason: `unknown validator ${sigs[2]!.validator} (signature 2)` });
  });

  test('malicious: below quorum', () => {
    const r = validate(request('granted', { signatures: validatorKeys.slice(0, 2).map((k) => signHeader(header, k)) }));
    expect(r).toEqual({ valid: false, reason: 'quorum not met: 2 distinct validator signature(s), need 3' });
    expect(validate(request('granted', { signatures: [] })).reason).toMatch(/quorum not met: 0/);
  });

  test('malicious: duplicate validator signatures count once', () => {
    const s0 = signHeader(header, validatorKeys[0]!);
    const s1 = signHeader(header, validatorKeys[1]!);
    const r = validate(request('granted', { signatures: [s0, s0, s0, s1] }));
    expect(r).toEqual({ valid: false, reason: 'quorum not met: 2 distinct validator signature(s), need 3' });
  });

  test('malicious: tampered state root (old signatures, or validators signing a bogus root)', () => {
    const bogus = { ...header, state_root: flipByte(header.state_root, 31) };
    const stale = validate(request('granted', { header: bogus }));
    expect(stale.valid).toBe(false);
    expect(stale.reason).toMatch(/^forged header signature 0/);
    const resigned = validate(request('granted', { header: bogus, signatures: validatorKeys.slice(0, 3).map((k) => signHeader(bogus, k)) }));
    expect(resigned).toEqual({ valid: false, reason: 'bad account proof: proof node 0 does not match its hash' });
  });

  test('behavior: freshness — a header older than max_age_seconds is stale, one ahead of the chain beyond 60 s is refused', () => {
    const req = request('granted');
    // Edges: exactly max_age (3600 s) old, and exactly 60 s ahead, are accepted.
    expect(validate(req, isc, headerTime + 3600)).toEqual({ valid: true });
    expect(validate(req, isc, headerTime - 60)).toEqual({ valid: true });
    expect(validate(req, isc, headerTime + 3601)).toEqual({
      valid: false,
      reason: `stale header: block ${header.number} has timestamp ${headerTime}, 3601 s before the KMS chain's block time ${headerTime + 3601} (max age 3600 s)`,
    });
    expect(validate(req, isc, headerTime - 61)).toEqual({
      valid: false,
      reason: `header from the future: block ${header.number} has timestamp ${headerTime}, 61 s after the KMS chain's block time ${headerTime - 61} (allowed skew 60 s)`,
    });
    // Years later (the wall clock): the fixture's 2024 header is long stale.
    expect(validate(req, isc, Math.floor(Date.now() / 1000)).reason).toMatch(/^stale header: block 3 has timestamp \d+, \d+ s before/);
  });

  test('malicious: a stale header re-dated by the requester no longer matches the validators\' signatures', () => {
    const redated = { ...header, timestamp: String(NOW) };
    const r = validate(request('granted', { header: redated }));
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^forged header signature 0: signed by 0x[0-9a-f]{40}, not by validator/);
  });

  test('behavior: max_age_seconds is per ISC', async () => {
    const short = await chain.instantiate(codeId, { ...fixture.instantiate, max_age_seconds: 50 }, undefined, 'isc-short');
    expect(chain.query(short, { config: {} })).toMatchObject({ max_age_seconds: 50 });
    expect(validate(request('granted'), short, headerTime + 50)).toEqual({ valid: true });
    expect(validate(request('granted'), short).reason).toMatch(/^stale header: .* \(max age 50 s\)$/);
  });

  test('behavior: migrate may change max_age_seconds and keeps the rest of the configuration', async () => {
    const m = await chain.instantiate(codeId, fixture.instantiate, undefined, 'isc-migrated');
    await chain.migrate(m, codeId, { max_age_seconds: 7200 });
    expect(chain.query(m, { config: {} })).toEqual({ ...fixture.instantiate, max_age_seconds: 7200 });
    expect(validate(request('granted'), m, headerTime + 7200)).toEqual({ valid: true });
    expect(validate(request('granted'), m, headerTime + 7201).reason).toMatch(/^stale header: .*\(max age 7200 s\)$/);
    await chain.migrate(m, codeId, {});
    expect(chain.query(m, { config: {} })).toMatchObject({ max_age_seconds: 7200 });
    await expect(chain.migrate(m, codeId, { max_age_seconds: 0 })).rejects.toThrow('max_age_seconds must be an integer in 1..2592000');
  });

  test('malicious: header of another chain', () => {
    const other = { ...header, chain_id: 1 };
    const r = validate(request('granted', { header: other, signatures: validatorKeys.slice(0, 3).map((k) => signHeader(other, k)) }));
    expect(r).toEqual({ valid: false, reason: 'wrong chain id: header is for chain 1, this ISC serves 12345' });
  });

  test('malicious: proof for another slot (another requester)', () => {
    const req = request('granted');
    req.acl_proof = structuredClone(fixture.cases.other_requester.acl_proof);
    const r = validate(req);
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^wrong slot for handle\/requester: proof is for slot 0x[0-9a-f]{64}, expected 0x[0-9a-f]{64}$/);
  });

  test('malicious: proof for another handle', () => {
    // Asks for the ungranted handle while showing the granted handle's proof.
    const req = request('not_granted');
    req.acl_proof = structuredClone(fixture.cases.granted.acl_proof);
    expect(validate(req).reason).toMatch(/^wrong slot for handle\/requester/);
    // Same, with the proof's key rewritten to the expected slot: the nodes no longer fit.
    const lying = request('not_granted');
    const proof = structuredClone(fixture.cases.granted.acl_proof);
    proof.storageProof[0].key = aclSlot(lying.handle as string, lying.requester as string, fixture.instantiate.acl_slot_base);
    lying.acl_proof = proof;
    const r = validate(lying);
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^(bad storage proof|permission not granted)/);
  });

  test('malicious: tampered proof nodes', () => {
    const acc = request('granted');
    const ap = acc.acl_proof as { accountProof: string[]; storageProof: { proof: string[] }[] };
    ap.accountProof[1] = flipByte(ap.accountProof[1]!, 40);
    expect(validate(acc)).toEqual({ valid: false, reason: 'bad account proof: proof node 1 does not match its hash' });

    const st = request('granted');
    const sp = (st.acl_proof as { storageProof: { proof: string[] }[] }).storageProof[0]!;
    sp.proof[sp.proof.length - 1] = flipByte(sp.proof[sp.proof.length - 1]!, 10);
    expect(validate(st).reason).toMatch(/^bad storage proof: proof node \d does not match its hash/);

    const short = request('granted');
    (short.acl_proof as { storageProof: { proof: string[] }[] }).storageProof[0]!.proof.pop();
    expect(validate(short).reason).toMatch(/^bad storage proof: proof ends before the key is resolved/);
  });

  test('malicious: account proof of another contract', () => {
    const req = request('granted');
    (req.acl_proof as { address: string }).address = '0x' + '11'.repeat(20);
    expect(validate(req).reason).toMatch(/^bad account proof: proof is for 0x1111/);
  });

  test('behavior: value zero — ungranted and revoked slots are absent from the trie', () => {
    expect(validate(request('not_granted'))).toEqual({ valid: false, reason: 'permission not granted: the ACL slot is empty' });
    expect(validate(request('revoked'))).toEqual({ valid: false, reason: 'permission not granted: the ACL slot is empty' });
  });

  test('behavior: an ISC configured with another slot base rejects the slot', async () => {
    const other = await chain.instantiate(codeId, { ...fixture.instantiate, acl_slot_base: '0x0' }, undefined, 'isc-base0');
    expect(validate(request('granted'), other).reason).toMatch(/^wrong slot for handle\/requester/);
  });

  test('behavior: malformed requests are answered valid: false with the field at fault', () => {
    expect(validate(request('granted', { requester: '0x1234' })).reason).toMatch(/^malformed request: requester/);
    expect(validate(request('granted', { handle: '0x00' })).reason).toMatch(/^malformed request: handle/);
    expect(validate(request('granted', { header: { ...header, number: '-1' } })).reason).toMatch(/^malformed request: header chain_id, number and timestamp/);
    const { timestamp: _t, ...untimed } = header;
    expect(validate(request('granted', { header: untimed })).reason).toMatch(/^malformed request: header chain_id, number and timestamp/);
    expect(validate(request('granted', { signatures: [{ validator: 'x', signature: '0x' }] })).reason).toMatch(/^malformed request: signature 0/);
    expect(validate(request('granted', { acl_proof: { ...fixture.cases.granted.acl_proof, storageProof: [] } })).reason).toMatch(
      /exactly one slot/,
    );
    expect(() => chain.query(isc, { nope: {} })).toThrow('unknown query nope');
  });

  test('behavior: instantiate checks its configuration', async () => {
    const base = fixture.instantiate;
    const inst = (msg: unknown) => chain.instantiate(codeId, msg, undefined, 'bad');
    await expect(inst({ ...base, quorum: 5 })).rejects.toThrow('quorum must be between 1 and the number of validators (4)');
    await expect(inst({ ...base, quorum: 0 })).rejects.toThrow('quorum must be between 1');
    await expect(inst({ ...base, validators: [base.validators[0], base.validators[0]] , quorum: 1 })).rejects.toThrow('duplicate validator');
    await expect(inst({ ...base, validators: ['0x12'] })).rejects.toThrow('validator 0 must be a 20-byte');
    await expect(inst({ ...base, acl_address: 'wasm1xyz' })).rejects.toThrow('acl_address must be');
    await expect(inst({ ...base, chain_id: 0 })).rejects.toThrow('chain_id must be a positive integer');
    await expect(inst({ ...base, max_age_seconds: 0 })).rejects.toThrow('max_age_seconds must be an integer in 1..2592000');
    await expect(inst({ ...base, max_age_seconds: 2592001 })).rejects.toThrow('max_age_seconds must be');
    await expect(chain.execute(isc, { anything: {} }, 'wasm1someone')).rejects.toThrow('no execute messages');
  });
});
