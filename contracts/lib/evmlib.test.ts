/**
 * The EVM library (keccak.ts, rlp.ts, mpt.ts, account.ts) compiled to wasm and
 * compared with @noble/hashes and with proofs from a real EVM
 * (test/fixtures/evm, made by test/fixtures/scripts/make-evm-proofs.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import { CONTRACTS_DIR } from '../testing/simChain.js';

const ROOT = join(CONTRACTS_DIR, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'evm');

interface Probe {
  keccak(data: Uint8Array): Uint8Array;
  sha3(data: Uint8Array): Uint8Array;
  rlp(data: Uint8Array): { ok: boolean; body: Uint8Array };
  mpt(root: Uint8Array, key: Uint8Array, nodes: Uint8Array[]): { status: 'error' | 'absent' | 'present'; body: Uint8Array };
  account(data: Uint8Array): { ok: boolean; body: Uint8Array };
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));
}
function toHex(b: Uint8Array): string {
  return '0x' + Buffer.from(b).toString('hex');
}
function text(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}

/** Minimal RLP encoder for building inputs (Yellow Paper, Appendix B). */
type Rlp = Uint8Array | Rlp[];
function rlpEncode(x: Rlp): Uint8Array {
  const lenPrefix = (len: number, short: number): Uint8Array => {
    if (len <= 55) return Uint8Array.of(short + len);
    const l = Buffer.from(len.toString(16).padStart(len.toString(16).length + (len.toString(16).length % 2), '0'), 'hex');
    return Uint8Array.from([short + 55 + l.length, ...l]);
  };
  if (x instanceof Uint8Array) {
    if (x.length === 1 && x[0]! < 0x80) return x;
    return Uint8Array.from([...lenPrefix(x.length, 0x80), ...x]);
  }
  const body = Buffer.concat(x.map(rlpEncode));
  return Uint8Array.from([...lenPrefix(body.length, 0xc0), ...body]);
}

/** Deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

let probe: Probe;

interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: object) => { exports: unknown };
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'tkms-probe-'));
  const out = join(dir, 'probe.wasm');
  try {
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'asc'),
      ['contracts/lib/probe/index.ts', '--runtime', 'stub', '-O3', '--disable', 'bulk-memory', '--disable', 'nontrapping-f2i',
        '--use', 'abort=contracts/lib/abort/cwAbort', '-o', out],
      { cwd: ROOT, stdio: 'pipe' },
    );
    const wasm = readFileSync(out);
    // Node's WebAssembly global (the project's `lib` setting has no DOM/wasm types).
    const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new WA.Instance(new WA.Module(wasm), {
      env: {
        abort: () => {
          throw new Error('probe aborted');
        },
      },
    });
    const ex = instance.exports as Record<string, (...a: number[]) => number> & { memory: { buffer: ArrayBuffer } };
    const memory = ex.memory;
    const put = (data: Uint8Array): number => {
      const p = ex.alloc!(data.length);
      new Uint8Array(memory.buffer).set(data, p);
      return p;
    };
    const read = (p: number): { status: number; body: Uint8Array } => {
      const mem = new Uint8Array(memory.buffer);
      const len = new DataView(memory.buffer).getUint32(p, true);
      return { status: mem[p + 4]!, body: mem.slice(p + 5, p + 4 + len) };
    };
    const call = (fn: string, data: Uint8Array) => read(ex[fn]!(put(data), data.length));
    probe = {
      keccak: (d) => call('keccak', d).body,
      sha3: (d) => call('sha3', d).body,
      rlp: (d) => {
        const r = call('rlp', d);
        return { ok: r.status === 1, body: r.body };
      },
      mpt: (root, key, nodes) => {
        const parts: Buffer[] = [Buffer.from(root), Buffer.alloc(4), Buffer.from(key)];
        parts[1]!.writeUInt32BE(key.length);
        for (const n of nodes) {
          const l = Buffer.alloc(4);
          l.writeUInt32BE(n.length);
          parts.push(l, Buffer.from(n));
        }
        const r = call('mpt', Uint8Array.from(Buffer.concat(parts)));
        return { status: (['error', 'absent', 'present'] as const)[r.status]!, body: r.body };
      },
      account: (d) => {
        const r = call('account', d);
        return { ok: r.status === 1, body: r.body };
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('keccak256', () => {
  test('default: published vectors', () => {
    expect(toHex(probe.keccak(new Uint8Array(0)))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(toHex(probe.keccak(new TextEncoder().encode('abc')))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    // 1,000,000 × 'a' (Keccak team's long-message vector for Keccak-256).
    expect(toHex(probe.keccak(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      '0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96',
    );
  });

  test('behavior: equals @noble/hashes on random inputs around the 136-byte rate', () => {
    const rand = rng(7);
    const lengths = [1, 55, 56, 134, 135, 136, 137, 271, 272, 273, 1000];
    for (let i = 0; i < 150; i++) lengths.push(rand(700));
    for (const len of lengths) {
      const data = Uint8Array.from({ length: len }, () => rand(256));
      expect(toHex(probe.keccak(data))).toBe(toHex(keccak_256(data)));
    }
  });
});

describe('sha3_256', () => {
  test('default: FIPS 202 vectors, and equal to Node\'s crypto around the 136-byte rate', () => {
    expect(toHex(probe.sha3(new Uint8Array(0)))).toBe('0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    expect(toHex(probe.sha3(new TextEncoder().encode('abc')))).toBe('0x3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    const rand = rng(11);
    const lengths = [1, 14, 78, 134, 135, 136, 137, 271, 272, 273];
    for (let i = 0; i < 40; i++) lengths.push(rand(700));
    for (const len of lengths) {
      const data = Uint8Array.from({ length: len }, () => rand(256));
      expect(toHex(probe.sha3(data))).toBe('0x' + createHash('sha3-256').update(data).digest('hex'));
      expect(toHex(probe.sha3(data))).not.toBe(toHex(probe.keccak(data)));
    }
  });
});

describe('rlp', () => {
  test('default: canonical encodings decode, nested lists included', () => {
    const samples: Rlp[] = [
      new Uint8Array(0),
      Uint8Array.of(0),
      Uint8Array.of(0x7f),
      Uint8Array.of(0x80),
      new Uint8Array(55).fill(1),
      new Uint8Array(56).fill(2),
      new Uint8Array(1024).fill(3),
      [],
      [Uint8Array.of(1), [Uint8Array.of(2), []], new Uint8Array(60).fill(9)],
      Array.from({ length: 20 }, (_, i) => new Uint8Array(i).fill(i)),
    ];
    for (const s of samples) {
      const enc = rlpEncode(s);
      const r = probe.rlp(enc);
      expect(r.ok).toBe(true);
      expect(toHex(r.body)).toBe(toHex(enc));
    }
  });

  test.each([
    ['single byte below 0x80 wrapped', '0x8105', 'single byte'],
    ['long form for a short string', '0xb801ff', 'long form'],
    ['long form for a short list', '0xf80180', 'long form'],
    ['leading zero in the length', '0xb90038' + '00'.repeat(56), 'non-canonical'],
    ['string longer than the input', '0x83aabb', 'exceeds'],
    ['list item overruns the list', '0xc28301', 'exceeds'],
    ['trailing bytes', '0x8001', 'trailing'],
    ['empty input', '0x', 'ends early'],
  ])('malicious: rejects %s', (_name, input, why) => {
    const r = probe.rlp(hex(input));
    expect(r.ok).toBe(false);
    expect(text(r.body)).toContain(why);
  });
});

describe('mpt', () => {
  const vectors = JSON.parse(readFileSync(join(FIXTURES, 'mpt-vectors.json'), 'utf8')) as {
    root: string;
    vectors: { key: string; proof: string[]; value: string | null }[];
  };
  const acl = JSON.parse(readFileSync(join(FIXTURES, 'acl-proofs.json'), 'utf8'));

  test('default: @ethereumjs/mpt proofs with embedded nodes, presence and absence', () => {
    let embedded = 0;
    for (const v of vectors.vectors) {
      const nodes = v.proof.map(hex);
      const r = probe.mpt(hex(vectors.root), hex(v.key), nodes);
      expect({ key: v.key, status: r.status }).toEqual({ key: v.key, status: v.value === null ? 'absent' : 'present' });
      if (v.value !== null) expect(toHex(r.body)).toBe(v.value);
      // go-ethereum's form: embedded nodes (< 32 bytes) left out of the list.
      const gethForm = nodes.filter((n, i) => i === 0 || n.length >= 32);
      embedded += nodes.length - gethForm.length;
      const g = probe.mpt(hex(vectors.root), hex(v.key), gethForm);
      expect(g.status).toBe(r.status);
      expect(toHex(g.body)).toBe(toHex(r.body));
    }
    expect(embedded).toBeGreaterThan(0);
  });

  test('default: real account proof yields the ACL account and its storage root', () => {
    const p = acl.cases.granted.acl_proof;
    const r = probe.mpt(hex(acl.header.state_root), keccak_256(hex(p.address)), p.accountProof.map(hex));
    expect(r.status).toBe('present');
    const a = probe.account(r.body);
    expect(a.ok).toBe(true);
    expect(toHex(a.body.subarray(0, 32))).toBe(p.storageHash);
    expect(toHex(a.body.subarray(32))).toBe(p.codeHash);
  });

  test('default: real storage proofs for granted and absent slots', () => {
    // anvil keeps a cleared slot (revoked) in the trie as a zero value (RLP 0x80);
    // go-ethereum removes it. The ISC refuses both (contracts/isc-fhevm/aclProof.ts).
    for (const [name, status, value] of [['granted', 'present', '0x01'], ['no_user_permission', 'absent', ''], ['revoked', 'present', '0x80']] as const) {
      const p = acl.cases[name].acl_proof;
      const sp = p.storageProof[0];
      const r = probe.mpt(hex(p.storageHash), keccak_256(hex(sp.key)), sp.proof.map(hex));
      expect({ name, status: r.status }).toEqual({ name, status });
      if (status === 'present') expect(toHex(r.body)).toBe(value);
    }
  });

  test('malicious: tampered node, wrong root, missing or extra nodes are errors', () => {
    const p = acl.cases.granted.acl_proof;
    const sp = p.storageProof[0];
    const root = hex(p.storageHash);
    const key = keccak_256(hex(sp.key));
    const nodes: Uint8Array[] = sp.proof.map(hex);
    for (let i = 0; i < nodes.length; i++) {
      const t = nodes.map((n) => Uint8Array.from(n));
      const node = t[i]!;
      const mid = Math.floor(node.length / 2);
      node[mid] = node[mid]! ^ 1;
      const r = probe.mpt(root, key, t);
      expect(r.status).toBe('error');
      expect(text(r.body)).toMatch(/does not match its hash/);
    }
    const badRoot = Uint8Array.from(root);
    badRoot[0] = badRoot[0]! ^ 1;
    expect(probe.mpt(badRoot, key, nodes).status).toBe('error');
    expect(text(probe.mpt(root, key, nodes.slice(0, -1)).body)).toMatch(/ends before/);
    expect(text(probe.mpt(root, key, [...nodes, nodes[0]!]).body)).toMatch(/unused node/);
    // A valid proof for one key says nothing about another.
    const other = keccak_256(hex(acl.cases.other_requester.acl_proof.storageProof[0].key));
    expect(probe.mpt(root, other, nodes).status).not.toBe('present');
  });

  test('malicious: fuzzed nodes (re-hashed so the parser sees them) and random bytes never trap', () => {
    const rand = rng(11);
    const sets = (['granted', 'revoked'] as const).map((n) => acl.cases[n].acl_proof.storageProof[0]);
    for (let i = 0; i < 300; i++) {
      const sp = sets[i % 2]!;
      const nodes: Uint8Array[] = sp.proof.map(hex);
      const at = rand(nodes.length);
      const node = Uint8Array.from(nodes[at]!);
      const pos = rand(node.length);
      node[pos] = rand(256);
      // Start the proof at the mutated node and take its hash as the root, so the
      // mutation reaches the RLP and trie parsing instead of failing the hash check.
      const chain = [node, ...nodes.slice(at + 1)];
      const r = probe.mpt(keccak_256(node), keccak_256(hex(sp.key)), chain);
      expect(['error', 'absent', 'present']).toContain(r.status);
    }
    for (let i = 0; i < 200; i++) {
      const junk = Uint8Array.from({ length: 1 + rand(80) }, () => rand(256));
      expect(typeof probe.rlp(junk).ok).toBe('boolean');
      expect(['error', 'absent', 'present']).toContain(probe.mpt(keccak_256(junk), keccak_256(junk), [junk]).status);
    }
  });

  test('malicious: malformed account values are rejected', () => {
    const h = new Uint8Array(32).fill(1);
    expect(probe.account(rlpEncode([Uint8Array.of(1), Uint8Array.of(2), h, h])).ok).toBe(true);
    expect(text(probe.account(rlpEncode([Uint8Array.of(0, 1), Uint8Array.of(2), h, h])).body)).toMatch(/nonce/);
    expect(text(probe.account(rlpEncode([Uint8Array.of(1), Uint8Array.of(2), h])).body)).toMatch(/4 items/);
    expect(text(probe.account(rlpEncode([Uint8Array.of(1), Uint8Array.of(2), h.subarray(1), h])).body)).toMatch(/32 bytes/);
  });
});
