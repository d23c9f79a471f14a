/**
 * @module chain/client
 * The one interface every component uses to talk to the KMS chain. Two
 * implementations: `chain/wasmd` (cosmjs against real wasmd validators) and
 * `chain/embedded` (the same wasm in process with cw-simulate, or reached over
 * HTTP from another process). Connector, CLI and tests depend only on this.
 */

export interface Coin {
  denom: string;
  amount: string;
}

export interface ChainEvent {
  /** Full event type, e.g. `wasm-tkms_request`. */
  type: string;
  attributes: Record<string, string>;
  height: number;
  txHash: string;
}

export interface ExecuteResult {
  txHash: string;
  height: number;
  gasUsed: number;
  events: ChainEvent[];
}

export interface EventFilter {
  /** Only events whose `_contract_address` equals this. */
  contract: string;
  /** Full event type, e.g. `wasm-tkms_request`. */
  eventType: string;
}

export interface Subscription {
  close(): void;
  /**
   * Resolves when the subscription stops; rejects if it stopped on an error
   * (e.g. the RPC stayed unreachable past the watcher's retries). A stopped
   * subscription delivers nothing more: a consumer that must keep listening
   * subscribes again from its own checkpoint. After `close()` it resolves.
   */
  readonly done: Promise<void>;
  /** What the watcher last heard from the chain, for health reporting; absent when the implementation does not track it. */
  progress?(): SubscriptionProgress;
}

export interface SubscriptionProgress {
  /** When a read from the chain last succeeded (ms since the epoch); undefined before the first one. */
  lastPollAt: number | undefined;
  /** The chain height the watcher has read up to, when it knows it. */
  height?: number;
  /** Since when reads have been failing (the watcher is retrying); undefined while they succeed. */
  failingSince?: number;
  /** The last failed read's error message, while reads are failing. */
  lastError?: string;
}

export interface KmsChainClient {
  readonly chainId: string;
  /** Address transactions are signed with; undefined for a read-only client. */
  readonly senderAddress: string | undefined;
  height(): Promise<number>;
  queryContract<T>(contract: string, msg: unknown): Promise<T>;
  /** Executes and waits for inclusion; throws ChainTxError with the contract's message on failure. */
  executeContract(contract: string, msg: unknown, funds?: readonly Coin[]): Promise<ExecuteResult>;
  /**
   * Delivers matching events from blocks >= fromHeight in chain order, first the
   * past ones (catch-up), then live ones. The handler is awaited before the next
   * event is delivered, so a consumer that records progress after each handler
   * call can resume exactly where it stopped.
   */
  watchEvents(filter: EventFilter, fromHeight: number, onEvent: (e: ChainEvent) => Promise<void>): Subscription;
  balance(address: string, denom: string): Promise<Coin>;
  /** Stores wasm code; returns its code id. */
  upload(wasm: Uint8Array): Promise<{ codeId: number; gasUsed: number }>;
  instantiate(codeId: number, msg: unknown, label: string, admin?: string): Promise<{ address: string; gasUsed: number }>;
  close(): Promise<void>;
}

/** Where a running network is, as written by `make start` / `make localnet`. */
export interface NetworkDescriptor {
  kind: 'embedded' | 'wasmd';
  chainId: string;
  /** Embedded: the dev node's HTTP URL. wasmd: a CometBFT RPC URL (http). */
  rpcUrl: string;
  denom: string;
  /** wasmd only, e.g. "0.025stake". */
  gasPrice?: string;
  bech32Prefix: string;
  contracts: { asc: string; config: string };
  /** Code ids of the stored contracts (wasmd deployments); `iscFhevm` is what
   * `tkms gov register-isc` instantiates. Absent in older network files. */
  codeIds?: { asc: number; config: number; iscFhevm?: number };
  kvStoreUrl: string;
  faucetUrl: string;
  /**
   * Per party: the gRPC endpoint of its core and, when it serves public
   * storage over HTTP, that server's URL (keys, and `GET /progress/<request
   * id>`: how far the party is in a key generation, shown by `tkms keygen`).
   */
  cores: { partyId: number; grpcUrl: string; publicUrl?: string }[];
  /**
   * Local networks: the mnemonic file (development/test key, in clear) of the
   * network's operator account, listed in Config `operators`. The CLI sends
   * keygen_preproc, keygen and crs_gen with it when the user's own account is
   * neither governance nor an operator. Absent on networks without one.
   */
  operatorKeyFile?: string;
}
