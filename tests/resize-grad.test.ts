/**
 * ResizeGrad (family `resize-grad`) against the float64 reference (tests/reference/resize-grad.ts):
 * linear and nearest, four coordinate mappings, up- and downsampling, odd channel counts (4-lane
 * tails), size-0 dims, Inf in dy with zero weights, 1 vs 2 threads bit-identical, typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refResizeGrad, type RefCtm } from './reference/resize-grad.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const data = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

interface Case {
  x: number[];
  dy: number[];
  mode: 'linear' | 'nearest';
  ctm: RefCtm;
}

const attrsOf = (c: Case) => ({
  inputShape: c.x,
  mode: c.mode,
  layout: 'NHWC',
  coordinateTransformationMode: c.ctm,
  nearestMode: c.ctm === 'align_corners' ? 'round_prefer_ceil' : 'floor',
});

async function grad(rt: Rt, dy: Float32Array, c: Case): Promise<{ shape: number[]; data: Float32Array }> {
  const t = rt.tensor(dy, c.dy, 'float32');
  try {
    const [y] = rt.run('ResizeGrad', [t], attrsOf(c));
    const out = { shape: y!.shape.slice(), data: (await y!.data()) as Float32Array };
    y!.dispose();
    return out;
  } finally {
    t.dispose();
  }
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }),
    C: fc.constantFrom(1, 2, 3, 4, 5, 8, 9),
    H: fc.integer({ min: 1, max: 9 }),
    W: fc.integer({ min: 1, max: 9 }),
    OH: fc.integer({ min: 1, max: 12 }),
    OW: fc.integer({ min: 1, max: 12 }),
    mode: fc.constantFrom<'linear' | 'nearest'>('linear', 'nearest'),
    ctm: fc.constantFrom<RefCtm>('asymmetric', 'align_corners', 'half_pixel', 'tf_half_pixel_for_nn'),
  })
  .map(({ N, C, H, W, OH, OW, mode, ctm }) => ({
    x: [N, H, W, C],
    dy: [N, OH, OW, C],
    mode,
    ctm: mode === 'linear' && ctm === 'tf_half_pixel_for_nn' ? 'half_pixel' : mode === 'nearest' && ctm === 'half_pixel' ? 'tf_half_pixel_for_nn' : ctm,
  }));

describe('ResizeGrad', () => {
  it('matches the float64 reference on wasm and WebGPU (linear / nearest, four coordinate mappings, up and down)', async () => {
    let seed = 300;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const dy = data(size(c.dy), seed++);
        const ref = refResizeGrad(dy, c.dy, c.x, c.mode, c.ctm, c.ctm === 'align_corners');
        for (const rt of [rt1, ...(hasGpu && gpu ? [gpu] : [])]) {
          const got = await grad(rt, dy, c);
          expect(got.shape).toEqual(c.x);
          // m terms dy·wy·wx: the weights are float32 (1 rounding each, 1 − w another), the product
          // two more, then m − 1 additions: within (m + 4)·2^-24·Σ|terms|
          expectClose(got.data, ref.dx, {
            op: `ResizeGrad ${rt.device}`, dtype: 'float32', rtol: 0, atolPer: ref.abs.map((a, i) => a * (ref.terms[i]! + 4) * 2 ** -24), context: JSON.stringify(c),
          });
        }
      }),
      { numRuns: 120, seed: 31 },
    );
  });

  it('an infinite dy under a zero weight adds nothing (no NaN)', async () => {
    // 2 → 4 asymmetric linear: outputs 0 and 2 sit exactly on input rows (weight 0 on the next row)
    const c: Case = { x: [1, 1, 2, 1], dy: [1, 1, 4, 1], mode: 'linear', ctm: 'asymmetric' };
    const got = await grad(rt1, Float32Array.from([Infinity, 1, 2, 4]), c);
    expect(Array.from(got.data)).toEqual([Infinity, 0.5 + 2 + 4]);
  });

  it('1 and 2 threads give bit-identical results (sizes that split)', async () => {
    for (const c of [
      { x: [2, 40, 50, 6], dy: [2, 77, 99, 6], mode: 'linear', ctm: 'half_pixel' },
      { x: [1, 64, 60, 5], dy: [1, 31, 129, 5], mode: 'nearest', ctm: 'align_corners' },
    ] as Case[]) {
      const dy = data(size(c.dy), 9);
      const a = await grad(rt1, dy, c);
      const b = await grad(rt2, dy, c);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
    }
  });

  it('size-0 dims', async () => {
    expect((await grad(rt1, new Float32Array(0), { x: [0, 3, 3, 2], dy: [0, 5, 5, 2], mode: 'linear', ctm: 'asymmetric' })).shape).toEqual([0, 3, 3, 2]);
    const z = await grad(rt1, new Float32Array(0), { x: [1, 3, 3, 2], dy: [1, 0, 5, 2], mode: 'nearest', ctm: 'asymmetric' });
    expect(Array.from(z.data)).toEqual(new Array(18).fill(0));
  });

  it('errors name the op and the shapes', () => {
    const t = rt1.tensor(new Float32Array(8), [1, 2, 2, 2], 'float32');
    const check = (attrs: object, what: RegExp) => {
      let err: unknown;
      try {
        rt1.run('ResizeGrad', [t], attrs);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TwinopsError);
      expect((err as Error).message).toMatch(/^ResizeGrad: /);
      expect((err as Error).message).toMatch(what);
    };
    check({ inputShape: [1, 3, 3, 3], mode: 'linear', layout: 'NHWC' }, /dy\[1,2,2,2\].*\[1,3,3,3\]/);
    check({ inputShape: [1, 3, 3, 2], mode: 'cubic', layout: 'NHWC' }, /no gradient kernel/);
    check({ inputShape: [1, 3, 3, 2], mode: 'linear' }, /layout must be NHWC/);
    check({ inputShape: [1, 3, 3], mode: 'linear', layout: 'NHWC' }, /inputShape/);
    t.dispose();
  });
});
