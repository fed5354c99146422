/**
 * RoiAlign (family `roi-align`) against the float64 reference in tests/reference/roi-align.ts (which
 * follows onnxruntime's kernel). Tolerance: the kernel computes sample positions and bilinear weights in
 * float32 (~6 roundings, each moving a weight by ≲ 2^-24 times the roi's extent in pixels) and sums up
 * to 4·gh·gw products, so |got − want| ≤ (4·gh·gw + 8·L)·2^-24·Σ|w·v| with L the largest image side;
 * max mode picks one weighted value (same bound). Rois inside, across and outside the image, empty and
 * inverted rois, both coordinate modes, sampling ratio 0 (adaptive) and fixed, threads 1 and 2 bit-identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { refRoiAlign, type RefRoiAlign } from './reference/roi-align.js';
import { rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function check(xShape: number[], R: number, a: RefRoiAlign, seed: number): void {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const r = prng(seed);
  const x = Float32Array.from({ length: N * C * H * W }, () => (r() - 0.5) * 4);
  const rois = Float32Array.from({ length: R * 4 }, (_, i) => (r() * 1.4 - 0.2) * (i % 2 === 0 ? W : H) / a.spatialScale);
  const bi = BigInt64Array.from({ length: R }, () => BigInt(Math.floor(r() * N)));
  const want = refRoiAlign(x, xShape, rois, Array.from(bi, Number), a);
  const attrs = { mode: a.mode, outputHeight: a.OH, outputWidth: a.OW, samplingRatio: a.samplingRatio, spatialScale: a.spatialScale, coordinateTransformationMode: a.halfPixel ? 'half_pixel' : 'output_half_pixel' };
  const got = [rt1, rt2].map((rt) => {
    const ts = [rt.tensor(x, xShape), rt.tensor(rois, [R, 4]), rt.tensor(bi, [R], 'int64')];
    const [y] = rt.run('RoiAlign', ts, attrs);
    expect(y!.shape).toEqual([R, C, a.OH, a.OW]);
    const d = y!.dataSync() as Float32Array;
    [...ts, y!].forEach((t) => t.dispose());
    return d;
  });
  const what = `RoiAlign X [${xShape}] R ${R} ${JSON.stringify(a)} seed ${seed}`;
  const samples = a.samplingRatio > 0 ? a.samplingRatio ** 2 : 4 * Math.ceil((1.4 * Math.max(H, W)) / Math.min(a.OH, a.OW)) ** 2;
  const rel = (4 * samples + 8 * Math.max(H, W) * 2) * 2 ** -24;
  got[0]!.forEach((v, i) => {
    if (!(Math.abs(v - want.data[i]!) <= rel * want.mag[i]! + 1e-30)) throw new Error(`${what}: element ${i} is ${v}, want ${want.data[i]}`);
  });
  expect(Buffer.from(got[1]!.buffer).equals(Buffer.from(got[0]!.buffer)), `${what}: threads 2 differs`).toBe(true);
}

describe('RoiAlign on wasm', () => {
  it('matches the reference for both modes and coordinate modes, adaptive and fixed sampling (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 12 }), W: fc.integer({ min: 1, max: 12 }), R: fc.integer({ min: 0, max: 4 }) }),
        fc.record({ mode: fc.constantFrom<'avg' | 'max'>('avg', 'max'), OH: fc.integer({ min: 1, max: 4 }), OW: fc.integer({ min: 1, max: 4 }), samplingRatio: fc.integer({ min: 0, max: 3 }), spatialScale: fc.constantFrom(1, 0.5, 0.25), halfPixel: fc.boolean() }),
        fc.nat(),
        (s, a, seed) => check([s.N, s.C, s.H, s.W], s.R, a, seed),
      ),
      { numRuns: 120 },
    );
  });

  it('splits many rois across threads bit-identically', () => {
    check([2, 16, 30, 30], 40, { mode: 'avg', OH: 7, OW: 7, samplingRatio: 2, spatialScale: 1, halfPixel: true }, 3);
    check([1, 8, 20, 25], 30, { mode: 'max', OH: 5, OW: 5, samplingRatio: 0, spatialScale: 0.5, halfPixel: false }, 4);
  });

  it('rejects a batch index out of range and bad shapes with typed errors naming RoiAlign', () => {
    const x = rt1.tensor(new Float32Array(16), [1, 1, 4, 4]);
    const rois = rt1.tensor(Float32Array.of(0, 0, 2, 2), [1, 4]);
    const bad = rt1.tensor(BigInt64Array.of(1n), [1], 'int64');
    expect(() => rt1.run('RoiAlign', [x, rois, bad])).toThrow(ShapeError);
    expect(() => rt1.run('RoiAlign', [x, rois, bad])).toThrow(/RoiAlign: batch index 1 \(roi 0\) is out of range for X with N = 1/);
    const r3 = rt1.tensor(new Float32Array(3), [1, 3]);
    expect(() => rt1.run('RoiAlign', [x, r3, bad])).toThrow(/RoiAlign: rois must be \[R, 4\] \(X \[1,1,4,4\], rois \[1,3\]/);
    expect(() => rt1.run('RoiAlign', [x, rois, bad], { outputHeight: 0 })).toThrow(AttributeError);
    [x, rois, bad, r3].forEach((t) => t.dispose());
  });
});
