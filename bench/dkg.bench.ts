/**
 * @module bench/dkg
 * Distributed key generation at (4,1), each party its own process over gRPC
 * with pinned mutual TLS on loopback: preprocessing (random bits and triples
 * in chunks, stored) and online (mask expansion, key products, noise, opening
 * every body, assembly) timed separately; bytes each party sent in each phase
 * (PeerTransport's count); peak memory (max RSS) per party. Every party must
 * publish the same key set, or the run fails.
 *
 *   node dist/bench/dkg.bench.js                         # test-insecure (make bench)
 *   node dist/bench/dkg.bench.js --params default        # the real set: hours (make bench-dkg)
 *   node dist/bench/dkg.bench.js --params default --max-chunks 40   # rate over 40 chunks, projected
 *   node dist/bench/dkg.bench.js --params default --online-only     # the online phase alone (below)
 *
 * `--online-only` (BENCHMARK ONLY, INSECURE): the online phase on bits and
 * triples dealt from a public seed (bench/_dkgParty.ts), so the online cost
 * of a set whose preprocessing takes hours is measured in one run; the bench
 * then checks the key set at full size: node-tfhe encrypts under the public
 * key, tfhe-rs adds with the server key, and the result decrypts under the
 * big key (which the public seed determines: that is why these keys protect
 * nothing).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as tfhe from 'node-tfhe';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCa, issueCert } from '../common/tls.js';
import { isFheParameterSet, type FheParameterSet } from '../core/engine/index.js';
import { certFingerprint, type PeerInfo } from '../core/service/mpc/peerTransport.js';
import { freePort } from '../localnet/processes.js';
import { printMachine, recordResults, type BenchResult } from './_results.js';
import { encryptWithPublicKey, parameterProfile, parseCiphertext } from '../core/engine/index.js';
import { seededRng } from '../core/engine/mpc/algebra/random.js';
import { decryptCiphertext } from '../core/engine/tfhe/decrypt.js';
import { lweSecretKeyFromBits } from '../core/engine/tfhe/clientKey.js';
import { compute, expand } from '../core/service/zk/tfheZkTool.js';
import type { DkgPartyConfig, DkgPartyReport } from './_dkgParty.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const parameters = (flag('--params') ?? 'test-insecure') as FheParameterSet;
if (!isFheParameterSet(parameters)) throw new Error(`unknown parameter set ${parameters}`);
const maxChunks = flag('--max-chunks') === undefined ? undefined : Number(flag('--max-chunks'));
const onlineOnly = args.includes('--online-only');
if (onlineOnly && maxChunks !== undefined) throw new Error('--online-only and --max-chunks exclude each other');
const n = 4;
const t = 1;

printMachine();
console.log(
  `DKG at (${n},${t}), ${parameters}${maxChunks === undefined ? '' : `, first ${maxChunks} preprocessing chunks only`}${onlineOnly ? ', online phase only (BENCHMARK ONLY: dealt preprocessing, INSECURE keys)' : ''}: one process per party`,
);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-bench-dkg-'));
const ca = await createCa('bench-dkg-ca');
const ids = await Promise.all(Array.from({ length: n }, (_, i) => issueCert(ca, { commonName: `party-${i + 1}` })));
const ports = await Promise.all(ids.map(() => freePort()));
const peers: PeerInfo[] = ids.map((id, i) => ({ partyId: i + 1, address: `127.0.0.1:${ports[i]}`, certFingerprint: certFingerprint(id.certPem) }));
const script = fileURLToPath(new URL('./_dkgParty.js', import.meta.url));
const t0 = Date.now();
const reports = await Promise.all(
  ids.map(
    (id, i) =>
      new Promise<DkgPartyReport>((resolve, reject) => {
        const config: DkgPartyConfig = { partyId: i + 1, t, peers, tls: { caPem: ca.certPem, certPem: id.certPem, keyPem: id.keyPem }, port: ports[i]!, parameters, dir, ...(maxChunks === undefined ? {} : { maxChunks }), ...(onlineOnly ? { onlineOnly } : {}) };
        const child = spawn(process.execPath, ['--no-warnings', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as DkgPartyReport) : reject(new Error(`party ${i + 1} exited with ${code}`))));
      }),
  ),
);
const wall = (Date.now() - t0) / 1000;
if (maxChunks === undefined && new Set(reports.map((r) => `${r.publicKeyDigest}/${r.serverKeyDigest}`)).size !== 1) throw new Error('parties published different key sets');
if (onlineOnly) await checkKeySet();
rmSync(dir, { recursive: true, force: true });

/**
 * The dealt material's first bits are the big key S (the keygen takes S
 * first): re-derived here as _dkgParty's dealtChunk draws them, then a value
 * encrypted under the published key, added to itself by tfhe-rs with the
 * published server key, must decrypt under S. For `fhevm` the inputs are
 * encrypted under the dedicated compact key and cast to the compute key by
 * the server key's casting key (tfhe-rs `expand`), as a proven input is.
 */
async function checkKeySet(): Promise<void> {
  const dim = parameterProfile(parameters).lweDimension;
  const rng = seededRng(0x5eed_0000); // chunk 0: bits
  const key = lweSecretKeyFromBits(Uint8Array.from({ length: dim }, () => rng.nextU32() & 1), dim);
  const compactPublicKey = new Uint8Array(readFileSync(path.join(dir, 'public-key-1.bin')));
  const compressedServerKey = new Uint8Array(readFileSync(path.join(dir, 'server-key-1.bin')));
  const [x, y] = [173n, 29n];
  let lhs: Uint8Array;
  let rhs: Uint8Array;
  if (parameters === 'fhevm') {
    const pk = tfhe.TfheCompactPublicKey.safe_deserialize(compactPublicKey, BigInt(1 << 30));
    const builder = tfhe.CompactCiphertextList.builder(pk);
    builder.push_u8(Number(x));
    builder.push_u8(Number(y));
    const list = builder.build_packed().safe_serialize(BigInt(1 << 30));
    [lhs, rhs] = (await expand({ compressedServerKey, list })).map((v) => v.ciphertext) as [Uint8Array, Uint8Array];
  } else {
    lhs = encryptWithPublicKey(compactPublicKey, 'euint8', x);
    rhs = encryptWithPublicKey(compactPublicKey, 'euint8', y);
  }
  const dec = (type: 'euint8' | 'ebool', ct: Uint8Array): bigint => decryptCiphertext(parseCiphertext(ct, type, dim), key);
  const sum = await compute({ compressedServerKey, op: 'add', lhs, rhs });
  const lt = await compute({ compressedServerKey, op: 'lt', lhs: rhs, rhs: lhs });
  const got = [dec('euint8', lhs), dec('euint8', sum.ciphertext), dec('ebool', lt.ciphertext)];
  const want = [x, (x + y) & 0xffn, 1n];
  console.log(`key set check (${parameters}): encrypt ${got[0]}, add ${got[1]}, lt ${got[2]} — expected ${want.join(', ')}`);
  if (got.some((g, i) => g !== want[i])) throw new Error('the DKG key set does not compute or decrypt right');
}

const params = {
  n,
  t,
  parameters,
  network: 'grpc-mtls-loopback',
  parties: 'one process each',
  ...(maxChunks === undefined ? {} : { chunksMeasured: maxChunks, chunksTotal: reports[0]!.chunks, projected: true }),
  ...(onlineOnly ? { preprocessing: 'dealt (benchmark only)' } : {}),
};
const max = (f: (r: DkgPartyReport) => number): number => Math.max(...reports.map(f));
const scale = maxChunks === undefined ? 1 : reports[0]!.chunks / reports[0]!.chunksMade;
const results: BenchResult[] = onlineOnly
  ? [{ name: `dkg.${parameters}.online.peak_rss_per_party`, unit: 'MiB', value: max((r) => r.peakRssMiB), params }]
  : [
      { name: `dkg.${parameters}.preprocessing`, unit: 's', value: (max((r) => r.preprocessingMs) / 1000) * scale, params },
      { name: `dkg.${parameters}.preprocessing.bytes_sent_per_party`, unit: 'MB', value: (max((r) => r.preprocessingBytesSent) / 1e6) * scale, params },
      { name: `dkg.${parameters}.peak_rss_per_party`, unit: 'MiB', value: max((r) => r.peakRssMiB), params },
    ];
if (maxChunks === undefined) {
  results.push(
    { name: `dkg.${parameters}.online`, unit: 's', value: max((r) => r.onlineMs ?? 0) / 1000, params },
    { name: `dkg.${parameters}.online.bytes_sent_per_party`, unit: 'MB', value: max((r) => r.onlineBytesSent ?? 0) / 1e6, params },
    ...(onlineOnly ? [] : [{ name: `dkg.${parameters}.total_wall`, unit: 's', value: wall, params }]),
  );
}
recordResults(results);
