/**
 * @module connector/kms-connector/connector
 * One party's bridge between the KMS chain and its core: ASC request events →
 * core gRPC calls → signed fulfillment transactions.
 *
 * Restart safety: the chain is the ground truth. The connector checkpoints the
 * lowest height that still has unfinished work; after a restart it replays from
 * there and skips every request its party already answered on chain, so no
 * request is lost and none is fulfilled twice (the ASC also refuses a second
 * answer from the same party).
 *
 * Failed jobs (core unreachable or still busy past the job timeout, a
 * fulfillment tx lost to gas or a chain hiccup) are retried in process with
 * capped exponential backoff for as long as the request is pending on chain and
 * unanswered by this party; the job keeps its place in the checkpoint meanwhile.
 * An answer the core computed is kept across attempts, so only the tx is resent.
 * Non-retryable errors (the core refusing the request outright, a request with
 * no parameters) are logged and dropped: retrying cannot change them.
 *
 * Liveness: the ASC event subscription is kept alive by an `EventWatch`
 * (eventWatch.ts): one lost to an RPC outage is opened again from the
 * checkpoint, so requests made during the outage are answered once the chain
 * answers again. A request delivered twice (the replay from the checkpoint
 * covers requests already taken) is recognised by its id and not run again.
 * `status()` is what the health endpoint (health.ts) serves.
 *
 * Key states: a `KeyStateSync` (keyStateSync.ts) mirrors the ASC's key
 * lifecycle into the core.
 *
 * Fees: the ASC owes the party a share of every request it helped complete; the
 * connector collects them with `claim` every `claimIntervalMs` when something is
 * owed.
 */
import type { Logger } from 'pino';
import type { ChainEvent, KmsChainClient } from '../../chain/client.js';
import { ASC_EVENTS, type CiphertextRef, type FulfillResponse, type RequestInfo } from '../../chain/asc/messages.js';
import { claimFees, fulfill, getClaimable, getRequest } from '../../chain/asc/actions.js';
import type { DecryptResult, KeyGenResult } from '../../proto/gen/tkms/core/v1/core.js';
import type { CoreCrsGenResult, CoreKeyGenPreprocResult, CoreUserDecryptParameters, CoreUserDecryptResult } from '../../core/client/coreClient.js';
import { TkmsError } from '../../common/errors.js';
import { CoreRpcError } from '../../core/client/coreClient.js';
import type { Checkpoint } from './checkpoint.js';
import { KeyStateSync, type KeyStatePort } from './keyStateSync.js';
import { EventWatch, type EventWatchOptions, type EventWatchStatus } from './eventWatch.js';

/** The slice of the core API the connector needs (see core/client). */
export interface CorePort extends KeyStatePort {
  /** `preprocId`: the keygen_preproc request the ASC keygen named (RequestInfo.keygen.preproc_id). */
  /** `fheParameters`: the ASC keygen's parameter set (RequestInfo.keygen.fhe_parameters; absent: default). */
  /** `insecureDealerAllowed`: RequestInfo.keygen.insecure_dealer_keys (the network lets cores deal keys: INSECURE test networks only). */
  startKeyGen(requestId: string, preprocId?: string, fheParameters?: string, insecureDealerAllowed?: boolean): Promise<void>;
  /** `fheParameters`: the set the ASC keygen_preproc is for (RequestInfo.keygen_preproc.fhe_parameters; absent: default). */
  startKeyGenPreproc(requestId: string, fheParameters?: string): Promise<void>;
  keyGenPreprocResult(requestId: string, timeoutMs: number): Promise<CoreKeyGenPreprocResult>;
  keyGenResult(requestId: string, timeoutMs: number): Promise<KeyGenResult>;
  startDecrypt(req: {
    requestId: string;
    keyId: string;
    fheType: string;
    ciphertextHandle: string;
    ciphertextDigest: string;
    ciphertext: Uint8Array;
    /** A public batch decryption (the single-ciphertext fields are then empty). */
    ciphertexts?: { ciphertextHandle: string; ciphertextDigest: string; fheType: string; ciphertext: Uint8Array }[];
    crsId?: string;
    /** The request's application and sender: the core checks handles and proofs against them. */
    appId: string;
    requester?: string;
  }): Promise<void>;
  decryptResult(requestId: string, timeoutMs: number): Promise<DecryptResult>;
  startUserDecrypt(req: CoreUserDecryptParameters): Promise<void>;
  userDecryptResult(requestId: string, timeoutMs: number): Promise<CoreUserDecryptResult>;
  startCrsGen(requestId: string, maxNumBits: number): Promise<void>;
  crsGenResult(requestId: string, timeoutMs: number): Promise<CoreCrsGenResult>;
}

/** Fetches ciphertext bytes by digest WITHOUT checking them: checking is the core's job. */
export type CiphertextSource = (digest: string) => Promise<Uint8Array | undefined>;

export interface ConnectorOptions {
  partyId: number;
  chain: KmsChainClient;
  asc: string;
  core: CorePort;
  ciphertexts: CiphertextSource;
  checkpoint: Checkpoint;
  logger: Logger;
  /** How long the core may take for one job. */
  jobTimeoutMs?: number;
  /** How long a CRS generation may take (default 10 min: ~80 s each, queued behind key generations). */
  crsTimeoutMs?: number;
  /** Jobs handled at once. */
  concurrency?: number;
  /** How often to claim earned fees, ms; 0 never (default 60000). */
  claimIntervalMs?: number;
  /** How often to mirror key states from the ASC into the core, ms; 0 never (default 2000). */
  keyStateIntervalMs?: number;
  /** First wait before retrying a failed job, ms (default 2000); doubles per attempt. */
  retryBaseMs?: number;
  /** Longest wait between two attempts at a job, ms (default 60000). */
  retryMaxMs?: number;
  /** Re-subscription after a lost event subscription: backoff, stall detection, optional give-up (eventWatch.ts). */
  watch?: Pick<EventWatchOptions, 'reconnectBaseMs' | 'reconnectMaxMs' | 'stallMs' | 'giveUpAfterMs'>;
  /** Called when the watch gives up (`watch.giveUpAfterMs`): the process should exit non-zero for its supervisor to restart it. */
  onFatal?: (err: unknown) => void;
}

/** What the health endpoint reports. */
export interface ConnectorStatus extends EventWatchStatus {
  partyId: number;
  /** The height a restart (or a re-subscription) replays from. */
  checkpoint: number;
  inFlight: number;
  handled: KmsConnector['handled'];
}

/** Why a job stopped retrying. */
type GiveUp = 'fulfilled' | 'not_retryable' | 'not_pending' | 'answered' | 'expired' | 'stopped';

export class KmsConnector {
  private watch: EventWatch | undefined;
  private readonly inFlight = new Map<string, number>();
  /**
   * Requests taken since the checkpoint (id → height), running or finished: a
   * re-subscription replays from the checkpoint and must not run them again.
   * Entries below the checkpoint are dropped, as they are never replayed.
   */
  private readonly taken = new Map<string, number>();
  private lastSeenHeight = 0;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;
  /** Heights of jobs left unfinished by `stop()`: the checkpoint stays at or below them. */
  private readonly abandoned: number[] = [];
  /** Wakes jobs sleeping between retries when the connector stops. */
  private wakeOnStop: (() => void)[] = [];
  private claimTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private keyStates: KeyStateSync | undefined;
  /**
   * `failed`: failed attempts (each retry counts); `given_up`: jobs dropped
   * without an answer; `redelivered`: events of requests already taken, seen
   * again after a re-subscription and ignored.
   */
  readonly handled = { keygen: 0, keygen_preproc: 0, decrypt: 0, user_decrypt: 0, crs_gen: 0, skipped: 0, failed: 0, retried: 0, given_up: 0, claims: 0, redelivered: 0 };

  constructor(private readonly opts: ConnectorOptions) {}

  async start(): Promise<void> {
    // Without a checkpoint replay from genesis: cheap (events are filtered by
    // contract) and nothing submitted before the first start is missed.
    let from = this.opts.checkpoint.load() ?? 0;
    const tip = await this.opts.chain.height();
    if (from > tip) {
      // A checkpoint beyond the chain's tip belongs to another chain (a reset
      // network): replaying from genesis is safe, skipping requests is not.
      this.opts.logger.warn({ checkpoint: from, tip }, 'checkpoint is ahead of the chain; replaying from genesis');
      from = 0;
    }
    this.lastSeenHeight = from;
    this.opts.logger.info({ fromHeight: from, party: this.opts.partyId }, 'connector watching ASC requests');
    this.watch = new EventWatch({
      subscribe: (fromHeight, onEvent) => this.opts.chain.watchEvents({ contract: this.opts.asc, eventType: ASC_EVENTS.request }, fromHeight, onEvent),
      resumeHeight: () => this.checkpointHeight(),
      onEvent: (e) => this.onEvent(e),
      logger: this.opts.logger,
      ...this.opts.watch,
      onGiveUp: (err) => this.opts.onFatal?.(err),
    });
    this.watch.start(from);
    const keyStateEvery = this.opts.keyStateIntervalMs ?? 2000;
    if (keyStateEvery > 0) {
      this.keyStates = new KeyStateSync({ chain: this.opts.chain, asc: this.opts.asc, core: this.opts.core, logger: this.opts.logger, intervalMs: keyStateEvery });
      this.keyStates.start();
    }
    const every = this.opts.claimIntervalMs ?? 60_000;
    if (every > 0) {
      this.claimTimer = setInterval(() => {
        if (!this.claiming) this.claiming = this.claimOwed().finally(() => (this.claiming = undefined));
      }, every);
      this.claimTimer.unref();
    }
  }

  /** Claims the fees the ASC owes this party, if any. Failures are logged and retried next round. */
  async claimOwed(): Promise<void> {
    const address = this.opts.chain.senderAddress;
    if (!address || this.stopped) return;
    try {
      const owed = await getClaimable(this.opts.chain, this.opts.asc, address);
      if (owed.amounts.length === 0) return;
      await claimFees(this.opts.chain, this.opts.asc);
      this.handled.claims++;
      this.opts.logger.info({ amounts: owed.amounts }, 'fees claimed');
    } catch (err) {
      this.opts.logger.warn({ err }, 'claiming fees failed; retrying next round');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakeOnStop.splice(0)) wake();
    clearInterval(this.claimTimer);
    await this.claiming;
    await this.keyStates?.stop();
    await this.watch?.stop();
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  private async onEvent(e: ChainEvent): Promise<void> {
    const requestId = e.attributes['request_id'];
    const kind = e.attributes['kind'];
    if (!requestId || !isHandledKind(kind)) return;
    if (this.taken.has(requestId)) {
      this.handled.redelivered += 1;
      this.opts.logger.debug({ requestId, height: e.height }, 'request already taken; ignoring the replayed event');
      return;
    }
    this.lastSeenHeight = Math.max(this.lastSeenHeight, e.height);
    await this.slot();
    // Checked again: an event of a dropped subscription may have waited for a slot meanwhile.
    if (this.stopped || this.taken.has(requestId)) return;
    this.taken.set(requestId, e.height);
    this.inFlight.set(requestId, e.height);
    this.saveCheckpoint();
    // Not awaited: events keep flowing while jobs run, bounded by `concurrency`.
    void this.runJob(requestId, kind)
      .catch((err: unknown) => this.opts.logger.error({ err, requestId }, 'request job crashed'))
      .finally(() => {
        this.inFlight.delete(requestId);
        this.saveCheckpoint();
        this.waiting.shift()?.();
      });
  }

  /**
   * One request until it is answered or there is no point going on: failed
   * attempts are retried after min(retryMaxMs, retryBaseMs·2^(n-1)) while the
   * error is retryable and the request still pending and unanswered by us.
   */
  private async runJob(requestId: string, kind: HandledKind): Promise<GiveUp> {
    const log = this.opts.logger.child({ requestId, kind });
    const job: JobState = {};
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.process(requestId, kind, job, attempt);
      } catch (err) {
        this.handled.failed += 1;
        if (this.stopped) return this.abandon(requestId, log, err);
        if (!isRetryable(err)) {
          this.handled.given_up += 1;
          log.error({ err, attempt }, 'request handling failed; not retryable, giving up');
          return 'not_retryable';
        }
        const delayMs = Math.min(this.opts.retryMaxMs ?? 60_000, (this.opts.retryBaseMs ?? 2000) * 2 ** Math.min(attempt - 1, 30));
        log.warn({ err, attempt, retryInMs: delayMs, answerReady: job.response !== undefined }, 'request handling failed; retrying');
        await this.pause(delayMs);
        if (this.stopped) return this.abandon(requestId, log, err);
        this.handled.retried += 1;
      }
    }
  }

  /** Leaves an unfinished job to the next start: the checkpoint stays at or below its height. */
  private abandon(requestId: string, log: Logger, err: unknown): GiveUp {
    this.abandoned.push(this.inFlight.get(requestId) ?? 0);
    log.warn({ err }, 'request unfinished; the connector is stopping, it is replayed after a restart');
    return 'stopped';
  }

  /** Sleeps `ms`, or less when the connector stops. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeOnStop = this.wakeOnStop.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeOnStop.push(done);
    });
  }

  private async slot(): Promise<void> {
    while (this.inFlight.size >= (this.opts.concurrency ?? 16)) await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Everything below the oldest unfinished job's height is done. */
  private checkpointHeight(): number {
    const oldest = Math.min(...this.inFlight.values(), ...this.abandoned);
    return Number.isFinite(oldest) ? oldest : this.lastSeenHeight;
  }

  private saveCheckpoint(): void {
    const height = this.checkpointHeight();
    for (const [id, h] of this.taken) if (h < height) this.taken.delete(id);
    this.opts.checkpoint.save(height);
  }

  /** Liveness for the health endpoint: the event watch, the checkpoint, the work. */
  status(): ConnectorStatus {
    const watch: EventWatchStatus = this.watch?.status() ?? {
      watching: false,
      lastEventHeight: undefined,
      lastPollAt: undefined,
      chainHeight: undefined,
      reconnects: 0,
      subscribedFromHeight: undefined,
      downSince: undefined,
      lastError: undefined,
    };
    return { partyId: this.opts.partyId, ...watch, checkpoint: this.checkpointHeight(), inFlight: this.inFlight.size, handled: { ...this.handled } };
  }

  /** One attempt. A first attempt also answers a request others already completed (late answers are accepted); a retry does not. */
  private async process(requestId: string, kind: HandledKind, job: JobState, attempt: number): Promise<GiveUp> {
    const log = this.opts.logger.child({ requestId, kind });
    const request = await getRequest(this.opts.chain, this.opts.asc, requestId);
    if (this.alreadyAnswered(request)) {
      this.handled.skipped += 1;
      log.debug('already answered by this party; skipping');
      return 'answered';
    }
    if (attempt > 1) {
      const stale = request.status !== 'pending' ? 'not_pending' : Number(request.expires_at) > 0 && Number(request.expires_at) < Date.now() / 1000 ? 'expired' : undefined;
      if (stale) {
        this.handled.given_up += 1;
        log.warn({ attempt, status: request.status, expiresAt: request.expires_at }, 'request is no longer pending or has expired; no more retries');
        return stale;
      }
    }
    const started = Date.now();
    job.response ??= await this.answer(kind, request);
    await this.post(requestId, job.response);
    this.handled[kind] += 1;
    log.info({ ms: Date.now() - started, attempt, outcome: Object.keys(job.response)[0] }, 'request fulfilled');
    return 'fulfilled';
  }

  private alreadyAnswered(request: RequestInfo): boolean {
    return request.responses.some((r) => r.party_id === this.opts.partyId);
  }

  private async keygen(requestId: string, preprocId?: string, fheParameters?: string, insecureDealerAllowed?: boolean): Promise<FulfillResponse> {
    await this.opts.core.startKeyGen(requestId, preprocId, fheParameters, insecureDealerAllowed);
    const r = await this.opts.core.keyGenResult(requestId, this.opts.jobTimeoutMs ?? 600_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    return {
      keygen: {
        public_key_digest: r.publicKeyDigest,
        public_key_uri: r.publicKeyUri,
        server_key_digest: r.serverKeyDigest,
        server_key_uri: r.serverKeyUri,
        signature: r.signature,
      },
    };
  }

  /** What the core says about `request`, as the ASC takes it. */
  private answer(kind: HandledKind, request: RequestInfo): Promise<FulfillResponse> {
    switch (kind) {
      case 'keygen':
        return this.keygen(request.request_id, request.keygen?.preproc_id, request.keygen?.fhe_parameters, request.keygen?.insecure_dealer_keys === true);
      case 'keygen_preproc':
        return this.keygenPreproc(request.request_id, request.keygen_preproc?.fhe_parameters);
      case 'decrypt':
        return this.decrypt(request);
      case 'user_decrypt':
        return this.userDecrypt(request);
      case 'crs_gen':
        return this.crsGen(request);
    }
  }

  /** Threshold cores agree on PRSS keys here (every party must take part); a centralized core records a marker. */
  private async keygenPreproc(requestId: string, fheParameters?: string): Promise<FulfillResponse> {
    await this.opts.core.startKeyGenPreproc(requestId, fheParameters);
    const r = await this.opts.core.keyGenPreprocResult(requestId, this.opts.jobTimeoutMs ?? 600_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    return { keygen_preproc: { signature: r.signature } };
  }

  private async decrypt(request: RequestInfo): Promise<FulfillResponse> {
    const params = request.decrypt;
    if (!params) throw new TkmsError('BAD_REQUEST', `request ${request.request_id} has no decrypt parameters`);
    const ciphertexts = (await this.fetchCiphertexts(params.ciphertexts)).map((c) => ({
      ciphertextHandle: c.ciphertext_handle,
      ciphertextDigest: c.ciphertext_digest,
      fheType: c.fhe_type,
      ciphertext: c.bytes,
    }));
    await this.opts.core.startDecrypt({
      requestId: request.request_id,
      keyId: params.key_id,
      fheType: '',
      ciphertextHandle: '',
      ciphertextDigest: '',
      ciphertext: new Uint8Array(),
      ciphertexts,
      ...(params.crs_id ? { crsId: params.crs_id } : {}),
      appId: params.app_id ?? 'default',
      requester: request.sender,
    });
    const r = await this.opts.core.decryptResult(request.request_id, this.opts.jobTimeoutMs ?? 120_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    if (r.keyCompromised) this.opts.logger.warn({ requestId: request.request_id, keyId: params.key_id }, 'decrypted under a compromised key');
    return { decrypt: { plaintexts: r.plaintexts, signature: r.signature } };
  }

  /**
   * The request's ciphertexts from the KV-store, unchecked (the core checks
   * digests); one missing goes as no bytes, and the core fails the request
   * with CIPHERTEXT_UNAVAILABLE.
   */
  private async fetchCiphertexts(refs: readonly CiphertextRef[]): Promise<(CiphertextRef & { bytes: Uint8Array })[]> {
    return Promise.all(refs.map(async (c) => ({ ...c, bytes: (await this.opts.ciphertexts(c.ciphertext_digest)) ?? new Uint8Array() })));
  }

  /** One core call for the whole batch. */
  private async userDecrypt(request: RequestInfo): Promise<FulfillResponse> {
    const params = request.user_decrypt;
    if (!params) throw new TkmsError('BAD_REQUEST', `request ${request.request_id} has no user_decrypt parameters`);
    const ciphertexts = (await this.fetchCiphertexts(params.ciphertexts)).map((c) => ({
      handle: c.ciphertext_handle,
      digest: c.ciphertext_digest,
      fheType: c.fhe_type,
      ciphertext: c.bytes,
    }));
    const d = params.eip712_domain;
    await this.opts.core.startUserDecrypt({
      requestId: request.request_id,
      keyId: params.key_id,
      ciphertexts,
      userPublicKey: Buffer.from(params.enc_key, 'hex'),
      clientAddress: params.client_address,
      eip712Domain: { name: d.name, version: d.version, chainId: BigInt(d.chain_id), verifyingContract: d.verifying_contract },
      appId: params.app_id ?? 'default',
      requester: request.sender,
      ...(params.crs_id ? { crsId: params.crs_id } : {}),
    });
    const r = await this.opts.core.userDecryptResult(request.request_id, this.opts.jobTimeoutMs ?? 300_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    return { user_decrypt: { signcryption: Buffer.from(r.signcryption).toString('hex'), eip712_signature: r.eip712Signature, signature: r.signature } };
  }

  private async crsGen(request: RequestInfo): Promise<FulfillResponse> {
    const bits = request.crs_gen?.max_num_bits;
    if (!bits) throw new TkmsError('BAD_REQUEST', `request ${request.request_id} has no crs_gen parameters`);
    await this.opts.core.startCrsGen(request.request_id, bits);
    const r = await this.opts.core.crsGenResult(request.request_id, this.opts.crsTimeoutMs ?? 600_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    return { crs_gen: { crs_digest: r.crsDigest, crs_uri: r.crsUri, signature: r.signature } };
  }

  private async post(requestId: string, response: FulfillResponse): Promise<void> {
    try {
      await fulfill(this.opts.chain, this.opts.asc, requestId, response);
    } catch (e) {
      // A fulfillment that raced with our own earlier one (e.g. before a crash) is fine.
      if (e instanceof Error && /already responded/.test(e.message)) return;
      throw e;
    }
  }
}

/** What survives between attempts at one request: the core's answer once it has one. */
interface JobState {
  response?: FulfillResponse;
}

/**
 * Worth another attempt: anything transient (core unreachable, busy, past the
 * job timeout; chain errors). Not: the core refusing the request itself
 * (INVALID_ARGUMENT…; its job-level refusals are signed failures, posted as
 * answers) and requests without parameters.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof CoreRpcError) return !err.fromCore || err.retryable || err.code === 'TIMEOUT';
  if (err instanceof TkmsError && err.code === 'BAD_REQUEST') return false;
  return true;
}

type HandledKind = 'keygen' | 'keygen_preproc' | 'decrypt' | 'user_decrypt' | 'crs_gen';
function isHandledKind(kind: string | undefined): kind is HandledKind {
  return kind === 'keygen' || kind === 'keygen_preproc' || kind === 'decrypt' || kind === 'user_decrypt' || kind === 'crs_gen';
}
