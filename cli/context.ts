/**
 * @module cli/context
 * What every command needs: the CLI home, the network it talks to, a chain
 * client (signing when the command sends transactions), and the Config's
 * party set for verifying results.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KmsChainClient, NetworkDescriptor } from '../chain/client.js';
import { connectChain } from '../chain/connect.js';
import { accountFromMnemonic, type ChainAccount } from '../chain/wallet.js';
import type { PartiesResponse } from '../chain/config/messages.js';
import { loadMnemonic } from './keyring.js';
import { stateDir } from '../common/paths.js';
import { TkmsError } from '../common/errors.js';
import type { OutputOptions } from './output.js';

export interface GlobalOptions extends OutputOptions {
  home?: string;
  network?: string;
  key: string;
}

export interface CliState {
  /** Last key generated per chain id: the default `--key-id`. */
  lastKeyId: Record<string, string>;
  /** Handles `tkms encrypt --prove` stored, with the CRS their proof is for: `tkms decrypt` asks for verification. */
  provenInputs?: Record<string, string>;
}

export class CliContext {
  readonly home: string;
  private networkCache: NetworkDescriptor | undefined;

  constructor(readonly opts: GlobalOptions) {
    this.home = opts.home ?? process.env['TKMS_HOME'] ?? path.join(os.homedir(), '.tkms');
  }

  get networkFile(): string {
    return this.opts.network ?? process.env['TKMS_NETWORK'] ?? stateDir('current', 'network.json');
  }

  network(): NetworkDescriptor {
    if (this.networkCache) return this.networkCache;
    const file = this.networkFile;
    if (!existsSync(file)) {
      throw new TkmsError('NO_NETWORK', `no network description at ${file}`, {
        details: 'start a network with `make start` (embedded chain) or `make localnet` (wasmd), or pass --network <file>',
      });
    }
    this.networkCache = JSON.parse(readFileSync(file, 'utf8')) as NetworkDescriptor;
    return this.networkCache;
  }

  account(): Promise<ChainAccount> {
    return accountFromMnemonic(loadMnemonic(this.home, this.opts.key), this.network().bech32Prefix);
  }

  async chain(signing: boolean): Promise<KmsChainClient> {
    return connectChain(this.network(), signing ? await this.account() : undefined);
  }

  async parties(client: KmsChainClient): Promise<PartiesResponse> {
    return client.queryContract<PartiesResponse>(this.network().contracts.config, { parties: {} });
  }

  state(): CliState {
    const file = path.join(this.home, 'state.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CliState) : { lastKeyId: {} };
  }

  saveState(s: CliState): void {
    mkdirSync(this.home, { recursive: true });
    writeFileSync(path.join(this.home, 'state.json'), JSON.stringify(s, null, 2));
  }

  cacheDir(...parts: string[]): string {
    const dir = path.join(this.home, 'cache', this.network().chainId, ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}
