/**
 * Governance message building without a chain: the gov module address, the
 * proposal messages `tkms gov` sends, and how `tkms gov status` summarises them
 * (the wasmd round trip is test/e2e/governance.wasmd.test.ts).
 */
import { govExecuteMessage, govInstantiate2Message, govMigrateMessage, govModuleAddress, summarizeMessage } from './governance.js';
import { moduleAddress } from '../../localnet/wasmdNet.js';
import { MsgExecuteContract, MsgInstantiateContract2, MsgMigrateContract } from 'cosmjs-types/cosmwasm/wasm/v1/tx.js';
import type { EncodeObject } from '@cosmjs/proto-signing';

const GOV = govModuleAddress('wasm');

/** The Any a proposal carries for a message. */
function any(m: EncodeObject): { typeUrl: string; value: Uint8Array } {
  const codecs: Record<string, { encode(v: never): { finish(): Uint8Array } }> = {
    '/cosmwasm.wasm.v1.MsgExecuteContract': MsgExecuteContract,
    '/cosmwasm.wasm.v1.MsgInstantiateContract2': MsgInstantiateContract2,
    '/cosmwasm.wasm.v1.MsgMigrateContract': MsgMigrateContract,
  };
  return { typeUrl: m.typeUrl, value: codecs[m.typeUrl]!.encode(m.value as never).finish() };
}

describe('governance messages', () => {
  test('default: the gov module account is the x/auth module address of "gov"', () => {
    expect(GOV).toBe(moduleAddress('gov'));
    expect(GOV).toBe('wasm10d07y265gmmuvt4z0w9aw880jnsr700js7zslc');
  });

  test('default: instantiate2 is sent by governance, which is also the admin, with the salt and no fixed msg', () => {
    const m = govInstantiate2Message(GOV, { codeId: 3, label: 'tkms-isc-fhevm-app', msg: { quorum: 1 }, salt: Uint8Array.of(1, 2, 3) });
    const v = MsgInstantiateContract2.decode(any(m).value);
    expect(v).toMatchObject({ sender: GOV, admin: GOV, codeId: 3n, label: 'tkms-isc-fhevm-app', fixMsg: false });
    expect(Buffer.from(v.salt).toString('hex')).toBe('010203');
    expect(JSON.parse(Buffer.from(v.msg).toString())).toEqual({ quorum: 1 });
  });

  test('default: status summaries name the contract, code id and message variant', () => {
    expect(summarizeMessage(any(govExecuteMessage(GOV, 'wasm1config', { register_application: { app_id: 'a' } }))).summary).toBe(
      'execute register_application on wasm1config',
    );
    expect(summarizeMessage(any(govInstantiate2Message(GOV, { codeId: 3, label: 'isc', msg: {}, salt: Uint8Array.of(0xab) }))).summary).toBe(
      `instantiate code 3 as "isc" (salt ab, admin ${GOV})`,
    );
    expect(summarizeMessage(any(govMigrateMessage(GOV, 'wasm1isc', 4, { max_age_seconds: 60 }))).summary).toBe('migrate wasm1isc to code 4 (max_age_seconds)');
    expect(summarizeMessage({ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: new Uint8Array() }).summary).toBe('/cosmos.bank.v1beta1.MsgSend');
  });
});
