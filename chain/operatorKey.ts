/**
 * @module chain/operatorKey
 * The operator account a local network names in `network.json`
 * (`operatorKeyFile`): a development/test mnemonic listed in Config `operators`,
 * so it may start keygen, keygen_preproc and crs_gen (restricted to governance
 * and the operators). Tools and benches use it to start those requests on a
 * user's behalf; a real deployment has its own operators and no such file.
 *
 * @example
 * const operator = await loadOperatorAccount(network, networkFile);
 * if (operator) await submitKeygen(await connectChain(network, operator), asc, funds);
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NetworkDescriptor } from './client.js';
import { accountFromMnemonic, type ChainAccount } from './wallet.js';

/** The resolved path of the network's operator key file (relative paths are relative to network.json), or undefined. */
export function operatorKeyPath(network: NetworkDescriptor, networkFile?: string): string | undefined {
  const f = network.operatorKeyFile;
  if (!f) return undefined;
  return path.isAbsolute(f) || !networkFile ? f : path.join(path.dirname(networkFile), f);
}

/** The operator account of a local network, or undefined when it names none (or the file is gone). */
export async function loadOperatorAccount(network: NetworkDescriptor, networkFile?: string): Promise<ChainAccount | undefined> {
  const file = operatorKeyPath(network, networkFile);
  if (!file || !existsSync(file)) return undefined;
  return accountFromMnemonic(readFileSync(file, 'utf8').trim(), network.bech32Prefix);
}
