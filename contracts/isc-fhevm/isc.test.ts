/**
 * fhEVM ISC on cw-simulate against real eth_getProof output
 * (test/fixtures/evm/acl-proofs.json from test/fixtures/scripts/make-evm-proofs.ts):
 * the batch `validate` query (chain/isc-fhevm/messages.ts IscValidateMsg).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { CONTRACTS_DIR, readWasm, SimChain } from '../testing/simChain.js';

import { FhevmHeader, HeaderSignature, aclSlot, digestSlot, hexToBytes, signHeader, to0x } from '../../test/fixtures/scripts/fhevmHeader.js';

const fixture = JSON.parse(readFileSync(join(CONTRACTS_DIR, '..', 'test', 'fixtures', 'evm', 'acl-proofs.json'), 'utf8'));
const header: FhevmHeader = fixture.header;
const validatorKeys: Uint8Array[] = fixture.test_keys.validators.map(hexToBytes);
const unknownKey = hexToBytes(fixture.test_keys.not_a_validator);
const BASE: string = fixture.instantiate.acl_slot_base;

type Answer = { valid: boolean; provenance?: boolean; reason?: string };
type CaseName = keyof typeof fixture.cases & string;
interface FixtureCase {
  purpose: 'user_decrypt' | 'public_decrypt';
  handle: string;
  digest: string;
  requester?: string;
  contract?: string;
  acl_proof: { address: string; accountProof: string[]; storageProof: { key: string; value: string; proof: string[] }[] };
}
interface Req {
  purpose: string;
  requester?: string;
  allowed_contracts?: string[];
  ciphertexts: { handle: string; digest: string }[];
  proof: { header: unknown; signatures: unknown[]; handles: { contract?: string; acl_proof: FixtureCase['acl_proof'] }[] };
  [k: string]: unknown;
}

const VALID = { valid: true, provenance: true };

let chain: SimChain;
let isc: string;
let codeId: number;

beforeAll(async () => {
  chain = new SimChain();
  codeId = chain.upload(readWasm('isc-fhevm'));
  isc = await chain.instantiate(codeId, fixture.instantiate);
});

function fixtureCase(name: CaseName): FixtureCase {
  return structuredClone(fixture.cases[name]) as FixtureCase;
}

/** Header signed by validators 0..2. */
function signatures(h: FhevmHeader = header): HeaderSignature[] {
  return validatorKeys.slice(0, 3).map((k) => signHeader(h, k));
}

/**
 * A validate request for fixture cases (a batch, in order): the first case's
 * purpose, requester and contract; its proof entries are deep copies.
 */
function request(names: CaseName | CaseName[], over: Partial<Req> = {}): Req {
  const cs = (Array.isArray(names) ? names : [names]).map(fixtureCase);
  const first = cs[0]!;
  return {
    purpose: first.purpose,
    ...(first.purpose === 'user_decrypt' ? { requester: first.requester, allowed_contracts: [first.contract!] } : {}),
    ciphertexts: cs.map((c) => ({ handle: c.handle, digest: c.digest })),
    proof: {
      header: { ...header },
      signatures: signatures(),
      handles: cs.map((c) => ({ ...(c.contract ? { contract: c.contract } : {}), acl_proof: c.acl_proof })),
    },
    ...over,
  };
}

/** `request` with the proof's header and signatures replaced. */
function signedBy(req: Req, sigs: unknown[], h: unknown = req.proof.header): Req {
  return { ...req, proof: { ...req.proof, header: h, signatures: sigs } };
}

/** KMS chain block time for the queries: 100 s after the fixture's block. */
const headerTime = Number(header.timestamp);
const NOW = headerTime + 100;

function validate(req: unknown, contract = isc, now = NOW): Answer {
  chain.setBlockTime(now);
  return chain.query<Answer>(contract, { validate: req });
}

function flipByte(hex: string, at: number): string {
  const b = hexToBytes(hex);
  b[at] = b[at]! ^ 0x01;
  return to0x(b);
}

/** The reason prefix of a per-ciphertext refusal. */
function at(i: number, name: CaseName): string {
  return `ciphertext ${i} (${fixture.cases[name].handle}): `;
}

describe('isc-fhevm: user decryption', () => {
  test('default: the user and the contract are allowed and the digest is committed: valid, with provenance', () => {
    expect(validate(request('granted'))).toEqual(VALID);
    expect(validate(request('other_requester'))).toEqual(VALID);
    // All four validators, and the fixture's own signatures, work too.
    expect(validate(signedBy(request('granted'), fixture.signatures))).toEqual(VALID);
    // The contract may be any of the user's allowed contracts.
    const r = request('granted');
    r.allowed_contracts = ['0x' + '11'.repeat(20), fixture.cases.granted.contract];
    expect(validate(r)).toEqual(VALID);
  });

  test('default: a batch carries one proof per handle, checked in request order', () => {
    expect(validate(request(['granted', 'second']))).toEqual(VALID);
    expect(validate(request(['second', 'granted', 'second']))).toEqual(VALID);
    // Proofs in another order than the ciphertexts: the first entry proves the other handle's slots.
    const swapped = request(['granted', 'second']);
    swapped.proof.handles.reverse();
    expect(validate(swapped).reason).toMatch(new RegExp(`^${at(0, 'granted').replace(/[()]/g, '\\$&')}unexpected slot`));
    // One entry short, one too many.
    const short = request(['granted', 'second']);
    short.proof.handles.pop();
    expect(validate(short).reason).toBe('malformed request: proof.handles must hold one {contract?, acl_proof} entry per ciphertext (2), in request order');
    const long = request('granted');
    long.proof.handles.push(long.proof.handles[0]!);
    expect(validate(long).reason).toMatch(/^malformed request: proof.handles must hold one .* \(1\)/);
    // One refused handle refuses the batch, wherever it is.
    expect(validate(request(['granted', 'second', 'no_contract_permission'])).reason).toMatch(/^ciphertext 2 \(0x[0-9a-f]{64}\): permission not granted to the contract/);
  });

  test('malicious: the dApp contract must hold the handle too (a user permission alone is not enough)', () => {
    expect(validate(request('no_contract_permission'))).toEqual({
      valid: false,
      reason: `${at(0, 'no_contract_permission')}permission not granted to the contract: the ACL slot of persistedAllowedPairs[handle][contract ${fixture.cases.granted.contract}] is empty`,
    });
    // And the user must hold it: never granted (absent), or revoked (anvil keeps the
    // cleared slot as a zero leaf, go-ethereum drops it: both refused).
    for (const [name, how] of [['no_user_permission', 'empty'], ['revoked', 'zero']] as const) {
      expect(validate(request(name))).toEqual({
        valid: false,
        reason: `${at(0, name)}permission not granted to the user ${fixture.cases.granted.requester}: its ACL slot is ${how}`,
      });
    }
  });

  test('malicious: the contract must be one the user signed for, and not the user', () => {
    const r = request('granted', { allowed_contracts: ['0x' + '22'.repeat(20)] });
    expect(validate(r).reason).toBe(`${at(0, 'granted')}contract ${fixture.cases.granted.contract} is not in the user's allowed_contracts`);
    // The user as "contract": its own permission would count twice.
    const self = request('granted');
    self.proof.handles[0]!.contract = self.requester!;
    self.allowed_contracts = [self.requester!];
    expect(validate(self).reason).toBe(`${at(0, 'granted')}contract ${self.requester} is the user's own address`);
    // No contract named.
    const none = request('granted');
    delete none.proof.handles[0]!.contract;
    expect(validate(none).reason).toMatch(/^malformed request: ciphertext 0 .*needs contract/);
  });

  test('malicious: the host chain must have committed the handle to this very digest', () => {
    expect(validate(request('not_committed')).reason).toBe(`${at(0, 'not_committed')}no ciphertext digest committed: the host chain's ciphertextDigest[handle] slot is empty`);
    const other = request('granted');
    const mine = other.ciphertexts[0]!.digest;
    other.ciphertexts[0]!.digest = '0x' + 'ee'.repeat(32);
    expect(validate(other).reason).toBe(`${at(0, 'granted')}ciphertext digest mismatch: the host chain committed ${mine}, the request names 0x${'ee'.repeat(32)}`);
    // The digest of another handle (a ciphertext someone holds) does not fit either.
    const swapped = request('granted');
    swapped.ciphertexts[0]!.digest = fixture.cases.second.digest;
    expect(validate(swapped).reason).toMatch(/ciphertext digest mismatch/);
  });

  test('malicious: a proof without the digest slot, or with slots the request does not need, is refused', () => {
    const missing = request('granted');
    missing.proof.handles[0]!.acl_proof.storageProof.pop();
    const slot = digestSlot(fixture.cases.granted.handle, BASE);
    expect(validate(missing).reason).toBe(`${at(0, 'granted')}missing slot: acl_proof has no proof of ciphertextDigest[handle] (slot ${slot})`);
    const extra = request('granted');
    extra.proof.handles[0]!.acl_proof.storageProof.push(fixtureCase('second').acl_proof.storageProof[0]!);
    expect(validate(extra).reason).toMatch(/unexpected slot: acl_proof proves slot 0x[0-9a-f]{64}, which this request does not need/);
  });

  test('malicious: another user\'s proof (or another handle\'s) lacks the requester\'s slot', () => {
    const req = request('granted');
    req.proof.handles[0]!.acl_proof = fixtureCase('other_requester').acl_proof;
    expect(validate(req).reason).toMatch(/^ciphertext 0 \(0x[0-9a-f]{64}\): unexpected slot/);
    // The other user asking with the first user's proof, keys rewritten to his slots: the nodes no longer fit.
    const lying = request('other_requester');
    const proof = fixtureCase('granted').acl_proof;
    proof.storageProof[0]!.key = aclSlot(lying.ciphertexts[0]!.handle, lying.requester!, BASE);
    lying.proof.handles[0]!.acl_proof = proof;
    expect(validate(lying).reason).toMatch(/^ciphertext 0 \(0x[0-9a-f]{64}\): (bad storage proof|permission not granted)/);
    // Another handle's proof for this handle.
    const moved = request('second');
    moved.proof.handles[0]!.acl_proof = fixtureCase('granted').acl_proof;
    expect(validate(moved).reason).toMatch(/unexpected slot/);
  });

  test('behavior: handle, requester and contract in upper-case hex, block number as a number', () => {
    const r = request('granted');
    const up = (s: string): string => '0x' + s.slice(2).toUpperCase();
    r.ciphertexts[0]!.handle = up(r.ciphertexts[0]!.handle);
    r.requester = up(r.requester!);
    r.proof.handles[0]!.contract = up(r.proof.handles[0]!.contract!);
    r.proof.header = { ...header, number: Number(header.number) };
    expect(validate(r)).toEqual(VALID);
  });
});

describe('isc-fhevm: public decryption', () => {
  test('default: the handle\'s allowedForDecryption flag and digest; requester and contracts are ignored', () => {
    expect(validate(request('public'))).toEqual(VALID);
    expect(validate(request('public', { requester: fixture.cases.granted.requester }))).toEqual(VALID);
    expect(validate(request('public', { requester: 'not an address', allowed_contracts: [] }))).toEqual(VALID);
    expect(validate(request(['public', 'public']))).toEqual(VALID);
  });

  test('malicious: a per-user permission is not a public one; a public flag without a digest is refused', () => {
    expect(validate(request('not_public'))).toEqual({ valid: false, reason: `${at(0, 'not_public')}not publicly decryptable: the allowedForDecryption slot is empty` });
    expect(validate(request('public_not_committed')).reason).toBe(
      `${at(0, 'public_not_committed')}no ciphertext digest committed: the host chain's ciphertextDigest[handle] slot is empty`,
    );
    // The user's proof offered for a public decryption: slots it does not need.
    const asPublic = request('granted', { purpose: 'public_decrypt' });
    expect(validate(asPublic).reason).toMatch(/^ciphertext 0 \(0x[0-9a-f]{64}\): unexpected slot/);
    // And a public flag does not stand for a user permission.
    const asUser = request('public', { purpose: 'user_decrypt', requester: fixture.cases.granted.requester, allowed_contracts: [fixture.cases.granted.contract] });
    asUser.proof.handles[0]!.contract = fixture.cases.granted.contract;
    expect(validate(asUser).reason).toMatch(/unexpected slot/);
    // The purpose must be given.
    const { purpose: _p, ...unsaid } = request('granted');
    expect(validate(unsaid).reason).toBe('malformed request: purpose must be "public_decrypt" or "user_decrypt"');
    expect(validate(request('granted', { purpose: 'anything' })).reason).toMatch(/^malformed request: purpose/);
  });
});

describe('isc-fhevm: the signed header (checked once per batch)', () => {
  test('default: config query returns the normalised configuration', () => {
    expect(chain.query(isc, { config: {} })).toEqual({ ...fixture.instantiate, max_age_seconds: 3600 });
  });

  test('malicious: forged header signature', () => {
    // Validator 1's name on validator 0's signature.
    const s = signHeader(header, validatorKeys[0]!, fixture.instantiate.validators[1]);
    const r = validate(signedBy(request('granted'), [s, ...validatorKeys.slice(2, 4).map((k) => signHeader(header, k))]));
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/^forged header signature 0: signed by 0x[0-9a-f]{40}, not by validator/);
    // A flipped bit in r.
    const sigs = signatures();
    sigs[1] = { ...sigs[1]!, signature: flipByte(sigs[1]!.signature, 5) };
    expect(validate(signedBy(request('granted'), sigs)).reason).toMatch(/^forged header signature 1/);
    // r = 0 and r >= n recover no key at all (the host's error path).
    for (const r of ['00'.repeat(32), 'ff'.repeat(32)]) {
      const fresh = signatures();
      const broken = [...fresh.slice(0, 2), { ...fresh[2]!, signature: '0x' + r + fresh[2]!.signature.slice(66) }];
      expect(validate(signedBy(request('granted'), broken)).reason).toMatch(/^forged header signature 2 for validator 0x[0-9a-f]{40}: no public key recovers/);
    }
    // The same signature with high s (n - s, v flipped) is refused (EIP-2).
    const good = secp256k1.Signature.fromCompact(hexToBytes(sigs[0]!.signature).subarray(0, 64));
    const v = hexToBytes(sigs[0]!.signature)[64]!;
    const high = new secp256k1.Signature(good.r, secp256k1.CURVE.n - good.s);
    const malleated = { ...sigs[0]!, signature: to0x(Uint8Array.from([...high.toCompactRawBytes(), v === 27 ? 28 : 27])) };
    expect(validate(signedBy(request('granted'), [malleated, ...sigs.slice(2)])).reason).toMatch(/EIP-2/);
  });

  test('malicious: signature by an unknown validator', () => {
    const sigs: HeaderSignature[] = [...validatorKeys.slice(0, 2).map((k) => signHeader(header, k)), signHeader(header, unknownKey)];
    expect(validate(signedBy(request('granted'), sigs))).toEqual({ valid: false, reason: `unknown validator ${sigs[2]!.validator} (signature 2)` });
  });

  test('malicious: below quorum; duplicate signatures count once; a flood of signatures is refused unread', () => {
    const two = validatorKeys.slice(0, 2).map((k) => signHeader(header, k));
    expect(validate(signedBy(request('granted'), two))).toEqual({ valid: false, reason: 'quorum not met: 2 distinct validator signature(s), need 3' });
    expect(validate(signedBy(request('granted'), [])).reason).toMatch(/quorum not met: 0/);
    expect(validate(signedBy(request('granted'), [two[0], two[0], two[0], two[1]]))).toEqual({ valid: false, reason: 'quorum not met: 2 distinct validator signature(s), need 3' });
    expect(validate(signedBy(request('granted'), Array(9).fill(two[0]))).reason).toBe('malformed request: 9 signatures for 4 validators');
  });

  test('malicious: tampered state root (old signatures, or validators signing a bogus root)', () => {
    const bogus = { ...header, state_root: flipByte(header.state_root, 31) };
    expect(validate(signedBy(request('granted'), signatures(), bogus)).reason).toMatch(/^forged header signature 0/);
    expect(validate(signedBy(request('granted'), signatures(bogus), bogus))).toEqual({
      valid: false,
      reason: `${at(0, 'granted')}bad account proof: proof node 0 does not match its hash`,
    });
  });

  test('behavior: freshness — a header older than max_age_seconds is stale, one ahead of the chain beyond 60 s is refused', () => {
    const req = request('granted');
    // Edges: exactly max_age (3600 s) old, and exactly 60 s ahead, are accepted.
    expect(validate(req, isc, headerTime + 3600)).toEqual(VALID);
    expect(validate(req, isc, headerTime - 60)).toEqual(VALID);
    expect(validate(req, isc, headerTime + 3601)).toEqual({
      valid: false,
      reason: `stale header: block ${header.number} has timestamp ${headerTime}, 3601 s before the KMS chain's block time ${headerTime + 3601} (max age 3600 s)`,
    });
    expect(validate(req, isc, headerTime - 61)).toEqual({
      valid: false,
      reason: `header from the future: block ${header.number} has timestamp ${headerTime}, 61 s after the KMS chain's block time ${headerTime - 61} (allowed skew 60 s)`,
    });
    // Years later (the wall clock): the fixture's 2024 header is long stale.
    expect(validate(req, isc, Math.floor(Date.now() / 1000)).reason).toMatch(/^stale header: block 4 has timestamp \d+, \d+ s before/);
  });

  test('malicious: a stale header re-dated by the requester no longer matches the validators\' signatures', () => {
    const r = validate(signedBy(request('granted'), signatures(), { ...header, timestamp: String(NOW) }));
    expect(r.reason).toMatch(/^forged header signature 0: signed by 0x[0-9a-f]{40}, not by validator/);
  });

  test('behavior: max_age_seconds is per ISC', async () => {
    const short = await chain.instantiate(codeId, { ...fixture.instantiate, max_age_seconds: 50 }, undefined, 'isc-short');
    expect(chain.query(short, { config: {} })).toMatchObject({ max_age_seconds: 50 });
    expect(validate(request('granted'), short, headerTime + 50)).toEqual(VALID);
    expect(validate(request('granted'), short).reason).toMatch(/^stale header: .* \(max age 50 s\)$/);
  });

  test('behavior: migrate may change max_age_seconds and keeps the rest of the configuration', async () => {
    const m = await chain.instantiate(codeId, fixture.instantiate, undefined, 'isc-migrated');
    await chain.migrate(m, codeId, { max_age_seconds: 7200 });
    expect(chain.query(m, { config: {} })).toEqual({ ...fixture.instantiate, max_age_seconds: 7200 });
    expect(validate(request('granted'), m, headerTime + 7200)).toEqual(VALID);
    expect(validate(request('granted'), m, headerTime + 7201).reason).toMatch(/^stale header: .*\(max age 7200 s\)$/);
    await chain.migrate(m, codeId, {});
    expect(chain.query(m, { config: {} })).toMatchObject({ max_age_seconds: 7200 });
    await expect(chain.migrate(m, codeId, { max_age_seconds: 0 })).rejects.toThrow('max_age_seconds must be an integer in 1..2592000');
  });

  test('malicious: header of another chain', () => {
    const other = { ...header, chain_id: 1 };
    expect(validate(signedBy(request('granted'), signatures(other), other))).toEqual({ valid: false, reason: 'wrong chain id: header is for chain 1, this ISC serves 12345' });
  });
});

describe('isc-fhevm: proofs', () => {
  test('malicious: tampered proof nodes', () => {
    const acc = request('granted');
    acc.proof.handles[0]!.acl_proof.accountProof[1] = flipByte(acc.proof.handles[0]!.acl_proof.accountProof[1]!, 40);
    expect(validate(acc)).toEqual({ valid: false, reason: `${at(0, 'granted')}bad account proof: proof node 1 does not match its hash` });

    const st = request('granted');
    const sp = st.proof.handles[0]!.acl_proof.storageProof[2]!;
    sp.proof[sp.proof.length - 1] = flipByte(sp.proof[sp.proof.length - 1]!, 10);
    expect(validate(st).reason).toMatch(/^ciphertext 0 \(0x[0-9a-f]{64}\): bad storage proof: proof node \d does not match its hash/);

    const short = request('granted');
    short.proof.handles[0]!.acl_proof.storageProof[0]!.proof.pop();
    expect(validate(short).reason).toMatch(/bad storage proof: proof ends before the key is resolved/);
  });

  test('malicious: account proof of another contract, also for a later entry that repeats the first entry\'s nodes', () => {
    const req = request('granted');
    req.proof.handles[0]!.acl_proof.address = '0x' + '11'.repeat(20);
    expect(validate(req).reason).toMatch(/^ciphertext 0 .*bad account proof: proof is for 0x1111/);
    // The account proof is verified once per distinct node list; the address is checked on every entry.
    const batch = request(['granted', 'second']);
    batch.proof.handles[1]!.acl_proof.address = '0x' + '11'.repeat(20);
    expect(validate(batch).reason).toMatch(/^ciphertext 1 .*bad account proof: proof is for 0x1111/);
    // A later entry with a tampered account proof is verified again.
    const tampered = request(['granted', 'second']);
    const ap = tampered.proof.handles[1]!.acl_proof.accountProof;
    ap[1] = flipByte(ap[1]!, 40);
    expect(validate(tampered).reason).toMatch(/^ciphertext 1 .*bad account proof: proof node 1 does not match its hash/);
  });

  test('behavior: an ISC configured with another slot base expects other slots', async () => {
    const other = await chain.instantiate(codeId, { ...fixture.instantiate, acl_slot_base: '0x0' }, undefined, 'isc-base0');
    expect(validate(request('granted'), other).reason).toMatch(/unexpected slot/);
  });

  test('behavior: malformed requests are answered valid: false with the field at fault', () => {
    expect(validate(request('granted', { requester: '0x1234' })).reason).toMatch(/^malformed request: requester/);
    expect(validate(request('granted', { allowed_contracts: [] })).reason).toBe('malformed request: allowed_contracts must be an array of 1..10 0x addresses');
    expect(validate(request('granted', { allowed_contracts: Array(11).fill(fixture.cases.granted.contract) })).reason).toMatch(/^malformed request: allowed_contracts/);
    expect(validate(request('granted', { allowed_contracts: ['wasm1x'] })).reason).toBe('malformed request: allowed_contracts[0] must be a 20-byte 0x address');
    expect(validate(request('granted', { ciphertexts: [{ handle: '0x00', digest: '0x00' }] })).reason).toMatch(/^malformed request: ciphertexts\[0\] needs handle and digest/);
    expect(validate(request('granted', { ciphertexts: [] })).reason).toMatch(/^malformed request: ciphertexts must be an array of 1..32/);
    expect(validate({ ...request('granted'), proof: 'x' }).reason).toMatch(/^malformed request: proof must be an object/);
    const r = request('granted');
    expect(validate(signedBy(r, r.proof.signatures, { ...header, number: '-1' })).reason).toMatch(/^malformed request: header chain_id, number and timestamp/);
    const { timestamp: _t, ...untimed } = header;
    expect(validate(signedBy(r, r.proof.signatures, untimed)).reason).toMatch(/^malformed request: header chain_id, number and timestamp/);
    expect(validate(signedBy(r, [{ validator: 'x', signature: '0x' }])).reason).toMatch(/^malformed request: signature 0/);
    const keyless = request('granted');
    keyless.proof.handles[0]!.acl_proof.storageProof[0]!.key = 'nope';
    expect(validate(keyless).reason).toMatch(/^ciphertext 0 .*malformed request: storageProof\[0\].key must be a 0x word/);
    expect(() => chain.query(isc, { nope: {} })).toThrow('unknown query nope');
  });

  test('behavior: instantiate checks its configuration', async () => {
    const base = fixture.instantiate;
    const inst = (msg: unknown) => chain.instantiate(codeId, msg, undefined, 'bad');
    await expect(inst({ ...base, quorum: 5 })).rejects.toThrow('quorum must be between 1 and the number of validators (4)');
    await expect(inst({ ...base, quorum: 0 })).rejects.toThrow('quorum must be between 1');
    await expect(inst({ ...base, validators: [base.validators[0], base.validators[0]], quorum: 1 })).rejects.toThrow('duplicate validator');
    await expect(inst({ ...base, validators: ['0x12'] })).rejects.toThrow('validator 0 must be a 20-byte');
    await expect(inst({ ...base, acl_address: 'wasm1xyz' })).rejects.toThrow('acl_address must be');
    await expect(inst({ ...base, chain_id: 0 })).rejects.toThrow('chain_id must be a positive integer');
    await expect(inst({ ...base, max_age_seconds: 0 })).rejects.toThrow('max_age_seconds must be an integer in 1..2592000');
    await expect(inst({ ...base, max_age_seconds: 2592001 })).rejects.toThrow('max_age_seconds must be');
    await expect(chain.execute(isc, { anything: {} }, 'wasm1someone')).rejects.toThrow('no execute messages');
  });
});
