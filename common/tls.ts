/**
 * @module common/tls
 * Development PKI: a self-signed CA and the leaf certificates (ECDSA P-256,
 * SHA-256) that give each core a server certificate and each connector a
 * client certificate, so every core connection is mutual TLS. The localnet and
 * `make start` call it once and reuse the files (PEM) afterwards.
 *
 * @example
 * const ca = await createCa('tkms-localnet-ca');
 * const core1 = await issueCert(ca, { commonName: 'core-1' });
 * writeTlsMaterial('.state/tls', { ca, leaves: { 'core-1': core1 } });
 */
// tsyringe (used inside @peculiar/x509) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** A certificate and its private key, both PEM (key as PKCS#8). */
export interface TlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA: its certificate and key (keep the key only where certificates are issued). */
export type CertificateAuthority = TlsIdentity & { readonly name: string };

export interface IssueCertParameters {
  commonName: string;
  /** Default `['localhost']`. */
  dnsNames?: string[];
  /** Default `['127.0.0.1']`. */
  ipAddresses?: string[];
  /** Default 365. */
  validDays?: number;
}

function toPemKey(pkcs8: ArrayBuffer): string {
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // Backdated by an hour so clock skew between processes cannot make a fresh cert "not yet valid".
  const now = Date.now();
  return { notBefore: new Date(now - 3600 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** Creates a self-signed CA certificate (10 years) with a fresh P-256 key. */
export async function createCa(name: string, validDays = 3650): Promise<CertificateAuthority> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${escapeDn(name)}`,
    keys: keys as never,
    signingAlgorithm: EC_ALG,
    ...validity(validDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { name, certPem: cert.toString('pem'), keyPem: toPemKey(pkcs8) };
}

/**
 * Issues a leaf certificate signed by `ca`, valid for both server and client
 * authentication (one identity per process is enough for mutual TLS).
 */
export async function issueCert(ca: CertificateAuthority, params: IssueCertParameters): Promise<TlsIdentity> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), EC_ALG, false, ['sign']);
  const keys = await newKeyPair();
  const names: x509.JsonGeneralName[] = [
    ...(params.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(params.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${escapeDn(params.commonName)}`,
    issuer: caCert.subject,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    signingAlgorithm: EC_ALG,
    ...validity(params.validDays ?? 365),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: toPemKey(pkcs8) };
}

export interface TlsMaterial {
  ca: CertificateAuthority;
  /** Leaf identities by file stem, e.g. `core-1` → `core-1.crt`, `core-1.key`. */
  leaves: Record<string, TlsIdentity>;
}

export interface TlsFilePaths {
  ca: string;
  caKey: string;
  leaves: Record<string, { cert: string; key: string }>;
}

function writeAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

/**
 * Writes `ca.crt`, `ca.key` and `<name>.crt` / `<name>.key` for each leaf into
 * `dir` (private keys with mode 0600) and returns the paths.
 */
export function writeTlsMaterial(dir: string, material: TlsMaterial): TlsFilePaths {
  mkdirSync(dir, { recursive: true });
  const out: TlsFilePaths = { ca: path.join(dir, 'ca.crt'), caKey: path.join(dir, 'ca.key'), leaves: {} };
  writeAtomic(out.ca, material.ca.certPem, 0o644);
  writeAtomic(out.caKey, material.ca.keyPem, 0o600);
  for (const [name, id] of Object.entries(material.leaves)) {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new RangeError(`invalid TLS file name "${name}"`);
    const paths = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
    writeAtomic(paths.cert, id.certPem, 0o644);
    writeAtomic(paths.key, id.keyPem, 0o600);
    out.leaves[name] = paths;
  }
  return out;
}

/** Reads back a CA written by `writeTlsMaterial` (to issue more leaves later). */
export function readCa(dir: string, name = 'tkms-ca'): CertificateAuthority {
  return {
    name,
    certPem: readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    keyPem: readFileSync(path.join(dir, 'ca.key'), 'utf8'),
  };
}
