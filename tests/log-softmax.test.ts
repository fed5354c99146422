/**
 * LogSoftmax (family `softmax`, exports log_rows / log_strided, and the WebGPU twin) against the
 * float64 reference: contiguous rows with every tail length, strided axes with every column-group
 * tail, wide ranges where softmax underflows (log-softmax must stay finite), NaN/±Inf rows,
 * size-0/size-1 dims, 1 vs 2 threads bit-identical, typed errors.
 */
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { execOp } from './op-properties.js';
import { expectClose } from './reference/compare.js';
import { refLogSoftmax } from './reference/log-softmax.js';
import { softmaxAxis } from './reference/softmax.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

const U = 2 ** -24;
useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function data(n: number, seed: number, scale: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/**
 * Tolerance per element: d = x − max is exact or rounded (|d|·2^-24); the float32 sum of
 * exp(d) carries exp's ≤ 3 ulp plus the accumulation (≤ √n ulp with 4-lane sums, n ulp bound
 * used for the GPU's sequential sums), which log turns into the same absolute error; log itself
 * is ≤ 2 ulp of log(sum) and the final subtraction rounds |y|.
 */
function tolerance(x: Float32Array, shape: readonly number[], axis: number, ref: Float64Array, gpuSums: boolean): Float64Array {
  const { outer, axisSize, inner } = softmaxAxis(shape, axis);
  const per = new Float64Array(x.length);
  const sumErr = (4 + (gpuSums ? axisSize : Math.sqrt(axisSize))) * U;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let m = -Infinity;
      for (let k = 0; k < axisSize; k++) m = Math.max(m, x[base + k * inner]!);
      for (let k = 0; k < axisSize; k++) {
        const j = base + k * inner;
        const y = ref[j]!;
        const ls = x[j]! - m - y;
        per[j] = Number.isFinite(y) ? Math.abs(x[j]! - m) * U + sumErr + 2 * Math.abs(ls) * U + Math.abs(y) * U : 0;
      }
    }
  }
  return per;
}

async function check(rt: Rt, x: Float32Array, shape: number[], axis: number, what: string): Promise<Float32Array> {
  const out = await execOp(rt, [{ data: x, shape, dtype: 'float32' }], (t) => rt.run('LogSoftmax', t, { axis })[0]!);
  expect(out.shape).toEqual(shape);
  const ref = refLogSoftmax(x, shape, axis);
  const op = `LogSoftmax axis ${axis} ${rt.device} threads=${rt.info().threads} (${what})`;
  expectClose(out.data as Float32Array, ref, { op, shapes: [shape], outShape: shape, dtype: 'float32', atolPer: tolerance(x, shape, axis, ref, rt.device === 'webgpu') });
  return out.data as Float32Array;
}

const N = NaN;
const I = Infinity;
const SPECIAL_ROWS = [
  [-I, -I, -I, -I, -I], // all -Inf → NaN
  [1, N, 2, 3, 4], // NaN → row NaN
  [1, -I, 2, -I, 0], // -Inf entries → -Inf, the rest finite
  [1, I, 2, 3, 4], // +Inf → NaN
  [N, 1, 2, 3, 4],
  [7, 7, 7, 7, 7], // -log 5 each
];

async function suite(rt: Rt): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 65, 1001]) await check(rt, data(3 * n, n, 10), [3, n], -1, `n=${n}`);
  for (const shape of [[2, 5, 3], [3, 7, 4], [2, 6, 5], [1, 9, 9], [4, 3, 17], [5, 2], [7, 1, 3]]) {
    for (let axis = 0; axis < shape.length; axis++) await check(rt, data(size(shape), axis + 7, 20), shape, axis, shape.join('x'));
  }
  await check(rt, data(4 * 257, 1, 200), [4, 257], -1, 'range ±200');
  await check(rt, data(5 * 4 * 3, 3, 500), [5, 4, 3], 1, 'strided range ±500');
  const x = new Float32Array(SPECIAL_ROWS.flat());
  await check(rt, x, [6, 5], 1, 'specials');
  const xt = new Float32Array(30);
  for (let r = 0; r < 6; r++) for (let c = 0; c < 5; c++) xt[c * 6 + r] = x[r * 5 + c]!;
  await check(rt, xt, [5, 6], 0, 'specials strided');
  await check(rt, new Float32Array([5]), [], 0, 'scalar');
  await check(rt, new Float32Array(0), [3, 0], -1, 'size-0 axis');
  await check(rt, new Float32Array(0), [0, 4], -1, 'size-0 rows');
}

describe('LogSoftmax wasm', () => {
  it('matches the float64 reference (threads=1)', async () => {
    await suite(rt1);
    // softmax would underflow to 0 here; log-softmax stays finite: [0, -1000, -90, -87]
    const y = await check(rt1, new Float32Array([0, -1000, -90, -87]), [4], 0, 'underflow');
    expect(y[1]).toBe(-1000);
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    for (const [shape, axis] of [[[500, 301], -1], [[40, 50, 60], 1], [[3, 100, 333], 1]] as const) {
      const x = data(size(shape), 9, 30);
      const a = await check(rt1, x, [...shape], axis, 'split');
      const b = await check(rt2, x, [...shape], axis, 'split');
      expect(new Uint32Array(b.buffer), shape.join('x')).toEqual(new Uint32Array(a.buffer));
    }
  });

  it('bad input throws typed errors naming the op', () => {
    const f = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('LogSoftmax', [f], { axis: 2 })).toThrow(TwinopsError);
    expect(() => rt1.run('LogSoftmax', [f], { axis: 2 })).toThrow(/LogSoftmax/);
    expect(() => rt1.run('LogSoftmax', [rt1.tensor(new Int32Array(6), [2, 3], 'int32')])).toThrow(/LogSoftmax.*int32/);
    expect(() => rt1.run('LogSoftmax', [f, f])).toThrow(/LogSoftmax/);
  });
});

describe.skipIf(!hasGpu)('LogSoftmax webgpu twin', () => {
  it('matches the float64 reference', async () => {
    if (!gpu) return;
    await suite(gpu);
  });
});
