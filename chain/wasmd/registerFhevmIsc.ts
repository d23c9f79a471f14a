/**
 * @module chain/wasmd/registerFhevmIsc
 * One governance proposal that instantiates a new fhEVM ISC and registers it in
 * the Config as an application (DESIGN.md §2, issue 3). The Config message must
 * name the ISC's address inside the same proposal, before the ISC exists: the
 * ISC is created with `MsgInstantiateContract2`, whose address follows from the
 * code checksum, the sender (the gov module account) and a salt
 * (`instantiate2Address`). Both messages run in order when the proposal passes;
 * if either fails, neither takes effect (status "failed").
 *
 * @example
 * const { proposalId, iscAddress } = await submitRegisterFhevmIsc(proposer, {
 *   config, codeId, appId: 'my-dapp', deposit: [{ denom: 'stake', amount: '2000' }], expedited: true,
 *   isc: { chain_id: 12345, acl_address: '0x…', acl_slot_base: FHEVM_ACL_SLOT_BASE, validators: ['0x…'], quorum: 1 } });
 */
import { randomBytes } from 'node:crypto';
import { instantiate2Address } from '@cosmjs/cosmwasm-stargate';
import { fromBech32 } from '@cosmjs/encoding';
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { Coin } from '../client.js';
import type { ApplicationResponse, ConfigExecuteMsg } from '../config/messages.js';
import type { FhevmIscInstantiateMsg } from '../isc-fhevm/messages.js';
import { TkmsError } from '../../common/errors.js';
import { govExecuteMessage, govInstantiate2Message, govModuleAddress, submitProposal } from './governance.js';
import type { WasmdClient } from './wasmdClient.js';

export interface RegisterFhevmIscParameters {
  /** The Config contract. */
  config: string;
  /** Stored isc-fhevm code. */
  codeId: number;
  appId: string;
  isc: FhevmIscInstantiateMsg;
  /** 1–64 bytes (default 16 random bytes): a new salt gives a new address, so an
   * application can be re-registered with a new validator set. */
  salt?: Uint8Array;
  deposit: readonly Coin[];
  title?: string;
  summary?: string;
  expedited?: boolean;
  /** More governance messages to run in the same proposal, after the registration. */
  extraMessages?: readonly EncodeObject[];
}

export interface RegisterFhevmIscReturnType {
  proposalId: number;
  txHash: string;
  gasUsed: number;
  /** Where the ISC will be once the proposal passes. */
  iscAddress: string;
  salt: string;
  govAuthority: string;
}

export async function submitRegisterFhevmIsc(proposer: WasmdClient, p: RegisterFhevmIscParameters): Promise<RegisterFhevmIscReturnType> {
  if (!proposer.senderAddress) throw new TkmsError('NO_SIGNER', 'the proposer client is read-only');
  const salt = p.salt ?? randomBytes(16);
  if (salt.length < 1 || salt.length > 64) throw new TkmsError('BAD_SALT', `salt must be 1–64 bytes, got ${salt.length}`);
  // The Config refuses to re-register an app id; say so before a deposit is spent.
  const existing = await proposer.queryContract<ApplicationResponse>(p.config, { application: { app_id: p.appId } });
  if (existing.application) {
    throw new TkmsError('APP_EXISTS', `application ${p.appId} is already registered (ISC ${existing.application.isc ?? 'none'}); choose another app id or propose remove_application first`);
  }
  const prefix = fromBech32(proposer.senderAddress).prefix;
  const gov = govModuleAddress(prefix);
  const checksum = await proposer.codeChecksum(p.codeId);
  const iscAddress = instantiate2Address(checksum, gov, salt, prefix);
  const register: ConfigExecuteMsg = { register_application: { app_id: p.appId, isc_type: 'fhevm', isc: iscAddress } };
  const { proposalId, txHash, gasUsed } = await submitProposal(proposer, {
    messages: [
      govInstantiate2Message(gov, { codeId: p.codeId, label: `tkms-isc-fhevm-${p.appId}`, msg: p.isc, salt }),
      govExecuteMessage(gov, p.config, register),
      ...(p.extraMessages ?? []),
    ],
    deposit: p.deposit,
    title: p.title ?? `Register fhEVM application ${p.appId}`,
    summary:
      p.summary ??
      `Instantiates an fhEVM ISC (code ${p.codeId}) for chain ${p.isc.chain_id} with ${p.isc.validators.length} validator(s), quorum ${p.isc.quorum}, at ${iscAddress}, and registers it in the Config as application ${p.appId}.`,
    expedited: p.expedited ?? false,
  });
  return { proposalId, txHash, gasUsed, iscAddress, salt: Buffer.from(salt).toString('hex'), govAuthority: gov };
}
