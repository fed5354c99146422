/**
 * NonMaxSuppression (ops/nms.ts, wasm family `nms`) against tests/reference/nms.ts (float64 IoU, as
 * the kernel): selected indices exact; soft-NMS scores within 2^-20 relative (the kernel's exp is a
 * float32 polynomial, ≤ ~2 ulp, and each weight multiplies in float32).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { nmsRef } from './reference/nms.js';
import { expectClose } from './reference/compare.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function run(rt: Rt, boxes: Float32Array, scores: Float32Array, attrs: Record<string, unknown>) {
  const b = rt.tensor(boxes, [scores.length, 4], 'float32');
  const s = rt.tensor(scores, [scores.length], 'float32');
  const outs = rt.run('NonMaxSuppression', [b, s], attrs);
  const k = (outs[2]!.dataSync() as Int32Array)[0]!;
  const r = { sel: Array.from((outs[0]!.dataSync() as Int32Array).slice(0, k)), selScores: Array.from((outs[1]!.dataSync() as Float32Array).slice(0, k)) };
  for (const t of [b, s, ...outs]) t.dispose();
  return r;
}

function randomBoxes(n: number, seed: number) {
  const r = prng(seed);
  const boxes = Float32Array.from({ length: 4 * n }, () => Math.round(r() * 16) / 4);
  const scores = Float32Array.from({ length: n }, () => Math.round(r() * 20) / 20);
  return { boxes, scores };
}

describe('NonMaxSuppression', () => {
  it('TensorFlow example: overlapping boxes, maxOutputSize cuts, scoreThreshold filters', () => {
    const boxes = Float32Array.from([0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101]);
    const scores = Float32Array.from([0.9, 0.75, 0.6, 0.95, 0.5, 0.3]);
    expect(run(rt1, boxes, scores, { maxOutputSize: 3, iouThreshold: 0.5 }).sel).toEqual([3, 0, 5]);
    expect(run(rt1, boxes, scores, { maxOutputSize: 2, iouThreshold: 0.5 }).sel).toEqual([3, 0]);
    expect(run(rt1, boxes, scores, { maxOutputSize: 6, iouThreshold: 0.5, scoreThreshold: 0.4 }).sel).toEqual([3, 0]);
    // corners in any order; center format
    const flipped = Float32Array.from(boxes.map((v, i) => (i % 4 < 2 ? boxes[i + 2]! : boxes[i - 2]!)));
    expect(run(rt1, flipped, scores, { maxOutputSize: 3, iouThreshold: 0.5 }).sel).toEqual([3, 0, 5]);
  });

  it('random boxes: plain, strict, center, soft-NMS; threads 1 and 2 agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.nat(1000), fc.constantFrom(0, 0.3, 0.5, 1), fc.constantFrom(-Infinity, 0.2), fc.constantFrom(0, 0.5), fc.boolean(), fc.boolean(), (n, seed, iou, score, sigma, strict, center) => {
        const { boxes, scores } = randomBoxes(n, seed);
        const attrs = { maxOutputSize: 10, iouThreshold: iou, scoreThreshold: score, softNmsSigma: sigma, strictIou: strict, centerPointBox: center };
        const want = nmsRef(boxes, scores, 10, iou, score, sigma, strict, center);
        for (const rt of [rt1, rt2]) {
          const got = run(rt, boxes, scores, attrs);
          expect(got.sel).toEqual(want.sel);
          expectClose(got.selScores, want.selScores, { op: 'NMS scores', dtype: 'float32', rtol: 2 ** -20 });
        }
      }),
      { numRuns: 120 },
    );
  });

  it('NaN scores are never candidates; zero-area boxes never overlap; size 0', () => {
    const boxes = Float32Array.from([0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(run(rt1, boxes, Float32Array.from([NaN, 0.5, 0.4]), { maxOutputSize: 3, iouThreshold: 0.5 }).sel).toEqual([1, 2]);
    expect(run(rt1, new Float32Array(0), new Float32Array(0), { maxOutputSize: 3 }).sel).toEqual([]);
    expect(run(rt1, boxes, Float32Array.from([1, 1, 1]), { maxOutputSize: 0 }).sel).toEqual([]);
  });

  it('typed errors', () => {
    const b = rt1.tensor(new Float32Array(6), [2, 3], 'float32');
    const s = rt1.tensor(new Float32Array(2), [2], 'float32');
    const b4 = rt1.tensor(new Float32Array(8), [2, 4], 'float32');
    expect(() => rt1.run('NonMaxSuppression', [b, s], { maxOutputSize: 1 })).toThrow(ShapeError);
    expect(() => rt1.run('NonMaxSuppression', [b, s], { maxOutputSize: 1 })).toThrow(/NonMaxSuppression: boxes must be \[n, 4\], got \[2,3\]/);
    expect(() => rt1.run('NonMaxSuppression', [b4, s], { maxOutputSize: -1 })).toThrow(AttributeError);
    expect(() => rt1.run('NonMaxSuppression', [b4, s], { maxOutputSize: 1, iouThreshold: 2 })).toThrow(/iouThreshold must be in \[0, 1\]/);
    for (const t of [b, s, b4]) t.dispose();
  });
});
