/** Pure parts of the wasmd localnet (no wasmd needed). */
import { moduleAddress } from './wasmdNet.js';

test('moduleAddress: the gov module account is the well-known wasmd address', () => {
  expect(moduleAddress('gov')).toBe('wasm10d07y265gmmuvt4z0w9aw880jnsr700js7zslc');
});
