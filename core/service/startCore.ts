/**
 * @module core/service/startCore
 * Boots a centralized core from its config: storage, signer, keys, the public
 * storage HTTP server, the gRPC server over (mutual) TLS and, optionally,
 * Prometheus metrics. `main.ts` is a thin CLI around it; tests call it in-process.
 *
 * @example
 * const core = await startCore(loadCoreConfig('core-1.json'));
 * console.log(core.grpcAddress, core.signerPubkey);
 * await core.close();
 */
import { mkdir } from 'node:fs/promises';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { CoreServiceService } from '../../proto/gen/tkms/core/v1/core.js';
import { KmsCore } from './kmsCore.js';
import { readTlsPem, type CoreConfig } from './config.js';
import { defaultEngine, withKeyGenWorker, type CoreEngine } from './engine.js';
import { createCoreServiceImpl } from './grpcService.js';
import { createCoreMetrics, serveMetrics, type CoreMetrics } from './metrics.js';
import { startPublicStorageServer } from './publicStorageServer.js';
import { loadOrCreateSigner } from './signer.js';
import { FileStorage, privatePrefix, publicPrefix, type ObjectStorage, type PublicStorage } from './storage.js';
import { S3PublicStorage } from './s3Storage.js';
import { DEFAULT_RATE_LIMIT, TokenBucket } from './rateLimit.js';
import { centralizedBackend, type KeyBackend } from './keyBackend.js';
import { PeerTransport } from './mpc/peerTransport.js';
import { thresholdBackend } from './threshold/thresholdBackend.js';
import type { RealRobustOpen } from '../engine/mpc/sharing/robustOpen.js';
import type { S3Config } from './config.js';
import { CoreConfigError } from './errors.js';
import { VaultStorage, loadVaultKey } from './vault.js';
import { TfheZkServer } from './zk/tfheZkServer.js';
import { generateCrs as generateNativeCrs } from './zk/tfheZkTool.js';
import { CRS_PKE_PARAMETERS, checkCrsNumBits } from '../engine/index.js';

/**
 * CRSs from the native tool when it is built: the same tfhe-rs 1.7 CRS
 * (node-tfhe loads it) in ~15 s at 2048 bits instead of ~90 s of WASM.
 */
function withNativeCrs(e: CoreEngine, native: boolean): CoreEngine {
  if (!native) return e;
  return {
    ...e,
    name: `${e.name}, CRS by tkms-tfhe-zk`,
    generateCrs: async (maxNumBits) => {
      checkCrsNumBits(maxNumBits);
      return { crs: await generateNativeCrs(maxNumBits), maxNumBits, parameters: CRS_PKE_PARAMETERS };
    },
  };
}

export interface StartCoreOptions {
  /** Defaults to core/engine, with key and CRS generation in a worker thread. */
  engine?: CoreEngine;
  /** Defaults to a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /**
   * Replaces the key backend built from the config, given that one. Tests use
   * it to run a misbehaving party (test/adversary); a deployment never does.
   */
  wrapKeyBackend?: (backend: KeyBackend) => KeyBackend;
  /** Test-only: the threshold backend's opening protocol (an adversary's, test/adversary). */
  mpcOpener?: RealRobustOpen;
}

export interface RunningCore {
  readonly partyId: number;
  /** `host:port` to give `connectCore`. */
  readonly grpcAddress: string;
  readonly grpcPort: number;
  /** Base URL of public storage, e.g. `http://127.0.0.1:50200`. */
  readonly publicStorageUrl: string;
  readonly signerPubkey: string;
  readonly metricsPort: number | undefined;
  /** Name of the FHE engine in use. */
  readonly engine: string;
  readonly core: KmsCore;
  readonly metrics: CoreMetrics;
  /** Stops accepting calls, lets running ones finish (up to `graceMs`), closes servers. */
  close(graceMs?: number): Promise<void>;
}

function s3Storage(c: S3Config, prefix: string): S3PublicStorage {
  const accessKeyId = process.env[c.accessKeyIdEnv];
  const secretAccessKey = process.env[c.secretAccessKeyEnv];
  if (!accessKeyId || !secretAccessKey) {
    throw new CoreConfigError(`S3 public storage needs credentials in $${c.accessKeyIdEnv} and $${c.secretAccessKeyEnv}`);
  }
  return new S3PublicStorage({ endpoint: c.endpoint, bucket: c.bucket, prefix, ...(c.region ? { region: c.region } : {}), credentials: { accessKeyId, secretAccessKey } });
}

export function createCoreLogger(config: Pick<CoreConfig, 'logLevel' | 'partyId'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'tkms-core', party: config.partyId } });
}

export async function startCore(config: CoreConfig, options: StartCoreOptions = {}): Promise<RunningCore> {
  const logger = options.logger ?? createCoreLogger(config);
  const tls = readTlsPem(config.tls);
  await mkdir(config.storageDir, { recursive: true });
  const s3 = config.publicStorage.s3 ? s3Storage(config.publicStorage.s3, publicPrefix(config.partyId)) : undefined;
  const pub: PublicStorage = s3 ?? new FileStorage(config.storageDir, publicPrefix(config.partyId));
  const clearPriv = new FileStorage(config.storageDir, privatePrefix(config.partyId));
  let priv: ObjectStorage;
  if (config.devMode) {
    logger.warn('dev mode: private key material is stored in clear on disk');
    priv = clearPriv;
  } else {
    priv = await VaultStorage.open(clearPriv, loadVaultKey(config.vault ?? {}));
    logger.info({ vault: clearPriv.dir }, 'private storage sealed under the vault key');
  }
  const { signer, created } = await loadOrCreateSigner(priv, pub);
  logger.info({ signerPubkey: signer.publicKeyHex, created }, created ? 'signer key created' : 'signer key loaded');

  const cleanup: Array<() => Promise<void>> = [];
  // Proven inputs need the native tfhe-zk tool (`make tfhe-zk`): one long-lived
  // process that keeps each key's server key decompressed. Without it the core
  // still runs and refuses proof requests with PROOF_UNSUPPORTED.
  let zk: TfheZkServer | undefined;
  try {
    zk = new TfheZkServer();
    const server = zk;
    cleanup.push(() => server.close());
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'tkms-tfhe-zk not found: proofs of encryption cannot be verified');
  }
  const engine = options.engine ?? withNativeCrs(withKeyGenWorker(defaultEngine), zk !== undefined);
  logger.info({ engine: engine.name, proofs: zk !== undefined }, 'engine loaded');
  const metrics = createCoreMetrics(config.partyId, config.metricsPort !== undefined);

  let baseUrl: string;
  // Set once the core exists: the public server serves its jobs' progress.
  let progressOf: ((requestId: string) => object | undefined) | undefined;
  let publicUri: (dataType: string, id: string) => string;
  if (s3) {
    baseUrl = `${config.publicStorage.s3!.endpoint}/${config.publicStorage.s3!.bucket}`;
    publicUri = (dataType, id) => s3.uri(dataType, id);
    cleanup.push(async () => s3.close());
  } else {
    const publicServer = await startPublicStorageServer({ root: config.storageDir, host: config.publicStorage.host, port: config.publicStorage.port, logger, progress: () => progressOf });
    baseUrl = config.publicStorage.baseUrl ?? publicServer.url;
    publicUri = (dataType, id) => `${baseUrl}/${pub.prefix}/${dataType}/${id}`;
    cleanup.push(() => publicServer.close());
  }
  try {
    let keyBackend: KeyBackend | undefined;
    let closeTransport: (() => Promise<void>) | undefined;
    if (config.threshold) {
      const th = config.threshold;
      const transport = await PeerTransport.start({
        partyId: config.partyId,
        peers: th.peers,
        tls: { caPem: tls.caPem, certPem: tls.certPem, keyPem: tls.keyPem },
        listen: th.listen,
        ...(th.roundTimeoutMs ? { timeoutMs: th.roundTimeoutMs } : {}),
        logger,
      });
      closeTransport = () => transport.close();
      keyBackend = thresholdBackend({
        transport,
        t: th.t,
        dealerId: th.dealerId,
        engine,
        logger,
        ...(th.roundTimeoutMs ? { roundTimeoutMs: th.roundTimeoutMs } : {}),
        ...(options.mpcOpener ? { opener: options.mpcOpener } : {}),
        ...(th.insecureDealerKeygen ? { insecureDealerKeygen: true } : {}),
        ...(th.preprocessingStallTimeoutMs ? { preprocessingStallTimeoutMs: th.preprocessingStallTimeoutMs } : {}),
      });
      logger.info({ n: th.peers.length, t: th.t, mpc: `${th.listen.host}:${transport.port}` }, 'threshold backend: MPC peers over mutual TLS');
      if (th.insecureDealerKeygen) {
        logger.warn({ dealer: th.dealerId, devMode: config.devMode }, 'INSECURE: threshold.insecureDealerKeygen is on: on a network whose Config has insecure_dealer_keys, party %d makes default and fhevm key sets alone and deals them (elsewhere, and for test-insecure, keys come from the DKG)', th.dealerId);
      }
    }
    if (options.wrapKeyBackend) keyBackend = options.wrapKeyBackend(keyBackend ?? centralizedBackend(engine));
    const core = await KmsCore.open({
      partyId: config.partyId,
      engine,
      ...(keyBackend ? { keyBackend } : {}),
      privateStorage: priv,
      publicStorage: pub,
      signer,
      logger,
      metrics,
      maxCiphertextBytes: config.maxCiphertextBytes,
      devMode: config.devMode,
      publicUri,
      ...(zk ? { provenInputs: zk } : {}),
    });
    progressOf = (requestId) => core.jobProgress(requestId);
    cleanup.unshift(() => core.close());
    // MPC peers go first: a job waiting on a peer is released rather than holding shutdown for its timeout.
    if (closeTransport) cleanup.unshift(closeTransport);

    // Room for the largest ciphertext plus the rest of the DecryptRequest.
    const maxMsg = config.maxCiphertextBytes + 1024 * 1024;
    const server = new Server({ 'grpc.max_receive_message_length': maxMsg, 'grpc.max_send_message_length': 16 * 1024 * 1024 });
    server.addService(CoreServiceService, createCoreServiceImpl(core, logger, metrics, new TokenBucket(config.rateLimit ?? DEFAULT_RATE_LIMIT)));
    const creds = ServerCredentials.createSsl(
      Buffer.from(tls.caPem),
      [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }],
      config.tls.requireClientCert,
    );
    const grpcPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${config.listen.host}:${config.listen.port}`, creds, (e, p) => (e ? reject(e) : resolve(p))),
    );
    cleanup.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.tryShutdown(() => resolve());
        }),
    );

    let metricsServer: { port: number; close(): Promise<void> } | undefined;
    if (config.metricsPort !== undefined) {
      metricsServer = await serveMetrics(metrics, config.listen.host, config.metricsPort);
      cleanup.push(() => metricsServer!.close());
    }
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
    logger.info(
      { grpc: `${host}:${grpcPort}`, publicStorage: baseUrl, mutualTls: config.tls.requireClientCert, metricsPort: metricsServer?.port, keys: core.keyIds().length },
      'core listening',
    );

    let closed: Promise<void> | undefined;
    return {
      partyId: config.partyId,
      grpcAddress: `${host}:${grpcPort}`,
      grpcPort,
      publicStorageUrl: baseUrl,
      signerPubkey: signer.publicKeyHex,
      metricsPort: metricsServer?.port,
      engine: engine.name,
      core,
      metrics,
      close(graceMs = 10_000) {
        closed ??= (async () => {
          logger.info('core shutting down');
          const all = (async () => {
            for (const c of cleanup) await c().catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'shutdown step failed'));
          })();
          let t: NodeJS.Timeout | undefined;
          await Promise.race([all, new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
          clearTimeout(t);
          server.forceShutdown();
          logger.info('core stopped');
        })();
        return closed;
      },
    };
  } catch (e) {
    for (const c of cleanup) await c().catch(() => undefined);
    throw e;
  }
}
