/**
 * @module core/service/config
 * The core's config file (JSON). Relative paths are resolved against the
 * directory of the config file; TLS entries may also hold the PEM text itself
 * (what in-process tests do).
 *
 * @example
 * {
 *   "partyId": 1,
 *   "listen": { "host": "127.0.0.1", "port": 50100 },
 *   "tls": { "ca": "tls/ca.crt", "cert": "tls/core-1.crt", "key": "tls/core-1.key", "requireClientCert": true },
 *   "storageDir": "storage",
 *   "publicStorage": { "host": "127.0.0.1", "port": 50200, "baseUrl": "http://127.0.0.1:50200" },
 *   "devMode": true,
 *   "logLevel": "info",
 *   "maxCiphertextBytes": 33554432
 * }
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CoreConfigError } from './errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_MAX_CIPHERTEXT_BYTES = 32 * 1024 * 1024;

export interface CoreTlsConfig {
  /** CA that signs connector (client) certificates: path or PEM text. */
  ca: string;
  /** This core's server certificate: path or PEM text. */
  cert: string;
  /** This core's private key: path or PEM text. */
  key: string;
  /** Mutual TLS; default true. */
  requireClientCert: boolean;
}

/** Public material on S3 instead of the local filesystem + HTTP server. */
export interface S3Config {
  endpoint: string;
  bucket: string;
  region?: string;
  /** Environment variables holding the credentials (never the config file). */
  accessKeyIdEnv: string;
  secretAccessKeyEnv: string;
}

/** Threshold backend: this core is one of n parties running MPC with the others. */
export interface ThresholdConfig {
  t: number;
  /** The party that generates and deals key sets (dealer phase). */
  dealerId: number;
  /** Every party, this one included: MPC endpoint and pinned certificate fingerprint (as registered in Config). */
  peers: { partyId: number; address: string; certFingerprint: string }[];
  /** Where this core's MPC server listens. */
  listen: { host: string; port: number };
  /** Per-round timeout of MPC sessions (default 2000 ms). */
  roundTimeoutMs?: number;
  /**
   * INSECURE: party `dealerId` makes the `default` and `fhevm` key sets in one
   * process and deals the big key (their distributed key generation takes
   * hours) — but only for keygen requests from a network whose Config has
   * `insecure_dealer_keys` (INSECURE test networks; a production network never
   * does, and the core then runs the DKG). Off by default: every key comes
   * from the DKG. `test-insecure` keys always come from the DKG.
   */
  insecureDealerKeygen?: boolean;
  /**
   * A keygen preprocessing whose common stored count has not grown for this
   * long fails with PREPROC_STALLED, naming the parties it waited for
   * (default 3,600,000: an hour; keygenPreprocessing.ts).
   */
  preprocessingStallTimeoutMs?: number;
}

export interface CoreConfig {
  /** 1-based party id; names storage prefixes `PRIV-p{id}` / `PUB-p{id}`. */
  partyId: number;
  /** gRPC listen address; port 0 picks a free port. */
  listen: { host: string; port: number };
  tls: CoreTlsConfig;
  /** Root of private and public storage. */
  storageDir: string;
  /**
   * Static HTTP server for public storage. `baseUrl` is what goes into public
   * material URIs (default `http://<host>:<port>`); port 0 picks a free port.
   */
  publicStorage: { host: string; port: number; baseUrl?: string; s3?: S3Config };
  /** Key material in clear on disk only when true. */
  devMode: boolean;
  /** Job starts per second before RESOURCE_EXHAUSTED (default rateLimit.ts DEFAULT_RATE_LIMIT). */
  rateLimit?: { jobsPerSecond: number; burst: number };
  /** Absent: centralized backend (the whole key in this core). */
  threshold?: ThresholdConfig;
  /** Where the vault key comes from when devMode is false (see vault.ts). */
  vault?: { keyFile?: string; keyEnv?: string };
  logLevel: LogLevel;
  /** Largest ciphertext accepted by Decrypt (default 32 MiB). */
  maxCiphertextBytes: number;
  /** Prometheus `/metrics` on this port when set (0 picks a free port). */
  metricsPort?: number;
}

/** PEM text of the TLS material, read from disk where the config holds paths. */
export interface TlsPem {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function fail(field: string, expected: string): never {
  throw new CoreConfigError(`invalid core config: "${field}" must be ${expected}`, { details: `field ${field}` });
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'an object');
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(field, 'a non-empty string');
  return v;
}

function port(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) fail(field, 'an integer port in 0..65535');
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') fail(field, 'a boolean');
  return v;
}

const isPem = (s: string) => s.trimStart().startsWith('-----BEGIN');

/**
 * Validates a parsed config object; relative paths resolve against `baseDir`.
 * Throws `CoreConfigError` naming the first bad field.
 */
export function parseCoreConfig(raw: unknown, baseDir = process.cwd()): CoreConfig {
  const c = obj(raw, '(root)');
  const partyId = c.partyId;
  if (typeof partyId !== 'number' || !Number.isInteger(partyId) || partyId < 1 || partyId > 255) fail('partyId', 'an integer in 1..255');
  const listen = obj(c.listen, 'listen');
  const tls = obj(c.tls, 'tls');
  const pub = obj(c.publicStorage, 'publicStorage');
  const resolveFile = (s: string) => (isPem(s) ? s : path.resolve(baseDir, s));
  if (typeof c.devMode !== 'boolean') fail('devMode', 'a boolean');
  const logLevel = c.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly unknown[]).includes(logLevel)) fail('logLevel', `one of ${LOG_LEVELS.join(', ')}`);
  const max = c.maxCiphertextBytes ?? DEFAULT_MAX_CIPHERTEXT_BYTES;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1024 * 1024 * 1024) fail('maxCiphertextBytes', 'an integer in 1..2^30');
  const requireClientCert = tls.requireClientCert ?? true;
  if (typeof requireClientCert !== 'boolean') fail('tls.requireClientCert', 'a boolean');
  const baseUrl = pub.baseUrl === undefined ? undefined : str(pub.baseUrl, 'publicStorage.baseUrl').replace(/\/+$/, '');
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) fail('publicStorage.baseUrl', 'an http(s) URL');
  const config: CoreConfig = {
    partyId,
    listen: { host: str(listen.host ?? '127.0.0.1', 'listen.host'), port: port(listen.port, 'listen.port') },
    tls: {
      ca: resolveFile(str(tls.ca, 'tls.ca')),
      cert: resolveFile(str(tls.cert, 'tls.cert')),
      key: resolveFile(str(tls.key, 'tls.key')),
      requireClientCert,
    },
    storageDir: path.resolve(baseDir, str(c.storageDir, 'storageDir')),
    publicStorage: {
      host: str(pub.host ?? '127.0.0.1', 'publicStorage.host'),
      port: port(pub.port, 'publicStorage.port'),
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(pub.s3 !== undefined ? { s3: parseS3(obj(pub.s3, 'publicStorage.s3')) } : {}),
    },
    devMode: c.devMode,
    logLevel: logLevel as LogLevel,
    maxCiphertextBytes: max,
  };
  if (c.metricsPort !== undefined) config.metricsPort = port(c.metricsPort, 'metricsPort');
  if (c.threshold !== undefined) config.threshold = parseThreshold(obj(c.threshold, 'threshold'), partyId);
  if (c.rateLimit !== undefined) {
    const r = obj(c.rateLimit, 'rateLimit');
    const pos = (v: unknown, f: string): number => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : fail(f, 'a positive number'));
    config.rateLimit = { jobsPerSecond: pos(r.jobsPerSecond, 'rateLimit.jobsPerSecond'), burst: pos(r.burst, 'rateLimit.burst') };
  }
  if (c.vault !== undefined) {
    const v = obj(c.vault, 'vault');
    config.vault = {
      ...(v.keyFile !== undefined ? { keyFile: path.resolve(baseDir, str(v.keyFile, 'vault.keyFile')) } : {}),
      ...(v.keyEnv !== undefined ? { keyEnv: str(v.keyEnv, 'vault.keyEnv') } : {}),
    };
  }
  if (!config.devMode && !config.vault?.keyFile && !config.vault?.keyEnv) fail('vault', 'set (keyFile or keyEnv) when devMode is false');
  return config;
}

function parseThreshold(th: Record<string, unknown>, partyId: number): ThresholdConfig {
  const int = (v: unknown, f: string, min: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(f, `an integer ≥ ${min}`));
  if (!Array.isArray(th.peers)) fail('threshold.peers', 'an array');
  const peers = (th.peers as unknown[]).map((raw, i) => {
    const p = obj(raw, `threshold.peers[${i}]`);
    const fp = str(p.certFingerprint, `threshold.peers[${i}].certFingerprint`).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(fp)) fail(`threshold.peers[${i}].certFingerprint`, 'a SHA-256 hex fingerprint');
    return { partyId: int(p.partyId, `threshold.peers[${i}].partyId`, 1), address: str(p.address, `threshold.peers[${i}].address`), certFingerprint: fp };
  });
  const ids = peers.map((p) => p.partyId).sort((a, b) => a - b);
  if (ids.some((id, i) => id !== i + 1)) fail('threshold.peers', 'parties 1..n, each once');
  if (!ids.includes(partyId)) fail('threshold.peers', `to include this party (${partyId})`);
  const t = int(th.t, 'threshold.t', 0);
  if (peers.length < 3 * t + 1) fail('threshold.t', `such that n ≥ 3t+1 (n = ${peers.length})`);
  const listen = obj(th.listen, 'threshold.listen');
  return {
    t,
    dealerId: int(th.dealerId ?? 1, 'threshold.dealerId', 1),
    peers,
    listen: { host: str(listen.host ?? '127.0.0.1', 'threshold.listen.host'), port: port(listen.port, 'threshold.listen.port') },
    ...(th.roundTimeoutMs !== undefined ? { roundTimeoutMs: int(th.roundTimeoutMs, 'threshold.roundTimeoutMs', 1) } : {}),
    ...(th.insecureDealerKeygen !== undefined ? { insecureDealerKeygen: bool(th.insecureDealerKeygen, 'threshold.insecureDealerKeygen') } : {}),
    ...(th.preprocessingStallTimeoutMs !== undefined ? { preprocessingStallTimeoutMs: int(th.preprocessingStallTimeoutMs, 'threshold.preprocessingStallTimeoutMs', 1000) } : {}),
  };
}

function parseS3(s3: Record<string, unknown>): S3Config {
  const endpoint = str(s3.endpoint, 'publicStorage.s3.endpoint');
  if (!/^https?:\/\//.test(endpoint)) fail('publicStorage.s3.endpoint', 'an http(s) URL');
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    bucket: str(s3.bucket, 'publicStorage.s3.bucket'),
    ...(s3.region !== undefined ? { region: str(s3.region, 'publicStorage.s3.region') } : {}),
    accessKeyIdEnv: str(s3.accessKeyIdEnv ?? 'AWS_ACCESS_KEY_ID', 'publicStorage.s3.accessKeyIdEnv'),
    secretAccessKeyEnv: str(s3.secretAccessKeyEnv ?? 'AWS_SECRET_ACCESS_KEY', 'publicStorage.s3.secretAccessKeyEnv'),
  };
}

/** Reads and validates a JSON config file. */
export function loadCoreConfig(file: string): CoreConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CoreConfigError(`cannot read core config ${file}`, { cause: e, details: (e as Error).message });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CoreConfigError(`core config ${file} is not valid JSON`, { cause: e, details: (e as Error).message });
  }
  return parseCoreConfig(raw, path.dirname(path.resolve(file)));
}

/** Loads the PEM text named by a TLS config (inline PEM passes through). */
export function readTlsPem(tls: CoreTlsConfig): TlsPem {
  const read = (field: string, v: string) => {
    if (isPem(v)) return v;
    try {
      return readFileSync(v, 'utf8');
    } catch (e) {
      throw new CoreConfigError(`cannot read tls.${field} (${v})`, { cause: e, details: (e as Error).message });
    }
  };
  return { caPem: read('ca', tls.ca), certPem: read('cert', tls.cert), keyPem: read('key', tls.key) };
}
