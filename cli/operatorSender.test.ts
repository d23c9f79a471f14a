/**
 * cli/operatorSender: who sends keygen_preproc / keygen / crs_gen for the CLI —
 * the user's own key when it is governance or an operator, else the network's
 * operator key (said on stderr), else a clear error before anything is sent.
 * Runs against an embedded chain node in process (the one `make start` runs).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { EmbeddedChain } from '../chain/embedded/embeddedChain.js';
import { startEmbeddedServer, type EmbeddedServer } from '../chain/embedded/server.js';
import { InProcessChainClient } from '../chain/embedded/inProcessClient.js';
import { deployContracts } from '../chain/deploy.js';
import { accountFromMnemonic, generateMnemonic, type ChainAccount } from '../chain/wallet.js';
import type { NetworkDescriptor } from '../chain/client.js';
import { connectChain } from '../chain/connect.js';
import { repoRoot } from '../common/paths.js';
import { TkmsError } from '../common/errors.js';
import { CliContext } from './context.js';
import { saveKey } from './keyring.js';
import { operatorSender } from './operatorSender.js';

describe('operatorSender', () => {
  let chain: EmbeddedChain;
  let server: EmbeddedServer;
  let governance: ChainAccount;
  let operator: ChainAccount;
  let network: NetworkDescriptor;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-opsender-'));
  const operatorKeyFile = path.join(dir, 'operator.mnemonic');

  beforeAll(async () => {
    chain = await EmbeddedChain.create();
    governance = await accountFromMnemonic(generateMnemonic(), 'wasm');
    operator = await accountFromMnemonic(generateMnemonic(), 'wasm');
    writeFileSync(operatorKeyFile, operator.mnemonic);
    const party = await accountFromMnemonic(generateMnemonic(), 'wasm');
    const { asc, config } = await deployContracts(new InProcessChainClient(chain, governance.address), {
      wasmDir: path.join(repoRoot(), 'contracts', 'build'),
      parties: [{ id: 1, address: party.address, signer_pubkey: '02' + '11'.repeat(32) }],
      threshold: 0,
      devMode: true,
      operators: [operator.address],
    });
    server = await startEmbeddedServer(chain, { port: 0 });
    network = { kind: 'embedded', chainId: chain.chainId, rpcUrl: server.url, denom: chain.denom, bech32Prefix: 'wasm', contracts: { asc, config }, kvStoreUrl: '', faucetUrl: server.url, cores: [] };
  });
  afterAll(() => server.close());

  /** A CLI home holding `mnemonic` (or no key), pointed at the network (with or without its operator key file). */
  function cli(mnemonic: string | undefined, withOperatorKey: boolean): CliContext {
    const home = mkdtempSync(path.join(dir, 'home-'));
    if (mnemonic) saveKey(home, 'default', mnemonic, 'test');
    const file = path.join(home, 'network.json');
    writeFileSync(file, JSON.stringify({ ...network, ...(withOperatorKey ? { operatorKeyFile } : {}) }));
    return new CliContext({ json: true, home, network: file, key: 'default' });
  }

  async function run(c: CliContext): Promise<{ address: string; via: string; stderr: string }> {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (writes.push(String(s)), true));
    try {
      const reader = await connectChain(c.network());
      const s = await operatorSender(c, reader, ['keygen_preproc', 'keygen']);
      return { address: s.address, via: s.via, stderr: writes.join('') };
    } finally {
      spy.mockRestore();
    }
  }

  test('default: governance and operators send with their own key, silently', async () => {
    expect(await run(cli(governance.mnemonic, true))).toEqual({ address: governance.address, via: 'own', stderr: '' });
    expect(await run(cli(operator.mnemonic, false))).toEqual({ address: operator.address, via: 'own', stderr: '' });
  });

  test("behavior: anyone else's requests go out from the network's operator key, said on stderr", async () => {
    const user = await accountFromMnemonic(generateMnemonic(), 'wasm');
    const r = await run(cli(user.mnemonic, true));
    expect(r).toMatchObject({ address: operator.address, via: 'network' });
    expect(r.stderr).toBe(
      `keygen_preproc and keygen sent by the network's operator account ${operator.address} (${operatorKeyFile}): your account ${user.address} is neither governance nor a Config operator\n`,
    );
    expect((await run(cli(undefined, true))).via).toBe('network');
  });

  test('behavior: without an operator key on the network, a plain account is refused before anything is sent', async () => {
    const user = await accountFromMnemonic(generateMnemonic(), 'wasm');
    const height = chain.height;
    const err = await run(cli(user.mnemonic, false)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TkmsError);
    expect((err as TkmsError).code).toBe('UNAUTHORIZED');
    expect((err as TkmsError).shortMessage).toBe(`keygen_preproc and keygen are restricted to governance and the Config operators: your account ${user.address} is neither governance nor a Config operator`);
    expect((err as TkmsError).details).toContain('names no operator key');
    expect(chain.height).toBe(height);
  });
});
