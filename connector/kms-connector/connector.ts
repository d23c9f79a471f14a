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
 * Key states: a `KeyStateSync` (keyStateSync.ts) mirrors the ASC's key
 * lifecycle into the core.
 *
 * Fees: the ASC owes the party a share of every request it helped complete; the
 * connector collects them with `claim` every `claimIntervalMs` when something is
 * owed.
 */
import type { Logger } from 'pino';
import type { ChainEvent, KmsChainClient, Subscription } from '../../chain/client.js';
import { ASC_EVENTS, type FulfillResponse, type RequestInfo } from '../../chain/asc/messages.js';
import { claimFees, fulfill, getClaimable, getRequest } from '../../chain/asc/actions.js';
import type { DecryptResult, KeyGenResult } from '../../proto/gen/tkms/core/v1/core.js';
import type { CoreCrsGenResult, CoreKeyGenPreprocResult, CoreUserDecryptParameters, CoreUserDecryptResult } from '../../core/client/coreClient.js';
import { TkmsError } from '../../common/errors.js';
import type { Checkpoint } from './checkpoint.js';
import { KeyStateSync, type KeyStatePort } from './keyStateSync.js';

/** The slice of the core API the connector needs (see core/client). */
export interface CorePort extends KeyStatePort {
  /** `preprocId`: the keygen_preproc request the ASC keygen named (RequestInfo.keygen.preproc_id). */
  startKeyGen(requestId: string, preprocId?: string): Promise<void>;
  startKeyGenPreproc(requestId: string): Promise<void>;
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
}

export class KmsConnector {
  private sub: Subscription | undefined;
  private readonly inFlight = new Map<string, number>();
  private lastSeenHeight = 0;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;
  private claimTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private keyStates: KeyStateSync | undefined;
  readonly handled = { keygen: 0, keygen_preproc: 0, decrypt: 0, user_decrypt: 0, crs_gen: 0, skipped: 0, failed: 0, claims: 0 };

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
    this.sub = this.opts.chain.watchEvents({ contract: this.opts.asc, eventType: ASC_EVENTS.request }, from, (e) => this.onEvent(e));
    this.sub.done.catch((err: unknown) => this.opts.logger.error({ err }, 'event subscription failed'));
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
    clearInterval(this.claimTimer);
    await this.claiming;
    await this.keyStates?.stop();
    this.sub?.close();
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  private async onEvent(e: ChainEvent): Promise<void> {
    const requestId = e.attributes['request_id'];
    const kind = e.attributes['kind'];
    if (!requestId || !isHandledKind(kind)) return;
    this.lastSeenHeight = Math.max(this.lastSeenHeight, e.height);
    await this.slot();
    if (this.stopped) return;
    this.inFlight.set(requestId, e.height);
    this.saveCheckpoint();
    // Not awaited: events keep flowing while jobs run, bounded by `concurrency`.
    void this.process(requestId, kind)
      .catch((err: unknown) => {
        this.handled.failed += 1;
        this.opts.logger.error({ err, requestId }, 'request handling failed; it will be retried after a restart');
      })
      .finally(() => {
        this.inFlight.delete(requestId);
        this.saveCheckpoint();
        this.waiting.shift()?.();
      });
  }

  private async slot(): Promise<void> {
    while (this.inFlight.size >= (this.opts.concurrency ?? 16)) await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Everything below the oldest unfinished job's height is done. */
  private saveCheckpoint(): void {
    const oldest = Math.min(...this.inFlight.values());
    this.opts.checkpoint.save(Number.isFinite(oldest) ? oldest : this.lastSeenHeight);
  }

  private async process(requestId: string, kind: HandledKind): Promise<void> {
    const log = this.opts.logger.child({ requestId, kind });
    const request = await getRequest(this.opts.chain, this.opts.asc, requestId);
    if (this.alreadyAnswered(request)) {
      this.handled.skipped += 1;
      log.debug('already answered by this party; skipping');
      return;
    }
    const started = Date.now();
    const response =
      kind === 'keygen' ? await this.keygen(requestId, request.keygen?.preproc_id) : kind === 'keygen_preproc' ? await this.keygenPreproc(requestId) : kind === 'decrypt' ? await this.decrypt(request) : await this.userDecryptOrCrs(kind, request);
    await this.post(requestId, response);
    this.handled[kind] += 1;
    log.info({ ms: Date.now() - started, outcome: Object.keys(response)[0] }, 'request fulfilled');
  }

  private alreadyAnswered(request: RequestInfo): boolean {
    return request.responses.some((r) => r.party_id === this.opts.partyId);
  }

  private async keygen(requestId: string, preprocId?: string): Promise<FulfillResponse> {
    await this.opts.core.startKeyGen(requestId, preprocId);
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

  /** Threshold cores agree on PRSS keys here (every party must take part); a centralized core records a marker. */
  private async keygenPreproc(requestId: string): Promise<FulfillResponse> {
    await this.opts.core.startKeyGenPreproc(requestId);
    const r = await this.opts.core.keyGenPreprocResult(requestId, this.opts.jobTimeoutMs ?? 600_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    return { keygen_preproc: { signature: r.signature } };
  }

  private async decrypt(request: RequestInfo): Promise<FulfillResponse> {
    const params = request.decrypt;
    if (!params) throw new TkmsError('BAD_REQUEST', `request ${request.request_id} has no decrypt parameters`);
    // A ciphertext missing from the KV-store goes as no bytes: the core fails the request (CIPHERTEXT_UNAVAILABLE).
    const ciphertexts = await Promise.all(
      params.ciphertexts.map(async (c) => ({
        ciphertextHandle: c.ciphertext_handle,
        ciphertextDigest: c.ciphertext_digest,
        fheType: c.fhe_type,
        ciphertext: (await this.opts.ciphertexts(c.ciphertext_digest)) ?? new Uint8Array(),
      })),
    );
    await this.opts.core.startDecrypt({
      requestId: request.request_id,
      keyId: params.key_id,
      fheType: '',
      ciphertextHandle: '',
      ciphertextDigest: '',
      ciphertext: new Uint8Array(),
      ciphertexts,
      ...(params.crs_id ? { crsId: params.crs_id } : {}),
    });
    const r = await this.opts.core.decryptResult(request.request_id, this.opts.jobTimeoutMs ?? 120_000);
    if (r.failure) return { failure: { reason: r.failure.reason, signature: r.signature } };
    if (r.keyCompromised) this.opts.logger.warn({ requestId: request.request_id, keyId: params.key_id }, 'decrypted under a compromised key');
    return { decrypt: { plaintexts: r.plaintexts, signature: r.signature } };
  }

  private async userDecryptOrCrs(kind: 'user_decrypt' | 'crs_gen', request: RequestInfo): Promise<FulfillResponse> {
    return kind === 'user_decrypt' ? this.userDecrypt(request) : this.crsGen(request);
  }

  /** One core call for the whole batch; ciphertexts come from the KV-store, unchecked (the core checks digests). */
  private async userDecrypt(request: RequestInfo): Promise<FulfillResponse> {
    const params = request.user_decrypt;
    if (!params) throw new TkmsError('BAD_REQUEST', `request ${request.request_id} has no user_decrypt parameters`);
    const ciphertexts = await Promise.all(
      params.ciphertexts.map(async (c) => ({
        handle: c.ciphertext_handle,
        digest: c.ciphertext_digest,
        fheType: c.fhe_type,
        ciphertext: (await this.opts.ciphertexts(c.ciphertext_digest)) ?? new Uint8Array(),
      })),
    );
    const d = params.eip712_domain;
    await this.opts.core.startUserDecrypt({
      requestId: request.request_id,
      keyId: params.key_id,
      ciphertexts,
      userPublicKey: Buffer.from(params.enc_key, 'hex'),
      clientAddress: params.client_address,
      eip712Domain: { name: d.name, version: d.version, chainId: BigInt(d.chain_id), verifyingContract: d.verifying_contract },
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

type HandledKind = 'keygen' | 'keygen_preproc' | 'decrypt' | 'user_decrypt' | 'crs_gen';
function isHandledKind(kind: string | undefined): kind is HandledKind {
  return kind === 'keygen' || kind === 'keygen_preproc' || kind === 'decrypt' || kind === 'user_decrypt' || kind === 'crs_gen';
}
