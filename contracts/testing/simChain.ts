/**
 * @module contracts/testing/simChain
 * A minimal in-process chain for contract unit tests: cw-simulate running the
 * very wasm `contracts/build.sh` produces. (chain/embedded is the full
 * KmsChainClient; these tests only need upload/instantiate/execute/query.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cwSimulate from '@oraichain/cw-simulate';
import cosmwasmVm from '@oraichain/cosmwasm-vm-js';
import { toBech32 } from '@cosmjs/encoding';
import { sha256 } from '@noble/hashes/sha256';

const { CWSimulateApp } = cwSimulate;
type App = InstanceType<typeof CWSimulateApp>;

export const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(CONTRACTS_DIR, 'build');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|mjs|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Every contract contracts/build.sh builds; each wasm depends on its folder and lib/. */
export const CONTRACTS = ['asc', 'config', 'isc-fhevm', 'isc-allowlist'] as const;
export type ContractName = (typeof CONTRACTS)[number];

function upToDate(): boolean {
  const lib = newestSource(join(CONTRACTS_DIR, 'lib'));
  return CONTRACTS.every((c) => {
    const wasm = join(BUILD_DIR, `${c}.wasm`);
    return existsSync(wasm) && statSync(wasm).mtimeMs >= Math.max(lib, newestSource(join(CONTRACTS_DIR, c)));
  });
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs contracts/build.sh when a wasm is missing or older than its sources.
 * Jest runs test files in parallel workers, so a lock directory keeps them from
 * building over each other.
 */
export function ensureBuilt(): void {
  if (upToDate()) return;
  const lock = join(CONTRACTS_DIR, 'build', '.lock');
  mkdirSync(BUILD_DIR, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than 5 minutes is stale.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      sleepMs(250);
      if (upToDate()) return;
    }
  }
  try {
    if (!upToDate()) execFileSync(join(CONTRACTS_DIR, 'build.sh'), { stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The built wasm of a contract. `TKMS_WASM_DIR` points the contract tests at
 * another build (e.g. the contracts of an older commit, to check that a test
 * fails there); nothing is rebuilt then.
 */
export function readWasm(name: ContractName): Uint8Array {
  const other = process.env['TKMS_WASM_DIR'];
  if (other) return new Uint8Array(readFileSync(join(other, `${name}.wasm`)));
  ensureBuilt();
  return new Uint8Array(readFileSync(join(BUILD_DIR, `${name}.wasm`)));
}

export interface SimEvent {
  type: string;
  attributes: Record<string, string>;
}

export interface SimExecuteResult {
  events: SimEvent[];
  /** Response data as base64, or null. */
  data: string | null;
}

/** A deterministic bech32 address for test account `label`. */
export function testAddress(label: string, prefix = 'wasm'): string {
  return toBech32(prefix, sha256(new TextEncoder().encode(label)).subarray(0, 20));
}

interface RawEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

/**
 * A message handed to the contract as exactly these bytes, not through
 * `JSON.stringify` (which can write neither duplicate keys, nor invalid UTF-8,
 * nor a lone surrogate as anything but an escape): for the malicious-JSON tests.
 */
export class RawMessage {
  constructor(readonly bytes: Uint8Array) {}
  static text(s: string): RawMessage {
    return new RawMessage(new TextEncoder().encode(s));
  }
  get length(): number {
    return this.bytes.length;
  }
}

interface VmWithAllocate {
  allocate_json(obj: unknown): unknown;
  allocate_bytes(bytes: Uint8Array): unknown;
}

/** cw-simulate writes every message with `allocate_json`; a RawMessage goes in byte for byte. */
function allowRawMessages(): void {
  const proto = (cosmwasmVm as unknown as { VMInstance: { prototype: VmWithAllocate & { __tkmsRaw?: boolean } } }).VMInstance.prototype;
  if (proto.__tkmsRaw) return;
  const original = proto.allocate_json;
  proto.allocate_json = function (this: VmWithAllocate, obj: unknown): unknown {
    return obj instanceof RawMessage ? this.allocate_bytes(obj.bytes) : original.call(this, obj);
  };
  proto.__tkmsRaw = true;
}

export interface SimChainOptions {
  /** Meter gas as the embedded chain does (cw-simulate's metering); `gasUsed` then reports each call. */
  metering?: boolean;
  /** Per-call gas limit when metering (default 100,000,000, the embedded chain's). */
  gasLimit?: number;
}

export class SimChain {
  readonly app: App;
  /** Gas of the last execute/query/instantiate (metering only; 0 otherwise). */
  gasUsed = 0;
  constructor(readonly chainId = 'tkms-test', readonly prefix = 'wasm', readonly options: SimChainOptions = {}) {
    allowRawMessages();
    this.app = options.metering
      ? new CWSimulateApp({ chainId, bech32Prefix: prefix, metering: true, gasLimit: options.gasLimit ?? 100_000_000 })
      : new CWSimulateApp({ chainId, bech32Prefix: prefix });
  }

  /** cw-simulate's meter accumulates over the app's life: zero it before each call (a chain meters per transaction). */
  private startMeter(): void {
    const env = this.app.env as unknown as { data?: { gas_state?: { externally_used_gas: number } } } | undefined;
    if (env?.data?.gas_state) env.data.gas_state.externally_used_gas = 0;
  }

  private stopMeter(): void {
    const env = this.app.env as unknown as { gasUsed?: number } | undefined;
    this.gasUsed = env?.gasUsed ?? 0;
  }

  upload(wasm: Uint8Array, sender = testAddress('deployer')): number {
    return this.app.wasm.create(sender, wasm);
  }

  async instantiate(codeId: number, msg: unknown, sender = testAddress('deployer'), label = 'contract'): Promise<string> {
    this.startMeter();
    const res = await this.app.wasm.instantiateContract(sender, [], codeId, msg, label);
    this.stopMeter();
    if (res.err) throw new Error(String(res.val));
    const events = (res.val as { events: RawEvent[] }).events;
    const inst = events.find((e) => e.type === 'instantiate');
    const addr = inst?.attributes.find((a) => a.key === '_contract_address')?.value;
    if (!addr) throw new Error('no contract address in instantiate events');
    return addr;
  }

  async execute(contract: string, msg: unknown, sender: string, funds: { denom: string; amount: string }[] = []): Promise<SimExecuteResult> {
    this.startMeter();
    const res = await this.app.wasm.executeContract(sender, funds, contract, msg);
    this.stopMeter();
    if (res.err) throw new Error(String(res.val));
    const val = res.val as { events: RawEvent[]; data: string | null };
    return {
      data: val.data,
      events: val.events.map((e) => ({
        type: e.type,
        attributes: Object.fromEntries(e.attributes.map((a) => [a.key, a.value])),
      })),
    };
  }

  /** Migrates `contract` to `codeId` (cw-simulate does not check the admin). */
  async migrate(contract: string, codeId: number, msg: unknown, sender = testAddress('deployer')): Promise<void> {
    const res = await this.app.wasm.migrateContract(sender, codeId, contract, msg);
    if (res.err) throw new Error(String(res.val));
  }

  /** Sets an account's balance of `denom` (test funding). */
  setBalance(address: string, denom: string, amount: bigint): void {
    const others = this.app.bank.getBalance(address).filter((c) => c.denom !== denom);
    this.app.bank.setBalance(address, [...others, { denom, amount: amount.toString() }]);
  }

  balance(address: string, denom: string): bigint {
    return BigInt(this.app.bank.getBalance(address).find((c) => c.denom === denom)?.amount ?? '0');
  }

  /** Moves the next blocks' time `seconds` ahead (expiry tests; cw-simulate keeps a later time). */
  advanceSeconds(seconds: number): void {
    this.app.time = this.app.time + seconds * 1e9;
  }

  /** Advances the block height by `n`. */
  advanceBlocks(n: number): void {
    this.app.height = this.app.height + n;
  }

  /** Sets the block time (`env.block.time`) to `seconds` since the Unix epoch. An
   * execution in a new block moves it forward to the wall clock when it is behind. */
  setBlockTime(seconds: number): void {
    this.app.time = seconds * 1e9;
  }

  query<T>(contract: string, msg: unknown): T {
    this.startMeter();
    const res = this.app.wasm.query(contract, msg);
    this.stopMeter();
    if (res.err) throw new Error(String(res.val));
    return res.val as T;
  }
}
