/**
 * CropAndResize (ops/crop-resize.ts, wasm family `crop-resize`) against the float64 definition in
 * tests/reference/crop-resize.ts, wasm at 1 and 2 threads (bit-identical).
 * Tolerance: bilinear output is three float32 lerps a + (b − a)·t of pixels in the image's range,
 * each rounding ~2ε of max|pixel| (ε = 2^-24), plus the weights t rounded to float32: 8ε·max|pixel|
 * absolute. Nearest output and extrapolated/zero samples are exact (coordinates are float64 in both).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeError, DTypeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { cropAndResizeRef } from './reference/crop-resize.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function run(rt: Rt, img: Float32Array, shape: number[], boxes: Float32Array, ind: Int32Array, cropSize: number[], method: 'bilinear' | 'nearest', extrapolationValue: number) {
  const ts = [rt.tensor(img, shape, 'float32'), rt.tensor(boxes, [ind.length, 4], 'float32'), rt.tensor(ind, [ind.length], 'int32')];
  const [y] = rt.run('CropAndResize', ts, { cropSize, method, extrapolationValue });
  const out = { data: (y!.dataSync() as Float32Array).slice(), shape: [...y!.shape] };
  for (const t of [...ts, y!]) t.dispose();
  return out;
}

function check(shape: number[], n: number, cropSize: number[], method: 'bilinear' | 'nearest', seed: number) {
  const r = prng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const img = Float32Array.from({ length: size }, () => r() * 200 - 100);
  // boxes reach outside [0, 1] (extrapolation) and may be flipped; some indices are out of range
  const boxes = Float32Array.from({ length: 4 * n }, () => Math.fround(r() * 1.4 - 0.2));
  const ind = Int32Array.from({ length: n }, () => Math.floor(r() * (shape[0]! + 1)) - (r() < 0.1 ? 1 : 0));
  const want = cropAndResizeRef(img, shape, boxes, ind, cropSize[0]!, cropSize[1]!, method === 'nearest', -7.5);
  const a = run(rt1, img, shape, boxes, ind, cropSize, method, -7.5);
  const b = run(rt2, img, shape, boxes, ind, cropSize, method, -7.5);
  expect(a.shape).toEqual([n, cropSize[0], cropSize[1], shape[3]]);
  expectClose(a.data, want, { op: `CropAndResize ${method} [${shape}] crop [${cropSize}]`, dtype: 'float32', atol: method === 'nearest' ? 0 : 8 * 2 ** -24 * 100 });
  expectBitIdentical(a.data, b.data, 'CropAndResize threads 1 vs 2');
}

describe('CropAndResize', () => {
  it('fixed cases: 1×1 crops (box centre), odd channel counts (SIMD + tail), many boxes (threads)', () => {
    for (const method of ['bilinear', 'nearest'] as const) {
      check([1, 5, 5, 1], 3, [1, 1], method, 1);
      check([2, 7, 3, 5], 6, [3, 4], method, 2);
      check([3, 13, 17, 8], 40, [33, 17], method, 3);
      check([1, 1, 1, 3], 2, [2, 2], method, 4);
      check([2, 4, 4, 3], 0, [2, 2], method, 5);
    }
  });

  it('random shapes, boxes and crop sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.nat(1000),
        (B, H, W, C, n, ch, cw, nearest, seed) => check([B, H, W, C], n, [ch, cw], nearest ? 'nearest' : 'bilinear', seed)),
      { numRuns: 60 },
    );
  });

  it('typed errors', () => {
    const img = rt1.tensor(new Float32Array(4), [1, 2, 2, 1], 'float32');
    const boxes = rt1.tensor(new Float32Array(4), [1, 4], 'float32');
    const ind = rt1.tensor(new Int32Array(1), [1], 'int32');
    const ind2 = rt1.tensor(new Int32Array(2), [2], 'int32');
    const find = rt1.tensor(new Float32Array(1), [1], 'float32');
    expect(() => rt1.run('CropAndResize', [img, boxes, ind2], { cropSize: [1, 1] })).toThrow(ShapeError);
    expect(() => rt1.run('CropAndResize', [img, boxes, ind2], { cropSize: [1, 1] })).toThrow(/CropAndResize: boxInd must be \[1\] for boxes \[1,4\], got \[2\]/);
    expect(() => rt1.run('CropAndResize', [img, boxes, find], { cropSize: [1, 1] })).toThrow(DTypeError);
    expect(() => rt1.run('CropAndResize', [img, boxes, ind], { cropSize: [0, 1] })).toThrow(AttributeError);
    for (const t of [img, boxes, ind, ind2, find]) t.dispose();
  });
});

describe('CropAndResize on WebGPU', () => {
  it.skipIf(!hasGpu)('bilinear within the float32-coordinate bound; nearest exact where sample positions are exact', async () => {
    const run = async (img: Float32Array, shape: number[], boxes: Float32Array, ind: Int32Array, cropSize: number[], method: 'bilinear' | 'nearest') => {
      const ts = [gpu!.tensor(img, shape, 'float32'), gpu!.tensor(boxes, [ind.length, 4], 'float32'), gpu!.tensor(ind, [ind.length], 'int32')];
      const [y] = gpu!.run('CropAndResize', ts, { cropSize, method, extrapolationValue: -7.5 });
      const out = (await y!.data()) as Float32Array;
      for (const t of [...ts, y!]) t.dispose();
      return out;
    };
    const r = prng(11);
    const shape = [2, 9, 7, 3];
    const img = Float32Array.from({ length: 2 * 9 * 7 * 3 }, () => r() * 200 - 100);
    const boxes = Float32Array.from({ length: 4 * 12 }, () => Math.fround(r() * 1.4 - 0.2));
    const ind = Int32Array.from({ length: 12 }, (_, i) => (i % 5) - 1);
    const want = cropAndResizeRef(img, shape, boxes, ind, 5, 6, false, -7.5);
    // a coordinate off by ~4·2^-24·(H − 1) moves a bilinear value by that times the pixel spread (≤ 200)
    expectClose(await run(img, shape, boxes, ind, [5, 6], 'bilinear'), want, { op: 'CropAndResize webgpu bilinear', dtype: 'float32', atol: 4 * 2 ** -24 * 8 * 200 + 8 * 2 ** -24 * 100 });
    const whole = Float32Array.of(0, 0, 1, 1, 1, 1, 0, 0, -1, 0, 2, 1);
    const ind3 = Int32Array.of(0, 1, 0);
    expectClose(await run(img, shape, whole, ind3, [9, 7], 'nearest'), cropAndResizeRef(img, shape, whole, ind3, 9, 7, true, -7.5), { op: 'CropAndResize webgpu nearest', dtype: 'float32' });
  });
});
