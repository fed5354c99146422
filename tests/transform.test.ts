/**
 * Transform (ops/transform.ts, wasm family `transform`) against the float64 definition in
 * tests/reference/transform.ts; wasm at 1 and 2 threads (bit-identical). The kernel also works in
 * float64 and rounds once, so outputs equal the reference rounded to float32, up to float64
 * evaluation-order differences: rtol 2^-23 plus 1e-9·max|pixel| absolute.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { transformRef } from './reference/transform.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function run(rt: Rt, img: Float32Array, shape: number[], tr: Float32Array, attrs: Record<string, unknown>) {
  const a = rt.tensor(img, shape, 'float32');
  const b = rt.tensor(tr, [tr.length / 8, 8], 'float32');
  const [y] = rt.run('Transform', [a, b], attrs);
  const out = (y!.dataSync() as Float32Array).slice();
  for (const t of [a, b, y!]) t.dispose();
  return out;
}

function check(shape: number[], shared: boolean, out: number[], nearest: boolean, mode: string, seed: number) {
  const r = prng(seed);
  const img = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round(r() * 200 - 100));
  // rotations/scales/shears with a mild projective part, shifted past the edges
  const tr = Float32Array.from({ length: (shared ? 1 : shape[0]!) * 8 }, (_, k) => [1.1, 0.3, -2, -0.2, 0.9, 1.5, 0.01, -0.02][k % 8]! + (r() - 0.5) * 0.4);
  const attrs = { interpolation: nearest ? 'nearest' : 'bilinear', fillMode: mode, fillValue: -3, outputShape: out };
  const want = transformRef(img, shape, tr, shared, out[0]!, out[1]!, nearest, mode, -3);
  const a = run(rt1, img, shape, tr, attrs);
  const b = run(rt2, img, shape, tr, attrs);
  expectClose(a, want, { op: `Transform ${attrs.interpolation} ${mode} [${shape}]`, dtype: 'float32', rtol: 2 ** -23, atol: 1e-7 });
  expectBitIdentical(a, b, 'Transform threads 1 vs 2');
}

describe('Transform', () => {
  it('every fill mode and interpolation, shared and per-image transforms, odd sizes', () => {
    for (const mode of ['constant', 'reflect', 'wrap', 'nearest']) {
      for (const nearest of [true, false]) {
        check([2, 5, 7, 3], false, [6, 9], nearest, mode, 1);
        check([1, 1, 1, 1], true, [3, 2], nearest, mode, 2);
        check([3, 17, 13, 5], true, [33, 17], nearest, mode, 3);
      }
    }
  });

  it('random shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.constantFrom('constant', 'reflect', 'wrap', 'nearest'), fc.boolean(), fc.nat(100),
        (B, H, W, C, oh, ow, mode, nearest, seed) => check([B, H, W, C], seed % 2 === 0, [oh, ow], nearest, mode, seed)),
      { numRuns: 60 },
    );
  });

  it('identity transform copies; p = 0 gives the fill value', () => {
    const img = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(run(rt1, img, [1, 2, 2, 3], Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0), {}))).toEqual(Array.from(img));
    expect(Array.from(run(rt1, img, [1, 2, 2, 3], Float32Array.of(1, 0, 0, 0, 1, 0, -1, 0), { fillValue: 7 })).slice(3, 6)).toEqual([7, 7, 7]);
  });

  it('typed errors', () => {
    const img = rt1.tensor(new Float32Array(4), [1, 2, 2, 1], 'float32');
    const t7 = rt1.tensor(new Float32Array(7), [1, 7], 'float32');
    const t8 = rt1.tensor(new Float32Array(8), [1, 8], 'float32');
    expect(() => rt1.run('Transform', [img, t7])).toThrow(ShapeError);
    expect(() => rt1.run('Transform', [img, t7])).toThrow(/Transform: transforms must be \[1, 8\] or \[1, 8\] for image \[1,2,2,1\], got \[1,7\]/);
    expect(() => rt1.run('Transform', [img, t8], { fillMode: 'mirror' })).toThrow(AttributeError);
    for (const t of [img, t7, t8]) t.dispose();
  });
});

describe('Transform on WebGPU', () => {
  it.skipIf(!hasGpu)('bilinear within the float32-coordinate bound for every fill mode; nearest exact on integer shifts', async () => {
    const run = async (img: Float32Array, shape: number[], tr: Float32Array, attrs: Record<string, unknown>) => {
      const a = gpu!.tensor(img, shape, 'float32');
      const b = gpu!.tensor(tr, [tr.length / 8, 8], 'float32');
      const [y] = gpu!.run('Transform', [a, b], attrs);
      const out = (await y!.data()) as Float32Array;
      for (const t of [a, b, y!]) t.dispose();
      return out;
    };
    const r = prng(5);
    const shape = [2, 9, 11, 3];
    const img = Float32Array.from({ length: 2 * 9 * 11 * 3 }, () => Math.round(r() * 200 - 100));
    // coefficients chosen so no sample lands within float32 rounding of a fold or pixel boundary
    const tr = Float32Array.of(1.1173, 0.3139, -2.0711, -0.2237, 0.9419, 1.5171, 0.0113, -0.0197, 0.8093, -0.1187, 3.0313, 0.1531, 1.2071, -4.1193, 0.0017, 0.0109);
    for (const mode of ['constant', 'reflect', 'wrap', 'nearest']) {
      const want = transformRef(img, shape, tr, false, 10, 12, false, mode, -3);
      const got = await run(img, shape, tr, { interpolation: 'bilinear', fillMode: mode, fillValue: -3, outputShape: [10, 12] });
      // coordinates good to ~16·2^-24 relative of up to ~40 → value error ≤ that times the pixel spread (200)
      expectClose(got, want, { op: `Transform webgpu bilinear ${mode}`, dtype: 'float32', atol: 16 * 2 ** -24 * 40 * 200 + 8 * 2 ** -24 * 100 });
    }
    const shift = Float32Array.of(1, 0, -3, 0, 1, 2, 0, 0);
    for (const mode of ['constant', 'reflect', 'wrap', 'nearest']) {
      const want = transformRef(img, shape, shift, true, 9, 11, true, mode, -3);
      expectClose(await run(img, shape, shift, { interpolation: 'nearest', fillMode: mode, fillValue: -3 }), want, { op: `Transform webgpu nearest ${mode}`, dtype: 'float32' });
    }
  });
});
