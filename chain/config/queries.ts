/**
 * @module chain/config/queries
 * Typed reads of the Config contract, and the funds a request must carry.
 *
 * @example
 * const funds = await requestFunds(client, network.contracts.config, 'decrypt');
 * await submitDecrypt(client, asc, params, funds);
 */
import type { Coin, KmsChainClient } from '../client.js';
import type { ApplicationsResponse, FeeSchedule, ParamsResponse, PartiesResponse } from './messages.js';

export type FeeKind = Exclude<keyof FeeSchedule, 'denom'>;

export function getParams(client: KmsChainClient, config: string): Promise<ParamsResponse> {
  return client.queryContract<ParamsResponse>(config, { params: {} });
}

export function getFees(client: KmsChainClient, config: string): Promise<FeeSchedule> {
  return client.queryContract<FeeSchedule>(config, { fees: {} });
}

export function getParties(client: KmsChainClient, config: string): Promise<PartiesResponse> {
  return client.queryContract<PartiesResponse>(config, { parties: {} });
}

export async function listApplications(client: KmsChainClient, config: string): Promise<ApplicationsResponse['applications']> {
  return (await client.queryContract<ApplicationsResponse>(config, { applications: {} })).applications;
}

/** The funds that pay `kind` under `fees`: empty when the fee is 0. */
export function feeFunds(fees: FeeSchedule, kind: FeeKind): Coin[] {
  const amount = fees[kind] ?? '0';
  return BigInt(amount) > 0n ? [{ denom: fees.denom, amount }] : [];
}

/** Reads the current fee of `kind` from the Config: what a request must carry. */
export async function requestFunds(client: KmsChainClient, config: string, kind: FeeKind): Promise<Coin[]> {
  return feeFunds(await getFees(client, config), kind);
}
