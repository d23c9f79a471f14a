/**
 * @module localnet/devNetwork
 * The embedded-chain network as a function: `make start` runs it in the
 * foreground, end-to-end tests run it in a temporary folder on free ports.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EmbeddedRemoteClient } from '../chain/embedded/remoteClient.js';
import { accountFromMnemonic, generateMnemonic } from '../chain/wallet.js';
import { repoRoot } from '../common/paths.js';
import { httpOk, killFromPidFiles, spawnManaged, waitReady, type ManagedProcess } from './processes.js';
import { startKms, type KmsNetwork, type KmsPorts } from './kms.js';

export interface DevNetworkOptions {
  dir: string;
  chainPort: number;
  ports: KmsPorts;
  fresh?: boolean;
  detached?: boolean;
  log?: (line: string) => void;
  /**
   * Config `dev_mode` (default true: `make start` is the development network, its
   * "default" application open). False gives a production-shaped Config on the
   * embedded chain (proven inputs only), e.g. for attack tests.
   */
  devMode?: boolean;
  /** Threshold cores (n ≥ 4) instead of one centralized core. */
  parties?: number;
  /** Config `insecure_dealer_keys` and the cores' dealer flag (kms.ts; default: true when parties > 1). */
  insecureDealerKeys?: boolean;
  /** Test-only: the script to run as core p instead of the real one (e.g. test/adversary/mpcLiarCore.js). */
  coreScript?: (partyId: number) => string | undefined;
}

export interface DevNetwork extends KmsNetwork {
  chainProcess: ManagedProcess;
  chainUrl: string;
}

export async function startDevNetwork(o: DevNetworkOptions): Promise<DevNetwork> {
  const dir = path.resolve(o.dir);
  const say = o.log ?? (() => {});
  const leftovers = await killFromPidFiles(dir);
  if (leftovers.length) say(`stopped leftovers of a previous run: ${leftovers.join(', ')}`);
  if (o.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const chainUrl = `http://127.0.0.1:${o.chainPort}`;
  say(`starting the embedded chain on ${chainUrl}`);
  const chainProcess = spawnManaged({
    name: 'embedded-chain',
    dir,
    detached: o.detached,
    command: process.execPath,
    args: [path.join(repoRoot(), 'dist/chain/embedded/main.js'), '--port', String(o.chainPort), '--state', path.join(dir, 'chain', 'chain')],
  });
  try {
    await waitReady(chainProcess, () => httpOk(`${chainUrl}/health`));
    const deployerFile = path.join(dir, 'deployer.mnemonic');
    if (!existsSync(deployerFile)) writeFileSync(deployerFile, generateMnemonic(), { mode: 0o600 });
    const deployerAccount = await accountFromMnemonic(readFileSync(deployerFile, 'utf8'), 'wasm');
    const deployer = await EmbeddedRemoteClient.connect(chainUrl, deployerAccount);
    const fund = async (address: string): Promise<void> => {
      const res = await fetch(`${chainUrl}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address }) });
      if (!res.ok) throw new Error(`faucet failed for ${address}: HTTP ${res.status}`);
    };
    await fund(deployerAccount.address);
    const kms = await startKms({
      dir,
      chain: { kind: 'embedded', chainId: deployer.chainId, rpcUrl: chainUrl, denom: 'ustake', bech32Prefix: 'wasm', faucetUrl: chainUrl },
      deployer,
      fund,
      ports: o.ports,
      log: say,
      devMode: o.devMode ?? true,
      ...(o.parties ? { parties: o.parties } : {}),
      ...(o.insecureDealerKeys !== undefined ? { insecureDealerKeys: o.insecureDealerKeys } : {}),
      ...(o.coreScript ? { coreScript: o.coreScript } : {}),
      ...(o.detached ? { detached: true } : {}),
    });
    return {
      ...kms,
      chainProcess,
      chainUrl,
      stop: async () => {
        await kms.stop();
        await chainProcess.stop();
      },
    };
  } catch (e) {
    await chainProcess.stop();
    throw e;
  }
}
