/**
 * Attack "a connector can go deaf", on the embedded chain: the connector's RPC
 * is cut for longer than the old event watcher survived, a decrypt request is
 * made meanwhile, and it is answered once the RPC is back (see
 * connectorOutage.scenario.ts). Chain node, KV-store, core and connector run
 * as separate processes from `make build`'s dist/.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevNetwork } from '../../localnet/devNetwork.js';
import { freePort } from '../../localnet/processes.js';
import { describeConnectorOutage } from './connectorOutage.scenario.js';

describeConnectorOutage('connector outage on the embedded chain', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-attack-outage-'));
  // One party: core 1 listens on base+1, so base = a free port - 1.
  const [chainPort, kvStore, coreBase, publicBase] = [await freePort(), await freePort(), (await freePort()) - 1, (await freePort()) - 1];
  const net = await startDevNetwork({ dir, chainPort, ports: { kvStore, coreBase, publicBase } });
  return { ...net, dir };
});
