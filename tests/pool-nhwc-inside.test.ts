/**
 * The NHWC pooling kernels for windows wholly inside the input (wasm-kernels/pool.wat.ts
 * `{max,avg,imax}_nhwc_in` and the unrolled 2×2 `_in2x2`, chosen by wasm-kernels/pool.ts `inside`),
 * and every window walk's mask-free MaxPool branch for nanMode 'ignore' (NHWC and NCHW, clipped windows)
 * against the float64 reference (tests/reference/pool.ts), next to geometries that must keep the
 * clipping kernel (a leading pad, a last window past the input): channel counts around the 16/8/4/1
 * channel groups, strides 1–3, dilation, NaN under both nanModes, int32 MaxPool, and 1 vs 2 threads
 * bit for bit. Tolerances: max is exact (rtol 0); an average sums ≤ 9 taps in window order and
 * divides once, so each rounding is ≤ 2^-24 relative to the running magnitude: 10·2^-24 · Σ|tap| / count
 * bounds it (atolPer), as the sum can cancel.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { refPool, type RefPoolAttrs } from './reference/pool.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function data(n: number, seed: number, nanRate = 0): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() < nanRate ? NaN : r() < 0.02 ? (r() < 0.5 ? Infinity : -Infinity) : (r() * 2 - 1) * 4));
}

interface Geo {
  shape: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  d?: [number, number];
  pads?: number[];
}

function run(rt: Rt, op: 'MaxPool' | 'AveragePool', x: Float32Array | Int32Array, g: Geo, extra: object = {}): { shape: number[]; data: Float32Array } {
  const t = rt.tensor(x, g.shape);
  const [y] = rt.run(op, [t], { kernelShape: g.k, strides: g.s, dilations: op === 'MaxPool' ? g.d : undefined, pads: g.pads ?? [0, 0, 0, 0], layout: 'NHWC', ...extra });
  const out = { shape: y!.shape.slice(), data: y!.dataSync() as Float32Array };
  t.dispose();
  y!.dispose();
  return out;
}

function check(op: 'MaxPool' | 'AveragePool', g: Geo, seed: number, nanMode: 'propagate' | 'ignore' = 'propagate'): void {
  const n = g.shape.reduce((a, b) => a * b, 1);
  const x = data(n, seed, op === 'MaxPool' ? 0.05 : 0);
  const got = run(rt1, op, x, g, op === 'MaxPool' ? { nanMode } : {});
  // 'ignore' skips NaN taps: the max over the others, −Infinity when all are NaN = max with NaN read as −Infinity
  const xr = nanMode === 'ignore' ? Float64Array.from(x, (v) => (Number.isNaN(v) ? -Infinity : v)) : x;
  const a: RefPoolAttrs = { kernelShape: g.k, strides: g.s, dilations: g.d, pads: g.pads ?? [0, 0, 0, 0], layout: 'NHWC' };
  const ref = refPool(op === 'MaxPool' ? 'max' : 'avg', xr, g.shape, a);
  expect(got.shape).toEqual(ref.shape);
  let atolPer: Float64Array | undefined;
  if (op === 'AveragePool') {
    const absRef = refPool('avg', Float64Array.from(x, Math.abs), g.shape, a);
    atolPer = absRef.data.map((v) => 10 * 2 ** -24 * v);
  }
  expectClose(got.data, ref.data, { op: `${op} NHWC ${nanMode}`, shapes: [g.shape], outShape: ref.shape, dtype: 'float32', rtol: 0, atolPer, context: `k ${g.k} s ${g.s} d ${g.d ?? [1, 1]} pads ${g.pads ?? [0, 0, 0, 0]} seed ${seed}` });
}

const CS = [1, 3, 4, 5, 8, 12, 15, 16, 17, 20, 33, 64];

describe('NHWC pooling, windows inside the input', () => {
  it('MaxPool 2×2 (unrolled) and 3×3: every channel group, both nanModes', () => {
    let seed = 1;
    for (const C of CS) {
      for (const [H, W, k, s] of [[8, 8, 2, 2], [9, 7, 2, 2], [5, 6, 2, 1], [11, 9, 3, 2], [7, 7, 3, 1], [12, 10, 2, 3]] as [number, number, number, number][]) {
        for (const nanMode of ['propagate', 'ignore'] as const) check('MaxPool', { shape: [2, H, W, C], k: [k, k], s: [s, s] }, seed++, nanMode);
      }
    }
  });

  it('AveragePool 2×2 and 3×3 inside; dilated MaxPool', () => {
    let seed = 100;
    for (const C of CS) {
      check('AveragePool', { shape: [1, 10, 9, C], k: [2, 2], s: [2, 2] }, seed++);
      check('AveragePool', { shape: [2, 9, 9, C], k: [3, 3], s: [2, 2] }, seed++);
      check('MaxPool', { shape: [1, 9, 11, C], k: [2, 2], s: [1, 2], d: [2, 3] }, seed++, 'ignore');
      check('MaxPool', { shape: [1, 9, 11, C], k: [2, 3], s: [2, 1], d: [3, 2] }, seed++);
    }
  });

  it('geometries that clip a window keep the clipping kernel and match too', () => {
    let seed = 200;
    for (const C of [3, 16, 17]) {
      // a leading pad; a trailing pad that the last window reaches (7 wide) or that no window reaches (8 wide: inside)
      for (const pads of [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 1]]) {
        for (const H of [7, 8]) {
          check('MaxPool', { shape: [1, H, H, C], k: [2, 2], s: [2, 2], pads }, seed++, 'ignore');
          check('MaxPool', { shape: [1, H, H, C], k: [2, 2], s: [2, 2], pads }, seed++);
          check('AveragePool', { shape: [1, H, H, C], k: [2, 2], s: [2, 2], pads }, seed++);
        }
      }
    }
  });

  it("MaxPool nanMode 'ignore' through the clipping walks, NHWC and NCHW", () => {
    let seed = 300;
    for (const layout of ['NHWC', 'NCHW'] as const) {
      for (const [H, W, C, k, s, pads] of [
        [9, 9, 5, 3, 2, [0, 0, 1, 1]],
        [8, 7, 16, 3, 1, [1, 1, 1, 1]],
        [6, 11, 3, 2, 2, [1, 0, 0, 1]],
        [10, 10, 20, 3, 3, [2, 1, 2, 1]],
      ] as [number, number, number, number, number, number[]][]) {
        const shape = layout === 'NHWC' ? [2, H, W, C] : [2, C, H, W];
        const x = data(shape.reduce((a, b) => a * b, 1), seed++, 0.1);
        const t = rt1.tensor(x, shape);
        const [y] = rt1.run('MaxPool', [t], { kernelShape: [k, k], strides: [s, s], pads, layout, nanMode: 'ignore' });
        const ref = refPool('max', Float64Array.from(x, (v) => (Number.isNaN(v) ? -Infinity : v)), shape, { kernelShape: [k, k], strides: [s, s], pads, layout });
        expect(y!.shape).toEqual(ref.shape);
        expectClose(y!.dataSync() as Float32Array, ref.data, { op: `MaxPool ignore ${layout}`, shapes: [shape], outShape: ref.shape, dtype: 'float32', rtol: 0, context: `k ${k} s ${s} pads ${pads}` });
        t.dispose();
        y!.dispose();
      }
    }
  });

  it('random geometries match the reference (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
        fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }),
        (H, W, C, kh, kw, sh, sw, avg, ignore, seed) => {
          if (kh > H || kw > W) return;
          check(avg ? 'AveragePool' : 'MaxPool', { shape: [1, H, W, C], k: [kh, kw], s: [sh, sw] }, seed, ignore && !avg ? 'ignore' : 'propagate');
        },
      ),
      { numRuns: 150, seed: 3 },
    );
  });

  it('int32 MaxPool 2×2 inside matches the exact maximum', () => {
    const shape: [number, number, number, number] = [1, 6, 8, 13];
    const r = prng(9);
    const x = Int32Array.from({ length: 6 * 8 * 13 }, () => Math.floor((r() * 2 - 1) * 2 ** 31));
    const got = run(rt1, 'MaxPool', x, { shape, k: [2, 2], s: [2, 2] });
    const ref = refPool('max', x, shape, { kernelShape: [2, 2], strides: [2, 2], layout: 'NHWC' });
    expect(Array.from(got.data)).toEqual(Array.from(ref.data));
  });

  it('1 and 2 threads give identical bytes', () => {
    for (const [op, g, extra] of [
      ['MaxPool', { shape: [1, 96, 96, 64], k: [2, 2], s: [2, 2] }, { nanMode: 'ignore' }],
      ['MaxPool', { shape: [1, 96, 96, 64], k: [2, 2], s: [2, 2] }, {}],
      ['AveragePool', { shape: [1, 64, 64, 36], k: [3, 3], s: [2, 2] }, {}],
    ] as ['MaxPool' | 'AveragePool', Geo, object][]) {
      const x = data(g.shape.reduce((a, b) => a * b, 1), 4, op === 'MaxPool' ? 0.01 : 0);
      const a = run(rt1, op, x, g, extra);
      const b = run(rt2, op, x, g, extra);
      expectBitIdentical(a.data, b.data, `${op} ${g.shape}`);
    }
  });
});
