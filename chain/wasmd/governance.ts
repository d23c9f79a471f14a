/**
 * @module chain/wasmd/governance
 * Runs contract messages through x/gov on wasmd (DESIGN.md §1 flow 5): a
 * `MsgSubmitProposal` whose messages are `MsgExecuteContract`s sent by the gov
 * module account, yes votes from the validators, then the proposal's outcome.
 * Messages a proposal runs emit their events in the block's end (finalize-block
 * events), not in a transaction, so `watchEvents` does not see them.
 * Proposals may carry `MsgExecuteContract`, `MsgInstantiateContract(2)` and
 * `MsgMigrateContract`, each sent by the gov module account; `proposalInfo`
 * reads what `tkms gov status` shows.
 *
 * @example
 * const { status } = await executeViaGovernance(proposer, validators, {
 *   govAuthority: net.govAuthority, contract: config, msg: { update_fees: { fees: { denom: 'stake', decrypt: '100' } } },
 *   deposit: [{ denom: 'stake', amount: '1000' }], expedited: true });
 */
import { createHash } from 'node:crypto';
import { fromUtf8, toBech32, toUtf8 } from '@cosmjs/encoding';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { BinaryReader } from 'cosmjs-types/binary.js';
import type { Any } from 'cosmjs-types/google/protobuf/any.js';
import type { Timestamp } from 'cosmjs-types/google/protobuf/timestamp.js';
import { MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContract2, MsgMigrateContract } from 'cosmjs-types/cosmwasm/wasm/v1/tx.js';
import { Proposal, TallyResult } from 'cosmjs-types/cosmos/gov/v1/gov.js';
import { Coin as CoinProto } from 'cosmjs-types/cosmos/base/v1beta1/coin.js';
import {
  QueryProposalRequest,
  QueryProposalsRequest,
  QueryProposalsResponse,
  QueryTallyResultRequest,
  QueryTallyResultResponse,
} from 'cosmjs-types/cosmos/gov/v1/query.js';
import type { Coin } from '../client.js';
import { TimeoutError, TkmsError } from '../../common/errors.js';
import type { MsgSubmitProposalV50, WasmdClient } from './wasmdClient.js';

/** Gov txs use more gas than simulated (a vote simulated at ~36k used ~56k on wasmd 0.70). */
const GOV_GAS_MULTIPLIER = 2.5;

export type ProposalStatusName = 'unspecified' | 'deposit_period' | 'voting_period' | 'passed' | 'rejected' | 'failed';
const STATUS: ProposalStatusName[] = ['unspecified', 'deposit_period', 'voting_period', 'passed', 'rejected', 'failed'];

export interface ProposalState {
  status: ProposalStatusName;
  /** Why a passed proposal's messages failed (status "failed"). */
  failedReason: string;
}

export interface SubmitProposalParameters {
  messages: readonly EncodeObject[];
  deposit: readonly Coin[];
  title?: string;
  summary?: string;
  /** Shorter voting period, higher threshold. */
  expedited?: boolean;
}

/** The gov module account: first 20 bytes of sha256("gov") (x/auth module address). */
export function govModuleAddress(prefix: string): string {
  return toBech32(prefix, createHash('sha256').update('gov').digest().subarray(0, 20));
}

/** A contract execution to be run by governance (sender: the gov module account). */
export function govExecuteMessage(govAuthority: string, contract: string, msg: unknown, funds: readonly Coin[] = []): EncodeObject {
  return {
    typeUrl: '/cosmwasm.wasm.v1.MsgExecuteContract',
    value: MsgExecuteContract.fromPartial({ sender: govAuthority, contract, msg: toUtf8(JSON.stringify(msg)), funds: [...funds] }),
  };
}

export async function submitProposal(proposer: WasmdClient, p: SubmitProposalParameters): Promise<{ proposalId: number; txHash: string; gasUsed: number }> {
  const proposerAddress = proposer.senderAddress;
  if (!proposerAddress) throw new TkmsError('NO_SIGNER', 'the proposer client is read-only');
  const value: MsgSubmitProposalV50 = {
    messages: p.messages.map((m) => ({ typeUrl: m.typeUrl, value: encodeAny(m) })),
    initialDeposit: [...p.deposit],
    proposer: proposerAddress,
    metadata: '',
    title: p.title ?? 'tkms proposal',
    summary: p.summary ?? 'submitted by tkms',
    expedited: p.expedited ?? false,
  };
  const r = await proposer.signAndBroadcast([{ typeUrl: '/cosmos.gov.v1.MsgSubmitProposal', value }], { gasMultiplier: GOV_GAS_MULTIPLIER });
  const id = r.events.find((e) => e.type === 'submit_proposal')?.attributes['proposal_id'];
  if (!id) throw new TkmsError('CHAIN_TX_FAILED', `no proposal id in tx ${r.txHash}`);
  return { proposalId: Number(id), txHash: r.txHash, gasUsed: r.gasUsed };
}

/** The wasm messages a proposal may carry, by type URL. */
const WASM_CODECS = {
  '/cosmwasm.wasm.v1.MsgExecuteContract': MsgExecuteContract,
  '/cosmwasm.wasm.v1.MsgInstantiateContract': MsgInstantiateContract,
  '/cosmwasm.wasm.v1.MsgInstantiateContract2': MsgInstantiateContract2,
  '/cosmwasm.wasm.v1.MsgMigrateContract': MsgMigrateContract,
} as const;
type WasmTypeUrl = keyof typeof WASM_CODECS;

function isWasmTypeUrl(t: string): t is WasmTypeUrl {
  return t in WASM_CODECS;
}

function encodeAny(m: EncodeObject): Uint8Array {
  if (!isWasmTypeUrl(m.typeUrl)) {
    throw new TkmsError('UNSUPPORTED', `unsupported proposal message ${m.typeUrl}`, { details: `supported: ${Object.keys(WASM_CODECS).join(', ')}` });
  }
  // Each codec encodes its own message type; the map keys tie the two together.
  const codec = WASM_CODECS[m.typeUrl] as { encode(v: unknown): { finish(): Uint8Array } };
  return codec.encode(m.value).finish();
}

export interface Instantiate2Parameters {
  codeId: number;
  label: string;
  msg: unknown;
  /** 1–64 bytes; with the code checksum and the sender it fixes the address. */
  salt: Uint8Array;
  /** Who may migrate the new contract (default: the gov module account itself). */
  admin?: string;
}

/** A contract instantiation at a predictable address (`instantiate2Address`), run by governance. */
export function govInstantiate2Message(govAuthority: string, p: Instantiate2Parameters): EncodeObject {
  return {
    typeUrl: '/cosmwasm.wasm.v1.MsgInstantiateContract2',
    value: MsgInstantiateContract2.fromPartial({
      sender: govAuthority,
      admin: p.admin ?? govAuthority,
      codeId: BigInt(p.codeId),
      label: p.label,
      msg: toUtf8(JSON.stringify(p.msg)),
      funds: [],
      salt: p.salt,
      fixMsg: false,
    }),
  };
}

/** A contract migration run by governance (the gov module account must be the contract's admin). */
export function govMigrateMessage(govAuthority: string, contract: string, codeId: number, msg: unknown): EncodeObject {
  return {
    typeUrl: '/cosmwasm.wasm.v1.MsgMigrateContract',
    value: MsgMigrateContract.fromPartial({ sender: govAuthority, contract, codeId: BigInt(codeId), msg: toUtf8(JSON.stringify(msg)) }),
  };
}

export type VoteOption = 'yes' | 'abstain' | 'no' | 'no_with_veto';

export async function vote(voter: WasmdClient, proposalId: number, option: VoteOption = 'yes'): Promise<{ txHash: string; gasUsed: number }> {
  const options = { yes: 1, abstain: 2, no: 3, no_with_veto: 4 } as const;
  return voter.signAndBroadcast(
    [{ typeUrl: '/cosmos.gov.v1.MsgVote', value: { proposalId: BigInt(proposalId), voter: voter.senderAddress, option: options[option], metadata: '' } }],
    { gasMultiplier: GOV_GAS_MULTIPLIER },
  );
}

/** Reads status and failed_reason (fields 3 and 15 of gov.v1.Proposal; cosmjs-types 0.9 predates field 15). */
export async function proposalState(client: WasmdClient, proposalId: number): Promise<ProposalState> {
  const res = await client.abciQuery('/cosmos.gov.v1.Query/Proposal', QueryProposalRequest.encode({ proposalId: BigInt(proposalId) }).finish());
  const outer = new BinaryReader(res);
  let proposal: Uint8Array | undefined;
  while (outer.pos < outer.len) {
    const tag = outer.uint32();
    if (tag >>> 3 === 1) proposal = outer.bytes();
    else outer.skipType(tag & 7);
  }
  if (!proposal) throw new TkmsError('NOT_FOUND', `proposal ${proposalId} not found`);
  const r = new BinaryReader(proposal);
  const state: ProposalState = { status: 'unspecified', failedReason: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 3) state.status = STATUS[r.int32()] ?? 'unspecified';
    else if (tag >>> 3 === 15) state.failedReason = r.string();
    else r.skipType(tag & 7);
  }
  return state;
}

export async function waitForProposal(client: WasmdClient, proposalId: number, timeoutMs = 60_000, pollMs = 500): Promise<ProposalState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await proposalState(client, proposalId);
    if (s.status !== 'voting_period' && s.status !== 'deposit_period') return s;
    if (Date.now() > deadline) throw new TimeoutError(`proposal ${proposalId}`, timeoutMs);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface ExecuteViaGovernanceParameters {
  govAuthority: string;
  contract: string;
  msg: unknown;
  funds?: readonly Coin[];
  deposit: readonly Coin[];
  expedited?: boolean;
  title?: string;
  timeoutMs?: number;
}

/**
 * Submits a proposal running one contract message, has every voter vote yes and
 * waits for the outcome; throws if it did not pass or its message failed.
 */
export async function executeViaGovernance(
  proposer: WasmdClient,
  voters: readonly WasmdClient[],
  p: ExecuteViaGovernanceParameters,
): Promise<{ proposalId: number; state: ProposalState }> {
  const { proposalId } = await submitProposal(proposer, {
    messages: [govExecuteMessage(p.govAuthority, p.contract, p.msg, p.funds)],
    deposit: p.deposit,
    expedited: p.expedited ?? false,
    ...(p.title ? { title: p.title } : {}),
  });
  await Promise.all(voters.map((v) => vote(v, proposalId, 'yes')));
  const state = await waitForProposal(proposer, proposalId, p.timeoutMs ?? 60_000);
  if (state.status !== 'passed') {
    throw new TkmsError('PROPOSAL_NOT_PASSED', `proposal ${proposalId} ${state.status}${state.failedReason ? `: ${state.failedReason}` : ''}`);
  }
  return { proposalId, state };
}

export interface ProposalMessageSummary {
  typeUrl: string;
  /** One line: what the message does. */
  summary: string;
}

export interface ProposalTally {
  yes: string;
  no: string;
  abstain: string;
  no_with_veto: string;
}

export interface ProposalInfo extends ProposalState {
  id: number;
  title: string;
  summary: string;
  proposer: string;
  expedited: boolean;
  submitTime: string | null;
  votingEndTime: string | null;
  /** Running tally during the voting period, the final one afterwards (voting power in base units). */
  tally: ProposalTally;
  messages: ProposalMessageSummary[];
}

function isoTime(t: Timestamp | undefined): string | null {
  if (!t || (t.seconds === 0n && t.nanos === 0)) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)).toISOString();
}

function tallyOf(t: TallyResult | undefined): ProposalTally {
  return { yes: t?.yesCount ?? '0', no: t?.noCount ?? '0', abstain: t?.abstainCount ?? '0', no_with_veto: t?.noWithVetoCount ?? '0' };
}

function jsonMsg(bytes: Uint8Array): string {
  try {
    const v = JSON.parse(fromUtf8(bytes)) as unknown;
    return v !== null && typeof v === 'object' ? Object.keys(v).join(',') : JSON.stringify(v);
  } catch {
    return '(not JSON)';
  }
}

/** One line per proposal message: contract, code id and the message variant. */
export function summarizeMessage(m: Any): ProposalMessageSummary {
  const t = m.typeUrl;
  let summary = t;
  if (t === '/cosmwasm.wasm.v1.MsgExecuteContract') {
    const x = MsgExecuteContract.decode(m.value);
    summary = `execute ${jsonMsg(x.msg)} on ${x.contract}`;
  } else if (t === '/cosmwasm.wasm.v1.MsgInstantiateContract2') {
    const x = MsgInstantiateContract2.decode(m.value);
    summary = `instantiate code ${x.codeId} as "${x.label}" (salt ${Buffer.from(x.salt).toString('hex')}, admin ${x.admin || 'none'})`;
  } else if (t === '/cosmwasm.wasm.v1.MsgInstantiateContract') {
    const x = MsgInstantiateContract.decode(m.value);
    summary = `instantiate code ${x.codeId} as "${x.label}" (admin ${x.admin || 'none'})`;
  } else if (t === '/cosmwasm.wasm.v1.MsgMigrateContract') {
    const x = MsgMigrateContract.decode(m.value);
    summary = `migrate ${x.contract} to code ${x.codeId} (${jsonMsg(x.msg)})`;
  }
  return { typeUrl: t, summary };
}

/** Fields cosmjs-types 0.9 does not know: expedited (14), failed_reason (15). */
function newerFields(proposal: Uint8Array): { expedited: boolean; failedReason: string } {
  const r = new BinaryReader(proposal);
  const out = { expedited: false, failedReason: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 14) out.expedited = r.bool();
    else if (tag >>> 3 === 15) out.failedReason = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

/** The proposal bytes inside a QueryProposalResponse. */
function proposalBytes(res: Uint8Array, proposalId: number): Uint8Array {
  const outer = new BinaryReader(res);
  while (outer.pos < outer.len) {
    const tag = outer.uint32();
    if (tag >>> 3 === 1) return outer.bytes();
    outer.skipType(tag & 7);
  }
  throw new TkmsError('NOT_FOUND', `proposal ${proposalId} not found`);
}

/** Everything `tkms gov status <id>` shows. */
export async function proposalInfo(client: WasmdClient, proposalId: number): Promise<ProposalInfo> {
  let res: Uint8Array;
  try {
    res = await client.abciQuery('/cosmos.gov.v1.Query/Proposal', QueryProposalRequest.encode({ proposalId: BigInt(proposalId) }).finish());
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/not found|doesn't exist|does not exist/i.test(msg)) throw new TkmsError('NOT_FOUND', `proposal ${proposalId} not found`, { cause: e });
    throw e;
  }
  const bytes = proposalBytes(res, proposalId);
  const p = Proposal.decode(bytes);
  const extra = newerFields(bytes);
  const status = STATUS[p.status] ?? 'unspecified';
  let tally = tallyOf(p.finalTallyResult);
  if (status === 'voting_period') {
    const t = await client.abciQuery('/cosmos.gov.v1.Query/TallyResult', QueryTallyResultRequest.encode({ proposalId: BigInt(proposalId) }).finish());
    tally = tallyOf(QueryTallyResultResponse.decode(t).tally);
  }
  return {
    id: Number(p.id),
    status,
    failedReason: extra.failedReason,
    title: p.title,
    summary: p.summary,
    proposer: p.proposer,
    expedited: extra.expedited,
    submitTime: isoTime(p.submitTime),
    votingEndTime: isoTime(p.votingEndTime),
    tally,
    messages: p.messages.map(summarizeMessage),
  };
}

/** The most recent proposals, newest first. */
export async function recentProposals(client: WasmdClient, limit = 10): Promise<{ id: number; status: ProposalStatusName; title: string; votingEndTime: string | null }[]> {
  const req = QueryProposalsRequest.fromPartial({ pagination: { limit: BigInt(limit), reverse: true } });
  const res = QueryProposalsResponse.decode(await client.abciQuery('/cosmos.gov.v1.Query/Proposals', QueryProposalsRequest.encode(req).finish()));
  return res.proposals.map((p) => ({ id: Number(p.id), status: STATUS[p.status] ?? 'unspecified', title: p.title, votingEndTime: isoTime(p.votingEndTime) }));
}

/**
 * The smallest deposit that puts a proposal straight into its voting period:
 * gov params `min_deposit` or, for expedited proposals, `expedited_min_deposit`
 * (Params fields 1 and 12 inside QueryParamsResponse field 4; cosmjs-types 0.9
 * predates field 12).
 */
export async function minDeposit(client: WasmdClient, expedited: boolean): Promise<Coin[]> {
  const res = await client.abciQuery('/cosmos.gov.v1.Query/Params', Uint8Array.from([0x0a, 0x07, ...toUtf8('deposit')]));
  const outer = new BinaryReader(res);
  let params: Uint8Array | undefined;
  while (outer.pos < outer.len) {
    const tag = outer.uint32();
    if (tag >>> 3 === 4) params = outer.bytes();
    else outer.skipType(tag & 7);
  }
  if (!params) throw new TkmsError('CHAIN_QUERY_FAILED', 'gov params have no v1 Params');
  const r = new BinaryReader(params);
  const normal: Coin[] = [];
  const fast: Coin[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1 || f === 12) {
      const c = CoinProto.decode(r.bytes());
      (f === 1 ? normal : fast).push({ denom: c.denom, amount: c.amount });
    } else r.skipType(tag & 7);
  }
  return expedited && fast.length ? fast : normal;
}
