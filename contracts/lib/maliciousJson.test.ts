/**
 * Malicious JSON into every entry point of every contract (issue 10 item 8), on
 * cw-simulate with gas metering (the embedded chain's VM and meter): deep
 * nesting, huge strings, numbers and arrays, many members, duplicate keys, lone
 * surrogates (escaped and as raw bytes), invalid UTF-8, oversized messages, and
 * every field of every message given values of the wrong shape. Each call must
 * be refused by the contract with an error of its own — not a trap (abort,
 * `unreachable`, memory or stack exhaustion, out of gas) — must leave the
 * contracts' state as it was, and must stay under GAS_BOUND.
 *
 * Messages are handed to the VM byte for byte (`RawMessage`): JSON.stringify can
 * write neither duplicate keys nor invalid UTF-8.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ciphertextHandle } from '../../common/ciphertext.js';
import { signResponse } from '../../common/signing.js';
import type { PartyInfo } from '../../chain/config/messages.js';
import { CONTRACTS_DIR, RawMessage, readWasm, SimChain, testAddress, type ContractName } from '../testing/simChain.js';

/**
 * Gas per call, on this meter (cw-simulate's metering, whose units the embedded
 * chain reports). Measured: the costliest refused message is a 70,000-character
 * requester sent to the allow-list ISC's `validate` (about 27,000,000: parsed,
 * checked, refused); a 128 KiB string of escapes about 10,000,000; 8,000 members
 * about 15,000,000; a plain decrypt request about 1,400,000. The bound leaves room
 * and stays well below the embedded chain's per-transaction limit (100,000,000,
 * where a call traps "out of gas" — as the old parser did on several of these).
 */
const GAS_BOUND = 35_000_000;
/** What a trap looks like in cw-simulate's error text (a contract's own errors never say this). */
const TRAP = /unreachable|RuntimeError|abort:|out of gas|out of bounds|call stack|Maximum call|wasm trap|Invalid typed array|memory/i;
/** contracts/lib/entry.ts MAX_MESSAGE_BYTES. */
const MAX_MESSAGE = 128 * 1024;

const GOV = testAddress('fuzz-gov');
const OPERATOR = testAddress('fuzz-operator');
const USER = testAddress('fuzz-user');
const DIGEST = 'cd'.repeat(32);
/** The request's ciphertext, its handle bound to the key and the application (handle V2). */
const cts = (keyId: string, appId = 'default') => [{ ciphertext_handle: ciphertextHandle(DIGEST, 'euint8', { keyId, appId }), ciphertext_digest: DIGEST, fhe_type: 'euint8' }];
/** What the ASC sends an ISC for that ciphertext. */
const iscCiphertexts = [{ handle: '0x' + ciphertextHandle(DIGEST, 'euint8', { keyId: 'ab'.repeat(20), appId: 'private' }), digest: '0x' + DIGEST }];
const partyKeys = [1, 2, 3, 4].map((i) => sha256(new TextEncoder().encode(`tkms-fuzz-party-${i}`)));
const parties = partyKeys.map((k, i) => ({ id: i + 1, address: testAddress(`fuzz-party-${i + 1}`), signer_pubkey: bytesToHex(secp256k1.getPublicKey(k, true)) }));
const fhevmFixture = JSON.parse(readFileSync(join(CONTRACTS_DIR, '..', 'test', 'fixtures', 'evm', 'acl-proofs.json'), 'utf8')) as { instantiate: unknown };

interface World {
  chain: SimChain;
  codes: Record<ContractName, number>;
  addr: Record<ContractName, string>;
  keyId: string;
  requestId: string;
}

/** Every contract deployed, an allow-list application registered, a key made and a decrypt pending. */
async function world(): Promise<World> {
  const chain = new SimChain('tkms-fuzz', 'wasm', { metering: true });
  const codes = {} as Record<ContractName, number>;
  for (const c of ['config', 'asc', 'isc-allowlist', 'isc-fhevm'] as const) codes[c] = chain.upload(readWasm(c));
  const config = await chain.instantiate(codes.config, {
    parties,
    threshold: 1,
    governance: GOV,
    dev_mode: true,
    operators: [OPERATOR],
    fees: { denom: 'ustake', decrypt: '10' },
  });
  const asc = await chain.instantiate(codes.asc, { config });
  const allowlist = await chain.instantiate(codes['isc-allowlist'], { admin: GOV, allowed: [USER] });
  const fhevm = await chain.instantiate(codes['isc-fhevm'], fhevmFixture.instantiate);
  await chain.execute(config, { register_application: { app_id: 'private', isc_type: 'allowlist', isc: allowlist } }, GOV);
  const kg = await chain.execute(asc, { keygen: {} }, OPERATOR);
  const keyId = kg.events.find((e) => e.type === 'wasm-tkms_request')!.attributes.request_id!;
  const content = { public_key_digest: '11'.repeat(32), public_key_uri: 'u', server_key_digest: '22'.repeat(32), server_key_uri: 'v' };
  for (let i = 0; i < 3; i++) {
    const signature = signResponse({ kind: 'keygen', requestId: keyId, publicKeyDigest: content.public_key_digest, publicKeyUri: 'u', serverKeyDigest: content.server_key_digest, serverKeyUri: 'v' }, partyKeys[i]!);
    await chain.execute(asc, { fulfill: { request_id: keyId, response: { keygen: { ...content, signature } } } }, parties[i]!.address);
  }
  chain.setBalance(USER, 'ustake', 1_000_000n);
  const d = await chain.execute(asc, { decrypt: { key_id: keyId, ciphertexts: cts(keyId) } }, USER, [{ denom: 'ustake', amount: '10' }]);
  const requestId = d.events.find((e) => e.type === 'wasm-tkms_request')!.attributes.request_id!;
  return { chain, codes, addr: { config, asc, 'isc-allowlist': allowlist, 'isc-fhevm': fhevm }, keyId, requestId };
}

/** Everything the contracts answer about their state: must not move when a message is refused. */
function snapshot(w: World): string {
  const q = (c: ContractName, msg: unknown): unknown => w.chain.query(w.addr[c], msg);
  return JSON.stringify([
    q('config', { params: {} }),
    q('config', { parties: {} }),
    q('config', { applications: {} }),
    q('asc', { requests: { limit: 100 } }),
    q('asc', { keys: {} }),
    q('asc', { claimable: { address: parties[0]!.address } }),
    q('isc-allowlist', { config: {} }),
    q('isc-fhevm', { config: {} }),
    w.chain.balance(w.addr.asc, 'ustake').toString(),
  ]);
}

type Entry = 'instantiate' | 'execute' | 'query' | 'migrate';

type Funds = { denom: string; amount: string }[];

/**
 * Runs one call; resolves to its error text, or null when the contract accepted
 * it. An ISC's `validate` answering `{"valid": false, "reason": …}` is its way of
 * refusing: that counts as refused.
 */
async function call(w: World, contract: ContractName, entry: Entry, msg: unknown, sender: string, funds: Funds = [], nothing?: (answer: never) => boolean): Promise<string | null> {
  try {
    if (entry === 'instantiate') await w.chain.instantiate(w.codes[contract], msg, sender, 'fuzz');
    else if (entry === 'execute') await w.chain.execute(w.addr[contract], msg, sender, funds);
    else if (entry === 'query') {
      const answer = w.chain.query<{ valid?: boolean; reason?: string }>(w.addr[contract], msg);
      if (answer && answer.valid === false) return `valid: false: ${answer.reason}`;
      // A lookup that finds nothing ("no such party") answers, rather than fails.
      if (nothing?.(answer as never)) return 'nothing found';
    }
    else {
      const res = await w.chain.app.wasm.migrateContract(sender, w.codes[contract], w.addr[contract], msg);
      if (res.err) throw new Error(String(res.val));
    }
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The worst gas seen, reported at the end. */
const worst = { gas: 0, what: '' };

async function expectRefused(
  w: World,
  contract: ContractName,
  entry: Entry,
  msg: unknown,
  what: string,
  sender = GOV,
  funds: Funds = [],
  nothing?: (answer: never) => boolean,
): Promise<string> {
  const before = snapshot(w);
  const error = await call(w, contract, entry, msg, sender, funds, nothing);
  const gas = w.chain.gasUsed;
  if (gas > worst.gas) Object.assign(worst, { gas, what: `${contract}.${entry} ${what}` });
  const where = `${contract}.${entry}: ${what}`;
  if (error === null) throw new Error(`${where}: accepted`);
  if (TRAP.test(error)) throw new Error(`${where}: trapped instead of refusing: ${error.slice(0, 300)}`);
  if (gas > GAS_BOUND) throw new Error(`${where}: ${gas} gas, above ${GAS_BOUND}`);
  if (snapshot(w) !== before) throw new Error(`${where}: state changed by a refused message`);
  return error;
}

// ---------------------------------------------------------------------------
// Parser-level payloads: refused whatever message they sit in.

const raw = (s: string): RawMessage => RawMessage.text(s);
const bytes = (...parts: (string | number[])[]): RawMessage =>
  new RawMessage(Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p))));
const members = (n: number, dupAtEnd = false): string =>
  '{' + Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',') + (dupAtEnd ? ',"k0":1' : '') + '}';

/** [name, payload, what the error must say]. The payloads sit under a variant key (`{"<variant>": …}`) where one makes sense. */
function parserCases(variant: string): [string, RawMessage, RegExp][] {
  const v = (inner: string): RawMessage => raw(`{"${variant}":${inner}}`);
  return [
    ['empty message', raw(''), /invalid JSON message: unexpected end/],
    ['not an object', raw('[1,2]'), /message must be a JSON object/],
    ['trailing garbage', raw('{} x'), /trailing characters/],
    ['unterminated', raw(`{"${variant}":{"a":`), /unexpected end|unterminated/],
    ['objects nested 20,000 deep', raw('{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)), /nesting too deep/],
    ['arrays nested 60,000 deep', raw('['.repeat(60_000) + ']'.repeat(60_000)), /nesting too deep/],
    ['nesting one past the cap (65 levels below the variant)', v('['.repeat(64) + '0' + ']'.repeat(64)), /nesting too deep \(more than 64 levels\)/],
    ['a message one byte over the cap', raw(`{"${variant}":{"x":"${'a'.repeat(MAX_MESSAGE - variant.length - 12)}"}}`), /message too large: 131073 bytes \(at most 131072\)/],
    ['a 4 MiB message', raw(`{"${variant}":{"x":"${'a'.repeat(4 * MAX_MESSAGE * 4)}"}}`), /message too large/],
    // Well-formed but huge: parsed in full, then refused where they sit (a variant or field that is not a number, string, …).
    ['a 130,000-digit number', v('9'.repeat(130_000)), /./],
    ['1e999999999', v('1e999999999'), /./],
    ['a 128 KB string of escapes', v(`"${'\\n'.repeat(65_000)}"`), /./],
    ['a string of 21,000 \\u escapes', v(`"${'\\u00e9'.repeat(21_000)}"`), /./],
    ['16,000 array items', v(`[${'0,'.repeat(15_999)}0]`), /./],
    ['60,000 array items', v(`{"x":[${'0,'.repeat(60_000)}0]}`), /too many values \(more than 16384\)/],
    ['8,000 members, unique', v(members(8_000)), /./],
    ['8,000 members, one key repeated at the end', v(members(8_000, true)), /duplicate key k0/],
    ['12,000 members', v(members(12_000)), /too many values \(more than 16384\)/],
    ['a duplicate key', v('{"a":1,"a":2}'), /duplicate key a/],
    ['the variant twice', raw(`{"${variant}":{},"${variant}":{}}`), new RegExp(`duplicate key ${variant}`)],
    ['a lone high surrogate escape', v('{"x":"\\ud800"}'), /lone surrogate/],
    ['a lone low surrogate escape', v('{"x":"\\udc00"}'), /lone surrogate/],
    ['a high surrogate escape before a letter', v('{"x":"\\ud800\\u0041"}'), /lone surrogate/],
    ['a reversed surrogate pair', v('{"x":"\\udc00\\ud800"}'), /lone surrogate/],
    ['a lone surrogate in a key', v('{"\\udbff":1}'), /lone surrogate/],
    ['a surrogate as raw bytes (CESU-8)', bytes(`{"${variant}":{"x":"`, [0xed, 0xa0, 0x80], '"}}'), /not valid UTF-8/],
    ['byte 0xFF', bytes(`{"${variant}":{"x":"`, [0xff], '"}}'), /not valid UTF-8/],
    ['an overlong encoding', bytes(`{"${variant}":{"x":"`, [0xc0, 0xaf], '"}}'), /not valid UTF-8/],
    ['a truncated sequence at the end', bytes(`{"${variant}":{}}`, [0xe2, 0x82]), /not valid UTF-8/],
    ['a code point above U+10FFFF', bytes(`{"${variant}":{"x":"`, [0xf4, 0x90, 0x80, 0x80], '"}}'), /not valid UTF-8/],
    ['a raw control character in a string', v('{"x":"a\u0001b"}'), /control character in string/],
    ['128 KiB of whitespace', raw(' '.repeat(MAX_MESSAGE - 10) + '[]'), /message must be a JSON object/],
  ];
}

// ---------------------------------------------------------------------------
// Field-level payloads: every field of every message, given values of the wrong shape.

type Shape = 'str' | 'num' | 'obj' | 'arr' | 'bool' | 'any-obj';

const deep = (n: number): unknown => Array.from({ length: n }).reduce<unknown>((acc) => [acc], 0);
const longString = (n: number): string => 'x'.repeat(n);

/**
 * Values no field of `shape` may accept. The heavy ones (70,000 characters,
 * thousands of items, 60 levels) exercise the parser and the size caps, which
 * do not depend on the field: they are given to the first field of each
 * message only, the light ones to every field (it keeps the test at a minute
 * of the VM's metered interpreter instead of three).
 */
function wrongValues(shape: Shape, heavy: boolean): [string, unknown][] {
  const all: [string, unknown, Shape[], boolean][] = [
    ['true', true, ['bool'], false],
    ['-1', -1, [], false],
    ['1.5', 1.5, [], false],
    ['10^30', 10n ** 30n, [], false],
    ['a 300-character string', longString(300), [], false],
    ['a 70,000-character string', longString(70_000), [], true],
    ['an empty string', '', [], false],
    ['a string with a NUL', 'a\u0000b', [], false],
    ['an empty array', [], ['arr'], false],
    ['an array 60 deep', deep(60), [], true],
    ['2,000 strings', Array.from({ length: 2000 }, (_, i) => `s${i}`), [], true],
    ['an object of 3,000 members', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`m${i}`, i])), ['any-obj'], true],
    ['{"a":{}}', { a: {} }, ['any-obj'], false],
  ];
  return all.filter(([, , fits, isHeavy]) => !fits.includes(shape) && (heavy || !isHeavy)).map(([n, v]) => [n, v]);
}

/** Serialises with BigInt as a bare JSON number. */
function toRaw(msg: unknown): RawMessage {
  return raw(JSON.stringify(msg, (_k, v) => (typeof v === 'bigint' ? `__big${v}` : v)).replace(/"__big(\d+)"/g, '$1'));
}

interface MessageSpec {
  contract: ContractName;
  entry: Entry;
  variant: string | null;
  /** A well-formed body: each field in turn is replaced by a wrong value. */
  base: (w: World) => Record<string, unknown>;
  fields: Record<string, Shape>;
  sender?: (w: World) => string;
  funds?: Funds;
  /** Lookup queries: the answer that says "nothing found" (a refusal, for a query). */
  nothing?: (answer: never) => boolean;
}

const SPECS: MessageSpec[] = [
  {
    contract: 'config', entry: 'instantiate', variant: null,
    base: () => ({ parties, threshold: 1, governance: GOV, fhe_parameters: 'default', fees: { denom: 'u', decrypt: '1' }, request_expiry_seconds: 60, applications: [{ app_id: 'a', isc_type: 'proven' }], dev_mode: false, trusted_submitters: [USER], operators: [OPERATOR] }),
    fields: { parties: 'arr', threshold: 'num', governance: 'str', fhe_parameters: 'str', fees: 'obj', request_expiry_seconds: 'num', applications: 'arr', dev_mode: 'bool', trusted_submitters: 'arr', operators: 'arr' },
  },
  { contract: 'config', entry: 'execute', variant: 'update_parties', base: () => ({ parties, threshold: 1 }), fields: { parties: 'arr', threshold: 'num' } },
  { contract: 'config', entry: 'execute', variant: 'update_fees', base: () => ({ fees: { denom: 'u', decrypt: '1' } }), fields: { fees: 'obj' } },
  {
    contract: 'config', entry: 'execute', variant: 'update_params',
    base: () => ({ fhe_parameters: 'default', request_expiry_seconds: 60, trusted_submitters: [USER], operators: [OPERATOR] }),
    fields: { fhe_parameters: 'str', request_expiry_seconds: 'num', trusted_submitters: 'arr', operators: 'arr' },
  },
  { contract: 'config', entry: 'execute', variant: 'update_governance', base: () => ({ governance: GOV }), fields: { governance: 'str' } },
  { contract: 'config', entry: 'execute', variant: 'register_application', base: () => ({ app_id: 'new', isc_type: 'proven' }), fields: { app_id: 'str', isc_type: 'str' } },
  { contract: 'config', entry: 'execute', variant: 'remove_application', base: () => ({ app_id: 'private' }), fields: { app_id: 'str' } },
  { contract: 'config', entry: 'query', variant: 'party_by_address', base: () => ({ address: USER }), fields: { address: 'str' }, nothing: (a: { party: unknown }) => a.party === null },
  { contract: 'config', entry: 'query', variant: 'application', base: () => ({ app_id: 'default' }), fields: { app_id: 'str' }, nothing: (a: { application: unknown }) => a.application === null },
  { contract: 'asc', entry: 'instantiate', variant: null, base: (w) => ({ config: w.addr.config }), fields: { config: 'str' } },
  { contract: 'asc', entry: 'execute', variant: 'keygen', base: () => ({ fhe_parameters: 'default' }), fields: { preproc_id: 'str', fhe_parameters: 'str' }, sender: () => OPERATOR },
  { contract: 'asc', entry: 'execute', variant: 'keygen_preproc', base: () => ({ fhe_parameters: 'default' }), fields: { fhe_parameters: 'str' }, sender: () => OPERATOR },
  { contract: 'asc', entry: 'execute', variant: 'crs_gen', base: () => ({ max_num_bits: 64 }), fields: { max_num_bits: 'num' }, sender: () => OPERATOR },
  {
    contract: 'asc', entry: 'execute', variant: 'decrypt',
    base: (w) => ({ key_id: w.keyId, ciphertexts: cts(w.keyId, 'private'), app_id: 'private', proof: {} }),
    fields: { key_id: 'str', ciphertexts: 'arr', app_id: 'str', proof: 'any-obj', crs_id: 'str' },
    sender: () => USER,
    funds: [{ denom: 'ustake', amount: '10' }],
  },
  {
    contract: 'asc', entry: 'execute', variant: 'user_decrypt',
    base: (w) => ({
      key_id: w.keyId, ciphertexts: cts(w.keyId), enc_key: 'ab'.repeat(800), client_address: '0x' + '12'.repeat(20),
      allowed_contracts: ['0x' + '34'.repeat(20)], start_timestamp: '1', duration_seconds: '86400', extra_data: '', user_signature: '0x' + '00'.repeat(65),
    }),
    fields: { key_id: 'str', ciphertexts: 'arr', enc_key: 'str', client_address: 'str', allowed_contracts: 'arr', start_timestamp: 'str', duration_seconds: 'str', extra_data: 'str', user_signature: 'str', app_id: 'str', proof: 'any-obj', crs_id: 'str' },
    sender: () => USER,
  },
  {
    contract: 'asc', entry: 'execute', variant: 'fulfill',
    base: (w) => ({ request_id: w.requestId, response: { decrypt: { plaintexts: ['7'], signature: '00'.repeat(64) } } }),
    fields: { request_id: 'str', response: 'obj' },
    sender: () => parties[0]!.address,
  },
  { contract: 'asc', entry: 'execute', variant: 'refund', base: (w) => ({ request_id: w.requestId }), fields: { request_id: 'str' } },
  { contract: 'asc', entry: 'execute', variant: 'set_key_state', base: (w) => ({ key_id: w.keyId, state: 'destroyed' }), fields: { key_id: 'str', state: 'str' } },
  { contract: 'asc', entry: 'query', variant: 'request', base: (w) => ({ request_id: w.requestId }), fields: { request_id: 'str' } },
  { contract: 'asc', entry: 'query', variant: 'requests', base: () => ({ limit: 1 }), fields: { start_after: 'str', limit: 'num' } },
  { contract: 'asc', entry: 'query', variant: 'key', base: (w) => ({ key_id: w.keyId }), fields: { key_id: 'str' } },
  { contract: 'asc', entry: 'query', variant: 'claimable', base: () => ({ address: USER }), fields: { address: 'str' }, nothing: (a: { amounts: unknown[] }) => a.amounts.length === 0 },
  { contract: 'asc', entry: 'query', variant: 'crs', base: () => ({ crs_id: 'ab'.repeat(20) }), fields: { crs_id: 'str' } },
  { contract: 'asc', entry: 'query', variant: 'user_decrypt_answers', base: (w) => ({ request_id: w.requestId }), fields: { request_id: 'str' } },
  { contract: 'isc-allowlist', entry: 'instantiate', variant: null, base: () => ({ admin: GOV, allowed: [USER] }), fields: { admin: 'str', allowed: 'arr' } },
  { contract: 'isc-allowlist', entry: 'execute', variant: 'add', base: () => ({ address: USER }), fields: { address: 'str' } },
  {
    contract: 'isc-allowlist', entry: 'query', variant: 'validate',
    base: () => ({ purpose: 'public_decrypt', requester: USER, ciphertexts: iscCiphertexts, proof: {} }),
    fields: { purpose: 'str', requester: 'str' }, // the allow-list judges the requester (and the purpose)
  },
  {
    contract: 'isc-fhevm', entry: 'instantiate', variant: null,
    base: () => fhevmFixture.instantiate as Record<string, unknown>,
    fields: { chain_id: 'num', acl_address: 'str', acl_slot_base: 'str', validators: 'arr', quorum: 'num', max_age_seconds: 'num' },
  },
  {
    contract: 'isc-fhevm', entry: 'query', variant: 'validate',
    base: () => ({ purpose: 'public_decrypt', ciphertexts: iscCiphertexts, proof: { header: {}, signatures: [], handles: [] } }),
    fields: { purpose: 'str', requester: 'str', ciphertexts: 'arr', proof: 'obj', allowed_contracts: 'arr' },
  },
];

/** Fields a base body may lack, whose wrong value is still refused because the field is read (each listed field is). */
function bodyWith(base: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  return { ...base, [field]: value };
}

describe('malicious JSON (issue 10 item 8)', () => {
  afterAll(() => {
    process.stdout.write(`malicious JSON: costliest refused call ${worst.gas} gas (${worst.what}); bound ${GAS_BOUND}\n`);
  });

  // Each entry point with the parser-level payloads; a fresh world per contract keeps
  // cw-simulate's memory small (its instances live across calls and never free).
  // Variants (for instantiate: fields) that read their arguments, so a well-formed but huge value is refused where it sits.
  const ENTRIES: [ContractName, Entry, string][] = [
    ['config', 'instantiate', 'parties'],
    ['config', 'execute', 'update_params'],
    ['config', 'query', 'party_by_address'],
    ['asc', 'instantiate', 'config'],
    ['asc', 'execute', 'decrypt'],
    ['asc', 'query', 'request'],
    ['isc-allowlist', 'instantiate', 'allowed'],
    ['isc-allowlist', 'execute', 'add'],
    ['isc-allowlist', 'query', 'validate'],
    ['isc-fhevm', 'instantiate', 'validators'],
    ['isc-fhevm', 'execute', 'x'],
    ['isc-fhevm', 'query', 'validate'],
    ['isc-fhevm', 'migrate', 'max_age_seconds'],
  ];
  for (const [contract, entry, variant] of ENTRIES) {
    test(`malicious: ${contract} ${entry} refuses malformed JSON with the parser's reason, bounded gas, state unchanged`, async () => {
      const w = await world();
      for (const [name, msg, reason] of parserCases(variant)) {
        const error = await expectRefused(w, contract, entry, msg, name);
        // The fhEVM ISC has no execute messages: it refuses before reading the message.
        if (contract === 'isc-fhevm' && entry === 'execute') continue;
        if (!reason.test(error)) throw new Error(`${contract}.${entry}: ${name}: unexpected reason: ${error.slice(0, 200)}`);
      }
    }, 300_000);
  }

  test('malicious: every field of every message, given values of the wrong shape, is refused with bounded gas and state unchanged', async () => {
    let w = await world();
    let calls = 0;
    for (const spec of SPECS) {
      for (const [i, [field, shape]] of Object.entries(spec.fields).entries()) {
        for (const [name, value] of wrongValues(shape, i === 0)) {
          // A new world now and then: cw-simulate never frees contract memory.
          if (++calls % 150 === 0) w = await world();
          const body = bodyWith(spec.base(w), field, value);
          const msg = toRaw(spec.variant === null ? body : { [spec.variant]: body });
          await expectRefused(w, spec.contract, spec.entry, msg, `${spec.variant ?? 'msg'}.${field} = ${name}`, spec.sender?.(w) ?? GOV, spec.funds, spec.nothing);
        }
      }
    }
    expect(calls).toBeGreaterThan(300);
  }, 600_000);

  test('malicious: oversized inputs to host calls are refused by the contract, not by a VM abort', async () => {
    const w = await world();
    // addr_validate reads at most 256 bytes, a storage key at most 64 KiB (cosmwasm-vm); longer is a VM error.
    expect(await expectRefused(w, 'config', 'execute', { update_governance: { governance: 'wasm1' + 'q'.repeat(300) } }, 'a 305-byte address')).toMatch(/address longer than 256 bytes/);
    expect(await expectRefused(w, 'asc', 'query', { request: { request_id: 'a'.repeat(70_000) } }, 'a 70 KB request id')).toMatch(/unknown request id/);
    expect(await expectRefused(w, 'asc', 'execute', { refund: { request_id: 'b'.repeat(70_000) } }, 'a 70 KB refund id')).toMatch(/unknown request id/);
    // query_chain reads at most 64 KiB: a proof that would make the ISC query larger is refused by name.
    const proof = { blob: 'p'.repeat(90_000) }; // under the message cap, over the VM's query limit
    const r = await expectRefused(w, 'asc', 'execute', toRaw({ decrypt: { key_id: w.keyId, ciphertexts: cts(w.keyId, 'private'), app_id: 'private', proof } }), 'a 90 KB proof for an ISC application', USER, [{ denom: 'ustake', amount: '10' }]);
    expect(r).toMatch(/over the VM's 65536, and its proof has no per-ciphertext entries/);
  }, 120_000);

  test('default: the parser still takes what it should: surrogate pairs, escapes, 64 levels, big but legal messages', async () => {
    const w = await world();
    // Surrogate pairs (escaped and raw), escapes and non-ASCII text survive a round trip (a party's gRPC endpoint is free text).
    const p: PartyInfo[] = parties.map((x) => ({ ...x }));
    for (const endpoint of ['\ud83d\ude00.example:1', 'e\u0301\n"\\/:2']) {
      p[0]!.grpc_endpoint = endpoint;
      await w.chain.execute(w.addr.config, toRaw({ update_parties: { parties: p, threshold: 1 } }), GOV);
      expect(w.chain.query<{ parties: { grpc_endpoint?: string }[] }>(w.addr.config, { parties: {} }).parties[0]!.grpc_endpoint).toBe(endpoint);
    }
    await w.chain.execute(w.addr.config, raw(`{"update_parties":{"threshold":1,"parties":[{"id":1,"address":"${p[0]!.address}","signer_pubkey":"${p[0]!.signer_pubkey}","grpc_endpoint":"\\ud83d\\ude01"}${p.slice(1).map((x) => ',' + JSON.stringify(x)).join('')}]}}`), GOV);
    expect(w.chain.query<{ parties: { grpc_endpoint?: string }[] }>(w.addr.config, { parties: {} }).parties[0]!.grpc_endpoint).toBe('\u{1F601}');
    // 64 levels in all (message, variant, proof, member, 61 arrays, the number) are fine for an open application.
    await w.chain.execute(w.addr.asc, toRaw({ decrypt: { key_id: w.keyId, ciphertexts: cts(w.keyId), proof: { n: deep(60) } } }), USER, [{ denom: 'ustake', amount: '10' }]);
    expect(w.chain.gasUsed).toBeLessThan(GAS_BOUND);
  }, 120_000);
});
