/**
 * @module localnet/kms
 * Starts the KMS side of a local network on top of a running chain (embedded
 * or wasmd): TLS material, the KV-store, one core and one connector per party
 * (one party: the centralized backend; n > 1: the threshold backend, the cores
 * running MPC with each other over pinned mutual TLS), the contracts, and
 * `network.json`.
 * Used by `make start`, `make localnet` and the end-to-end tests alike.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { FeeSchedule, ParamsResponse } from '../chain/config/messages.js';
import { moduleAddress } from './wasmdNet.js';
import type { KmsChainClient, NetworkDescriptor } from '../chain/client.js';
import { deployContracts } from '../chain/deploy.js';
import { accountFromMnemonic, generateMnemonic } from '../chain/wallet.js';
import { connectCore } from '../core/client/coreClient.js';
import { createCa, issueCert, writeTlsMaterial, type TlsFilePaths } from '../common/tls.js';
import { repoRoot, stateDir } from '../common/paths.js';
import { generateVaultKeyHex } from '../core/service/vault.js';
import { httpOk, spawnManaged, waitReady, type ManagedProcess } from './processes.js';

export interface KmsPorts {
  kvStore: number;
  /** Per party p (1-based): core gRPC = coreBase + p, public storage = publicBase + p. */
  coreBase: number;
  publicBase: number;
  /** Threshold backend: core p's MPC server listens on mpcBase + p (default coreBase + 50). */
  mpcBase?: number;
}

export interface StartKmsOptions {
  /** State folder of this network (e.g. .state/dev). */
  dir: string;
  /** The chain part of the network description (contracts get filled in). */
  chain: Omit<NetworkDescriptor, 'contracts' | 'kvStoreUrl' | 'cores'>;
  /** A funded client allowed to upload and instantiate. */
  deployer: KmsChainClient;
  /** Gives an address enough native tokens for its fees. */
  fund: (address: string) => Promise<void>;
  ports: KmsPorts;
  parties?: number;
  log?: (line: string) => void;
  /** Processes outlive this one (make localnet); stop them with killFromPidFiles(dir). */
  detached?: boolean;
  /**
   * Fees set in Config at deployment. Default: keygen 1000 and decrypt 100 base
   * units of the chain's denom, so every local network runs the paid flow (CLI
   * pays, connectors claim); pass `{}` for a fee-less network.
   */
  fees?: Partial<FeeSchedule>;
  /** Test-only: the script to run as core p instead of the real one (test/adversary). */
  coreScript?: (partyId: number) => string | undefined;
  /**
   * Seal each core's private material under a vault key (a 0600 file per party)
   * instead of the explicit dev mode that keeps it in clear.
   */
  vault?: boolean;
  /**
   * Config `dev_mode` (fixed for the network's life): true for `make start`-style
   * networks, whose "default" application is open (decrypts whatever anyone
   * uploads: development only); false for production-shaped ones (`make
   * localnet`), whose "default" application takes proven inputs only.
   */
  devMode: boolean;
  /**
   * INSECURE test network (default: true when parties > 1): Config
   * `insecure_dealer_keys` and every core's `threshold.insecureDealerKeygen`,
   * so party 1 deals `default` and `fhevm` keys in seconds instead of the
   * distributed keygen's hours. False: a production-shaped network whose
   * cores never deal (every key from the DKG).
   */
  insecureDealerKeys?: boolean;
}

/** The network's operator account: it may start keygen, keygen_preproc and crs_gen (Config `operators`). */
export const OPERATOR_KEY_FILE = 'operator.mnemonic';

export interface KmsNetwork {
  network: NetworkDescriptor;
  networkFile: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

const node = process.execPath;
const dist = (...p: string[]): string => path.join(repoRoot(), 'dist', ...p);

async function ensureTls(dir: string, parties: number): Promise<TlsFilePaths> {
  const tlsDir = path.join(dir, 'tls');
  const leafNames = Array.from({ length: parties }, (_, i) => [`core-${i + 1}`, `connector-${i + 1}`]).flat();
  if (existsSync(path.join(tlsDir, 'ca.crt')) && leafNames.every((n) => existsSync(path.join(tlsDir, `${n}.crt`)))) {
    return {
      ca: path.join(tlsDir, 'ca.crt'),
      caKey: path.join(tlsDir, 'ca.key'),
      leaves: Object.fromEntries(leafNames.map((n) => [n, { cert: path.join(tlsDir, `${n}.crt`), key: path.join(tlsDir, `${n}.key`) }])),
    };
  }
  const ca = await createCa('tkms-localnet-ca');
  const leaves = Object.fromEntries(await Promise.all(leafNames.map(async (n) => [n, await issueCert(ca, { commonName: n })] as const)));
  return writeTlsMaterial(tlsDir, { ca, leaves });
}

function ensureVaultKey(file: string): string {
  readOrCreate(file, generateVaultKeyHex);
  return file;
}

function readOrCreate(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const v = make();
  writeFileSync(file, v, { mode: 0o600 });
  return v;
}

export async function startKms(o: StartKmsOptions): Promise<KmsNetwork> {
  const parties = o.parties ?? 1;
  const say = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const processes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    const tls = await ensureTls(o.dir, parties);
    const kvStoreUrl = `http://127.0.0.1:${o.ports.kvStore}`;

    say(`starting KV-store on ${kvStoreUrl}`);
    const kv = spawnManaged({
      name: 'kvstore',
      dir: o.dir,
      command: node,
      detached: o.detached,
      args: [dist('connector/kvstore/main.js'), '--port', String(o.ports.kvStore), '--dir', path.join(o.dir, 'kvstore')],
    });
    processes.push(kv);

    const cores: { partyId: number; grpcUrl: string; signerPubkey: string; address: string; mnemonicFile: string; tlsFingerprint: string }[] = [];
    const t = Math.floor((parties - 1) / 3);
    const fingerprintOf = (p: number): string => new X509Certificate(readFileSync(tls.leaves[`core-${p}`]!.cert)).fingerprint256.replace(/:/g, '').toLowerCase();
    const mpcBase = o.ports.mpcBase ?? o.ports.coreBase + 50;
    const insecureDealer = parties > 1 && (o.insecureDealerKeys ?? true);
    // n > 1: every core knows every party's MPC endpoint and pins its certificate.
    const threshold =
      parties > 1
        ? {
            t,
            dealerId: 1,
            roundTimeoutMs: 2000,
            // A real DKG of default or fhevm takes about an hour here (README): a test network deals, said on chain.
            ...(insecureDealer ? { insecureDealerKeygen: true } : {}),
            peers: Array.from({ length: parties }, (_, i) => ({ partyId: i + 1, address: `127.0.0.1:${mpcBase + i + 1}`, certFingerprint: fingerprintOf(i + 1) })),
          }
        : undefined;
    if (threshold) {
      say(
        insecureDealer
          ? `threshold backend: n = ${parties}, t = ${t}; INSECURE test network: party 1 deals default and fhevm key sets (Config insecure_dealer_keys; test-insecure keys come from the DKG)`
          : `threshold backend: n = ${parties}, t = ${t}; every key from the distributed keygen (about an hour for default or fhevm on 2 cores)`,
      );
    }
    for (let p = 1; p <= parties; p++) {
      const partyDir = path.join(o.dir, `party-${p}`);
      mkdirSync(partyDir, { recursive: true });
      const grpcPort = o.ports.coreBase + p;
      const configFile = path.join(partyDir, 'core.json');
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            partyId: p,
            listen: { host: '127.0.0.1', port: grpcPort },
            tls: { ca: tls.ca, cert: tls.leaves[`core-${p}`]!.cert, key: tls.leaves[`core-${p}`]!.key, requireClientCert: true },
            storageDir: path.join(partyDir, 'storage'),
            publicStorage: { host: '127.0.0.1', port: o.ports.publicBase + p },
            ...(o.vault
              ? { devMode: false, vault: { keyFile: ensureVaultKey(path.join(partyDir, 'vault.key')) } }
              : // Development network: key material in clear on disk, said explicitly.
                { devMode: true }),
            logLevel: 'info',
            ...(threshold ? { threshold: { ...threshold, listen: { host: '127.0.0.1', port: mpcBase + p } } } : {}),
          },
          null,
          2,
        ),
      );
      say(`starting core ${p} (gRPC over mutual TLS on 127.0.0.1:${grpcPort})`);
      const script = o.coreScript?.(p) ?? dist('core/service/main.js');
      const core = spawnManaged({ name: `core-${p}`, dir: o.dir, detached: o.detached, command: node, args: [script, '--config', configFile] });
      processes.push(core);
      const client = connectCore(`127.0.0.1:${grpcPort}`, {
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.leaves[`connector-${p}`]!.cert),
        key: readFileSync(tls.leaves[`connector-${p}`]!.key),
      }, { serverName: 'localhost' });
      let signerPubkey = '';
      await waitReady(core, async () => {
        signerPubkey = (await client.health({ timeoutMs: 1000 })).signerPubkey;
        return signerPubkey.length > 0;
      });
      client.close();
      const mnemonicFile = path.join(partyDir, 'chain-account.mnemonic');
      const mnemonic = readOrCreate(mnemonicFile, generateMnemonic);
      const { address } = await accountFromMnemonic(mnemonic, o.chain.bech32Prefix);
      const tlsFingerprint = fingerprintOf(p);
      cores.push({ partyId: p, grpcUrl: `127.0.0.1:${grpcPort}`, signerPubkey, address, mnemonicFile, tlsFingerprint });
    }
    await waitReady(kv, () => httpOk(`${kvStoreUrl}/health`));

    // The operator: keygen, keygen_preproc and crs_gen are restricted to governance and
    // the Config operators. Its key is a development/test mnemonic in the state folder
    // (like the parties' chain accounts); `network.json` names the file so the CLI can
    // send those requests for a user who is neither.
    const operatorKeyFile = path.join(path.resolve(o.dir), OPERATOR_KEY_FILE);
    const operator = await accountFromMnemonic(readOrCreate(operatorKeyFile, generateMnemonic), o.chain.bech32Prefix);

    const networkFile = path.join(o.dir, 'network.json');
    let contracts: NetworkDescriptor['contracts'] | undefined;
    let codeIds: NetworkDescriptor['codeIds'];
    if (existsSync(networkFile)) {
      const previous = JSON.parse(readFileSync(networkFile, 'utf8')) as NetworkDescriptor;
      if (previous.chainId === o.chain.chainId && (await contractAlive(o.deployer, previous.contracts, o.devMode, insecureDealer, operator.address))) {
        contracts = previous.contracts;
        codeIds = previous.codeIds;
      }
    }
    if (!contracts) {
      say('deploying the Config and ASC contracts');
      const deployed = await deployContracts(o.deployer, {
        wasmDir: path.join(repoRoot(), 'contracts', 'build'),
        parties: cores.map((c) => ({
          id: c.partyId,
          address: c.address,
          signer_pubkey: c.signerPubkey,
          grpc_endpoint: c.grpcUrl,
          tls_cert_fingerprint: c.tlsFingerprint,
        })),
        threshold: t,
        // On wasmd the Config answers to the gov module account (changes are proposals),
        // which is also the contracts' admin (migration only by proposal); on the
        // embedded chain, which has no governance module, the deployer governs.
        ...(o.chain.kind === 'wasmd'
          ? { governance: moduleAddress('gov', o.chain.bech32Prefix), admin: moduleAddress('gov', o.chain.bech32Prefix) }
          : {}),
        fees: o.fees ?? { denom: o.chain.denom, keygen: '1000', decrypt: '100' },
        devMode: o.devMode,
        ...(insecureDealer ? { insecureDealerKeys: true } : {}),
        operators: [operator.address],
        // wasmd: the fhEVM ISC code is stored too, for governance to instantiate (`tkms gov register-isc`).
        storeIscFhevm: o.chain.kind === 'wasmd',
      });
      contracts = { asc: deployed.asc, config: deployed.config };
      codeIds = deployed.codeIds;
    } else {
      say(`reusing deployed contracts (ASC ${contracts.asc})`);
    }
    for (const c of cores) await o.fund(c.address);
    await o.fund(operator.address);
    say(`operator account ${operator.address} (key ${operatorKeyFile}); dev mode: ${o.devMode ? 'on — open applications, development only' : 'off'}`);

    const network: NetworkDescriptor = {
      ...o.chain,
      contracts,
      ...(codeIds ? { codeIds } : {}),
      kvStoreUrl,
      cores: cores.map((c) => ({ partyId: c.partyId, grpcUrl: c.grpcUrl, publicUrl: `http://127.0.0.1:${o.ports.publicBase + c.partyId}` })),
      operatorKeyFile,
    };
    writeFileSync(networkFile, JSON.stringify(network, null, 2));

    for (const c of cores) {
      const partyDir = path.join(o.dir, `party-${c.partyId}`);
      const configFile = path.join(partyDir, 'connector.json');
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            partyId: c.partyId,
            network: networkFile,
            mnemonicFile: c.mnemonicFile,
            core: { url: c.grpcUrl, tls: { ca: tls.ca, cert: tls.leaves[`connector-${c.partyId}`]!.cert, key: tls.leaves[`connector-${c.partyId}`]!.key } },
            stateDir: partyDir,
            claimIntervalMs: 5000,
          },
          null,
          2,
        ),
      );
      say(`starting connector ${c.partyId} (account ${c.address})`);
      processes.push(spawnManaged({ name: `connector-${c.partyId}`, dir: o.dir, detached: o.detached, command: node, args: [dist('connector/kms-connector/main.js'), '--config', configFile] }));
    }
    return { network, networkFile, processes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * True when both contracts answer, the Config with the current protocol
 * (`params` with `dev_mode` and `operators`), in the requested dev mode (and
 * dealer mode) and
 * naming this network's operator: a Config deployed before, or in the other
 * mode, is replaced by a fresh deployment.
 */
async function contractAlive(client: KmsChainClient, contracts: NetworkDescriptor['contracts'], devMode: boolean, insecureDealerKeys: boolean, operator: string): Promise<boolean> {
  try {
    await client.queryContract(contracts.asc, { config: {} });
    const params = await client.queryContract<Partial<ParamsResponse>>(contracts.config, { params: {} });
    return params.dev_mode === devMode && (params.insecure_dealer_keys ?? false) === insecureDealerKeys && (params.operators ?? []).includes(operator);
  } catch {
    return false;
  }
}

/** Points `.state/current` at this network so the CLI finds it without flags. */
export function markCurrent(dir: string): void {
  const link = stateDir('current');
  mkdirSync(path.dirname(link), { recursive: true });
  rmSync(link, { force: true, recursive: false });
  symlinkSync(path.resolve(dir), link);
}
