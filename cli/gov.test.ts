/**
 * `tkms gov` without a chain: it refuses the embedded chain (no x/gov) before
 * anything else, and `--from` reads a keyring name, a mnemonic file or wasmd's
 * key_seed.json. The proposals themselves: test/e2e/governance.wasmd.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliContext } from './context.js';
import { mnemonicFrom } from './commands/gov.js';
import { saveKey } from './keyring.js';
import { generateMnemonic } from '../chain/wallet.js';
import { runTkms, type CliEnv } from '../test/helpers/tkms.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tkms-gov-cli-'));

describe('tkms gov', () => {
  test('behavior: every subcommand refuses an embedded network with NO_GOVERNANCE', async () => {
    const network = path.join(dir, 'embedded.json');
    writeFileSync(
      network,
      JSON.stringify({ kind: 'embedded', chainId: 'tkms-dev', rpcUrl: 'http://127.0.0.1:9', denom: 'stake', bech32Prefix: 'wasm', contracts: { asc: 'a', config: 'c' }, kvStoreUrl: '', faucetUrl: '', cores: [] }),
    );
    const env: CliEnv = { network, home: dir };
    const addr = '0x' + '11'.repeat(20);
    for (const args of [
      ['gov', 'status'],
      ['gov', 'status', '1'],
      ['gov', 'vote', '1', 'yes'],
      ['gov', 'migrate', '--contract', 'wasm1x', '--code-id', '2'],
      ['gov', 'register-isc', '--app-id', 'a', '--evm-chain-id', '1', '--acl-address', addr, '--validators', addr, '--quorum', '1'],
    ]) {
      const r = await runTkms(env, args);
      expect(r.code).toBe(1);
      expect(r.json['error']).toMatchObject({ code: 'NO_GOVERNANCE', message: expect.stringContaining('governance proposals exist only on wasmd') });
    }
  }, 60_000);

  test('default: --from takes a keyring name, a mnemonic file or a wasmd key_seed.json', () => {
    const c = new CliContext({ json: true, home: dir, key: 'default' });
    const [a, b, s] = [generateMnemonic(), generateMnemonic(), generateMnemonic()];
    saveKey(dir, 'node0', a, 'test', true);
    writeFileSync(path.join(dir, 'op.mnemonic'), `${b}\n`);
    writeFileSync(path.join(dir, 'key_seed.json'), JSON.stringify({ secret: s }));
    expect(mnemonicFrom(c, 'node0')).toBe(a);
    expect(mnemonicFrom(c, path.join(dir, 'op.mnemonic'))).toBe(b);
    expect(mnemonicFrom(c, path.join(dir, 'key_seed.json'))).toBe(s);
    expect(() => mnemonicFrom(c, 'nobody')).toThrow('no key named "nobody"');
    writeFileSync(path.join(dir, 'bad.json'), '{"address":"x"}');
    expect(() => mnemonicFrom(c, path.join(dir, 'bad.json'))).toThrow('has neither "secret"');
  });
});
