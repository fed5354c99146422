/**
 * Resize (family `resize`) against float64 references (tests/reference/resize.ts): every ONNX
 * coordinate_transformation_mode × nearest_mode, bilinear, NCHW and NHWC, up/down-sampling, odd
 * sizes (NCHW columns 4 at a time, NHWC channels 4 at a time: both have tails), 1-element axes,
 * explicit scales, size 0, NaN/Inf, the tfjs resizeBilinear/resizeNearestNeighbor mapping,
 * 1 vs 2 threads bit-identical, the WebGPU twin, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { refResizeOnnx, refResizeTf, type RefResizeAttrs } from './reference/resize.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

const U = 2 ** -24;
useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function data(n: number, seed: number, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * 3)]! : (r() * 2 - 1) * 10));
}

/**
 * Nearest copies an input element: exact. Linear weighs 4 neighbours with float32 weights. A
 * weight w rounded to float32 moves x0·(1 − w) + x1·w by ≤ 2^-24·|x1 − x0| ≤ 2^-24·(|x0| + |x1|),
 * once per axis: ≤ 4·2^-24·max|neighbour|. The products with (1 − w) and w and the sums add
 * ≤ 4·2^-24·Σ w·|x| (the same interpolation run on |x|); 8 instead of 4 on both for the GPU's
 * fused operations.
 */
async function run(rt: Rt, x: Float32Array, shape: number[], attrs: RefResizeAttrs, ref: Float64Array, what: string): Promise<Float32Array> {
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt.run('Resize', [t!], attrs)[0]!);
  expect(out.shape, what).toEqual(attrs.outputShape);
  const linear = attrs.mode === 'linear';
  const abs = linear ? refResizeOnnx(x.map(Math.abs), shape, attrs) : undefined;
  const near = linear ? refResizeOnnx(x, shape, attrs, true) : undefined;
  expectClose(out.data as Float32Array, ref, {
    op: `Resize ${rt.device} threads=${rt.info().threads} (${what})`, shapes: [shape], outShape: attrs.outputShape, dtype: 'float32',
    atolPer: abs?.map((v, i) => 8 * U * (v + near![i]!)), context: JSON.stringify(attrs),
  });
  return out.data as Float32Array;
}

const check = (rt: Rt, x: Float32Array, shape: number[], attrs: RefResizeAttrs, what: string) => run(rt, x, shape, attrs, refResizeOnnx(x, shape, attrs), what);

const CTMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'] as const;
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;
/** [in H, in W, out H, out W] */
const SIZES: [number, number, number, number][] = [[4, 5, 8, 10], [7, 9, 3, 4], [5, 6, 5, 13], [1, 1, 3, 5], [6, 4, 1, 1], [3, 3, 7, 2], [8, 8, 4, 4], [2, 7, 5, 17]];

function shapes(layout: 'NCHW' | 'NHWC', [h, w, oh, ow]: [number, number, number, number], c: number): [number[], number[]] {
  return layout === 'NCHW' ? [[2, c, h, w], [2, c, oh, ow]] : [[2, h, w, c], [2, oh, ow, c]];
}

describe.each(['NCHW', 'NHWC'] as const)('resize kernels %s (wasm)', (layout) => {
  it('nearest: every coordinate transform × nearest mode', async () => {
    for (const [i, sz] of SIZES.entries()) {
      const [shape, outputShape] = shapes(layout, sz, i % 2 ? 3 : 5);
      const x = data(size(shape), i + 1, 0.05);
      for (const ctm of CTMS) for (const nearestMode of NEAREST) await check(rt1, x, shape, { outputShape, mode: 'nearest', coordinateTransformationMode: ctm, nearestMode, layout }, `${sz} ${ctm} ${nearestMode}`);
    }
  });

  it('linear: every coordinate transform, finite and NaN/Inf inputs', async () => {
    for (const [i, sz] of SIZES.entries()) {
      const [shape, outputShape] = shapes(layout, sz, i % 2 ? 7 : 4);
      for (const specials of [0, 0.05]) {
        const x = data(size(shape), i + 20, specials);
        for (const ctm of CTMS) await check(rt1, x, shape, { outputShape, mode: 'linear', coordinateTransformationMode: ctm, layout }, `${sz} ${ctm}`);
      }
    }
  });

  it('explicit scales drive the coordinates; size-0 and 1-element axes', async () => {
    const [shape, outputShape] = shapes(layout, [4, 6, 9, 14], 3);
    const x = data(size(shape), 3);
    await check(rt1, x, shape, { outputShape, scales: [2.3, 2.4], mode: 'linear', layout }, 'scales linear');
    await check(rt1, x, shape, { outputShape, scales: [2.3, 2.4], mode: 'nearest', coordinateTransformationMode: 'asymmetric', layout }, 'scales nearest');
    const [s0, o0] = shapes(layout, [3, 4, 0, 5], 2);
    await check(rt1, data(size(s0), 4), s0, { outputShape: o0, mode: 'linear', layout }, 'empty output');
  });

  it('random geometry and attributes (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 13 }), oh: fc.integer({ min: 1, max: 19 }), ow: fc.integer({ min: 1, max: 23 }),
          c: fc.integer({ min: 1, max: 9 }), mode: fc.constantFrom('nearest', 'linear'), ctm: fc.constantFrom(...CTMS), nearestMode: fc.constantFrom(...NEAREST),
          scaled: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        async (g) => {
          const [shape, outputShape] = shapes(layout, [g.h, g.w, g.oh, g.ow], g.c);
          // explicit scales near out/in, as a model's scales input would give them
          const scales = g.scaled ? [Math.fround((g.oh / g.h) * 1.03), Math.fround((g.ow / g.w) * 0.98)] : undefined;
          // finite data: with ±Inf inputs, a weight that is exactly 0 in the float64 reference but
          // 6e-8 in the kernel's float32 coordinates turns Inf·0 = NaN into ±Inf or back (seed
          // 614047: h 2 w 10 → 1×22 half_pixel). Non-finite inputs are covered by the fixed cases above.
          await check(rt1, data(size(shape), g.seed), shape, { outputShape, scales, mode: g.mode, coordinateTransformationMode: g.ctm, nearestMode: g.nearestMode, layout }, 'random');
        },
      ),
      { numRuns: 80 },
    );
  });

  it('1 and 2 threads bit-identical', async () => {
    for (const mode of ['nearest', 'linear'] as const) {
      const [shape, outputShape] = shapes(layout, [37, 41, 91, 103], 8);
      const x = data(size(shape), 9);
      const attrs: RefResizeAttrs = { outputShape, mode, layout };
      const ref = refResizeOnnx(x, shape, attrs);
      const a = await run(rt1, x, shape, attrs, ref, 'threads 1');
      const b = await run(rt2, x, shape, attrs, ref, 'threads 2');
      expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
    }
  });
});

describe('resize: tfjs semantics through the ONNX attributes (NHWC)', () => {
  it('resizeBilinear and resizeNearestNeighbor, alignCorners / halfPixelCenters', async () => {
    for (const [i, [h, w, oh, ow]] of SIZES.entries()) {
      const shape = [1, h, w, 3];
      const x = data(size(shape), i + 40);
      const outputShape = [1, oh, ow, 3];
      for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]] as const) {
        const ctmL = alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric';
        const bil: RefResizeAttrs = { outputShape, mode: 'linear', coordinateTransformationMode: ctmL, layout: 'NHWC' };
        await run(rt1, x, shape, bil, refResizeTf('bilinear', x, shape, [oh, ow], alignCorners, halfPixelCenters), `tf bilinear ${alignCorners} ${halfPixelCenters}`);
        const nn: RefResizeAttrs = {
          outputShape, mode: 'nearest', layout: 'NHWC',
          coordinateTransformationMode: alignCorners ? 'align_corners' : halfPixelCenters ? 'tf_half_pixel_for_nn' : 'asymmetric',
          nearestMode: alignCorners ? 'round_prefer_ceil' : 'floor',
        };
        await run(rt1, x, shape, nn, refResizeTf('nearest', x, shape, [oh, ow], alignCorners, halfPixelCenters), `tf nearest ${alignCorners} ${halfPixelCenters}`);
      }
    }
  });
});

describe('resize: length_resized with given scales', () => {
  it('align_corners divides by scale · in − 1, not by the floored size − 1 (onnx-node downsample_scales_linear_align_corners)', async () => {
    // [1,1,2,4] with scales 0.6: output [1,1,1,2]; length_resized along W is 2.4, so x_original(1) = 3/1.4
    const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = await execOp(rt1, [{ data: x, shape: [1, 1, 2, 4], dtype: 'float32' }], (t) =>
      rt1.run('Resize', t, { outputShape: [1, 1, 1, 2], scales: [Math.fround(0.6), Math.fround(0.6)], mode: 'linear', coordinateTransformationMode: 'align_corners' })[0]!,
    );
    // 1 + 3/1.4 = 3.142857..., to float32 rounding of the weights (a few ulp)
    expectClose(out.data as Float32Array, [1, 1 + 3 / (Math.fround(0.6) * 4 - 1)], { op: 'Resize align_corners scales', shapes: [[1, 1, 2, 4]], dtype: 'float32', rtol: 4 * U, atol: 0 });
  });
});

describe('resize contract errors', () => {
  const t = () => rt1.tensor(new Float32Array(2 * 3 * 4 * 5), [2, 3, 4, 5]);
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(TwinopsError);
      expect((e as Error).message).toMatch(/^Resize/);
      return (e as TwinopsError).code;
    }
    throw new Error('expected a throw');
  };
  it('names the op and the shapes', () => {
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8] }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 4, 8, 10] }))).toBe('SHAPE_MISMATCH');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], mode: 'bicubic' }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], mode: 'nearest', antialias: true }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], mode: 'cubic', cubicCoeffA: NaN }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], coordinateTransformationMode: 'tf_crop_and_nothing' }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], coordinateTransformationMode: 'tf_crop_and_resize', roi: [0, 0, 1] }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [t()], { outputShape: [2, 3, 8, 10], scales: [0, 2] }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('Resize', [rt1.tensor(new Float32Array(6), [2, 3])], { outputShape: [2, 3, 1], layout: 'NHWC' }))).toBe('RANK');
    expect(code(() => rt1.run('Resize', [rt1.tensor(new Int32Array(4), [2, 2], 'int32')], { outputShape: [4, 4] }))).toBe('DTYPE');
  });
});

describe.skipIf(!hasGpu)('resize webgpu twin', () => {
  it('matches the reference', async () => {
    if (!gpu) return;
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const [i, sz] of SIZES.slice(0, 5).entries()) {
        const [shape, outputShape] = shapes(layout, sz, 5);
        const x = data(size(shape), i + 60, 0.03);
        for (const ctm of CTMS) {
          await check(gpu, x, shape, { outputShape, mode: 'linear', coordinateTransformationMode: ctm, layout }, `gpu linear ${ctm}`);
          await check(gpu, x, shape, { outputShape, mode: 'nearest', coordinateTransformationMode: ctm, nearestMode: NEAREST[i % 4], layout }, `gpu nearest ${ctm}`);
        }
      }
    }
  });
});
