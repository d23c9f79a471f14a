/**
 * @module chain/connect
 * Picks the `KmsChainClient` implementation for a network description.
 */
import type { KmsChainClient, NetworkDescriptor } from './client.js';
import type { ChainAccount } from './wallet.js';
import { EmbeddedRemoteClient } from './embedded/remoteClient.js';

export interface ConnectChainOptions {
  /** wasmd: gas limit = simulated gas × this (default 1.5). */
  gasMultiplier?: number;
}

export async function connectChain(network: NetworkDescriptor, account?: ChainAccount, options: ConnectChainOptions = {}): Promise<KmsChainClient> {
  if (network.kind === 'embedded') return EmbeddedRemoteClient.connect(network.rpcUrl, account);
  // Loaded lazily: the embedded path should not pay for cosmjs' stargate stack.
  const { WasmdClient } = await import('./wasmd/wasmdClient.js');
  return WasmdClient.connect(network.rpcUrl, {
    ...(account ? { mnemonic: account.mnemonic } : {}),
    prefix: network.bech32Prefix,
    gasPrice: network.gasPrice ?? `0.025${network.denom}`,
    chainId: network.chainId,
    ...(options.gasMultiplier ? { gasMultiplier: options.gasMultiplier } : {}),
  });
}
