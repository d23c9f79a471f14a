/**
 * The native tool's DKG layouts (tools/tfhe-zk/src/dkg.rs `dkg-shape`) and
 * the MPC engine's (core/engine/mpc/keygen/keygen.ts `keygenLayout`) must be
 * the same words in the same places, for every parameter set: the engine
 * computes bodies where the tool reads them. Needs the native tool; never skips.
 */
import { describe, expect, test } from '@jest/globals';
import { FHE_PARAMETER_SETS, parameterProfile } from '../../engine/index.js';
import { keygenLayout } from '../../engine/mpc/keygen/keygen.js';
import { runTool } from './_toolRun.js';
import { expandKeygenMasks, keygenShape } from './keygenTool.js';
import { tfheZkToolPath } from './tfheZkTool.js';

interface ToolSection { name: string; rows: number; maskOffset: number; bodyOffset: number }

describe('DKG layouts: native tool and MPC engine agree', () => {
  beforeAll(() => void tfheZkToolPath());

  for (const set of FHE_PARAMETER_SETS) {
    test(`${set}: shape, section offsets and sizes`, async () => {
      const shape = await keygenShape(set);
      const profile = parameterProfile(set);
      expect([shape.lweDimension, shape.glweDimension * shape.polynomialSize]).toEqual([profile.smallLweDimension, profile.lweDimension]);
      // Only fhevm has a dedicated compact public key (and so a casting key).
      expect(shape.pke !== undefined).toBe(set === 'fhevm');
      const raw = (await runTool(['dkg-shape', '--params', set], 60_000, {})) as unknown as { maskWords: number; bodyWords: number; sections: ToolSection[] };
      const L = keygenLayout(shape);
      expect([L.maskWords, L.bodyWords]).toEqual([raw.maskWords, raw.bodyWords]);
      const engine: Record<string, { maskAt: number; bodyAt: number; rows: number }> = {
        cpk: { ...L.cpk, rows: 1 },
        ksk: L.ksk,
        bsk: L.bsk,
        ...(L.cksk ? { cksk: L.cksk } : {}),
      };
      expect(raw.sections.map((s) => s.name)).toEqual(Object.keys(engine));
      for (const s of raw.sections) expect({ name: s.name, maskAt: s.maskOffset, bodyAt: s.bodyOffset, rows: s.rows }).toEqual({ name: s.name, maskAt: engine[s.name]!.maskAt, bodyAt: engine[s.name]!.bodyAt, rows: engine[s.name]!.rows });
    }, 60_000);
  }

  test('test-insecure: the expanded masks fill exactly the layout; an unknown set is refused', async () => {
    const { shape, masks } = await expandKeygenMasks({ parameters: 'test-insecure', seed: new Uint8Array(16).fill(7) });
    expect(masks.length).toBe(keygenLayout(shape).maskWords);
    await expect(keygenShape('fhevm-x' as never)).rejects.toThrow(/--params must be one of test-insecure, default, fhevm/);
  }, 60_000);
});
