/**
 * @module chain/deploy
 * Uploads and instantiates the TKMS contracts: Config (party set, threshold),
 * then the ASC pointing at it. Works on any `KmsChainClient` (wasmd or embedded).
 *
 * @example
 * const { asc, config } = await deployContracts(client, {
 *   wasmDir: 'contracts/build', parties, threshold: 1 });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KmsChainClient } from './client.js';
import type { AscInstantiateMsg } from './asc/messages.js';
import type { ConfigInstantiateMsg, PartyInfo } from './config/messages.js';

export interface DeployContractsParameters {
  /** Folder holding `config.wasm` and `asc.wasm` (the contracts build writes `contracts/build/`). */
  wasmDir: string;
  parties: PartyInfo[];
  threshold: number;
  /** Contract admin allowed to migrate (e.g. the gov module account); none if omitted. */
  admin?: string;
  /** Label prefix (default "tkms"). */
  label?: string;
}

export interface DeployContractsReturnType {
  asc: string;
  config: string;
  codeIds: { asc: number; config: number };
  /** Gas used by each step, for reports. */
  gasUsed: { uploadConfig: number; uploadAsc: number; instantiateConfig: number; instantiateAsc: number };
}

export async function deployContracts(client: KmsChainClient, params: DeployContractsParameters): Promise<DeployContractsReturnType> {
  const label = params.label ?? 'tkms';
  const [configWasm, ascWasm] = await Promise.all([
    readFile(path.join(params.wasmDir, 'config.wasm')),
    readFile(path.join(params.wasmDir, 'asc.wasm')),
  ]);
  const configCode = await client.upload(configWasm);
  const ascCode = await client.upload(ascWasm);
  const configMsg: ConfigInstantiateMsg = { parties: params.parties, threshold: params.threshold };
  const config = await client.instantiate(configCode.codeId, configMsg, `${label}-config`, params.admin);
  const ascMsg: AscInstantiateMsg = { config: config.address };
  const asc = await client.instantiate(ascCode.codeId, ascMsg, `${label}-asc`, params.admin);
  return {
    asc: asc.address,
    config: config.address,
    codeIds: { asc: ascCode.codeId, config: configCode.codeId },
    gasUsed: {
      uploadConfig: configCode.gasUsed,
      uploadAsc: ascCode.gasUsed,
      instantiateConfig: config.gasUsed,
      instantiateAsc: asc.gasUsed,
    },
  };
}
