/**
 * RMSNormalization, NormMoments (LayerNormalization's Mean/InvStdDev) and LpNormalization (family
 * `rms-norm`) against the float64 references: every axis of ranks 1–4, row lengths across the SIMD
 * tails, leading-1 scales, NaN/Inf rows, all-zero lines, size-0/size-1 dims, 1 vs 2 threads
 * bit-identical, typed errors; the WebGPU twins on the same cases (sequential sums: the bounds
 * already assume the length-proportional error of a sequential sum).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { halfToNumber, numberToHalf } from './reference/copy.js';
import { refLpNorm, refMoments, refRmsNorm } from './reference/rms-norm.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const rand = (n: number, seed: number, scale = 3, offset = 0) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale + offset);
};
const split = (shape: readonly number[], axis: number) => ({ rows: size(shape.slice(0, axis)), n: size(shape.slice(axis)) });

async function rms(rt: Rt, x: Float32Array, shape: number[], axis: number, eps: number, scaleShape?: number[]): Promise<Float32Array> {
  const a = axis < 0 ? axis + shape.length : axis;
  const { rows, n } = split(shape, a);
  const s = rand(n, n + 5);
  const ts = [rt.tensor(x, shape), rt.tensor(s, scaleShape ?? shape.slice(a))];
  const [y] = rt.run('RMSNormalization', ts, { axis, epsilon: eps });
  const got = (await y!.data()) as Float32Array;
  for (const t of [...ts, y!]) t.dispose();
  const ref = refRmsNorm(x, rows, n, s, eps);
  expectClose(got, ref.y, { op: `RMSNormalization axis ${axis} threads=${rt.info().threads}`, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: ref.tol });
  return got;
}

async function moments(rt: Rt, x: Float32Array, shape: number[], axis: number, eps: number): Promise<Float32Array[]> {
  const a = axis < 0 ? axis + shape.length : axis;
  const { rows, n } = split(shape, a);
  const t = rt.tensor(x, shape);
  const outs = rt.run('NormMoments', [t], { axis, epsilon: eps });
  const want = shape.map((d, i) => (i < a ? d : 1));
  expect(outs[0]!.shape).toEqual(want);
  expect(outs[1]!.shape).toEqual(want);
  const got = [(await outs[0]!.data()) as Float32Array, (await outs[1]!.data()) as Float32Array];
  for (const u of [t, ...outs]) u.dispose();
  const ref = refMoments(x, rows, n, eps);
  const op = `NormMoments axis ${axis} threads=${rt.info().threads}`;
  expectClose(got[0]!, ref.mean, { op: `${op} mean`, shapes: [shape], dtype: 'float32', atolPer: ref.meanTol });
  expectClose(got[1]!, ref.inv, { op: `${op} inv`, shapes: [shape], dtype: 'float32', atolPer: ref.invTol });
  return got;
}

async function lp(rt: Rt, x: Float32Array, shape: number[], axis: number, p: 1 | 2): Promise<Float32Array> {
  const a = axis < 0 ? axis + shape.length : axis;
  const t = rt.tensor(x, shape);
  const [y] = rt.run('LpNormalization', [t], { axis, p });
  const got = (await y!.data()) as Float32Array;
  t.dispose();
  y!.dispose();
  const ref = refLpNorm(x, size(shape.slice(0, a)), shape[a]!, size(shape.slice(a + 1)), p);
  expectClose(got, ref.y, { op: `LpNormalization p=${p} axis ${axis} threads=${rt.info().threads}`, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: ref.tol });
  return got;
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 });

async function randomCases(rt: Rt, numRuns: number): Promise<void> {
  await fc.assert(
      fc.asyncProperty(shapeArb, fc.integer({ min: 0, max: 1e6 }), fc.nat(), fc.constantFrom(1e-5, 1e-2, 0), async (shape, seed, ax, eps) => {
        const axis = ax % shape.length;
        const x = rand(size(shape), seed, 4, seed % 3 === 0 ? 50 : 0);
        await rms(rt, x, shape, axis, eps);
        await rms(rt, x, shape, axis - shape.length, eps);
        await moments(rt, x, shape, axis, eps);
        await lp(rt, x, shape, axis, 1);
        await lp(rt, x, shape, axis - shape.length, 2);
      }),
      { numRuns, seed: 777 },
    );
}

async function fixedCases(rt: Rt): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 768, 1001]) {
    const x = rand(3 * n, n, 2);
    await rms(rt, x, [3, n], -1, 1e-5);
    await moments(rt, x, [3, n], 1, 1e-5);
  }
  await rms(rt, rand(24, 1), [2, 3, 4], 1, 1e-5, [1, 1, 3, 4]);
}

async function specials(rt: Rt): Promise<void> {
  const x = Float32Array.from([1, NaN, 2, 3, 0, 0, 0, 0, Infinity, 1, 2, 3, 1, 2, 3, 4]);
  await rms(rt, x, [4, 4], -1, 1e-5);
  await moments(rt, x, [4, 4], -1, 1e-5);
  for (const p of [1, 2] as const) {
    const y = await lp(rt, x, [4, 4], 1, p);
    expect(Array.from(y.slice(4, 8))).toEqual([0, 0, 0, 0]);
  }
  await rms(rt, rand(1, 3), [1], 0, 1e-5);
  await rms(rt, new Float32Array(0), [0, 4], 1, 1e-5);
  await rms(rt, new Float32Array(0), [3, 0], 1, 1e-5);
  await moments(rt, new Float32Array(0), [0, 4], 1, 1e-5);
  await moments(rt, new Float32Array(0), [2, 0], 1, 1e-5);
  await lp(rt, new Float32Array(0), [3, 0, 2], 1, 2);
  await lp(rt, rand(6, 4), [6, 1], 1, 1);
}

describe('rms-norm family wasm', () => {
  it('matches the float64 references on every axis (fast-check)', async () => {
    await randomCases(rt1, 60);
  });

  it('RMSNormalization takes float16 (computed in float32, Y rounded to float16)', async () => {
    const shape = [3, 5, 7];
    const bits = (x: Float32Array) => Uint16Array.from(x, (v) => numberToHalf(v));
    const xb = bits(rand(105, 3, 4));
    const sb = bits(rand(35, 4));
    const x = Float32Array.from(xb, halfToNumber);
    const sc = Float32Array.from(sb, halfToNumber);
    const ts = [rt1.tensor(xb, shape, 'float16'), rt1.tensor(sb, [5, 7], 'float16')];
    const [y] = rt1.run('RMSNormalization', ts, { axis: 1 });
    expect(y!.dtype).toBe('float16');
    const got = Float64Array.from((await y!.data()) as Uint16Array, halfToNumber);
    for (const t of [...ts, y!]) t.dispose();
    const ref = refRmsNorm(x, 3, 35, sc, 1e-5);
    // rounding to float16: half an ulp, 2^-11 relative (2^-25 absolute below the normal range)
    expectClose(got, ref.y, { op: 'RMSNormalization float16', dtype: 'float32', atolPer: ref.tol.map((t, i) => t + Math.abs(ref.y[i]!) * 2 ** -11 + 2 ** -25) });
  });

  it('covers the SIMD tails, leading-1 scales and wide rows', async () => {
    await fixedCases(rt1);
  });

  it('propagates NaN/Inf, keeps all-zero lines at 0, handles size-0/size-1 dims', async () => {
    await specials(rt1);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    const shape = [64, 33, 65];
    const x = rand(size(shape), 21, 5, 1);
    const pairs: [Float32Array[], Float32Array[]][] = [
      [[await rms(rt1, x, shape, 1, 1e-5)], [await rms(rt2, x, shape, 1, 1e-5)]],
      [await moments(rt1, x, shape, 2, 1e-5), await moments(rt2, x, shape, 2, 1e-5)],
      [[await lp(rt1, x, shape, 1, 2)], [await lp(rt2, x, shape, 1, 2)]],
    ];
    for (const [a, b] of pairs) a.forEach((v, i) => expect(new Uint32Array(b[i]!.buffer)).toEqual(new Uint32Array(v.buffer)));
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const x = rt1.tensor(new Float32Array(12), [3, 4]);
    const bad = (op: string, ins: Parameters<typeof rt1.run>[1], attrs: object, re: RegExp) => {
      expect(() => rt1.run(op, ins, attrs)).toThrow(TwinopsError);
      expect(() => rt1.run(op, ins, attrs)).toThrow(re);
    };
    bad('RMSNormalization', [x, rt1.tensor(new Float32Array(3), [3])], {}, /RMSNormalization.*Scale\[3\] must have the normalized shape \[4\] of X\[3,4\]/);
    bad('RMSNormalization', [x, rt1.tensor(new Float32Array(4), [4])], { axis: 2 }, /RMSNormalization/);
    bad('RMSNormalization', [x, rt1.tensor(new Float32Array(4), [4])], { epsilon: -1 }, /RMSNormalization.*epsilon/);
    bad('RMSNormalization', [rt1.tensor(new Int32Array(4), [4], 'int32'), rt1.tensor(new Float32Array(4), [4])], {}, /RMSNormalization.*X has dtype int32/);
    bad('NormMoments', [x, x], {}, /NormMoments/);
    bad('LpNormalization', [x], { p: 3 }, /LpNormalization.*p must be 1 or 2/);
    bad('LpNormalization', [x], { axis: -3 }, /LpNormalization/);
  });
});

describe.skipIf(!hasGpu)('rms-norm family webgpu twins', () => {
  it('match the float64 references', async () => {
    if (!gpu) return;
    await randomCases(gpu, 25);
    await fixedCases(gpu);
    await specials(gpu);
  });
});
