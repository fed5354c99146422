/**
 * Edge cases and accuracy of the wasm Softmax kernels (family `softmax`): the contiguous row path
 * (inner = 1) and the strided path (inner > 1, 4 columns at a time plus single-column tails), odd
 * sizes, NaN/±Inf rows, extreme ranges, and bit-identical results for 1 and 2 threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../core/runtime.js';
import { expectClose } from './reference/compare.js';
import { refSoftmax, softmaxAxis } from './reference/softmax.js';
import { prng as rng } from './arbitraries.js';

type Rt = Awaited<ReturnType<typeof createRuntime>>;
let rt1: Rt;
let rt2: Rt;

beforeAll(async () => {
  rt1 = await createRuntime({ device: 'wasm', threads: 1 });
  rt2 = await createRuntime({ device: 'wasm', threads: 2 });
});
afterAll(() => {
  rt1?.dispose();
  rt2?.dispose();
});


function data(n: number, seed: number, scale: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Tolerance: exp (≤ 3 ulp), the reciprocal and the scaling (~1 ulp each), the float32 sum (grows
 * like √axisSize ulp with the kernel's 4-lane accumulators), plus the conditioning of
 * d = x − max: rounded to float32 it carries |d|·2^-24, which exp turns into a relative error of
 * the same size. Outputs below 2^-126 may flush to 0.
 */
function tolerance(x: Float32Array, shape: readonly number[], axis: number, ref: Float64Array) {
  const { outer, axisSize, inner } = softmaxAxis(shape, axis);
  const per = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisSize * inner + i;
      let m = -Infinity;
      for (let k = 0; k < axisSize; k++) m = Math.max(m, x[base + k * inner]!);
      for (let k = 0; k < axisSize; k++) {
        const j = base + k * inner;
        per[j] = Number.isFinite(ref[j]!) ? (Math.abs(ref[j]!) * Math.abs(x[j]! - m)) / 2 ** 24 : 0;
      }
    }
  }
  return { rtol: (8 + Math.sqrt(axisSize)) * 2 ** -24, atol: 2 ** -126, atolPer: per };
}

function check(rt: Rt, x: Float32Array, shape: number[], axis: number, what: string): void {
  const t = rt.tensor(x, shape);
  const y = rt.softmax(t, { axis });
  const ref = refSoftmax(x, shape, axis);
  expectClose(y.dataSync() as Float32Array, ref, { op: `Softmax axis ${axis} (${what})`, shapes: [shape], outShape: shape, dtype: 'float32', ...tolerance(x, shape, axis, ref) });
  t.dispose();
  y.dispose();
}

describe('softmax kernels', () => {
  it('contiguous rows: every tail length', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000, 1001]) check(rt1, data(3 * n, n, 10), [3, n], -1, `n=${n}`);
  });

  it('strided (inner > 1): every column-group tail, any axis', () => {
    for (const shape of [[2, 5, 3], [3, 7, 4], [2, 6, 5], [1, 9, 9], [4, 3, 17], [5, 2], [7, 1, 3]]) {
      for (let axis = 0; axis < shape.length; axis++) check(rt1, data(size(shape), axis + 7, 20), shape, axis, shape.join('x'));
    }
  });

  it('wide ranges: large and tiny logits, outputs that underflow', () => {
    check(rt1, data(4 * 257, 1, 200), [4, 257], -1, 'range ±200');
    check(rt1, data(4 * 257, 2, 1e4), [4, 257], -1, 'range ±1e4');
    check(rt1, data(5 * 4 * 3, 3, 500), [5, 4, 3], 1, 'strided range ±500');
    const big = Float32Array.from({ length: 24 }, (_, i) => 3e38 - i * 1e37);
    check(rt1, big, [2, 12], -1, 'near FLT_MAX');
    const y = rt1.softmax(rt1.tensor(new Float32Array([0, -1000, -90, -87]), [4])).dataSync() as Float32Array;
    expect(y[1]).toBe(0);
    expect(y[0]).toBeCloseTo(1, 6);
  });

  it('NaN, -Inf and +Inf rows follow exp(x − max)/sum in float64', () => {
    const N = NaN;
    const I = Infinity;
    const rows = [
      [-I, -I, -I, -I, -I], // all -Inf → NaN
      [1, N, 2, 3, 4], // NaN → row NaN
      [1, -I, 2, -I, 0], // -Inf entries → 0
      [1, I, 2, 3, 4], // +Inf → NaN
      [N, 1, 2, 3, 4], // NaN first
      [7, 7, 7, 7, 7],
    ];
    const x = new Float32Array(rows.flat());
    for (const [shape, axis] of [[[6, 5], 1], [[6, 5, 1], 1]] as const) check(rt1, x, [...shape], axis, 'specials');
    // the same values down a strided axis (transposed layout)
    const xt = new Float32Array(30);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 5; c++) xt[c * 6 + r] = x[r * 5 + c]!;
    check(rt1, xt, [5, 6], 0, 'specials strided');
    check(rt1, new Float32Array([-Infinity, 1, 2]), [3], 0, 'rank 1');
    check(rt1, new Float32Array([5]), [], 0, 'scalar');
  });

  it('1 and 2 threads give bit-identical results', () => {
    expect(rt2.info().threads).toBe(2);
    for (const [shape, axis] of [[[500, 301], -1], [[40, 50, 60], 1], [[3, 100, 333], 1]] as const) {
      const x = data(size(shape), 9, 30);
      const a = rt1.softmax(rt1.tensor(x, [...shape]), { axis }).dataSync() as Float32Array;
      const b = rt2.softmax(rt2.tensor(x, [...shape]), { axis }).dataSync() as Float32Array;
      expect(new Uint32Array(b.buffer), shape.join('x')).toEqual(new Uint32Array(a.buffer));
      const ref = refSoftmax(x, [...shape], axis);
      expectClose(a, ref, { op: 'Softmax', shapes: [shape], dtype: 'float32', ...tolerance(x, shape, axis, ref) });
    }
  });
});
