/**
 * Resize's K-tap path (cubic, antialias, exclude_outside; wasm taps_h/taps_v and the WebGPU twin)
 * against the float64 reference written after ONNX's (tests/reference/resize.ts refResizeTaps):
 * cubic with A −0.75 and −0.5, up and down, every coordinate transform, both layouts, antialiased
 * linear and cubic downsampling, exclude_outside, given scales, tf_crop_and_resize with extrapolation,
 * NaN/Inf, 1 vs 2 threads bit-identical.
 */
import { describe, expect, it } from 'vitest';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { refResizeTaps, type RefTapAttrs } from './reference/resize.js';
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
 * Tolerance: each weight is rounded to float32 (2^-24 relative), each product and sum rounds once,
 * along x (KX terms) and then along y (KY terms): ≤ (KX + KY + 4)·2^-24·Σ|wy|·Σ|wx|·|x| (`mag`).
 * K ≤ 4 here except antialias, where K grows as 1/scale; the bound uses the largest K, 24.
 */
async function check(rt: Rt, shape: number[], a: RefTapAttrs, seed: number, specials = 0): Promise<Float32Array> {
  const x = data(size(shape), seed, specials);
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], (t) => rt.run('Resize', t, { ...a })[0]!);
  expect(out.shape).toEqual(a.outputShape);
  const { y, mag } = refResizeTaps(x, shape, a);
  const what = `Resize ${a.mode} ${a.coordinateTransformationMode ?? 'half_pixel'} aa=${!!a.antialias} excl=${!!a.excludeOutside} ${a.layout ?? 'NCHW'} ${rt.device} threads=${rt.info().threads}`;
  expectClose(out.data as Float32Array, y, { op: what, shapes: [shape], outShape: a.outputShape, dtype: 'float32', atolPer: mag.map((m) => (Number.isFinite(m) ? 52 * U * m : 0)) });
  return out.data as Float32Array;
}

const CTMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'] as const;
const GEOM: [number, number, number, number][] = [[4, 4, 8, 8], [4, 4, 3, 3], [5, 7, 9, 4], [1, 6, 1, 13], [8, 9, 3, 2]];

function shapes(layout: 'NCHW' | 'NHWC', [h, w, oh, ow]: [number, number, number, number], c: number): [number[], number[]] {
  return layout === 'NCHW' ? [[2, c, h, w], [2, c, oh, ow]] : [[2, h, w, c], [2, oh, ow, c]];
}

async function suite(rt: Rt): Promise<void> {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const [i, g] of GEOM.entries()) {
      const [shape, outputShape] = shapes(layout, g, i % 2 ? 3 : 6);
      for (const ctm of CTMS) await check(rt, shape, { outputShape, mode: 'cubic', coordinateTransformationMode: ctm, layout }, i + 1);
      await check(rt, shape, { outputShape, mode: 'cubic', cubicCoeffA: -0.5, excludeOutside: true, layout }, i + 2);
      await check(rt, shape, { outputShape, mode: 'linear', excludeOutside: true, layout }, i + 3);
      await check(rt, shape, { outputShape, mode: 'linear', antialias: true, layout }, i + 4);
      await check(rt, shape, { outputShape, mode: 'cubic', antialias: true, layout }, i + 5);
    }
    // given scales (length_resized = scale · in), as onnx-node's *_scales_* cases
    const [shape, outputShape] = shapes(layout, [4, 4, 3, 3], 1);
    for (const ctm of CTMS) await check(rt, shape, { outputShape, scales: [0.8, 0.8], mode: 'cubic', coordinateTransformationMode: ctm, layout }, 30);
    await check(rt, shape, { outputShape, scales: [0.8, 0.8], mode: 'cubic', antialias: true, layout }, 31);
    const [s2, o2] = shapes(layout, [6, 5, 2, 2], 2);
    await check(rt, s2, { outputShape: o2, scales: [1 / 3, 0.4], mode: 'linear', antialias: true, layout }, 32);
    // tf_crop_and_resize: a crop box partly outside the input, extrapolation value for the outside
    const [s4, o4] = shapes(layout, [6, 7, 5, 8], 2);
    for (const mode of ['linear', 'cubic'] as const) {
      await check(rt, s4, { outputShape: o4, mode, coordinateTransformationMode: 'tf_crop_and_resize', roi: [0.1, -0.2, 0.9, 1.3], extrapolationValue: 7.5, layout }, 34);
      await check(rt, s4, { outputShape: o4, scales: [5 / 6, 8 / 7], mode, coordinateTransformationMode: 'tf_crop_and_resize', roi: [0.4, 0.6, 0.6, 0.8], layout }, 35);
    }
    const [s3, o3] = shapes(layout, [5, 6, 7, 9], 3);
    await check(rt, s3, { outputShape: o3, mode: 'cubic', layout }, 33, 0.03);
  }
}

describe('Resize K-tap path (wasm)', () => {
  it('matches the float64 reference (threads=1)', async () => {
    await suite(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    const a: RefTapAttrs = { outputShape: [2, 8, 67, 45], mode: 'cubic' };
    const p = await check(rt1, [2, 8, 31, 90], a, 7);
    const q = await check(rt2, [2, 8, 31, 90], a, 7);
    expect(new Uint32Array(q.buffer)).toEqual(new Uint32Array(p.buffer));
  });
});

describe.skipIf(!hasGpu)('Resize K-tap path (webgpu twin)', () => {
  it('matches the float64 reference', async () => {
    if (!gpu) return;
    await suite(gpu);
  });
});
