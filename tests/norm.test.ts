/**
 * BatchNormalization (NCHW, NHWC), InstanceNormalization and LayerNormalization (family `norm`)
 * against the float64 reference (tests/reference/norm.ts): odd row lengths (4-wide body + tails),
 * rank 2 to 5, size-0 dims, NaN/Inf, optional bias, 1 vs 2 threads bit-identical, WebGPU, errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp, type HostTensor } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { refBatchNorm, refInstanceNorm, refLayerNorm, rowStats } from './reference/norm.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

const U = 2 ** -24;
useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function data(n: number, seed: number, scale = 5, offset = 0, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * 3)]! : offset + (r() * 2 - 1) * scale));
}
const host = (d: Float32Array, shape: number[]): HostTensor => ({ data: d, shape, dtype: 'float32' });

/**
 * BatchNorm runs y = x·a + b with a, b folded in float64 then rounded: a's rounding, the product and
 * the sum give ≤ 3·2^-24·|x·a| + 2·2^-24·|b| (plus the same on the GPU, which computes in float32
 * from the unfolded inputs: (x − mean)·(scale·rsqrt(var + eps)) + B, ≤ 6 roundings of the larger terms).
 */
async function checkBatch(rt: Rt, shape: number[], layout: 'NCHW' | 'NHWC', seed: number, specials = 0): Promise<void> {
  const C = shape.length < 2 ? 0 : layout === 'NHWC' ? shape[shape.length - 1]! : shape[1]!;
  const x = data(size(shape), seed, 5, 0, specials);
  const [scale, bias, mean] = [1, 2, 3].map((k) => data(C, seed + k));
  const variance = data(C, seed + 4, 2, 2.5);
  const eps = 1e-3;
  const ref = refBatchNorm(x, shape, scale!, bias!, mean!, variance, eps, layout);
  const inner = layout === 'NHWC' ? 1 : size(shape.slice(2));
  const tol = ref.map((_, i) => {
    const c = Math.floor(i / inner) % C;
    const a = scale![c]! / Math.sqrt(variance[c]! + eps);
    return 6 * U * (Math.abs(x[i]! * a) + Math.abs(mean![c]! * a) + Math.abs(bias![c]!));
  });
  const out = await execOp(rt, [host(x, shape), host(scale!, [C]), host(bias!, [C]), host(mean!, [C]), host(variance, [C])], (t) => rt.run('BatchNormalization', t, { epsilon: eps, layout })[0]!);
  expect(out.shape).toEqual(shape);
  expectClose(out.data as Float32Array, ref, { op: `BatchNormalization ${layout} ${rt.device}`, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: tol });
}

/**
 * Row normalisation: the float32 mean is within (n + 5)·2^-24·mean|x| (4-lane sums), the variance
 * within (n + 8)·2^-24 relative (a mean error only moves it to second order), so rstd within
 * (n/2 + 6)·2^-24; y = (x − mean)·rstd·s + b adds a few roundings. Per element:
 * |s|·rstd·(n + 5)·2^-24·mean|x| + |y − b|·(n/2 + 8)·2^-24 + 2·2^-24·|b|.
 */
function rowTol(x: Float32Array, n: number, eps: number, ref: Float64Array, s: (i: number) => number, b: (i: number) => number): Float64Array {
  const { rstd, absMean } = rowStats(x, n, eps);
  return ref.map((y, i) => Math.abs(s(i)) * rstd[i]! * (n + 5) * U * absMean[i]! + Math.abs(y - b(i)) * (n / 2 + 8) * U + 2 * U * Math.abs(b(i)));
}

async function checkInstance(rt: Rt, shape: number[], seed: number, specials = 0): Promise<Float32Array> {
  const C = shape[1]!;
  const n = size(shape.slice(2));
  const x = data(size(shape), seed, 4, 3, specials);
  const [scale, bias] = [data(C, seed + 1), data(C, seed + 2)];
  const eps = 1e-5;
  const ref = refInstanceNorm(x, shape, scale, bias, eps);
  const tol = rowTol(x, n, eps, ref, (i) => scale[Math.floor(i / n) % C]!, (i) => bias[Math.floor(i / n) % C]!);
  const out = await execOp(rt, [host(x, shape), host(scale, [C]), host(bias, [C])], (t) => rt.run('InstanceNormalization', t, { epsilon: eps })[0]!);
  expect(out.shape).toEqual(shape);
  expectClose(out.data as Float32Array, ref, { op: `InstanceNormalization ${rt.device} threads=${rt.info().threads}`, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: tol });
  return out.data as Float32Array;
}

async function checkLayer(rt: Rt, shape: number[], axis: number, withBias: boolean, seed: number, specials = 0): Promise<Float32Array> {
  const ax = axis < 0 ? axis + shape.length : axis;
  const row = shape.slice(ax);
  const n = size(row);
  const x = data(size(shape), seed, 3, -2, specials);
  const scale = data(n, seed + 1);
  const bias = withBias ? data(n, seed + 2) : undefined;
  const eps = 1e-5;
  const ref = refLayerNorm(x, shape, axis, scale, bias, eps);
  const tol = rowTol(x, n, eps, ref, (i) => scale[i % n]!, (i) => (bias ? bias[i % n]! : 0));
  const ins = [host(x, shape), host(scale, row), ...(bias ? [host(bias, [1, ...row])] : [])];
  const out = await execOp(rt, ins, (t) => rt.run('LayerNormalization', t, { axis, epsilon: eps })[0]!);
  expectClose(out.data as Float32Array, ref, { op: `LayerNormalization axis ${axis} ${rt.device} threads=${rt.info().threads}`, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: tol });
  return out.data as Float32Array;
}

const BN_SHAPES: [number[], 'NCHW' | 'NHWC'][] = [
  [[2, 3, 5, 7], 'NCHW'], [[2, 5, 7, 3], 'NHWC'], [[4, 6], 'NCHW'], [[4, 6], 'NHWC'], [[1, 9, 17], 'NCHW'], [[1, 17, 9], 'NHWC'],
  [[2, 4, 2, 3, 5], 'NCHW'], [[1, 1, 1, 1], 'NCHW'], [[0, 3, 4], 'NCHW'], [[3, 3, 0], 'NCHW'], [[2, 8, 8, 13], 'NHWC'],
];

describe.each([1, 2])('norm kernels (wasm, threads=%i)', (threads) => {
  const rt = () => (threads === 1 ? rt1 : rt2);
  it('BatchNormalization NCHW and NHWC', async () => {
    for (const [i, [shape, layout]] of BN_SHAPES.entries()) await checkBatch(rt(), shape, layout, i + 1);
    await checkBatch(rt(), [2, 5, 6, 3], 'NHWC', 40, 0.1);
    await checkBatch(rt(), [2, 3, 6, 5], 'NCHW', 41, 0.1);
  });
  it('InstanceNormalization', async () => {
    for (const [i, shape] of [[2, 3, 5, 7], [1, 4, 1], [1, 2, 33], [3, 5, 2, 2, 3], [1, 1, 1, 1], [2, 3, 257], [0, 3, 4]].entries()) await checkInstance(rt(), shape, i + 10);
    await checkInstance(rt(), [2, 3, 9], 30, 0.05);
  });
  it('LayerNormalization: axes, optional bias', async () => {
    const cases: [number[], number][] = [[[4, 7], -1], [[3, 5, 8], -1], [[3, 5, 8], 1], [[2, 3, 4, 5], 0], [[6, 1], -1], [[2, 768], -1], [[5, 33], 1], [[0, 9], -1], [[7], 0]];
    for (const [i, [shape, axis]] of cases.entries()) {
      await checkLayer(rt(), shape, axis, true, i + 20);
      await checkLayer(rt(), shape, axis, false, i + 20);
    }
    await checkLayer(rt(), [4, 9], -1, true, 31, 0.05);
  });
});

describe('norm random shapes (fast-check)', () => {
  it('LayerNormalization any axis, InstanceNormalization, BatchNormalization both layouts', async () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (shape, ax, bias, seed) => {
        await checkLayer(rt1, shape, ax % shape.length, bias, seed);
        await checkInstance(rt1, shape, seed);
        await checkBatch(rt1, shape, bias ? 'NHWC' : 'NCHW', seed);
      }),
      { numRuns: 60 },
    );
  });
});

describe('norm threads', () => {
  it('1 and 2 threads bit-identical on sizes that split', async () => {
    const a = await checkLayer(rt1, [300, 257], -1, true, 5);
    const b = await checkLayer(rt2, [300, 257], -1, true, 5);
    expect(new Uint32Array(b.buffer)).toEqual(new Uint32Array(a.buffer));
    const c = await checkInstance(rt1, [4, 16, 33, 31], 6);
    const d = await checkInstance(rt2, [4, 16, 33, 31], 6);
    expect(new Uint32Array(d.buffer)).toEqual(new Uint32Array(c.buffer));
  });
});

describe('norm contract errors', () => {
  const f = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape);
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(TwinopsError);
      expect((e as Error).message).toMatch(/Normalization/);
      return (e as TwinopsError).code;
    }
    throw new Error('expected a throw');
  };
  it('names the op and the shapes', () => {
    expect(code(() => rt1.run('BatchNormalization', [f([2, 3, 4]), f([3]), f([3]), f([3]), f([4])]))).toBe('SHAPE_MISMATCH');
    expect(code(() => rt1.run('BatchNormalization', [f([2, 3, 4]), f([3]), f([3]), f([3])]))).toBe('RANK');
    expect(code(() => rt1.run('BatchNormalization', [f([2, 3, 4]), f([4]), f([4]), f([4]), f([4])], { layout: 'NHWC', epsilon: -1 }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('InstanceNormalization', [f([2, 3]), f([3]), f([3])]))).toBe('RANK');
    expect(code(() => rt1.run('LayerNormalization', [f([2, 3]), f([2])]))).toBe('SHAPE_MISMATCH');
    expect(code(() => rt1.run('LayerNormalization', [f([2, 3]), f([3])], { axis: 2 }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('LayerNormalization', [rt1.tensor(new Int32Array(6), [2, 3], 'int32'), f([3])]))).toBe('DTYPE');
  });
});

describe.skipIf(!hasGpu)('norm webgpu twin', () => {
  it('matches the reference', async () => {
    if (!gpu) return;
    for (const [i, [shape, layout]] of BN_SHAPES.entries()) await checkBatch(gpu, shape, layout, i + 1);
    for (const [i, shape] of [[2, 3, 5, 7], [1, 2, 33], [1, 1, 1, 1], [2, 3, 9]].entries()) await checkInstance(gpu, shape, i + 10, i === 3 ? 0.05 : 0);
    for (const [i, [shape, axis]] of ([[[4, 7], -1], [[3, 5, 8], 1], [[2, 768], -1], [[4, 9], -1]] as [number[], number][]).entries()) {
      await checkLayer(gpu, shape, axis, i % 2 === 0, i + 20, i === 3 ? 0.05 : 0);
    }
  });
});
