/**
 * @module chain/wasmd/governance
 * Runs contract messages through x/gov on wasmd (DESIGN.md §1 flow 5): a
 * `MsgSubmitProposal` whose messages are `MsgExecuteContract`s sent by the gov
 * module account, yes votes from the validators, then the proposal's outcome.
 * Messages a proposal runs emit their events in the block's end (finalize-block
 * events), not in a transaction, so `watchEvents` does not see them.
 *
 * @example
 * const { status } = await executeViaGovernance(proposer, validators, {
 *   govAuthority: net.govAuthority, contract: config, msg: { update_fees: { fees: { denom: 'stake', decrypt: '100' } } },
 *   deposit: [{ denom: 'stake', amount: '1000' }], expedited: true });
 */
import { toUtf8 } from '@cosmjs/encoding';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { BinaryReader } from 'cosmjs-types/binary.js';
import { MsgExecuteContract } from 'cosmjs-types/cosmwasm/wasm/v1/tx.js';
import { QueryProposalRequest } from 'cosmjs-types/cosmos/gov/v1/query.js';
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

/** A contract execution to be run by governance (sender: the gov module account). */
export function govExecuteMessage(govAuthority: string, contract: string, msg: unknown, funds: readonly Coin[] = []): EncodeObject {
  return {
    typeUrl: '/cosmwasm.wasm.v1.MsgExecuteContract',
    value: MsgExecuteContract.fromPartial({ sender: govAuthority, contract, msg: toUtf8(JSON.stringify(msg)), funds: [...funds] }),
  };
}

export async function submitProposal(proposer: WasmdClient, p: SubmitProposalParameters): Promise<{ proposalId: number; txHash: string }> {
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
  return { proposalId: Number(id), txHash: r.txHash };
}

function encodeAny(m: EncodeObject): Uint8Array {
  if (m.typeUrl !== '/cosmwasm.wasm.v1.MsgExecuteContract') {
    throw new TkmsError('UNSUPPORTED', `only MsgExecuteContract proposals are supported, got ${m.typeUrl}`);
  }
  return MsgExecuteContract.encode(m.value as MsgExecuteContract).finish();
}

export async function vote(voter: WasmdClient, proposalId: number, option: 'yes' | 'abstain' | 'no' | 'no_with_veto' = 'yes'): Promise<void> {
  const options = { yes: 1, abstain: 2, no: 3, no_with_veto: 4 } as const;
  await voter.signAndBroadcast(
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
