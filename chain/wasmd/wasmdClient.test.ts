/** Pure parts of the wasmd client: error extraction and event flattening (no chain needed). */
import { contractErrorMessage, toChainEvents } from './wasmdClient.js';

describe('contractErrorMessage', () => {
  test('default: execute failure from simulation', () => {
    const log =
      "Query failed with (6): rpc error: code = Unknown desc = failed to execute message; message index: 0: unknown key id ab12: execute wasm contract failed [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '109897': unknown request";
    expect(contractErrorMessage(log)).toBe('unknown key id ab12');
  });
  test('behavior: instantiate failure keeps colons inside the message', () => {
    const log =
      "failed to execute message; message index: 0: need n >= 3t+1 parties: n=4, t=2: instantiate wasm contract failed [CosmWasm/wasmd/x/wasm/keeper/keeper.go:363] with gas used: '117346'";
    expect(contractErrorMessage(log)).toBe('need n >= 3t+1 parties: n=4, t=2');
  });
  test('behavior: query failure', () => {
    expect(contractErrorMessage('Query failed with (6): unknown query bogus: query wasm contract failed: unknown request')).toBe('unknown query bogus');
  });
  test('behavior: non-contract errors pass through', () => {
    const log = 'Broadcasting transaction failed with code 5 (codespace: sdk). Log: insufficient funds';
    expect(contractErrorMessage(log)).toBe(log);
  });
});

test('toChainEvents: flattens attributes', () => {
  const events = toChainEvents([{ type: 'wasm-tkms_request', attributes: [{ key: 'request_id', value: 'ab' }, { key: '_contract_address', value: 'wasm1x' }] }], 7, 'FF');
  expect(events).toEqual([{ type: 'wasm-tkms_request', attributes: { request_id: 'ab', _contract_address: 'wasm1x' }, height: 7, txHash: 'FF' }]);
});
