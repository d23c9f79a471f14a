/**
 * @module localnet/wasmdKmsNetwork
 * The wasmd network as a function: validators, faucet, contracts and KMS
 * components. `make localnet` runs it detached; end-to-end tests run it in a
 * temporary folder and stop it afterwards.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startWasmdNet, stopWasmdNet, spawnFaucet, type WasmdNet } from './wasmdNet.js';
import { WasmdClient } from '../chain/wasmd/wasmdClient.js';
import { killFromPidFiles } from './processes.js';
import { startKms, type KmsNetwork, type KmsPorts } from './kms.js';

export interface WasmdKmsNetworkOptions {
  dir: string;
  validators: number;
  basePort: number;
  faucetPort: number;
  ports: KmsPorts;
  /** KMS parties: 1 runs the centralized backend, n > 1 the threshold backend (t = ⌊(n−1)/3⌋). */
  parties?: number;
  /** Test-only: the script to run as core p instead of the real one. */
  coreScript?: (partyId: number) => string | undefined;
  detached?: boolean;
  log?: (line: string) => void;
  /**
   * Config `dev_mode` (default false: `make localnet` is production-shaped, its
   * "default" application takes proven inputs only). Tests that decrypt plain
   * uploads through an open "default" application pass true.
   */
  devMode?: boolean;
}

export interface WasmdKmsNetwork extends KmsNetwork {
  chain: WasmdNet;
  faucetUrl: string;
}

export async function stopWasmdKmsNetwork(dir: string): Promise<{ kms: string[]; chain: number }> {
  const kms = await killFromPidFiles(dir);
  const chain = await stopWasmdNet(path.join(dir, 'wasmd'));
  return { kms, chain };
}

export async function startWasmdKmsNetwork(o: WasmdKmsNetworkOptions): Promise<WasmdKmsNetwork> {
  const dir = path.resolve(o.dir);
  const say = o.log ?? (() => {});
  await stopWasmdKmsNetwork(dir);
  // A localnet always starts from a new genesis, so nothing of a previous run
  // (keys, checkpoints, contract addresses) can be valid: start from a clean folder.
  rmSync(dir, { recursive: true, force: true });
  say(`starting ${o.validators} wasmd validators`);
  const chain = await startWasmdNet({ dir: path.join(dir, 'wasmd'), validators: o.validators, basePort: o.basePort, detached: o.detached ?? false, log: say });
  try {
    const faucet = await spawnFaucet(path.join(dir, 'wasmd'), o.faucetPort);
    const rpcUrl = chain.rpcUrls[0]!;
    const deployerAccount = chain.accounts[0]!;
    const deployer = await WasmdClient.connect(rpcUrl, { mnemonic: deployerAccount.mnemonic, prefix: chain.bech32Prefix, gasPrice: chain.gasPrice, chainId: chain.chainId });
    const fund = async (address: string): Promise<void> => {
      const res = await fetch(`${faucet.url}/credit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address }) });
      if (!res.ok) throw new Error(`faucet failed for ${address}: HTTP ${res.status} ${await res.text()}`);
    };
    const kms = await startKms({
      dir,
      chain: { kind: 'wasmd', chainId: chain.chainId, rpcUrl, denom: chain.denom, gasPrice: chain.gasPrice, bech32Prefix: chain.bech32Prefix, faucetUrl: faucet.url },
      deployer,
      fund,
      ports: o.ports,
      log: say,
      vault: true,
      devMode: o.devMode ?? false,
      parties: o.parties ?? 1,
      ...(o.coreScript ? { coreScript: o.coreScript } : {}),
      ...(o.detached ? { detached: true } : {}),
    });
    await deployer.close();
    return {
      ...kms,
      chain,
      faucetUrl: faucet.url,
      stop: async () => {
        await kms.stop();
        await stopWasmdKmsNetwork(dir);
        await chain.stop();
      },
    };
  } catch (e) {
    await stopWasmdKmsNetwork(dir);
    await chain.stop();
    throw e;
  }
}
