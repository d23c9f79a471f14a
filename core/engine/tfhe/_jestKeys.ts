/**
 * @module core/engine/tfhe/_jestKeys
 * One node-tfhe key pair per test file, made before its tests and freed after
 * them (jest hooks). Apart from _testUtils.ts because benches import that
 * module and must not load jest.
 *
 * @example
 * const keys = useTestKeys(); // at the top of a test file
 * test('…', () => encryptWithClientKey(keys.ck, 'euint8', 7n));
 */
import { afterAll, beforeAll } from '@jest/globals';
import { makeTestKeys, type TestKeys } from './_testUtils.js';

/** A view whose fields are valid inside the file's tests (after its beforeAll). */
export function useTestKeys(): TestKeys {
  let keys: TestKeys | undefined;
  beforeAll(() => {
    keys = makeTestKeys();
  });
  afterAll(() => {
    keys?.ck.free();
    keys?.pk.free();
  });
  const current = (): TestKeys => {
    if (!keys) throw new Error('test keys are made in beforeAll: use them inside tests');
    return keys;
  };
  return {
    get ck() {
      return current().ck;
    },
    get pk() {
      return current().pk;
    },
    get clientKeyBytes() {
      return current().clientKeyBytes;
    },
    get compactPublicKeyBytes() {
      return current().compactPublicKeyBytes;
    },
  };
}
