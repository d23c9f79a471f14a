/**
 * @module cli/operatorSender
 * Who sends `keygen_preproc`, `keygen` and `crs_gen`: the ASC accepts them only
 * from Config governance or a Config operator. The CLI uses the user's own
 * account when it is one; otherwise the network's operator account when
 * `network.json` names its key file (local networks), saying so on stderr;
 * otherwise it stops with a clear error before any fee is spent.
 */
import type { KmsChainClient } from '../chain/client.js';
import { connectChain } from '../chain/connect.js';
import { getParams } from '../chain/config/queries.js';
import { loadOperatorAccount, operatorKeyPath } from '../chain/operatorKey.js';
import type { ChainAccount } from '../chain/wallet.js';
import { TkmsError } from '../common/errors.js';
import type { CliContext } from './context.js';

export type OperatorKind = 'keygen_preproc' | 'keygen' | 'crs_gen';

export interface OperatorSender {
  client: KmsChainClient;
  address: string;
  /** "own": the user's key; "network": the network's operator key. */
  via: 'own' | 'network';
}

/** The user's own account, or undefined when the CLI has no key (the network's operator may still act). */
async function ownAccount(c: CliContext): Promise<ChainAccount | undefined> {
  try {
    return await c.account();
  } catch (e) {
    if (e instanceof TkmsError && e.code === 'NO_KEY') return undefined;
    throw e;
  }
}

/**
 * A signing client allowed to send `kinds` requests. `reader` is any client of
 * the network (for the Config query).
 */
export async function operatorSender(c: CliContext, reader: KmsChainClient, kinds: OperatorKind[]): Promise<OperatorSender> {
  const network = c.network();
  const params = await getParams(reader, network.contracts.config);
  const allowed = (a: string): boolean => a === params.governance || (params.operators ?? []).includes(a);
  const what = kinds.join(' and ');
  const own = await ownAccount(c);
  if (own && allowed(own.address)) return { client: await connectChain(network, own), address: own.address, via: 'own' };
  const operator = await loadOperatorAccount(network, c.networkFile);
  const who = own ? `your account ${own.address} is neither governance nor a Config operator` : 'you have no key';
  if (operator && allowed(operator.address)) {
    process.stderr.write(`${what} sent by the network's operator account ${operator.address} (${operatorKeyPath(network, c.networkFile)}): ${who}\n`);
    return { client: await connectChain(network, operator), address: operator.address, via: 'network' };
  }
  throw new TkmsError('UNAUTHORIZED', `${what} ${kinds.length > 1 ? 'are' : 'is'} restricted to governance and the Config operators: ${who}`, {
    details: operator
      ? `the network's operator key (${operatorKeyPath(network, c.networkFile)}, ${operator.address}) is not a Config operator either; governance can add operators with update_params {operators}`
      : 'this network names no operator key (operatorKeyFile in network.json); ask governance to add your account to the Config operators (update_params {operators})',
  });
}
