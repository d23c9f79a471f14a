/**
 * @module core/service/threshold/thresholdBackend
 * The threshold `KeyBackend`: no core ever holds the FHE secret key.
 *
 * Key generation: no dealer (distributedKeygen.ts). The keygen preprocessing
 * (ASC keygen_preproc, `preprocess`) agrees PRSS keys and, for a set the DKG
 * makes, produces its random bits and triples in vault-sealed chunks,
 * resumable after any party's restart (keygenPreprocessing.ts); the keygen
 * naming it runs the DKG on them in one MPC session, or inline when no
 * preprocessing is named. Every honest party stores its big-key share and
 * the PRSS keys and publishes byte-identical public keys under its own prefix.
 * `insecureDealerKeygen` (tests, localnet only) brings back the dealer for
 * `default` and `fhevm`: party `dealerId` makes the key set with node-tfhe,
 * shares the big key (dealer.ts) and sends each party its share over the
 * pinned mTLS channel.
 * Decryption: per request, an MPC session derived from the request id runs
 * the bit-decomposition decryption (core/engine/mpc/decryption), robust
 * against t malicious parties, on preprocessed material (triples, random
 * bits) taken from the key's pool (decryptionPool.ts: background refill,
 * cross-party agreement on the batch, inline preprocessing when the pool is
 * empty or the parties' pools differ, e.g. after a restart).
 * CRS: a ceremony (crsCeremony.ts), no dealer: each party re-randomizes the
 * CRS in turn and proves it; the transcript is published with the CRS.
 */
import type { Logger } from 'pino';
import { TkmsError } from '../../../common/errors.js';
import { cryptoRng, prssSetupDetailed, Prss, ringForParties, type PrssKeys } from '../../engine/mpc/index.js';
import { CRS_PKE_PARAMETERS, parameterNames, type FheParameterSet, type ParsedCiphertext } from '../../engine/index.js';
import type { GaloisRing, GrVector } from '../../engine/mpc/algebra/galoisRing.js';
import type { RealRobustOpen } from '../../engine/mpc/sharing/robustOpen.js';
import type { CoreEngine } from '../engine.js';
import type { KeyBackend, GeneratedKey, DecryptShareResult } from '../keyBackend.js';
import type { PeerTransport } from '../mpc/peerTransport.js';
import type { Network } from '../../engine/mpc/network/network.js';
import { sessionIdFor } from '../mpc/session.js';
import { dealKeySet, parseKeyShare } from './dealer.js';
import { DecryptionPool, type DecryptionPoolStatus, type PooledDecryption } from './decryptionPool.js';
import { decodeDealMessage, decodeKeyMaterial, decodePreprocMaterial, encodeDealMessage, encodeKeyMaterial, encodePreprocMaterial } from './wire.js';
import { runCrsCeremony, type CrsCeremonyOptions } from './crsCeremony.js';
import { DKG_PARAMETER_SETS, dkgSupports, runDistributedKeygen } from './distributedKeygen.js';
import { runKeygenPreprocessing, type PreprocProgress, type RunKeygenPreprocessingParameters } from './keygenPreprocessing.js';
import { keygenLayout } from '../../engine/mpc/keygen/keygen.js';
import { ChunkedRandomness, decodeChunk, keygenPreprocessingPlan, type KeygenPreprocessingPlan } from '../../engine/mpc/keygen/preprocessing.js';
import { keygenShape } from '../zk/keygenTool.js';
import type { PreprocessingStorage } from '../preprocessingStorage.js';
import { encodeCrsTranscript } from '../../../common/crsTranscript.js';
import { ceremonySession, openCrsCeremonyTool } from '../zk/crsCeremonyTool.js';

export interface ThresholdBackendOptions {
  transport: PeerTransport;
  t: number;
  /** The party that deals key sets when `insecureDealerKeygen` is on. */
  dealerId: number;
  /**
   * INSECURE (tests, localnet): party `dealerId` makes `default` and `fhevm`
   * key sets alone and deals the big key. Off (the default): every key set
   * comes from the DKG (hours for `default` and `fhevm`).
   */
  insecureDealerKeygen?: boolean;
  engine: CoreEngine;
  logger: Logger;
  /** How long non-dealers wait for their share (a key set takes ~10 s to make, 60 MB to send). */
  dealTimeoutMs?: number;
  /** Lower bound for the PRSS setup timeout (round timeouts are the transport's). */
  roundTimeoutMs?: number;
  /** Decryption material pools (decryptionPool.ts); `false`: preprocess inline for every request. */
  pool?: false | { batchBlocks?: number; lowWater?: number; highWater?: number };
  /** How long parties wait for a CRS ceremony contributor (default 5 min: a contribution takes ~10–40 s). */
  crsContributionTimeoutMs?: number;
  /** The native tool for the CRS ceremony (default: TKMS_TFHE_ZK_BIN, then the repository's build). */
  tfheZkBinary?: string;
  /** Test-only: this party's CRS ceremony contributions as an adversary sends them. */
  crsContributionFor?: CrsCeremonyOptions['contributionFor'];
  /** Test-only: the opening protocol of this party's MPC sessions (decryption, key generation; an adversary's). */
  opener?: RealRobustOpen;
  /** How long DKG parties wait for each other after local work (default 30 min: minutes of mask products at `default`). */
  keygenLocalWorkTimeoutMs?: number;
  /** A keygen preprocessing that makes no progress for this long fails, naming whom it waited for (default 1 h). */
  preprocessingStallTimeoutMs?: number;
  /** Test-only: timing and fault hooks of the keygen preprocessing (keygenPreprocessing.ts). */
  preprocessingTest?: Pick<RunKeygenPreprocessingParameters, 'afterStore' | 'confirmTimeoutMs' | 'rendezvousPollMs'>;
}

interface LoadedShare {
  keyShare: ReturnType<typeof parseKeyShare>;
  /** Every decryption of the key (public and user) goes through its pool, which holds the key's PRSS. */
  pool: DecryptionPool;
}

/** The threshold backend, plus what tests and benchmarks observe of its pools. */
export interface ThresholdKeyBackend extends KeyBackend {
  /** The pool of a loaded key (`secret` as returned by `load`). */
  poolOf(secret: unknown): DecryptionPool;
  /** Decrypts like `decrypt` and says where the material came from. */
  decryptDetailed(requestId: string, ciphertexts: readonly unknown[], secret: unknown): Promise<PooledDecryption>;
  /** Pool status of every loaded key. */
  poolStatus(): DecryptionPoolStatus[];
  /** Resolves when no pool is refilling. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export type { DecryptionPoolStatus };

/**
 * The dealer's wait for the other parties' receipts of their shares: all of
 * them, or — so that t dead parties cost at most a minute — n − 1 − t of them
 * plus one more minute for the rest.
 */
async function awaitReceipts(net: Network, timeoutMs: number, t: number): Promise<void> {
  const others = [...Array(net.n).keys()].map((i) => i + 1).filter((p) => p !== net.self);
  let got = 0;
  await new Promise<void>((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (grace) clearTimeout(grace);
      resolve();
    };
    for (const p of others) {
      void net.receive(p, timeoutMs).then((m) => {
        if (!m) return;
        got++;
        if (got === others.length) done();
        else if (got === others.length - t && !grace) grace = setTimeout(done, 60_000);
      });
    }
    setTimeout(done, timeoutMs).unref();
  });
}

const DEFAULT_CONTRIBUTION_TIMEOUT_MS = 300_000;

export function thresholdBackend(o: ThresholdBackendOptions): ThresholdKeyBackend {
  const { transport, t } = o;
  const n = transport.n;
  const self = transport.partyId;
  if (!(n >= 3 * t + 1)) throw new TkmsError('CONFIG_INVALID', `threshold backend needs n ≥ 3t+1, got n=${n}, t=${t}`);

  /** PRSS keys for the party set, agreed in a session named after `sessionOf` ('prss'). */
  async function setupPrss(sessionOf: string): Promise<PrssKeys> {
    const net = transport.endpoint(sessionIdFor(sessionOf, 'prss'));
    try {
      // Wait generously: parties start at different times (after a 60 MB key
      // transfer inline, or when each connector sees the preprocessing event).
      const { keys, dropped, publicSets, absent } = await prssSetupDetailed(net, t, cryptoRng, { timeoutMs: Math.max(60_000, o.roundTimeoutMs ?? 0) });
      // Keys made with more than t parties missing are not the others' keys (e.g. a party that restarted alone).
      if (absent.length > t) throw new TkmsError('PRSS_SETUP_FAILED', `PRSS setup in ${sessionOf}: parties ${absent.join(', ')} never answered (more than t = ${t})`);
      // Which contributions were left out and who reported them (prss.ts), never a key.
      if (dropped.length > 0) o.logger.warn({ session: sessionOf, dropped: dropped.map((d) => ({ set: d.set, contributor: d.member, reportedBy: d.claimedBy })), publicSets }, 'PRSS setup: some contributions were missing or seen differently by co-members and were left out of their sets’ keys');
      return keys;
    } finally {
      net.close();
    }
  }

  /**
   * Whether keys of this set are dealt (INSECURE) rather than made by the DKG:
   * only when this core is configured to and the request comes from a network
   * whose Config lets cores deal (`insecure_dealer_keys`; for a preprocessing,
   * which does not know its keygen yet, the core's configuration alone decides
   * whether DKG material is made). A production network never has that flag.
   */
  function dealtSet(parameters: FheParameterSet, networkAllowsDealer = true): boolean {
    return o.insecureDealerKeygen === true && networkAllowsDealer && parameters !== 'test-insecure';
  }

  /** The DKG's preprocessing plan for a set (its shape from the native tool: public, no seed needed). */
  async function dkgPlan(parameters: FheParameterSet): Promise<KeygenPreprocessingPlan> {
    const shape = await keygenShape(parameters, o.tfheZkBinary ? { binary: o.tfheZkBinary } : {});
    return keygenPreprocessingPlan(keygenLayout(shape));
  }

  async function preprocess(preprocId: string, onProgress: (stage: string, fraction?: number) => void, parameters: FheParameterSet, storage?: PreprocessingStorage): Promise<Uint8Array> {
    // The PRSS keys first, kept: a restarted party resumes with the same keys.
    const kept = await storage?.read('prss');
    let prss: PrssKeys;
    if (kept) prss = decodePreprocMaterial(kept);
    else if (await storage?.read('progress')) {
      throw new TkmsError('PREPROC_FAILED', `keygen preprocessing ${preprocId}: this party's PRSS keys are lost; it cannot rejoin`);
    } else {
      onProgress('prss setup', 0);
      prss = await setupPrss(preprocId);
      await storage?.write('prss', encodePreprocMaterial(prss));
    }
    if (storage && !dealtSet(parameters) && dkgSupports(parameters)) {
      const plan = await dkgPlan(parameters);
      await runKeygenPreprocessing({
        preprocId,
        open: (name) => transport.endpoint(sessionIdFor(preprocId, name)),
        R: ringForParties(n),
        t,
        prss,
        plan,
        logger: o.logger,
        ...(o.opener ? { opener: o.opener } : {}),
        ...(o.preprocessingStallTimeoutMs === undefined ? {} : { stallTimeoutMs: o.preprocessingStallTimeoutMs }),
        ...(o.preprocessingTest ?? {}),
        store: {
          load: async () => {
            const b = await storage.read('progress');
            return b ? (JSON.parse(new TextDecoder().decode(b)) as PreprocProgress) : undefined;
          },
          save: (p) => storage.write('progress', JSON.stringify(p)),
          writeChunk: (i, bytes) => storage.write(`chunk-${i}`, bytes),
          dropChunk: (i) => storage.wipe(`chunk-${i}`),
        },
        onProgress: (done, total, stage) => onProgress(`distributed keygen preprocessing: ${stage}`, done / total),
      });
    }
    onProgress('done', 1);
    return encodePreprocMaterial(prss);
  }

  /** The stored chunks of a complete preprocessing, streamed to the keygen (the core wipes them once the keygen ends). */
  async function storedRandomness(parameters: FheParameterSet, storage: PreprocessingStorage): Promise<ChunkedRandomness | undefined> {
    const progress = await storage.read('progress');
    if (!progress && o.insecureDealerKeygen === true) {
      // Its preprocessing expected to deal (the flag) and made no DKG material; the network says no dealing.
      throw new TkmsError(
        'PREPROC_INCOMPLETE',
        'this core is configured to deal keys (threshold.insecureDealerKeygen), so its keygen preprocessing made no distributed-keygen material, but this network does not allow dealt keys (Config insecure_dealer_keys): turn the flag off and run a new keygen_preproc',
      );
    }
    const plan = await dkgPlan(parameters);
    if (!progress || (JSON.parse(new TextDecoder().decode(progress)) as PreprocProgress).stored !== plan.chunks.length) {
      throw new TkmsError('PREPROC_INCOMPLETE', `the keygen preprocessing at this party is incomplete (a keygen must name a preprocessing every party finished)`);
    }
    const R = ringForParties(n);
    return new ChunkedRandomness(R, plan, async (spec) => {
      const bytes = await storage.read(`chunk-${spec.index}`);
      if (!bytes) throw new TkmsError('PREPROC_INCOMPLETE', `keygen preprocessing chunk ${spec.index} is missing at this party`);
      const chunk = decodeChunk(R, spec, bytes);
      bytes.fill(0);
      return chunk;
    });
  }

  async function generate(
    requestId: string,
    onProgress: (stage: string, fraction?: number) => void,
    preproc?: Uint8Array,
    parameters: FheParameterSet = 'default',
    storage?: PreprocessingStorage,
    options: { networkAllowsDealer?: boolean } = {},
  ): Promise<GeneratedKey> {
    // Checked before the dealer's 60 MB leave: a bad record fails this party alone, early.
    const preprocPrss = preproc ? decodePreprocMaterial(preproc) : undefined;
    if (preprocPrss && (preprocPrss.n !== n || preprocPrss.t !== t || preprocPrss.party !== self)) {
      throw new TkmsError('PREPROC_MISMATCH', `keygen preprocessing was made for n=${preprocPrss.n}, t=${preprocPrss.t}, party ${preprocPrss.party}; this core is n=${n}, t=${t}, party ${self}`);
    }
    const dealt = dealtSet(parameters, options.networkAllowsDealer === true);
    if (o.insecureDealerKeygen === true && !dealt && parameters !== 'test-insecure') {
      o.logger.warn({ requestId, parameters }, 'threshold.insecureDealerKeygen is on but the network does not allow dealt keys (Config insecure_dealer_keys): running the distributed keygen');
    }
    if (!dealt && !dkgSupports(parameters)) {
      throw new TkmsError('KEYGEN_UNSUPPORTED', `no distributed key generation for parameter set ${parameters} yet (${DKG_PARAMETER_SETS.join(', ')} only), and this core does not deal keys (threshold.insecureDealerKeygen is off)`);
    }
    if (!dealt) {
      // No dealer: the key is born shared (distributedKeygen.ts).
      const prss = preprocPrss ?? (onProgress('prss setup (no preprocessing named)'), await setupPrss(requestId));
      const net = transport.endpoint(sessionIdFor(requestId, 'dkg'));
      let lastPct = -1;
      try {
        const randomness = preproc && storage ? await storedRandomness(parameters, storage) : undefined;
        if (!randomness) o.logger.info({ requestId }, 'distributed key generation without a stored preprocessing: random bits and triples are made inline');
        const r = await runDistributedKeygen({
          ...(randomness ? { randomness } : {}),
          net,
          R: ringForParties(n),
          t,
          prss,
          parameters,
          ...(o.tfheZkBinary ? { tool: { binary: o.tfheZkBinary } } : {}),
          ...(o.opener ? { opener: o.opener } : {}),
          ...(o.keygenLocalWorkTimeoutMs === undefined ? {} : { localWorkTimeoutMs: o.keygenLocalWorkTimeoutMs }),
          onProgress: (stage, fraction) => {
            const pct = Math.floor(fraction * 100);
            if (pct < lastPct + 5 && fraction < 1) return;
            lastPct = pct;
            onProgress(`distributed keygen: ${stage} (${pct}%)`, fraction);
            o.logger.info({ requestId, stage, percent: pct }, 'distributed key generation');
          },
        });
        if (r.cheaters.length > 0) o.logger.warn({ requestId, cheaters: r.cheaters }, 'distributed key generation: parties deviated or were silent; their shares were corrected and they are named');
        o.logger.info({ requestId, parameters, seed: Buffer.from(r.seed).toString('hex') }, 'distributed key generation done');
        onProgress('done');
        return {
          compactPublicKey: r.compactPublicKey,
          compressedServerKey: r.compressedServerKey,
          parameters: parameterNames(parameters),
          privateMaterial: encodeKeyMaterial({ share: r.share, lweDimension: r.lweDimension, prss }),
        };
      } finally {
        net.close();
      }
    }
    // INSECURE, by configuration only: one party makes the key set (dealer.ts).
    o.logger.warn({ requestId, parameters }, `INSECURE: key set dealt by party ${o.dealerId} (threshold.insecureDealerKeygen): one process held the whole key`);
    const dealTimeoutMs = o.dealTimeoutMs ?? 600_000;
    const deal = transport.endpoint(sessionIdFor(requestId, 'deal'), { sendTimeoutMs: dealTimeoutMs });
    let mine: { share: Uint8Array; compactPublicKey: Uint8Array; compressedServerKey: Uint8Array; parameters: string; lweDimension: number };
    try {
      if (self === o.dealerId) {
        const keySet = await o.engine.generateKeySet({ onProgress, parameters });
        onProgress('dealing');
        const dealt = dealKeySet(keySet, { n, t });
        for (let p = 1; p <= n; p++) {
          if (p === self) continue;
          deal.send(p, encodeDealMessage({ ...dealt.publicMaterial, lweDimension: dealt.lweDimension, share: dealt.shares.get(p)! }));
        }
        mine = { ...dealt.publicMaterial, lweDimension: dealt.lweDimension, share: dealt.shares.get(self)! };
        // The other parties' shares leave this party's memory with the messages.
        for (const [p, s] of dealt.shares) if (p !== self) s.fill(0);
        // Sending 60 MB to n − 1 parties takes longer than the PRSS setup's
        // first round waits (over a minute at n = 7 on a loaded machine): wait
        // for their receipts, so every party starts the setup about together.
        deal.nextRound();
        await awaitReceipts(deal, dealTimeoutMs, t);
        deal.nextRound();
        for (let p = 1; p <= n; p++) if (p !== self) deal.send(p, Uint8Array.of(1)); // go
      } else {
        onProgress('waiting for the dealer');
        const msg = await deal.receive(o.dealerId, dealTimeoutMs);
        if (!msg) throw new TkmsError('DEALER_UNAVAILABLE', `no key share from dealer party ${o.dealerId}`);
        mine = decodeDealMessage(msg);
        deal.nextRound();
        deal.send(o.dealerId, Uint8Array.of(1)); // receipt
        deal.nextRound();
        onProgress('waiting for the other parties’ shares');
        await deal.receive(o.dealerId, dealTimeoutMs); // go (or the dealer's silence: start anyway)
      }
    } finally {
      deal.close();
    }
    parseKeyShare(mine.share, n, mine.lweDimension); // shape check before anything is stored
    if (mine.parameters !== parameterNames(parameters)) {
      throw new TkmsError('DEALER_PARAMETERS', `the dealer made a key with ${mine.parameters.slice(0, 200)}, the request asks for ${parameterNames(parameters)}`);
    }
    let prss: PrssKeys;
    if (preprocPrss) prss = preprocPrss;
    else {
      onProgress('prss setup (no preprocessing named)');
      prss = await setupPrss(requestId);
    }
    onProgress('done');
    return {
      compactPublicKey: mine.compactPublicKey,
      compressedServerKey: mine.compressedServerKey,
      parameters: mine.parameters,
      privateMaterial: encodeKeyMaterial({ share: mine.share, lweDimension: mine.lweDimension, prss }),
    };
  }

  const pools = new Set<DecryptionPool>();

  async function decryptDetailed(requestId: string, cts: readonly unknown[], secret: unknown): Promise<PooledDecryption> {
    const { keyShare, pool } = secret as LoadedShare;
    // Round timeouts come from the transport (longer for a session's first round, which absorbs start skew).
    const net = transport.endpoint(sessionIdFor(requestId, 'decrypt'));
    try {
      const r = await pool.decrypt(net, cts as readonly ParsedCiphertext[], keyShare.share);
      if (r.cheaters.length > 0) o.logger.warn({ requestId, cheaters: r.cheaters }, 'parties deviated during threshold decryption');
      return r;
    } finally {
      net.close();
    }
  }

  return {
    kind: 'threshold',
    privateDataType: 'KeyShare',
    preprocess,
    generate,
    load(bytes): LoadedShare {
      const m = decodeKeyMaterial(bytes);
      const keyShare = parseKeyShare(m.share, n, m.lweDimension);
      const prssForKey = new Prss(keyShare.R, m.prss);
      const pool = new DecryptionPool({
        R: keyShare.R,
        t,
        prss: prssForKey,
        open: (sessionId) => transport.endpoint(sessionIdFor(sessionId, 'pool')),
        logger: o.logger,
        ...(o.opener ? { opener: o.opener } : {}),
        ...(o.pool === false ? { lowWater: 0, highWater: 0 } : (o.pool ?? {})),
      });
      pools.add(pool);
      return { keyShare, pool };
    },
    async decrypt(requestId, ct, secret) {
      return (await decryptDetailed(requestId, [ct], secret)).plaintexts[0]!;
    },
    decryptDetailed,
    poolOf: (secret) => (secret as LoadedShare).pool,
    poolStatus: () => [...pools].map((p) => p.status()),
    async idle() {
      await Promise.all([...pools].map((p) => p.idle()));
    },
    async close() {
      await Promise.all([...pools].map((p) => p.close()));
    },
    async generateCrs(requestId, maxNumBits) {
      // A ceremony, not a dealer: each party re-randomizes the CRS in turn with
      // a secret it erases (crsCeremony.ts), so the trapdoor is known only if
      // every contributor colludes; all honest parties publish the same bytes.
      const net = transport.endpoint(sessionIdFor(requestId, 'crs'), { sendTimeoutMs: o.crsContributionTimeoutMs ?? DEFAULT_CONTRIBUTION_TIMEOUT_MS });
      const tool = await openCrsCeremonyTool({ maxNumBits, session: ceremonySession(requestId), ...(o.tfheZkBinary ? { binary: o.tfheZkBinary } : {}) });
      try {
        const r = await runCrsCeremony({
          net,
          t,
          tool,
          contributionTimeoutMs: o.crsContributionTimeoutMs ?? DEFAULT_CONTRIBUTION_TIMEOUT_MS,
          agreementTimeoutMs: Math.max(30_000, o.roundTimeoutMs ?? 0),
          onProgress: (stage) => o.logger.info({ requestId, stage }, 'CRS ceremony'),
          ...(o.crsContributionFor ? { contributionFor: o.crsContributionFor } : {}),
        });
        if (r.rejected.length > 0) o.logger.warn({ requestId, rejected: r.rejected }, 'CRS ceremony: contributions skipped; their parties are named');
        o.logger.info({ requestId, accepted: r.accepted }, 'CRS ceremony done');
        return { crs: r.crs, maxNumBits, parameters: CRS_PKE_PARAMETERS, transcript: encodeCrsTranscript({ requestId, maxNumBits, contributions: r.contributions }) };
      } finally {
        net.close();
        await tool.close();
      }
    },
    async decryptShare(requestId, cts, secret): Promise<DecryptShareResult> {
      const { keyShare, pool } = secret as LoadedShare;
      const parsed = cts as readonly ParsedCiphertext[];
      const net = transport.endpoint(sessionIdFor(requestId, 'user-decrypt'));
      try {
        // Pooled material when the parties agree on it, as for public decryption.
        const r = await pool.decryptShares(net, parsed, keyShare.share);
        if (r.cheaters.length > 0) o.logger.warn({ requestId, cheaters: r.cheaters }, 'parties deviated during threshold user decryption');
        return encodeDecryptShares(keyShare.R, parsed, r.shares, r.W);
      } finally {
        net.close();
      }
    },
  };
}

/** Each block's share of V as its d coefficients mod 2^W (the user lifts them back, see cli/userDecryptResult.ts). */
function encodeDecryptShares(R: GaloisRing, cts: readonly ParsedCiphertext[], V: GrVector, W: number): DecryptShareResult {
  if (W > 8) throw new TkmsError('DECRYPT_FAILED', `digit width ${W} does not fit the share encoding (at most 8 bits)`);
  const mask = BigInt((1 << W) - 1);
  let at = 0;
  return {
    ringDegree: R.d,
    digitBits: W,
    ciphertexts: cts.map((ct) => {
      const shares = new Uint8Array(ct.blocks.length * R.d);
      for (let k = 0; k < ct.blocks.length; k++, at++) {
        const coeffs = R.toBigints(V, at);
        for (let j = 0; j < R.d; j++) shares[k * R.d + j] = Number(coeffs[j]! & mask);
      }
      return { messageModulus: ct.blocks[0]?.messageModulus ?? 0, blocks: ct.blocks.length, shares };
    }),
  };
}
