/**
 * A real CRS from node-tfhe (about a minute of CPU): loadable again, and
 * parameters refused outside the supported range.
 */
import { generateCrs, loadCrs, MAX_CRS_NUM_BITS } from './crs.js';

describe('CRS generation', () => {
  test('default: a CRS for 64-bit lists is generated, serialized and loads again', () => {
    const { crs, maxNumBits, parameters } = generateCrs(64);
    expect(maxNumBits).toBe(64);
    expect(parameters).toMatch(/PKE/);
    expect(crs.length).toBeGreaterThan(1_000_000);
    expect(() => loadCrs(crs)).not.toThrow();
    expect(() => loadCrs(crs.subarray(0, 1000))).toThrow(expect.objectContaining({ code: 'CRS_MALFORMED' }));
  }, 300_000);

  test('behavior: out-of-range bit lengths are refused before any work', () => {
    for (const bad of [0, -1, 1.5, MAX_CRS_NUM_BITS + 1]) {
      expect(() => generateCrs(bad)).toThrow(expect.objectContaining({ code: 'CRS_BAD_PARAMETERS' }));
    }
  });
});
