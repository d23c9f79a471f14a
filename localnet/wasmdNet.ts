/**
 * @module localnet/wasmdNet
 * Runs N wasmd validators on loopback, each a child process with its own home,
 * ports and log file under `dir` (DESIGN.md §4 "wasmd"). Genesis is laid out by
 * `wasmd testnet init-files`, then patched here: fast blocks, governance in
 * seconds, funded test accounts, and one port block per validator (init-files'
 * own `--single-host` ports collide: node1's RPC port is the default ABCI port
 * and every node gets pprof on 6060).
 *
 * @example
 * const net = await startWasmdNet({ dir: stateDir('wasmd-test'), validators: 4 });
 * try { console.log(net.rpcUrls[0]); } finally { await net.stop(); }
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBech32 } from '@cosmjs/encoding';
import { Bip39, Random } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { repoRoot } from '../common/paths.js';

export interface FundedAccount {
  name: string;
  mnemonic: string;
  address: string;
}

export interface WasmdNetOptions {
  /** Number of validators (default 4). */
  validators?: number;
  /** State folder (wiped at start); callers pass a git-ignored folder under `.state/`. */
  dir: string;
  /** First port; validator i uses basePort + 10·i … + 5 (default 26600). */
  basePort?: number;
  /** Funded test accounts besides the faucet (default 8). */
  accounts?: number;
  /** What each test account holds, in the denom (default 10^12; tests of amounts past 10^18 need more). */
  accountFunds?: bigint;
  chainId?: string;
  /** `timeout_commit` in ms (default 200). */
  commitTimeoutMs?: number;
  /** wasmd log level (default "info"). */
  logLevel?: string;
  /** Let validators outlive this process (the `wasmd-up` CLI); stop with stopWasmdNet(dir). */
  detached?: boolean;
  /** Progress messages. */
  log?: (msg: string) => void;
}

/** What a running net looks like; also written to `<dir>/net.json`. */
export interface WasmdNetInfo {
  chainId: string;
  rpcUrls: string[];
  grpcUrls: string[];
  apiUrls: string[];
  denom: string;
  bech32Prefix: string;
  /** Gas price clients should use, e.g. "0.025stake" (above the nodes' minimum). */
  gasPrice: string;
  /** Holds most of the funds; the faucet service signs with it. */
  faucet: FundedAccount;
  /** Funded accounts for parties and users. */
  accounts: FundedAccount[];
  /** The validators' operator accounts (they hold the voting power: governance votes). */
  validatorAccounts: FundedAccount[];
  /** The gov module account: sender of messages run by governance proposals. */
  govAuthority: string;
  /** Gov voting periods in seconds. */
  votingPeriodSec: number;
  expeditedVotingPeriodSec: number;
  dir: string;
  pids: number[];
}

export interface WasmdNet extends WasmdNetInfo {
  /** Stops every validator. */
  stop(): Promise<void>;
  /** Kills validator i (fault injection; the chain goes on while more than 2/3 of the power runs). */
  stopValidator(i: number): Promise<void>;
  /** Restarts a stopped validator on its old state; resolves once it caught up with the others. */
  startValidator(i: number): Promise<void>;
}

const DENOM = 'stake';
const PREFIX = 'wasm';
const MIN_GAS_PRICE = `0.001${DENOM}`;
const GAS_PRICE = `0.0025${DENOM}`;
// Votes take ~1 s to land on an idle net, several seconds while validators compile an upload on 2 cores.
// Long enough for 4 validators to vote on a loaded 2-core machine: at 15 s a vote
// once landed after the end ("inactive proposal") with two 4-validator nets and
// 7 threshold cores sharing the 2 cores. Expedited proposals whose votes come
// late fall back to this period, so they still pass.
const VOTING_PERIOD_SEC = 30;
const EXPEDITED_VOTING_PERIOD_SEC = 10;
const FAUCET_FUNDS = 10n ** 15n;
const ACCOUNT_FUNDS = 10n ** 12n;

/** The wasmd binary built by `make wasmd` (localnet/build-wasmd.sh), or $WASMD_BIN. */
export function wasmdBinary(): { bin: string; env: NodeJS.ProcessEnv } {
  const cache = path.join(repoRoot(), '.cache', 'wasmd');
  const bin = process.env['WASMD_BIN'] ?? path.join(cache, 'bin', 'wasmd');
  const lib = path.join(cache, 'lib');
  const ld = [lib, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  return { bin, env: { ...process.env, LD_LIBRARY_PATH: ld } };
}

/** True when the wasmd binary exists and runs. */
export function wasmdAvailable(): boolean {
  const { bin, env } = wasmdBinary();
  if (!existsSync(bin)) return false;
  return spawnSync(bin, ['version'], { env, stdio: 'ignore' }).status === 0;
}

/** Address of a module account: first 20 bytes of sha256(name). */
export function moduleAddress(name: string, prefix = PREFIX): string {
  return toBech32(prefix, createHash('sha256').update(name).digest().subarray(0, 20));
}

function ports(basePort: number, i: number) {
  const b = basePort + 10 * i;
  return { rpc: b, p2p: b + 1, abci: b + 2, pprof: b + 3, api: b + 4, grpc: b + 5 };
}

/** Sets `key = value` inside `[section]` ('' for the top level) of a TOML text. */
function setToml(text: string, section: string, key: string, value: string | number | boolean): string {
  const lines = text.split('\n');
  let current = '';
  const rendered = typeof value === 'string' ? JSON.stringify(value) : String(value);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (sec) {
      current = sec[1]!.trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/[.-]/g, '\\$&')}\\s*=`).test(line)) {
      lines[i] = `${key} = ${rendered}`;
      return lines.join('\n');
    }
  }
  throw new Error(`TOML key ${section ? `[${section}] ` : ''}${key} not found`);
}

function editToml(file: string, edits: [section: string, key: string, value: string | number | boolean][]): void {
  let text = readFileSync(file, 'utf8');
  for (const [s, k, v] of edits) text = setToml(text, s, k, v);
  writeFileSync(file, text);
}

/** CometBFT node id: hex of the first 20 bytes of sha256(ed25519 public key). */
function nodeId(home: string): string {
  const key = JSON.parse(readFileSync(path.join(home, 'config', 'node_key.json'), 'utf8')) as {
    priv_key: { value: string };
  };
  const pub = Buffer.from(key.priv_key.value, 'base64').subarray(32);
  return createHash('sha256').update(pub).digest().subarray(0, 20).toString('hex');
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function newAccount(name: string, mnemonic = Bip39.encode(Random.getBytes(32)).toString()): Promise<FundedAccount> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: PREFIX });
  const [acc] = await wallet.getAccounts();
  return { name, mnemonic, address: acc!.address };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function patchGenesis(genesis: Json, funded: FundedAccount[], funds: bigint[]): void {
  const app = genesis.app_state;
  const gov = app.gov.params;
  gov.voting_period = `${VOTING_PERIOD_SEC}s`;
  gov.expedited_voting_period = `${EXPEDITED_VOTING_PERIOD_SEC}s`;
  gov.max_deposit_period = '60s';
  gov.min_deposit = [{ denom: DENOM, amount: '1000' }];
  gov.expedited_min_deposit = [{ denom: DENOM, amount: '2000' }];
  for (const [i, acc] of funded.entries()) {
    app.auth.accounts.push({
      '@type': '/cosmos.auth.v1beta1.BaseAccount',
      address: acc.address,
      pub_key: null,
      account_number: '0',
      sequence: '0',
    });
    app.bank.balances.push({ address: acc.address, coins: [{ denom: DENOM, amount: funds[i]!.toString() }] });
  }
  const total = funds.reduce((a, b) => a + b, 0n);
  const supply = (app.bank.supply as { denom: string; amount: string }[]).find((c) => c.denom === DENOM);
  if (!supply) throw new Error(`genesis has no ${DENOM} supply`);
  supply.amount = (BigInt(supply.amount) + total).toString();
}

export function pidFile(dir: string, name: string): string {
  return path.join(dir, `${name}.pid`);
}

/** True if `pid` runs a command naming a path inside `dir` (pids get recycled). */
function ownedBy(pid: number, dir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const root = path.resolve(dir);
    return cmd.some((a) => a !== '' && (path.resolve(a) === root || path.resolve(a).startsWith(root + path.sep)));
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killPid(pid: number, graceMs = 5000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!alive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  while (alive(pid)) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Kills what a previous run started in `dir`: every process named by a
 * `<dir>/*.pid` file (validators, the faucet) whose command line still points
 * into `dir`. Returns how many were running.
 */
export async function stopWasmdNet(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  let killed = 0;
  await Promise.all(
    files.map(async (f) => {
      const file = path.join(dir, f);
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0 && alive(pid) && ownedBy(pid, dir)) {
        await killPid(pid);
        killed++;
      }
      rmSync(file, { force: true });
    }),
  );
  return killed;
}

/** Reads `<dir>/net.json` written by startWasmdNet. */
export function readWasmdNet(dir: string): WasmdNetInfo {
  return JSON.parse(readFileSync(path.join(dir, 'net.json'), 'utf8')) as WasmdNetInfo;
}

async function rpcHeight(url: string): Promise<number> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as { result: { sync_info: { latest_block_height: string } } };
  return Number(body.result.sync_info.latest_block_height);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Starts the validators and resolves once every node has produced blocks. */
export async function startWasmdNet(opts: WasmdNetOptions): Promise<WasmdNet> {
  const n = opts.validators ?? 4;
  const dir = path.resolve(opts.dir);
  const basePort = opts.basePort ?? 26600;
  const chainId = opts.chainId ?? 'tkms-local';
  const log = opts.log ?? (() => {});
  const { bin, env } = wasmdBinary();
  if (!existsSync(bin)) throw new Error(`wasmd not found at ${bin}: run \`make wasmd\``);
  if (n < 1) throw new Error('validators must be >= 1');

  await stopWasmdNet(dir);
  for (let i = 0; i < n; i++) {
    for (const [what, port] of Object.entries(ports(basePort, i))) {
      if (!(await portFree(port))) throw new Error(`port ${port} (${what} of validator ${i}) is in use`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const init = spawnSync(
    bin,
    [
      'testnet', 'init-files',
      '--v', String(n),
      '--output-dir', dir,
      '--node-daemon-home', 'home',
      '--chain-id', chainId,
      '--keyring-backend', 'test',
      '--commit-timeout', `${opts.commitTimeoutMs ?? 200}ms`,
      '--minimum-gas-prices', MIN_GAS_PRICE,
      '--single-host',
      '--starting-ip-address', '127.0.0.1',
    ],
    { env, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`wasmd testnet init-files failed: ${init.stderr || init.stdout}`);
  const homes = Array.from({ length: n }, (_, i) => path.join(dir, `node${i}`, 'home'));

  const validatorAccounts: FundedAccount[] = [];
  for (const [i, home] of homes.entries()) {
    const { secret } = JSON.parse(readFileSync(path.join(home, 'key_seed.json'), 'utf8')) as { secret: string };
    validatorAccounts.push(await newAccount(`node${i}`, secret));
  }
  const faucet = await newAccount('faucet');
  const accounts: FundedAccount[] = [];
  for (let i = 0; i < (opts.accounts ?? 8); i++) accounts.push(await newAccount(`account${i}`));
  const genesisFile = (h: string) => path.join(h, 'config', 'genesis.json');
  const genesis = JSON.parse(readFileSync(genesisFile(homes[0]!), 'utf8')) as Json;
  patchGenesis(genesis, [faucet, ...accounts], [FAUCET_FUNDS, ...accounts.map(() => opts.accountFunds ?? ACCOUNT_FUNDS)]);
  const genesisText = JSON.stringify(genesis, null, 1);

  const ids = homes.map(nodeId);
  for (const [i, home] of homes.entries()) {
    const p = ports(basePort, i);
    writeFileSync(genesisFile(home), genesisText);
    const peers = ids
      .map((id, j) => (j === i ? '' : `${id}@127.0.0.1:${ports(basePort, j).p2p}`))
      .filter(Boolean)
      .join(',');
    editToml(path.join(home, 'config', 'config.toml'), [
      ['', 'proxy_app', `tcp://127.0.0.1:${p.abci}`],
      ['', 'moniker', `node${i}`],
      ['rpc', 'laddr', `tcp://127.0.0.1:${p.rpc}`],
      ['rpc', 'pprof_laddr', `127.0.0.1:${p.pprof}`],
      ['p2p', 'laddr', `tcp://127.0.0.1:${p.p2p}`],
      ['p2p', 'persistent_peers', peers],
      ['p2p', 'addr_book_strict', false],
      ['p2p', 'allow_duplicate_ip', true],
      ['consensus', 'timeout_propose', '1s'],
      ['consensus', 'timeout_prevote', '500ms'],
      ['consensus', 'timeout_precommit', '500ms'],
      ['tx_index', 'indexer', 'kv'],
    ]);
    editToml(path.join(home, 'config', 'app.toml'), [
      ['', 'minimum-gas-prices', MIN_GAS_PRICE],
      ['api', 'enable', true],
      ['api', 'address', `tcp://127.0.0.1:${p.api}`],
      ['grpc', 'address', `127.0.0.1:${p.grpc}`],
    ]);
  }

  const info: WasmdNetInfo = {
    chainId,
    rpcUrls: homes.map((_, i) => `http://127.0.0.1:${ports(basePort, i).rpc}`),
    grpcUrls: homes.map((_, i) => `127.0.0.1:${ports(basePort, i).grpc}`),
    apiUrls: homes.map((_, i) => `http://127.0.0.1:${ports(basePort, i).api}`),
    denom: DENOM,
    bech32Prefix: PREFIX,
    gasPrice: GAS_PRICE,
    faucet,
    accounts,
    validatorAccounts,
    govAuthority: moduleAddress('gov'),
    votingPeriodSec: VOTING_PERIOD_SEC,
    expeditedVotingPeriodSec: EXPEDITED_VOTING_PERIOD_SEC,
    dir,
    pids: [],
  };

  const spawnNode = (i: number) => {
    const logFile = path.join(dir, `node${i}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(bin, ['start', '--home', homes[i]!, '--log_level', opts.logLevel ?? 'info', '--log_no_color'], {
      env,
      stdio: ['ignore', fd, fd],
      // Attached children share the caller's process group, so Ctrl-C on a test run stops them too.
      detached: opts.detached ?? false,
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`cannot start validator ${i}`);
    writeFileSync(pidFile(dir, `node${i}`), `${child.pid}\n`);
    info.pids[i] = child.pid;
    if (opts.detached) child.unref();
    const c = { child, logFile, exited: false };
    child.once('exit', () => (c.exited = true));
    return c;
  };
  const children = homes.map((_, i) => spawnNode(i));
  writeFileSync(path.join(dir, 'net.json'), JSON.stringify(info, null, 2));

  const stop = async () => {
    await Promise.all(info.pids.map((pid) => killPid(pid)));
    for (let i = 0; i < n; i++) rmSync(pidFile(dir, `node${i}`), { force: true });
  };
  const stopValidator = async (i: number) => {
    if (!children[i]) throw new Error(`no validator ${i}`);
    await killPid(info.pids[i]!);
  };
  const startValidator = async (i: number) => {
    if (!children[i]) throw new Error(`no validator ${i}`);
    if (!children[i]!.exited && alive(info.pids[i]!)) return;
    children[i] = spawnNode(i);
    writeFileSync(path.join(dir, 'net.json'), JSON.stringify(info, null, 2));
    const deadline = Date.now() + 60_000;
    const target = Math.max(0, ...(await Promise.all(info.rpcUrls.map((u, j) => (j === i ? 0 : rpcHeight(u).catch(() => 0))))));
    while ((await rpcHeight(info.rpcUrls[i]!).catch(() => 0)) < target) {
      if (children[i]!.exited) throw new Error(`validator ${i} exited on restart:\n${tail(children[i]!.logFile)}`);
      if (Date.now() > deadline) throw new Error(`validator ${i} did not catch up within 60 s`);
      await sleep(200);
    }
  };

  try {
    const t0 = Date.now();
    const deadline = t0 + 90_000;
    for (;;) {
      const dead = children.findIndex((c) => c.exited);
      if (dead >= 0) throw new Error(`validator ${dead} exited during startup:\n${tail(children[dead]!.logFile)}`);
      const heights = await Promise.all(info.rpcUrls.map((u) => rpcHeight(u).catch(() => 0)));
      if (heights.every((h) => h >= 2)) {
        log(`wasmd net ${chainId}: ${n} validators producing blocks after ${Date.now() - t0} ms`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no blocks after 90 s; heights ${heights.join(',')}\n${tail(children[0]!.logFile)}`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...info, stop, stopValidator, startValidator };
}

/**
 * Starts the faucet (chain/faucet/main) for the net in `dir` as a background
 * process with `<dir>/faucet.pid` and `<dir>/faucet.log`; stopWasmdNet stops it.
 * Resolves when `GET /health` answers.
 */
export async function spawnFaucet(dir: string, port: number, amount?: string): Promise<{ url: string; pid: number }> {
  const self = fileURLToPath(import.meta.url);
  // From TypeScript sources (jest) run the compiled faucet: node cannot run .ts files.
  const main = self.endsWith('.ts')
    ? path.join(repoRoot(), 'dist', 'chain', 'faucet', 'main.js')
    : path.join(path.dirname(self), '..', 'chain', 'faucet', 'main.js');
  const fd = openSync(path.join(dir, 'faucet.log'), 'a');
  const args = [main, '--net-dir', path.resolve(dir), '--port', String(port), ...(amount ? ['--amount', amount] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  if (child.pid === undefined) throw new Error('cannot start the faucet');
  writeFileSync(pidFile(dir, 'faucet'), `${child.pid}\n`);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`faucet exited during startup:\n${tail(path.join(dir, 'faucet.log'))}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return { url, pid: child.pid };
    if (Date.now() > deadline) throw new Error(`faucet not healthy after 30 s:\n${tail(path.join(dir, 'faucet.log'))}`);
    await sleep(200);
  }
}
