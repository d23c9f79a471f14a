/**
 * @module chain/wasmd/sdk54SigningClient
 * Cosmos SDK 0.54 (wasmd 0.70) gives accounts created after genesis 64-bit
 * hash-derived account numbers (x/auth `types.GenerateID`), e.g.
 * 14871076302002740356. cosmjs 0.32 parses account numbers as JS numbers and
 * throws ("Number can only safely store up to 53 bits"); newer cosmjs handles
 * them in stargate but its cosmwasm package still pins the old parser. This
 * subclass reads accounts exactly (bigint) and hands the bigint on: the direct
 * sign path only ever does `BigInt(accountNumber)` with it, so signing is exact.
 * Amino signing is not supported with such accounts.
 */
import { SigningCosmWasmClient, type SigningCosmWasmClientOptions } from '@cosmjs/cosmwasm-stargate';
import type { Account } from '@cosmjs/stargate';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { decodeOptionalPubkey, type OfflineSigner } from '@cosmjs/proto-signing';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth.js';

export class Sdk54SigningClient extends SigningCosmWasmClient {
  static async connectWith(comet: CometClient, signer: OfflineSigner, options: SigningCosmWasmClientOptions): Promise<Sdk54SigningClient> {
    return new Sdk54SigningClient(comet, signer, options);
  }

  override async getAccount(address: string): Promise<Account | null> {
    let any;
    try {
      any = await this.forceGetQueryClient().auth.account(address);
    } catch (error) {
      if (/rpc error: code = NotFound/i.test(String(error))) return null;
      throw error;
    }
    if (!any) return null;
    if (any.typeUrl !== '/cosmos.auth.v1beta1.BaseAccount') return super.getAccount(address);
    const base = BaseAccount.decode(any.value);
    return {
      address: base.address,
      pubkey: decodeOptionalPubkey(base.pubKey),
      // Deliberately a bigint behind the `number` type: see the module comment.
      accountNumber: base.accountNumber as unknown as number,
      sequence: Number(base.sequence),
    };
  }
}
