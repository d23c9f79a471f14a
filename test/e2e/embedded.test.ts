/**
 * End to end on the embedded chain: chain node, KV-store, core and connector as
 * separate processes (from `make build`'s dist/), the CLI as a user runs it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import { describeDecryptFlow } from './scenario.js';
import { connectChain } from '../../chain/connect.js';
import { accountFromMnemonic } from '../../chain/wallet.js';

describeDecryptFlow('e2e on the embedded chain', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-embedded-'));
  // One party: core 1 listens on base+1, so base = a free port - 1.
  const [chainPort, kvStore, coreBase, publicBase] = [await freePort(), await freePort(), (await freePort()) - 1, (await freePort()) - 1];
  const net = await startDevNetwork({ dir, chainPort, ports: { kvStore, coreBase, publicBase } });
  // The embedded chain has no gov module: the deployer is the Config's governance.
  const governance = async (contract: string, msg: unknown): Promise<void> => {
    const account = await accountFromMnemonic(readFileSync(path.join(dir, 'deployer.mnemonic'), 'utf8'), net.network.bech32Prefix);
    const client = await connectChain(net.network, account);
    try {
      await client.executeContract(contract, msg);
    } finally {
      await client.close();
    }
  };
  return { ...net, dir, governance };
}, { crs: true });
