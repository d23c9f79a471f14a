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

describeDecryptFlow('e2e on a 4-validator wasmd localnet', async () => {
  if (!wasmdAvailable()) throw new Error('wasmd is not built: run `make wasmd` (the wasmd end-to-end tests never skip)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-e2e-wasmd-'));
  const net = await startWasmdKmsNetwork({
    dir,
    validators: 4,
    basePort: 27600,
    faucetPort: await freePort(),
    ports: { kvStore: await freePort(), coreBase: (await freePort()) - 1, publicBase: (await freePort()) - 1 },
  });
  return { ...net, dir };
});
