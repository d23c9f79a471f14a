/**
 * @module chain/deploy
 * Uploads and instantiates the TKMS contracts: Config (party set, threshold,
 * governance, fees, applications), then the ASC pointing at it. Works on any
 * `KmsChainClient` (wasmd or embedded).
 *
 * @example
 * const { asc, config } = await deployContracts(client, {
 *   wasmDir: 'contracts/build', parties, threshold: 1, devMode: false,
 *   governance: govModuleAddress, fees: { denom: 'stake', decrypt: '100' } });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KmsChainClient } from './client.js';
import type { AscInstantiateMsg } from './asc/messages.js';
import type { ApplicationInfo, ConfigInstantiateMsg, FeeSchedule, PartyInfo } from './config/messages.js';
import { partyEvmAddress } from '../common/eip712.js';

export interface DeployContractsParameters {
  /** Folder holding `config.wasm` and `asc.wasm` (the contracts build writes `contracts/build/`). */
  wasmDir: string;
  /** `evm_address` is derived from `signer_pubkey` when absent. */
  parties: PartyInfo[];
  threshold: number;
  /** Contract admin allowed to migrate (e.g. the gov module account); none if omitted. */
  admin?: string;
  /** Who may change the Config and key states: the gov module account on wasmd;
   * default the deployer. */
  governance?: string;
  fheParameters?: string;
  fees?: Partial<FeeSchedule>;
  requestExpirySeconds?: number;
  /**
   * Config `dev_mode` (fixed forever). Required, so every deployment says whether it
   * is a development network: only then may it have `open` applications.
   */
  devMode: boolean;
  /** Config `insecure_dealer_keys` (INSECURE test networks only, fixed forever; default false). */
  insecureDealerKeys?: boolean;
  /** Config `operators`: accounts besides governance that may start keygen, keygen_preproc, crs_gen. */
  operators?: string[];
  /** Config `trusted_submitters` (a trust assumption: their submissions need no proof of origin). */
  trustedSubmitters?: string[];
  /** Default: one application "default", `open` when devMode, `proven` otherwise. */
  applications?: ApplicationInfo[];
  /** Config and ASC code already stored (by an earlier deployment): instantiated
   * without uploading `wasmDir`'s files again; their upload gas is reported as 0. */
  codeIds?: { config: number; asc: number };
  /** Label prefix (default "tkms"). */
  label?: string;
  /** Also store the fhEVM ISC code (`isc-fhevm.wasm`), so governance can instantiate
   * ISCs from it (`tkms gov register-isc`). */
  storeIscFhevm?: boolean;
}

export interface DeployContractsReturnType {
  asc: string;
  config: string;
  codeIds: { asc: number; config: number; iscFhevm?: number };
  /** Gas used by each step, for reports. */
  gasUsed: { uploadConfig: number; uploadAsc: number; instantiateConfig: number; instantiateAsc: number; uploadIscFhevm?: number };
}

/** The party with its EVM address filled in from the signer key (left out when the
 * key is not a point on secp256k1: the Config then rejects nothing it used to accept). */
export function withEvmAddress(p: PartyInfo): PartyInfo {
  if (p.evm_address) return p;
  try {
    return { ...p, evm_address: partyEvmAddress(p.signer_pubkey).toLowerCase() };
  } catch {
    return p;
  }
}

export async function deployContracts(client: KmsChainClient, params: DeployContractsParameters): Promise<DeployContractsReturnType> {
  const label = params.label ?? 'tkms';
  const stored = params.codeIds;
  const configCode = stored ? { codeId: stored.config, gasUsed: 0 } : await client.upload(await readFile(path.join(params.wasmDir, 'config.wasm')));
  const ascCode = stored ? { codeId: stored.asc, gasUsed: 0 } : await client.upload(await readFile(path.join(params.wasmDir, 'asc.wasm')));
  const configMsg: ConfigInstantiateMsg = {
    parties: params.parties.map(withEvmAddress),
    threshold: params.threshold,
    ...(params.governance ? { governance: params.governance } : {}),
    ...(params.fheParameters ? { fhe_parameters: params.fheParameters } : {}),
    ...(params.fees ? { fees: params.fees } : {}),
    ...(params.requestExpirySeconds ? { request_expiry_seconds: params.requestExpirySeconds } : {}),
    dev_mode: params.devMode,
    ...(params.insecureDealerKeys ? { insecure_dealer_keys: true } : {}),
    ...(params.operators?.length ? { operators: params.operators } : {}),
    ...(params.trustedSubmitters?.length ? { trusted_submitters: params.trustedSubmitters } : {}),
    ...(params.applications ? { applications: params.applications } : {}),
  };
  const config = await client.instantiate(configCode.codeId, configMsg, `${label}-config`, params.admin);
  const ascMsg: AscInstantiateMsg = { config: config.address };
  const asc = await client.instantiate(ascCode.codeId, ascMsg, `${label}-asc`, params.admin);
  const isc = params.storeIscFhevm ? await client.upload(await readFile(path.join(params.wasmDir, 'isc-fhevm.wasm'))) : undefined;
  return {
    asc: asc.address,
    config: config.address,
    codeIds: { asc: ascCode.codeId, config: configCode.codeId, ...(isc ? { iscFhevm: isc.codeId } : {}) },
    gasUsed: {
      uploadConfig: configCode.gasUsed,
      uploadAsc: ascCode.gasUsed,
      instantiateConfig: config.gasUsed,
      instantiateAsc: asc.gasUsed,
      ...(isc ? { uploadIscFhevm: isc.gasUsed } : {}),
    },
  };
}
