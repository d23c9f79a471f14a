/**
 * End to end on a real 4-validator wasmd localnet. In CI a missing wasmd is a
 * failure (run `make wasmd`), never a skip.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { describeDecryptFlow } from './scenario.js';
import { WasmdClient } from '../../chain/wasmd/wasmdClient.js';
import { executeViaGovernance } from '../../chain/wasmd/governance.js';

describeDecryptFlow('e2e on a 4-validator wasmd localnet', async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-wasmd-'));
  const net = await startWasmdKmsNetwork({
    dir,
    // Decrypts plain uploads through the open "default" application: a dev network.
    devMode: true,
    validators: 4,
    basePort: 29600, // clear of the wasmd client test's range (27000–28999)
    faucetPort: await freePort(),
    ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
  });
  // The Config answers to the gov module account: changes are expedited proposals the validators vote for.
  const c = net.chain;
  const connect = (mnemonic: string): Promise<WasmdClient> =>
    WasmdClient.connect(c.rpcUrls[0]!, { mnemonic, prefix: c.bech32Prefix, gasPrice: c.gasPrice, chainId: c.chainId });
  const governance = async (contract: string, msg: unknown): Promise<void> => {
    const proposer = await connect(c.accounts[0]!.mnemonic);
    const voters = await Promise.all(c.validatorAccounts.map((v) => connect(v.mnemonic)));
    try {
      await executeViaGovernance(proposer, voters, { govAuthority: c.govAuthority, contract, msg, deposit: [{ denom: c.denom, amount: '2000' }], expedited: true, timeoutMs: 120_000 });
    } finally {
      for (const x of [proposer, ...voters]) await x.close();
    }
  };
  return { ...net, dir, governance };
});
