/**
 * Attack "a connector can go deaf", on a wasmd localnet (one validator, the
 * centralized core): the connector's CometBFT RPC (HTTP and websocket) is cut
 * for longer than the old watcher's ~43 s of retries, a decrypt request is
 * made meanwhile through the validator directly, and it is answered once the
 * RPC is back (see connectorOutage.scenario.ts). In CI a missing wasmd is a
 * failure (run `make wasmd`), never a skip.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWasmdKmsNetwork } from '../../localnet/wasmdKmsNetwork.js';
import { wasmdAvailable } from '../../localnet/wasmdNet.js';
import { freePort } from '../../localnet/processes.js';
import { describeConnectorOutage } from './connectorOutage.scenario.js';

describeConnectorOutage('connector outage on a wasmd localnet', async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-attack-outage-wasmd-'));
  const net = await startWasmdKmsNetwork({
    dir,
    validators: 1,
    basePort: 32300, // its own range, below the ephemeral ports (32768+) that freePort() hands out
    // The outage is about liveness, not provenance: an open application keeps the request a plain encrypt + decrypt.
    devMode: true,
    faucetPort: await freePort(),
    ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
  });
  return { ...net, dir };
});
