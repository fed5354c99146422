/**
 * LRN (family `norm`, export `lrn`, and the WebGPU twin) against the float64 reference
 * (tests/reference/lrn.ts): NCHW and NHWC, even and odd window sizes (asymmetric windows), windows
 * wider than C, odd spatial sizes (4-wide body + tails), size-0 and size-1 dims, NaN/Inf, the
 * ONNX ↔ tfjs attribute mapping, 1 vs 2 threads bit-identical, typed errors.
 */
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { lrnView, refLrn, type RefLrnAttrs } from './reference/lrn.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

const U = 2 ** -24;
useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function data(n: number, seed: number, scale = 4, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * 3)]! : (r() * 2 - 1) * scale));
}

/**
 * Tolerance: the float32 square sum over the window (w terms, sequential: ≤ (w + 1)·2^-24 relative,
 * all terms ≥ 0) and bias + coef·sum (2 roundings plus coef's own) give the base b within
 * (w + 4)·2^-24 relative; b^-beta = exp(−beta·log b) turns that into beta·(w + 4)·2^-24 relative,
 * plus log's absolute error (≤ 2 ulp of |log b|, times beta) and exp's ≤ 3 ulp; then one
 * multiplication. Bound per element: |y|·2^-24·(beta·(w + 4) + 2·beta·|log b| + 6).
 */
function tolerance(y: Float64Array, base: Float64Array, a: RefLrnAttrs): Float64Array {
  return y.map((v, i) => (Number.isFinite(v) ? Math.abs(v) * U * (a.beta * (a.size + 4) + 2 * a.beta * Math.abs(Math.log(base[i]!)) + 6) : 0));
}

async function check(rt: Rt, shape: number[], a: RefLrnAttrs, seed: number, specials = 0, scale = 4): Promise<Float32Array> {
  const x = data(size(shape), seed, scale, specials);
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], (t) => rt.run('LRN', t, { ...a })[0]!);
  expect(out.shape).toEqual(shape);
  const { y, base } = refLrn(x, shape, a);
  const op = `LRN ${a.layout} size ${a.size} ${rt.device} threads=${rt.info().threads}`;
  expectClose(out.data as Float32Array, y, { op, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: tolerance(y, base, a) });
  return out.data as Float32Array;
}

const CASES: [number[], RefLrnAttrs][] = [
  [[2, 5, 7, 9], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NCHW' }],
  [[1, 8, 5, 5], { size: 4, alpha: 0.002, beta: 0.5, bias: 2, layout: 'NCHW' }], // even size: window [c-1, c+2]
  [[1, 3, 4, 4], { size: 5, alpha: 0.01, beta: 0.75, bias: 1, layout: 'NCHW' }], // window wider than C
  [[2, 6, 13], { size: 5, alpha: 0.5, beta: 1.5, bias: 0.5, layout: 'NCHW' }],
  [[3, 4], { size: 1, alpha: 1, beta: 0.75, bias: 1, layout: 'NCHW' }], // rank 2, inner 1
  [[1, 1, 1, 1], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NCHW' }],
  [[2, 4, 3, 7], { size: 5, alpha: 0.05, beta: 0.75, bias: 1, layout: 'NHWC' }],
  [[1, 3, 3, 10], { size: 6, alpha: 0.3, beta: 0.2, bias: 3, layout: 'NHWC' }],
  [[0, 3, 4, 4], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NCHW' }],
  [[2, 3, 0, 4], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NCHW' }],
  [[2, 4, 4, 0], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NHWC' }],
];

async function suite(rt: Rt): Promise<void> {
  for (const [i, [shape, a]] of CASES.entries()) await check(rt, shape, a, i + 1);
  // large values: the square sum dominates bias
  await check(rt, [1, 7, 6, 5], { size: 5, alpha: 1, beta: 0.75, bias: 1, layout: 'NCHW' }, 40, 0, 1000);
  // NaN/±Inf: a NaN poisons its window; an Inf gives NaN itself (Inf·0) and 0 for its finite neighbours
  await check(rt, [2, 6, 3, 5], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NCHW' }, 41, 0.05);
  await check(rt, [2, 3, 5, 6], { size: 3, alpha: 1e-4, beta: 0.75, bias: 1, layout: 'NHWC' }, 42, 0.05);
}

describe('LRN wasm', () => {
  it('matches the float64 reference (threads=1)', async () => {
    await suite(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    for (const [shape, a] of [
      [[2, 64, 33, 31], { size: 5, alpha: 1e-4, beta: 0.75, bias: 2, layout: 'NCHW' }],
      [[4, 33, 31, 24], { size: 5, alpha: 0.1, beta: 0.75, bias: 1, layout: 'NHWC' }],
    ] as [number[], RefLrnAttrs][]) {
      const p = await check(rt1, shape, a, 7);
      const q = await check(rt2, shape, a, 7);
      expect(new Uint32Array(q.buffer)).toEqual(new Uint32Array(p.buffer));
    }
  });

  it('NHWC (lrn_last, 4 channels at a time) equals NCHW (lrn) on the transposed input, bit for bit', async () => {
    // both sum the window in ascending channel order from 0, then the same exp/log
    const [N, C, H, W] = [2, 13, 3, 5];
    const x = data(N * C * H * W, 77, 6);
    const xt = new Float32Array(x.length);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) xt[(n * H * W + i) * C + c] = x[(n * C + c) * H * W + i]!;
    for (const size of [1, 2, 5, 8, 30]) {
      const a = { size, alpha: 0.7, beta: 0.75, bias: 1 };
      const p = (await execOp(rt1, [{ data: x, shape: [N, C, H, W], dtype: 'float32' }], (t) => rt1.run('LRN', t, a)[0]!)).data as Float32Array;
      const q = (await execOp(rt1, [{ data: xt, shape: [N, H, W, C], dtype: 'float32' }], (t) => rt1.run('LRN', t, { ...a, layout: 'NHWC' })[0]!)).data as Float32Array;
      const qt = new Float32Array(q.length);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) qt[(n * C + c) * H * W + i] = q[(n * H * W + i) * C + c]!;
      expect(new Uint32Array(qt.buffer), `size ${size}`).toEqual(new Uint32Array(p.buffer));
    }
  });

  it('tfjs attributes map onto the contract: size = 2r + 1, alpha = alpha_tfjs · size', async () => {
    // tfjs: y = x / (bias + alpha · Σ_{|c'−c| ≤ r} x²)^beta, NHWC
    const shape = [1, 2, 3, 7];
    const x = data(size(shape), 9);
    const [r, alpha, beta, bias] = [2, 0.03, 0.6, 1.5];
    const { outer, C, inner } = lrnView(shape, 'NHWC');
    const want = new Float64Array(x.length);
    for (let o = 0; o < outer; o++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let k = Math.max(0, c - r); k <= Math.min(C - 1, c + r); k++) s += x[(o * C + k) * inner]! ** 2;
        want[o * C + c] = x[o * C + c]! / (bias + alpha * s) ** beta;
      }
    const out = await execOp(rt1, [{ data: x, shape, dtype: 'float32' }], (t) => rt1.run('LRN', t, { size: 2 * r + 1, alpha: alpha * (2 * r + 1), beta, bias, layout: 'NHWC' })[0]!);
    expectClose(out.data as Float32Array, want, { op: 'LRN tfjs mapping', shapes: [shape], dtype: 'float32', rtol: 32 * U, atol: 0 });
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const f = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape);
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(TwinopsError);
        expect((e as Error).message).toMatch(/LRN/);
        return (e as TwinopsError).code;
      }
      throw new Error('expected a throw');
    };
    expect(code(() => rt1.run('LRN', [f([3])], { size: 3 }))).toBe('RANK');
    expect(code(() => rt1.run('LRN', [f([1, 3, 2, 2])], { size: 0 }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('LRN', [f([1, 3, 2, 2])], {}))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('LRN', [f([1, 3, 2, 2])], { size: 3, beta: NaN }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('LRN', [f([1, 3, 2, 2])], { size: 3, layout: 'NCW' }))).toBe('ATTRIBUTE');
    expect(code(() => rt1.run('LRN', [rt1.tensor(new Int32Array(4), [1, 4], 'int32')], { size: 3 }))).toBe('DTYPE');
    expect(() => rt1.run('LRN', [f([3])], { size: 3 })).toThrow(/\[3\]/);
  });
});

describe.skipIf(!hasGpu)('LRN webgpu twin', () => {
  it('matches the float64 reference', async () => {
    if (!gpu) return;
    await suite(gpu);
  });
});
