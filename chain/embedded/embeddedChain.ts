/**
 * @module chain/embedded/embeddedChain
 * The embedded KMS chain: the very same contract wasm executed in process by
 * cw-simulate, one block per transaction, with an ordered event log so that
 * consumers can catch up from any height exactly as they do on wasmd.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { SimulateCosmWasmClient } from '@oraichain/cw-simulate';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import type { ChainEvent, Coin, ExecuteResult } from '../client.js';
import { ChainTxError } from '../../common/errors.js';

export interface EmbeddedChainOptions {
  chainId?: string;
  bech32Prefix?: string;
  denom?: string;
  /** When set, state and event log are saved here after every transaction and loaded at start. */
  persistPath?: string;
}

/** An event with its position in the chain's global order. */
export interface SequencedEvent extends ChainEvent {
  seq: number;
}

interface RawEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

/**
 * Persistence is a transaction log replayed at start-up (event sourcing):
 * contract execution is deterministic given sender, message and block time, so
 * replay rebuilds contract state, heights and the event log exactly.
 */
type LoggedTx = { time: number } & (
  | { op: 'upload'; sender: string; wasm: string }
  | { op: 'instantiate'; sender: string; codeId: number; msg: unknown; label: string; admin?: string }
  | { op: 'execute'; sender: string; contract: string; msg: unknown; funds: Coin[] }
  | { op: 'mint'; address: string; amount: string }
  | { op: 'sequence'; address: string }
);

const DEFAULT_GAS_LIMIT = 100_000_000;

export class EmbeddedChain {
  readonly chainId: string;
  readonly bech32Prefix: string;
  readonly denom: string;
  private client: SimulateCosmWasmClient;
  private readonly events: SequencedEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private txCount = 0;
  private readonly sequences = new Map<string, number>();
  private replaying = false;

  private constructor(
    client: SimulateCosmWasmClient,
    opts: Required<Omit<EmbeddedChainOptions, 'persistPath'>>,
    private readonly persistPath?: string,
  ) {
    this.client = client;
    this.chainId = opts.chainId;
    this.bech32Prefix = opts.bech32Prefix;
    this.denom = opts.denom;
  }

  static async create(options: EmbeddedChainOptions = {}): Promise<EmbeddedChain> {
    const opts = { chainId: options.chainId ?? 'tkms-embedded-1', bech32Prefix: options.bech32Prefix ?? 'wasm', denom: options.denom ?? 'ustake' };
    const client = new SimulateCosmWasmClient({ chainId: opts.chainId, bech32Prefix: opts.bech32Prefix, metering: true, gasLimit: DEFAULT_GAS_LIMIT });
    const chain = new EmbeddedChain(client, opts, options.persistPath);
    if (options.persistPath && existsSync(chain.logFile)) await chain.replay();
    return chain;
  }

  private get logFile(): string {
    return `${this.persistPath}.txlog.jsonl`;
  }

  private async replay(): Promise<void> {
    this.replaying = true;
    try {
      const lines = readFileSync(this.logFile, 'utf8').split('\n').filter((l) => l.length > 0);
      for (const line of lines) {
        const tx = JSON.parse(line) as LoggedTx;
        this.client.app.time = tx.time;
        try {
          if (tx.op === 'upload') await this.upload(tx.sender, Buffer.from(tx.wasm, 'base64'));
          else if (tx.op === 'instantiate') await this.instantiate(tx.sender, tx.codeId, tx.msg, tx.label, tx.admin);
          else if (tx.op === 'execute') await this.execute(tx.sender, tx.contract, tx.msg, tx.funds);
          else if (tx.op === 'mint') this.mint(tx.address, tx.amount);
          else this.useSequence(tx.address, this.nextSequence(tx.address));
        } catch {
          // A transaction that failed the first time fails again: same outcome, nothing to restore.
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  private record(tx: LoggedTx): void {
    if (this.persistPath && !this.replaying) appendFileSync(this.logFile, JSON.stringify(tx) + '\n');
  }

  /** Next expected sequence of an account (replay protection for signed transactions). */
  nextSequence(address: string): number {
    return this.sequences.get(address) ?? 0;
  }

  /** Consumes `sequence` if it is the expected one; false otherwise. */
  useSequence(address: string, sequence: number): boolean {
    if (sequence !== this.nextSequence(address)) return false;
    this.sequences.set(address, sequence + 1);
    this.record({ op: 'sequence', address, time: this.client.app.time });
    return true;
  }

  get height(): number {
    return this.client.app.height;
  }

  /** Credits `amount` of the native denom out of thin air (genesis funding, faucet). */
  mint(address: string, amount: string): void {
    const current = BigInt(this.client.app.bank.getBalance(address).find((c) => c.denom === this.denom)?.amount ?? '0');
    const others = this.client.app.bank.getBalance(address).filter((c) => c.denom !== this.denom);
    this.client.app.bank.setBalance(address, [...others, { denom: this.denom, amount: (current + BigInt(amount)).toString() }]);
    this.record({ op: 'mint', address, amount, time: this.client.app.time });
  }

  async balance(address: string, denom: string): Promise<Coin> {
    return this.client.getBalance(address, denom);
  }

  async query<T>(contract: string, msg: unknown): Promise<T> {
    this.resetGasMeter();
    return (await this.client.queryContractSmart(contract, msg as Record<string, unknown>)) as T;
  }

  upload(sender: string, wasm: Uint8Array): Promise<{ codeId: number; gasUsed: number }> {
    return this.serialize(async () => {
      const r = await this.client.upload(sender, wasm, 'auto');
      this.record({ op: 'upload', sender, wasm: Buffer.from(wasm).toString('base64'), time: this.client.app.time });
      this.afterTx();
      return { codeId: r.codeId, gasUsed: Number(r.gasUsed) };
    });
  }

  instantiate(sender: string, codeId: number, msg: unknown, label: string, admin?: string): Promise<{ address: string; gasUsed: number }> {
    return this.serialize(async () => {
      this.stampTime();
      this.record({ op: 'instantiate', sender, codeId, msg, label, ...(admin ? { admin } : {}), time: this.client.app.time });
      try {
        const r = await this.client.instantiate(sender, codeId, msg as Record<string, unknown>, label, 'auto', admin ? { admin } : undefined);
        this.afterTx(r.events as RawEvent[]);
        return { address: r.contractAddress, gasUsed: Number(r.gasUsed) };
      } catch (e) {
        throw new ChainTxError(contractMessage(e), { cause: e });
      }
    });
  }

  execute(sender: string, contract: string, msg: unknown, funds: readonly Coin[] = []): Promise<ExecuteResult> {
    return this.serialize(async () => {
      this.stampTime();
      this.record({ op: 'execute', sender, contract, msg, funds: [...funds], time: this.client.app.time });
      try {
        const r = await this.client.execute(sender, contract, msg as Record<string, unknown>, 'auto', undefined, funds);
        const events = this.afterTx(r.events as RawEvent[]);
        return { txHash: events[0]?.txHash ?? this.txHashFor(), height: r.height, gasUsed: Number(r.gasUsed), events };
      } catch (e) {
        throw new ChainTxError(contractMessage(e), { cause: e });
      }
    });
  }

  /** Events with seq > afterSeq (or height >= fromHeight when afterSeq is undefined). */
  eventsSince(position: { afterSeq?: number; fromHeight?: number }, filter?: { contract?: string; eventType?: string }): SequencedEvent[] {
    return this.events.filter(
      (e) =>
        (position.afterSeq !== undefined ? e.seq > position.afterSeq : e.height >= (position.fromHeight ?? 0)) &&
        (!filter?.eventType || e.type === filter.eventType) &&
        (!filter?.contract || e.attributes['_contract_address'] === filter.contract),
    );
  }

  /** Calls `fn` after every block with events; returns an unsubscribe function. */
  onBlock(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Transactions run strictly one after another, as in a block sequence. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * cw-simulate's gas meter accumulates over the app's whole life and fails
   * every call once the total passes the limit; a chain meters each
   * transaction on its own, so reset it before each call.
   */
  private resetGasMeter(): void {
    const env = this.client.app.env as unknown as { data?: { gas_state?: { externally_used_gas: number } } } | undefined;
    if (env?.data?.gas_state) env.data.gas_state.externally_used_gas = 0;
  }

  private stampTime(): void {
    this.resetGasMeter();
    // During replay the logged block time is already set.
    if (!this.replaying) this.client.app.time = Date.now() * 1e6;
  }

  private txHashFor(): string {
    return bytesToHex(sha256(new TextEncoder().encode(`${this.chainId}/${this.txCount}`))).toUpperCase();
  }

  private afterTx(raw: RawEvent[] = []): SequencedEvent[] {
    this.txCount += 1;
    const txHash = this.txHashFor();
    const height = this.height;
    const added = raw.map((e, i) => ({
      seq: (this.events.at(-1)?.seq ?? 0) + i + 1,
      type: e.type,
      attributes: Object.fromEntries(e.attributes.map((a) => [a.key, a.value])),
      height,
      txHash,
    }));
    this.events.push(...added);
    for (const l of this.listeners) l();
    return added;
  }

}

/** cw-simulate wraps contract errors in several layers of text; keep the contract's own words. */
function contractMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^Error:\s*/, '');
}
