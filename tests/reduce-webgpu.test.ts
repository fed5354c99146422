/**
 * WebGPU twins of the reductions and CumSum/CumProd (webgpu-kernels/reduce.ts) against the float64
 * references, on the same random shapes/axes as tests/reduce.test.ts (fewer runs: SwiftShader is
 * slow). Tolerances: float sums ≤ depth·u·Σ|terms| with depth = 80 + 3·log2(n+1) (a workgroup's
 * strided partials are ≤ R/64 long, well inside that), Max/Min exact, Prod (n+2)·u relative, the
 * finishing step ~1 ulp; exp/log in WGSL are within 1e-6 relative (wgsl-math.ts), so LogSumExp and
 * LogSum get an extra 1e-6. Skipped only when no WebGPU adapter exists.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { GpuBackend } from '../webgpu-kernels/runtime/backend.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refArg, refCum, refReduce, type RefReduceOp } from './reference/reduce.js';
import { DTypeError } from '../core/errors.js';

const probe = await GpuBackend.create();
const hasGpu = probe !== undefined;
probe?.dispose();

const U = 2 ** -24;
const OPS: RefReduceOp[] = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare', 'ReduceLogSum'];
const INT_OPS: RefReduceOp[] = ['ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin'];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

let rt: Runtime;
beforeAll(async () => {
  if (hasGpu) rt = await createRuntime({ device: 'webgpu' });
});
afterAll(() => rt?.dispose());

function data(op: string, n: number, seed: number, special: number): Float32Array {
  const r = prng(seed);
  const sp = [NaN, Infinity, -Infinity, 0];
  return Float32Array.from({ length: n }, () => {
    if (r() < special) return sp[Math.floor(r() * sp.length)]!;
    const u = r();
    if (op === 'ReduceProd' || op === 'CumProd') return (r() < 0.5 ? -1 : 1) * (0.9 + 0.2 * u);
    if (op === 'ReduceLogSum') return u * 4;
    return (u * 2 - 1) * 4;
  });
}

function tol(op: RefReduceOp, ref: ReturnType<typeof refReduce>) {
  const n = ref.count;
  const depth = (80 + 3 * Math.log2(n + 1)) * U;
  const per = ref.data.map((r, i) => {
    const a = ref.absSum[i]!;
    switch (op) {
      case 'ReduceSum': case 'ReduceL1': case 'ReduceSumSquare': return depth * a;
      case 'ReduceMean': return (depth * a) / Math.max(1, n);
      case 'ReduceL2': return r > 0 ? (depth * a) / (2 * r) : 0;
      case 'ReduceLogSum': return Math.exp(r) > 0 ? (depth * a) / Math.exp(r) + 1e-6 * Math.abs(r) : 0;
      case 'ReduceLogSumExp': return depth + 1e-6 * (1 + Math.abs(r)) + 16 * U;
      default: return 0;
    }
  });
  return { rtol: op === 'ReduceProd' ? (n + 2) * U : op === 'ReduceMax' || op === 'ReduceMin' ? 0 : 2 * U, atol: 2 ** -126, atolPer: per };
}

const shapeAxesArb = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constantFrom(0, 1, 17, 70)), { minLength: 0, maxLength: 4 })
  .filter((s) => size(s) <= 20000)
  .chain((shape) => fc.record({ shape: fc.constant(shape), axes: fc.subarray(shape.map((_, i) => i)), keepdims: fc.boolean() }));

describe.skipIf(!hasGpu)('reductions (webgpu)', () => {
  it('float32 and int32 reductions match float64', async () => {
    await fc.assert(
      fc.asyncProperty(shapeAxesArb, fc.constantFrom(...OPS), fc.integer(), fc.boolean(), async (c, op, seed, int) => {
        const useInt = int && INT_OPS.includes(op);
        const x = useInt ? Int32Array.from(data('ReduceSum', size(c.shape), seed, 0), (v) => (v * 1e8) | 0) : data(op, size(c.shape), seed, 0.03);
        const t = rt.tensor(x, c.shape);
        const [y] = rt.run(op, [t], { axes: c.axes, keepdims: c.keepdims });
        const got = await y!.data();
        const ref = refReduce(op, x, c.shape, c.axes, c.keepdims, useInt);
        expect(y!.shape).toEqual(ref.shape);
        const what = `${op} webgpu ${useInt ? 'int32' : 'float32'} ${JSON.stringify(c)} seed ${seed}`;
        expectClose(got as Float32Array, ref.data, useInt ? { op: what, dtype: 'int32' } : { op: what, dtype: 'float32', ...tol(op, ref) });
        t.dispose();
        y!.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('empty reductions give the identity, NaN propagates through Max/Min', async () => {
    const want: [RefReduceOp, number][] = [['ReduceSum', 0], ['ReduceProd', 1], ['ReduceMax', -Infinity], ['ReduceMin', Infinity], ['ReduceMean', NaN], ['ReduceLogSumExp', -Infinity], ['ReduceLogSum', -Infinity]];
    const e = rt.tensor(new Float32Array(0), [2, 0, 3]);
    for (const [op, v] of want) {
      const [y] = rt.run(op, [e], { axes: [1], keepdims: false });
      expect(Array.from((await y!.data()) as Float32Array)).toEqual(new Array(6).fill(v));
      y!.dispose();
    }
    e.dispose();
    const x = new Float32Array(300).fill(1);
    x[150] = NaN;
    const t = rt.tensor(x, [300]);
    for (const op of ['ReduceMax', 'ReduceMin', 'ReduceLogSumExp'] as const) {
      const [y] = rt.run(op, [t], {});
      expect(Array.from((await y!.data()) as Float32Array)).toEqual([NaN]);
      y!.dispose();
    }
    t.dispose();
  });

  it('CumSum/CumProd match float64 (sequential bound) and int32 exactly', async () => {
    const cases: [number[], number][] = [[[5, 70, 3], 1], [[130], 0], [[4, 9], -1], [[0, 3], 1]];
    for (const [shape, axis] of cases) {
      for (const op of ['CumSum', 'CumProd'] as const) {
        for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const x = data(op, size(shape), 3, 0.01);
          const t = rt.tensor(x, shape);
          const [y] = rt.run(op, [t], { axis, exclusive, reverse });
          const got = (await y!.data()) as Float32Array;
          const ref = refCum(op, x, shape, axis, exclusive, reverse);
          const R = shape[(axis + shape.length) % shape.length]!;
          const abs = refCum('CumSum', x.map(Math.abs), shape, axis, exclusive, reverse);
          const what = `${op} webgpu ${JSON.stringify(shape)} axis ${axis} excl ${exclusive} rev ${reverse}`;
          expectClose(got, ref, op === 'CumSum' ? { op: what, dtype: 'float32', atolPer: abs.map((a) => (R + 1) * U * a) } : { op: what, dtype: 'float32', rtol: (R + 1) * U, atol: 2 ** -126 });
          const xi = Int32Array.from(x, (v) => (v * 1e6) | 0);
          const ti = rt.tensor(xi, shape);
          const [yi] = rt.run(op, [ti], { axis, exclusive, reverse });
          expectClose((await yi!.data()) as Int32Array, refCum(op, xi, shape, axis, exclusive, reverse, true), { op: `${what} int32`, dtype: 'int32' });
          for (const z of [t, y!, ti, yi!]) z.dispose();
        }
      }
    }
  });

  it('ArgMax/ArgMin (int32 indices) match the ONNX reference; int64 indices throw a DTypeError', async () => {
    const cases: [number[], number][] = [[[3, 70, 5], 1], [[200], 0], [[4, 9], -1], [[2, 3, 4], 0]];
    for (const [shape, axis] of cases) {
      for (const int of [false, true]) {
        const r = prng(shape.length * 7 + axis);
        const n = size(shape);
        const x = int ? Int32Array.from({ length: n }, () => Math.floor(r() * 5) - 2) : Float32Array.from({ length: n }, () => (r() < 0.05 ? NaN : Math.floor(r() * 5) - 2));
        const t = rt.tensor(x, shape);
        for (const op of ['ArgMax', 'ArgMin'] as const) {
          for (const last of [false, true]) {
            const [y] = rt.run(op, [t], { axis, select_last_index: last, outputDtype: 'int32', keepdims: false });
            expect(Array.from((await y!.data()) as Int32Array)).toEqual(refArg(op, x, shape, axis, last));
            y!.dispose();
          }
        }
        expect(() => rt.run('ArgMax', [t], { axis })).toThrow(DTypeError);
        t.dispose();
      }
    }
  });
});
