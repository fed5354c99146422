/**
 * MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool (family `pool`) against the float64
 * reference (tests/reference/pool.ts): NCHW and NHWC, 1-D, 2-D and 3-D windows, strides, dilations,
 * explicit/SAME_UPPER/SAME_LOWER/VALID padding, ceil_mode, count_include_pad, odd sizes (NCHW
 * interior columns go 4 at a time, NHWC channels 4 at a time: both have tails), size-0 dims, NaN/Inf,
 * int32 MaxPool,
 * 1 vs 2 threads bit-identical, the WebGPU twin, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { refGlobalPool, refPool, type RefPoolAttrs } from './reference/pool.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

type Kind = 'max' | 'avg';
const OPS: Record<Kind, string> = { max: 'MaxPool', avg: 'AveragePool' };
const GLOBAL: Record<Kind, string> = { max: 'GlobalMaxPool', avg: 'GlobalAveragePool' };

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function data(n: number, seed: number, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity, 0, -0];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * sp.length)]! : (r() * 2 - 1) * 10));
}

/**
 * Max is exact (a float32 max is one of its inputs). Average: the float32 sum of m taps in order
 * is within (m − 1)·2^-24·Σ|x| of the exact sum, then one rounded division (2^-24 relative); so the
 * per-element bound is (m + 1)·2^-24 times the mean of |x| over the window, from the reference on |x|
 * (3-D: the depth pass adds KD + 1 roundings of the slice means).
 */
async function check(rt: Rt, kind: Kind, x: Float32Array, shape: number[], attrs: RefPoolAttrs, what: string): Promise<void> {
  const ref = refPool(kind, x, shape, attrs);
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt.run(OPS[kind], [t!], attrs)[0]!);
  expect(out.shape, what).toEqual(ref.shape);
  // 3-D windows pool (H, W) per depth slice, then along D: (KH·KW + 1) then (KD + 1) roundings.
  const m = size(attrs.kernelShape) + (attrs.kernelShape.length === 3 ? attrs.kernelShape[0]! + 1 : 0);
  const absMean = kind === 'avg' ? refPool('avg', x.map(Math.abs), shape, attrs).data : undefined;
  expectClose(out.data as Float32Array, ref.data, {
    op: `${OPS[kind]} ${rt.device} threads=${rt.info().threads} (${what})`,
    shapes: [shape],
    outShape: ref.shape,
    dtype: 'float32',
    rtol: kind === 'avg' ? 2 ** -24 : 0,
    atolPer: absMean?.map((v) => (m + 1) * 2 ** -24 * v),
    context: JSON.stringify(attrs),
  });
}

interface Case {
  shape: number[];
  attrs: RefPoolAttrs;
}

/** int32 MaxPool is exact: the reference's max over the same taps, INT32_MIN/MAX included. */
async function checkInt(rt: Rt, shape: number[], attrs: RefPoolAttrs, seed: number, what: string): Promise<void> {
  const r = prng(seed);
  const x = Int32Array.from({ length: size(shape) }, () => (r() < 0.05 ? (r() < 0.5 ? -(2 ** 31) : 2 ** 31 - 1) : Math.floor((r() * 2 - 1) * 2 ** 31)));
  const ref = refPool('max', x, shape, attrs);
  const out = await execOp(rt, [{ data: x, shape, dtype: 'int32' }], ([t]) => rt.run('MaxPool', [t!], attrs)[0]!);
  expect(out.shape, what).toEqual(ref.shape);
  expect(out.dtype).toBe('int32');
  expectClose(out.data as Int32Array, ref.data, { op: `MaxPool int32 ${rt.device} (${what})`, shapes: [shape], outShape: ref.shape, dtype: 'int32', context: JSON.stringify(attrs) });
}

/** Hand-picked geometry: tails, borders, every padding mode, ceil_mode drops, dilation. */
function cases(layout: 'NCHW' | 'NHWC'): Case[] {
  const s2 = (n: number, c: number, h: number, w: number) => (layout === 'NCHW' ? [n, c, h, w] : [n, h, w, c]);
  const s1 = (n: number, c: number, w: number) => (layout === 'NCHW' ? [n, c, w] : [n, w, c]);
  const L = { layout } as const;
  return [
    { shape: s2(2, 3, 7, 9), attrs: { kernelShape: [3, 3], ...L } },
    { shape: s2(1, 5, 8, 13), attrs: { kernelShape: [2, 2], strides: [2, 2], ...L } },
    { shape: s2(1, 7, 9, 17), attrs: { kernelShape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], ...L } },
    { shape: s2(2, 4, 10, 11), attrs: { kernelShape: [3, 2], strides: [2, 3], pads: [2, 1, 0, 1], ...L } },
    { shape: s2(1, 9, 11, 23), attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, ...L } },
    { shape: s2(1, 3, 6, 6), attrs: { kernelShape: [3, 3], strides: [2, 2], ceilMode: true, ...L } },
    { shape: s2(1, 2, 5, 5), attrs: { kernelShape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true, ...L } },
    { shape: s2(1, 3, 7, 10), attrs: { kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER', ...L } },
    { shape: s2(1, 3, 8, 10), attrs: { kernelShape: [4, 4], strides: [3, 3], autoPad: 'SAME_LOWER', ...L } },
    { shape: s2(2, 6, 9, 9), attrs: { kernelShape: [3, 3], strides: [2, 2], autoPad: 'VALID', ...L } },
    { shape: s2(1, 1, 1, 1), attrs: { kernelShape: [1, 1], ...L } },
    { shape: s2(1, 23, 6, 7), attrs: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ...L } },
    { shape: s2(1, 45, 5, 5), attrs: { kernelShape: [2, 3], strides: [1, 2], pads: [1, 0, 0, 2], ...L } },
    { shape: s2(3, 1, 4, 33), attrs: { kernelShape: [1, 5], strides: [1, 1], pads: [0, 2, 0, 2], ...L } },
    { shape: s1(2, 5, 19), attrs: { kernelShape: [3], strides: [2], pads: [1, 1], ...L } },
    { shape: s1(1, 8, 12), attrs: { kernelShape: [4], strides: [4], ceilMode: true, ...L } },
    { shape: s2(0, 3, 5, 5), attrs: { kernelShape: [2, 2], ...L } },
    { shape: s2(1, 0, 5, 5), attrs: { kernelShape: [2, 2], ...L } },
  ];
}

const cases3d = (layout: 'NCHW' | 'NHWC'): Case[] => {
  const s3 = (n: number, c: number, d: number, h: number, w: number) => (layout === 'NCHW' ? [n, c, d, h, w] : [n, d, h, w, c]);
  return [
    { shape: s3(2, 3, 5, 6, 7), attrs: { kernelShape: [2, 3, 3], layout } },
    { shape: s3(1, 5, 7, 8, 9), attrs: { kernelShape: [3, 2, 3], strides: [2, 2, 1], pads: [1, 1, 0, 1, 0, 2], ceilMode: true, layout } },
    { shape: s3(1, 17, 4, 5, 5), attrs: { kernelShape: [1, 3, 3], strides: [1, 2, 2], autoPad: 'SAME_UPPER', layout } },
    { shape: s3(1, 2, 9, 4, 3), attrs: { kernelShape: [3, 1, 1], strides: [3, 1, 1], layout } },
    { shape: s3(1, 4, 8, 6, 6), attrs: { kernelShape: [2, 2, 2], dilations: [2, 1, 2], autoPad: 'SAME_LOWER', layout } },
  ];
};

const dilated = (layout: 'NCHW' | 'NHWC'): Case[] => [
  { shape: layout === 'NCHW' ? [1, 3, 12, 14] : [1, 12, 14, 3], attrs: { kernelShape: [3, 3], dilations: [2, 3], pads: [2, 2, 2, 2], layout } },
  { shape: layout === 'NCHW' ? [1, 5, 9, 17] : [1, 9, 17, 5], attrs: { kernelShape: [2, 3], dilations: [2, 2], strides: [2, 1], autoPad: 'SAME_UPPER', layout } },
];

describe.each(['NCHW', 'NHWC'] as const)('pool kernels %s (wasm)', (layout) => {
  it.each(['max', 'avg'] as const)('%s: hand-picked geometry', async (kind) => {
    for (const [i, c] of cases(layout).entries()) {
      await check(rt1, kind, data(size(c.shape), i + 1), c.shape, c.attrs, `case ${i}`);
      if (kind === 'avg') await check(rt1, kind, data(size(c.shape), i + 1), c.shape, { ...c.attrs, countIncludePad: true }, `case ${i} cip`);
    }
  });

  it('MaxPool with dilations', async () => {
    for (const [i, c] of dilated(layout).entries()) await check(rt1, 'max', data(size(c.shape), i + 50), c.shape, c.attrs, `dilated ${i}`);
  });

  it('AveragePool with dilations, countIncludePad both ways (2-D and 3-D), threads 1 and 2', async () => {
    for (const [i, c] of [...dilated(layout), ...cases3d(layout)].entries()) {
      const x = data(size(c.shape), i + 60, 0.02);
      for (const countIncludePad of [false, true]) {
        await check(rt1, 'avg', x, c.shape, { ...c.attrs, countIncludePad }, `avg dilated ${i} cip=${countIncludePad}`);
        await check(rt2, 'avg', x, c.shape, { ...c.attrs, countIncludePad }, `avg dilated ${i} cip=${countIncludePad} threads=2`);
      }
    }
  });

  it('MaxPool int32', async () => {
    for (const [i, c] of [...cases(layout), ...dilated(layout)].entries()) await checkInt(rt1, c.shape, c.attrs, i + 70, `int ${i}`);
  });

  it('3-D windows (depth pass after a per-slice 2-D pass), int32 too', async () => {
    for (const [i, c] of cases3d(layout).entries()) {
      const x = data(size(c.shape), i + 100, 0.02);
      await check(rt1, 'max', x, c.shape, c.attrs, `3d ${i}`);
      await check(rt1, 'avg', x, c.shape, { ...c.attrs, dilations: undefined }, `3d ${i}`);
      await check(rt1, 'avg', x, c.shape, { ...c.attrs, dilations: undefined, countIncludePad: true }, `3d ${i} cip`);
      await check(rt2, 'avg', x, c.shape, { ...c.attrs, dilations: undefined }, `3d ${i} threads=2`);
      await checkInt(rt1, c.shape, c.attrs, i + 110, `3d int ${i}`);
    }
  });

  it('NaN and ±Inf: NaN anywhere in a window gives NaN', async () => {
    for (const kind of ['max', 'avg'] as const) {
      for (const [i, c] of cases(layout).slice(0, 6).entries()) await check(rt1, kind, data(size(c.shape), i + 9, 0.15), c.shape, c.attrs, `specials ${i}`);
    }
  });

  it('global pooling, 1-D to 3-D spatial', async () => {
    for (const spatial of [[1], [7], [5, 3], [9, 13], [2, 3, 4]]) {
      for (const kind of ['max', 'avg'] as const) {
        for (const C of [1, 3, 8]) {
          const shape = layout === 'NCHW' ? [2, C, ...spatial] : [2, ...spatial, C];
          const x = data(size(shape), C + spatial.length, 0.03);
          const ref = refGlobalPool(kind, x, shape, layout);
          const out = await execOp(rt1, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt1.run(GLOBAL[kind], [t!], { layout })[0]!);
          expect(out.shape).toEqual(ref.shape);
          const n = size(spatial);
          const absMean = refGlobalPool('avg', x.map(Math.abs), shape, layout).data;
          // the row path sums in 4 lanes then across them: still ≤ (n − 1)·2^-24·Σ|x|
          expectClose(out.data as Float32Array, ref.data, {
            op: `${GLOBAL[kind]} ${layout}`, shapes: [shape], outShape: ref.shape, dtype: 'float32',
            rtol: kind === 'avg' ? 2 ** -24 : 0, atolPer: kind === 'avg' ? absMean.map((v) => (n + 1) * 2 ** -24 * v) : undefined,
          });
        }
      }
    }
  });

  it('random geometry (fast-check), 1 and 2 threads bit-identical', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kind: fc.constantFrom<Kind>('max', 'avg'),
          n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 9 }),
          h: fc.integer({ min: 1, max: 14 }), w: fc.integer({ min: 1, max: 40 }),
          kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
          sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
          p: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
          ceil: fc.boolean(), cip: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        async (g) => {
          const pads = [g.p[0]! % g.kh, g.p[1]! % g.kw, g.p[2]! % g.kh, g.p[3]! % g.kw];
          const h = Math.max(g.h, g.kh);
          const w = Math.max(g.w, g.kw);
          const shape = layout === 'NCHW' ? [g.n, g.c, h, w] : [g.n, h, w, g.c];
          const attrs: RefPoolAttrs = { kernelShape: [g.kh, g.kw], strides: [g.sh, g.sw], pads, ceilMode: g.ceil, countIncludePad: g.cip, layout };
          const x = data(size(shape), g.seed);
          await check(rt1, g.kind, x, shape, attrs, 'random');
          const a = await execOp(rt1, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt1.run(OPS[g.kind], [t!], attrs)[0]!);
          const b = await execOp(rt2, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt2.run(OPS[g.kind], [t!], attrs)[0]!);
          expect(new Uint32Array((b.data as Float32Array).buffer)).toEqual(new Uint32Array((a.data as Float32Array).buffer));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('large enough to split across 2 threads: bit-identical', async () => {
    const shape = layout === 'NCHW' ? [2, 32, 57, 61] : [2, 57, 61, 32];
    const x = data(size(shape), 77, 0.001);
    for (const kind of ['max', 'avg'] as const) {
      const attrs: RefPoolAttrs = { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], layout };
      const a = await execOp(rt1, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt1.run(OPS[kind], [t!], attrs)[0]!);
      const b = await execOp(rt2, [{ data: x, shape, dtype: 'float32' }], ([t]) => rt2.run(OPS[kind], [t!], attrs)[0]!);
      expect(new Uint32Array((b.data as Float32Array).buffer)).toEqual(new Uint32Array((a.data as Float32Array).buffer));
      await check(rt2, kind, x, shape, attrs, 'threads=2');
    }
  });
});

describe('pool contract errors', () => {
  const t = () => rt1.tensor(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(TwinopsError);
      expect((e as Error).message).toMatch(/Pool/);
      return (e as TwinopsError).code;
    }
    throw new Error('expected a throw');
  };
  it('names the op and the shapes', () => {
    expect(code(() => rt1.run('MaxPool', [t()], {}))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('MaxPool', [t()], { kernelShape: [2] }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('MaxPool', [t()], { kernelShape: [2, 2], pads: [2, 0, 0, 0] }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('AveragePool', [t()], { kernelShape: [5, 5] }))).toBe('SHAPE_MISMATCH');
    expect(code(() => rt1.run('MaxPool', [rt1.tensor(new Float32Array(4), [2, 2])], { kernelShape: [2] }))).toBe('RANK');
    expect(code(() => rt1.run('AveragePool', [rt1.tensor(new Int32Array(16), [1, 1, 4, 4], 'int32')], { kernelShape: [2, 2] }))).toBe('DTYPE');
    expect(code(() => rt1.run('GlobalMaxPool', [rt1.tensor(new Int32Array(16), [1, 1, 4, 4], 'int32')], {}))).toBe('DTYPE');
    expect(code(() => rt1.run('GlobalAveragePool', [t()], { layout: 'NWHC' }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('MaxPool', [rt1.tensor(new Float32Array(16), [1, 1, 2, 2, 2, 2])], { kernelShape: [1, 1, 1, 1] }))).toBe('RANK');
  });
});

describe.skipIf(!hasGpu)('pool webgpu twin', () => {
  it('matches the reference on both layouts', async () => {
    if (!gpu) return;
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const kind of ['max', 'avg'] as const) {
        for (const [i, c] of [...cases(layout), ...dilated(layout)].entries()) {
          await check(gpu, kind, data(size(c.shape), i + 3, 0.05), c.shape, kind === 'avg' ? { ...c.attrs, countIncludePad: i % 2 === 1 } : c.attrs, `gpu ${i}`);
        }
        if (kind === 'max') for (const [i, c] of cases(layout).entries()) await checkInt(gpu, c.shape, c.attrs, i + 90, `gpu int ${i}`);
        for (const [i, c] of cases3d(layout).entries()) {
          await check(gpu, kind, data(size(c.shape), i + 120, 0.02), c.shape, kind === 'avg' ? { ...c.attrs, dilations: undefined, countIncludePad: i % 2 === 0 } : c.attrs, `gpu 3d ${i}`);
        }
        const shape = layout === 'NCHW' ? [2, 5, 6, 7] : [2, 6, 7, 5];
        const x = data(size(shape), 5, 0.02);
        const ref = refGlobalPool(kind, x, shape, layout);
        const out = await execOp(gpu, [{ data: x, shape, dtype: 'float32' }], ([t]) => gpu!.run(GLOBAL[kind], [t!], { layout })[0]!);
        const absMean = refGlobalPool('avg', x.map(Math.abs), shape, layout).data;
        expectClose(out.data as Float32Array, ref.data, {
          op: `${GLOBAL[kind]} webgpu ${layout}`, shapes: [shape], outShape: ref.shape, dtype: 'float32',
          rtol: kind === 'avg' ? 2 ** -24 : 0, atolPer: kind === 'avg' ? absMean.map((v) => 43 * 2 ** -24 * v) : undefined,
        });
      }
    }
  });
});
