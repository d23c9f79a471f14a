/**
 * `tkms gov register-isc | migrate | vote | status`: governance of the KMS
 * contracts on wasmd (DESIGN.md §1 flow 5). The Config and the contracts'
 * admin are the gov module account, so every change is a proposal that the
 * validators vote on; these commands submit such proposals, vote with a
 * validator's operator key and show where a proposal stands. The embedded
 * chain has no governance module (its deployer governs): the commands refuse it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCoins } from '@cosmjs/proto-signing';
import type { Command } from 'commander';
import type { Coin, NetworkDescriptor } from '../../chain/client.js';
import { accountFromMnemonic } from '../../chain/wallet.js';
import { WasmdClient } from '../../chain/wasmd/wasmdClient.js';
import {
  govMigrateMessage,
  govModuleAddress,
  minDeposit,
  proposalInfo,
  recentProposals,
  submitProposal,
  vote,
  type ProposalInfo,
  type VoteOption,
} from '../../chain/wasmd/governance.js';
import { submitRegisterFhevmIsc } from '../../chain/wasmd/registerFhevmIsc.js';
import { FHEVM_ACL_SLOT_BASE, type FhevmIscInstantiateMsg } from '../../chain/isc-fhevm/messages.js';
import { loadMnemonic } from '../keyring.js';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';
import { TkmsError } from '../../common/errors.js';

type Ctx = () => CliContext;

const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** The ISC's upper bound on max_age_seconds (contracts/isc-fhevm/state.ts). */
const MAX_AGE_LIMIT = 2_592_000;

function wasmdNetwork(c: CliContext): NetworkDescriptor {
  const n = c.network();
  if (n.kind !== 'wasmd') {
    throw new TkmsError('NO_GOVERNANCE', `governance proposals exist only on wasmd; ${c.networkFile} is an ${n.kind} chain`, {
      details: 'the embedded chain has no x/gov module: its deployer sends Config messages directly. Start a wasmd network with `make localnet`.',
    });
  }
  return n;
}

async function connect(n: NetworkDescriptor, mnemonic?: string): Promise<WasmdClient> {
  return WasmdClient.connect(n.rpcUrl, {
    ...(mnemonic ? { mnemonic } : {}),
    prefix: n.bech32Prefix,
    gasPrice: n.gasPrice ?? `0.025${n.denom}`,
    chainId: n.chainId,
  });
}

/**
 * The signing key for `--from`: a key name in the CLI keyring, or a file holding
 * either a mnemonic or wasmd's `key_seed.json` (`{"secret": "<mnemonic>"}`, what
 * `wasmd testnet init-files` writes in each node's home for its operator account).
 */
export function mnemonicFrom(c: CliContext, from: string | undefined): string {
  const name = from ?? c.opts.key;
  // A keyring name first; otherwise a file; otherwise the keyring's own "no key" error.
  if (existsSync(path.join(c.home, 'keys', `${name}.json`)) || !existsSync(name)) return loadMnemonic(c.home, name);
  const text = readFileSync(name, 'utf8').trim();
  if (text.startsWith('{')) {
    const j = JSON.parse(text) as { secret?: unknown; mnemonic?: unknown };
    const m = typeof j.secret === 'string' ? j.secret : typeof j.mnemonic === 'string' ? j.mnemonic : undefined;
    if (!m) throw new TkmsError('BAD_KEY_FILE', `${name} has neither "secret" (wasmd key_seed.json) nor "mnemonic"`);
    return m.trim();
  }
  return text;
}

function int(name: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new TkmsError('BAD_ARGUMENT', `${name} must be an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

async function deposit(client: WasmdClient, given: string | undefined, expedited: boolean): Promise<Coin[]> {
  if (given === undefined) return minDeposit(client, expedited);
  try {
    const coins = parseCoins(given);
    if (coins.length === 0) throw new Error('empty');
    return coins.map((x) => ({ denom: x.denom, amount: x.amount }));
  } catch (e) {
    throw new TkmsError('BAD_ARGUMENT', `--deposit must be coins like 2000stake, got "${given}"`, { cause: e });
  }
}

const VOTE_OPTIONS: Record<string, VoteOption> = { yes: 'yes', no: 'no', abstain: 'abstain', veto: 'no_with_veto', no_with_veto: 'no_with_veto' };

function showProposal(p: ProposalInfo): string {
  return [
    `proposal ${p.id}: ${p.status}${p.expedited ? ' (expedited)' : ''}`,
    `title:       ${p.title}`,
    `voting ends: ${p.votingEndTime ?? '-'}`,
    `tally:       yes ${p.tally.yes}, no ${p.tally.no}, abstain ${p.tally.abstain}, veto ${p.tally.no_with_veto}`,
    'messages:',
    ...p.messages.map((m, i) => `  ${i}: ${m.summary}`),
    ...(p.failedReason ? [`failed:      ${p.failedReason}`] : []),
  ].join('\n');
}

interface ProposalOptions {
  deposit?: string;
  title?: string;
  summary?: string;
  expedited?: boolean;
}

function proposalOptions(cmd: Command): Command {
  return cmd
    .option('--deposit <coins>', "initial deposit, e.g. 2000stake (default: the chain's minimum for the proposal kind)")
    .option('--title <text>', 'proposal title')
    .option('--summary <text>', 'proposal summary')
    .option('--expedited', 'expedited proposal: shorter voting period, higher pass threshold and deposit', false);
}

export function registerGov(program: Command, ctx: Ctx): void {
  const gov = program
    .command('gov')
    .description('governance on wasmd: proposals that change the Config or migrate contracts, votes, status')
    .addHelpText(
      'after',
      '\nThe Config and the contracts answer to the gov module account, so each change is a proposal\n' +
        'the validators vote on. The proposer (--key) pays the deposit; votes are signed with --from.\n' +
        'Governance exists only on wasmd networks (`make localnet`), not on the embedded chain.',
    );

  proposalOptions(
    gov
      .command('register-isc')
      .description('propose a new fhEVM ISC (instantiated from the stored isc-fhevm code) registered in the Config as an application')
      .requiredOption('--app-id <id>', 'application id requests will name (app_id)')
      .requiredOption('--evm-chain-id <n>', 'chain id of the fhEVM chain')
      .requiredOption('--acl-address <0xaddr>', "the fhEVM chain's ACL contract")
      .requiredOption('--validators <0xaddr,...>', "EVM addresses of the fhEVM chain's validators that sign headers")
      .requiredOption('--quorum <k>', 'distinct validator signatures a header needs')
      .option('--acl-slot-base <0xword>', 'storage slot of the ACL permission mapping', FHEVM_ACL_SLOT_BASE)
      .option('--max-age <seconds>', 'oldest accepted signed header, against the KMS chain block time (ISC default 3600)')
      .option('--code-id <n>', 'isc-fhevm code id (default: codeIds.iscFhevm of the network file)')
      .option('--salt <hex>', 'instantiate2 salt, 1–64 bytes of hex (default: 16 random bytes)'),
  ).action(
    async (o: ProposalOptions & { appId: string; evmChainId: string; aclAddress: string; validators: string; quorum: string; aclSlotBase: string; maxAge?: string; codeId?: string; salt?: string }) => {
      const c = ctx();
      const n = wasmdNetwork(c);
      // What the Config and the ISC would refuse is refused here, before a deposit is spent.
      if (o.appId.length === 0 || o.appId.length > 64) throw new TkmsError('BAD_ARGUMENT', '--app-id must be 1–64 characters');
      const validators = o.validators.split(',').map((v) => v.trim()).filter(Boolean);
      const bad = validators.find((v) => !EVM_ADDRESS.test(v));
      if (validators.length === 0 || bad !== undefined) throw new TkmsError('BAD_ARGUMENT', `--validators must be comma-separated 0x EVM addresses${bad ? `; "${bad}" is not` : ''}`);
      if (!EVM_ADDRESS.test(o.aclAddress)) throw new TkmsError('BAD_ARGUMENT', `--acl-address must be a 0x EVM address, got "${o.aclAddress}"`);
      const quorum = int('--quorum', o.quorum, 1);
      if (quorum > validators.length) throw new TkmsError('BAD_ARGUMENT', `--quorum ${quorum} exceeds the ${validators.length} validator(s)`);
      const codeId = o.codeId !== undefined ? int('--code-id', o.codeId, 1) : n.codeIds?.iscFhevm;
      if (codeId === undefined) {
        throw new TkmsError('NO_CODE_ID', `${c.networkFile} names no stored isc-fhevm code`, { details: 'pass --code-id <n> (the code id of contracts/build/isc-fhevm.wasm on this chain)' });
      }
      if (o.salt !== undefined && !/^([0-9a-fA-F]{2}){1,64}$/.test(o.salt)) throw new TkmsError('BAD_ARGUMENT', '--salt must be 1–64 bytes of hex');
      const isc: FhevmIscInstantiateMsg = {
        chain_id: int('--evm-chain-id', o.evmChainId, 1),
        acl_address: o.aclAddress.toLowerCase(),
        acl_slot_base: o.aclSlotBase,
        validators: validators.map((v) => v.toLowerCase()),
        quorum,
        ...(o.maxAge !== undefined ? { max_age_seconds: int('--max-age', o.maxAge, 1) } : {}),
      };
      if (isc.max_age_seconds !== undefined && isc.max_age_seconds > MAX_AGE_LIMIT) throw new TkmsError('BAD_ARGUMENT', `--max-age must be at most ${MAX_AGE_LIMIT} (30 days)`);
      if (new Set(isc.validators).size !== isc.validators.length) throw new TkmsError('BAD_ARGUMENT', '--validators holds a duplicate address');
      const client = await connect(n, (await c.account()).mnemonic);
      try {
        const r = await submitRegisterFhevmIsc(client, {
          config: n.contracts.config,
          codeId,
          appId: o.appId,
          isc,
          deposit: await deposit(client, o.deposit, o.expedited ?? false),
          expedited: o.expedited ?? false,
          ...(o.salt ? { salt: Uint8Array.from(Buffer.from(o.salt, 'hex')) } : {}),
          ...(o.title ? { title: o.title } : {}),
          ...(o.summary ? { summary: o.summary } : {}),
        });
        const info = await proposalInfo(client, r.proposalId);
        printResult(c.opts, { proposalId: r.proposalId, iscAddress: r.iscAddress, appId: o.appId, codeId, salt: r.salt, status: info.status, votingEndTime: info.votingEndTime, txHash: r.txHash }, () =>
          [`proposal ${r.proposalId} submitted (${info.status}, voting ends ${info.votingEndTime ?? '-'})`, `ISC address once passed: ${r.iscAddress}`, `vote: tkms gov vote ${r.proposalId} yes --from <validator key>`].join('\n'),
        );
      } finally {
        await client.close();
      }
    },
  );

  proposalOptions(
    gov
      .command('migrate')
      .description('propose migrating a contract (its admin must be the gov module account) to another stored code')
      .requiredOption('--contract <addr>', 'contract to migrate')
      .requiredOption('--code-id <n>', 'new code id')
      .option('--msg <json>', "the new code's migrate message", '{}'),
  ).action(async (o: ProposalOptions & { contract: string; codeId: string; msg: string }) => {
    const c = ctx();
    const n = wasmdNetwork(c);
    let msg: unknown;
    try {
      msg = JSON.parse(o.msg);
    } catch (e) {
      throw new TkmsError('BAD_ARGUMENT', '--msg must be JSON', { cause: e });
    }
    const codeId = int('--code-id', o.codeId, 1);
    const client = await connect(n, (await c.account()).mnemonic);
    try {
      const gov = govModuleAddress(n.bech32Prefix);
      const info = await client.contractInfo(o.contract).catch((e: unknown) => {
        throw new TkmsError('NOT_FOUND', `no contract ${o.contract} on ${n.chainId}`, { cause: e });
      });
      if (info.admin !== gov) {
        throw new TkmsError('NOT_GOV_ADMIN', `contract ${o.contract} has admin ${info.admin ?? '(none)'}, not the gov module account ${gov}`, {
          details: 'only a contract whose admin is the gov module account can be migrated by a proposal',
        });
      }
      await client.codeChecksum(codeId); // fails with NOT_FOUND before a deposit is spent
      const r = await submitProposal(client, {
        messages: [govMigrateMessage(gov, o.contract, codeId, msg)],
        deposit: await deposit(client, o.deposit, o.expedited ?? false),
        title: o.title ?? `Migrate ${info.label || o.contract} to code ${codeId}`,
        summary: o.summary ?? `Migrates ${o.contract} from code ${info.codeId} to code ${codeId}.`,
        expedited: o.expedited ?? false,
      });
      const p = await proposalInfo(client, r.proposalId);
      printResult(c.opts, { proposalId: r.proposalId, contract: o.contract, fromCodeId: info.codeId, codeId, status: p.status, votingEndTime: p.votingEndTime, txHash: r.txHash }, () =>
        `proposal ${r.proposalId} submitted (${p.status}, voting ends ${p.votingEndTime ?? '-'}): migrate ${o.contract} from code ${info.codeId} to ${codeId}`,
      );
    } finally {
      await client.close();
    }
  });

  gov
    .command('vote <proposalId> <option>')
    .description('vote yes, no, abstain or veto on a proposal; only staked voting power counts (validators)')
    .option('--from <key>', 'key name in the CLI keyring, or a file with a mnemonic or a wasmd key_seed.json (default: --key)')
    .addHelpText(
      'after',
      '\nVotes count with the voter\'s staked power, so the voter is normally a validator\'s operator account.\n' +
        'Either import its mnemonic once (`tkms --key node0 keys import --mnemonic-file <file>`) and vote with\n' +
        '`--from node0`, or point --from at the key file itself. `wasmd testnet init-files`, which `make localnet`\n' +
        'uses, writes each validator operator\'s mnemonic to <node home>/key_seed.json, i.e. on the localnet\n' +
        '  tkms gov vote 1 yes --from .state/localnet/wasmd/node0/home/key_seed.json\n' +
        '(development networks only: those files hold the mnemonic in clear).',
    )
    .action(async (id: string, option: string, o: { from?: string }) => {
      const c = ctx();
      const n = wasmdNetwork(c);
      const choice = VOTE_OPTIONS[option.toLowerCase()];
      if (!choice) throw new TkmsError('BAD_ARGUMENT', `unknown vote option "${option}": use yes, no, abstain or veto`);
      const proposalId = int('proposal id', id, 1);
      const mnemonic = mnemonicFrom(c, o.from);
      const voter = (await accountFromMnemonic(mnemonic, n.bech32Prefix)).address;
      const client = await connect(n, mnemonic);
      try {
        const before = await proposalInfo(client, proposalId);
        if (before.status !== 'voting_period') throw new TkmsError('NOT_VOTING', `proposal ${proposalId} is ${before.status}, not in its voting period`);
        const r = await vote(client, proposalId, choice);
        printResult(c.opts, { proposalId, option: choice, voter, txHash: r.txHash }, () => `${voter} voted ${choice} on proposal ${proposalId}`);
      } finally {
        await client.close();
      }
    });

  gov
    .command('status [proposalId]')
    .description('a proposal: status, tally, voting end time, messages, why it failed; without an id, the latest proposals')
    .option('--limit <n>', 'how many recent proposals to list', '10')
    .action(async (id: string | undefined, o: { limit: string }) => {
      const c = ctx();
      const n = wasmdNetwork(c);
      const client = await connect(n);
      try {
        if (id === undefined) {
          const list = await recentProposals(client, int('--limit', o.limit, 1));
          printResult(c.opts, { proposals: list }, () =>
            list.length ? list.map((p) => `${String(p.id).padStart(4)}  ${p.status.padEnd(15)} ${p.votingEndTime ?? '-'}  ${p.title}`).join('\n') : 'no proposals',
          );
          return;
        }
        const p = await proposalInfo(client, int('proposal id', id, 1));
        printResult(c.opts, { ...p }, () => showProposal(p));
      } finally {
        await client.close();
      }
    });
}
