/**
 * Reductions, ArgMax/ArgMin and CumSum/CumProd on wasm (family `reduce`) against the float64
 * references in tests/reference/reduce.ts: random shapes (size-0 and size-1 dims, odd sizes), random
 * axis sets (empty, negative, non-adjacent), keepdims, noop_with_empty_axes, NaN/±Inf, int32
 * wrapping, threads 1 and 2 bit-identical, and typed errors.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { createRuntime } from '../core/runtime.js';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose, expectShape } from './reference/compare.js';
import { refArg, refCum, refReduce, type RefReduceOp } from './reference/reduce.js';

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

const U = 2 ** -24;
const FLOAT_OPS: RefReduceOp[] = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare', 'ReduceLogSum'];
const INT_OPS: RefReduceOp[] = ['ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin'];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Data suited to each op: Prod near ±1 (no overflow), LogSum positive, the rest in ±4; specials at `special` rate. */
function floatData(op: string, n: number, seed: number, special: number): Float32Array {
  const r = prng(seed);
  const specials = [NaN, Infinity, -Infinity, 0, -0];
  return Float32Array.from({ length: n }, () => {
    if (r() < special) return specials[Math.floor(r() * specials.length)]!;
    const u = r();
    if (op === 'ReduceProd' || op === 'CumProd') return (r() < 0.5 ? -1 : 1) * (0.9 + 0.2 * u);
    if (op === 'ReduceLogSum') return u * 4;
    return (u * 2 - 1) * 4;
  });
}

/**
 * Float tolerance per output element, from the kernels' summation order: a leaf of ≤ 512 elements
 * spreads over 16 lanes (≤ 32 sequential adds each), leaves and lanes combine pairwise
 * (≤ log2(n) + 4 levels), and each later pass adds at most 32 + log2 levels more; so the error of a
 * sum is ≤ depth·u·Σ|terms| with depth = 80 + 3·log2(n+1) (a safe over-count for ≤ 4 passes).
 * Max/Min are exact; Prod's n−1 roundings give n·u relative; the finishing ops add ~1 ulp
 * (division, sqrt, log) and propagate the sum's error by their condition number.
 */
function tolerances(op: RefReduceOp, ref: ReturnType<typeof refReduce>, maxDiff: Float64Array) {
  const n = ref.count;
  const depth = (80 + 3 * Math.log2(n + 1)) * U;
  const per = new Float64Array(ref.data.length);
  let rtol = 2 * U;
  for (let i = 0; i < per.length; i++) {
    const a = ref.absSum[i]!;
    const r = ref.data[i]!;
    switch (op) {
      case 'ReduceSum':
      case 'ReduceL1':
      case 'ReduceSumSquare':
        per[i] = depth * a;
        break;
      case 'ReduceMean':
        per[i] = (depth * a) / Math.max(1, n);
        break;
      case 'ReduceL2':
        per[i] = r > 0 ? (depth * a) / (2 * r) : 0;
        break;
      case 'ReduceLogSum': {
        const s = Math.exp(r);
        per[i] = s > 0 ? (depth * a) / s : 0;
        rtol = 4 * U;
        break;
      }
      case 'ReduceLogSumExp':
        // s = Σ exp(x − m) ∈ [1, n]: exp's 1.1 ulp + the summation; x − m rounds by |x − m|·u
        per[i] = depth + (2 + maxDiff[i]!) * U;
        break;
      case 'ReduceProd':
        rtol = (n + 2) * U;
        break;
      default:
        rtol = 0;
    }
  }
  return { rtol, atol: op === 'ReduceProd' || op === 'ReduceSumSquare' || op === 'ReduceMean' ? 2 ** -126 : 0, atolPer: per };
}

/** max |x − max| per output group (LogSumExp's conditioning), via the reference with the max subtracted. */
function lseDiff(x: Float32Array, shape: number[], axes: number[] | null): Float64Array {
  const mx = refReduce('ReduceMax', x, shape, axes, false).data;
  const mn = refReduce('ReduceMin', x, shape, axes, false).data;
  return mx.map((m, i) => (Number.isFinite(m - mn[i]!) ? m - mn[i]! : 0));
}

interface Case {
  shape: number[];
  axes: number[] | undefined;
  keepdims: boolean;
  noop: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 1, 13, 17, 33)), { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axes: fc.option(fc.subarray(shape.map((_, i) => i)).chain((ax) => fc.constant(ax.map((a) => (a % 2 ? a - shape.length : a)))), { nil: undefined }),
      keepdims: fc.boolean(),
      noop: fc.boolean(),
    }),
  );

function refAxes(c: Case): number[] | null {
  if (!c.axes || c.axes.length === 0) return c.noop ? null : [];
  return c.axes;
}

function runBoth(op: string, data: Float32Array | Int32Array, shape: number[], attrs: object) {
  const outs = [rt1, rt2].map((rt) => {
    const t = rt.tensor(data, shape);
    const [y] = rt.run(op, [t], attrs);
    const out = y!.dataSync();
    const res = { shape: y!.shape.slice(), data: out, nums: Array.from(out as ArrayLike<number | bigint>, Number) };
    t.dispose();
    y!.dispose();
    return res;
  });
  expectBitIdentical(outs[0]!.data, outs[1]!.data, `${op} threads 1 vs 2 ${JSON.stringify(shape)} ${JSON.stringify(attrs)}`);
  return outs[0]!;
}

describe('reductions (wasm)', () => {
  it('float32: every op over random shapes and axis sets matches float64', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...FLOAT_OPS), fc.integer(), fc.constantFrom(0, 0, 0.05), (c, op, seed, special) => {
        const x = floatData(op, size(c.shape), seed, special);
        const attrs = { axes: c.axes, keepdims: c.keepdims, noop_with_empty_axes: c.noop };
        const got = runBoth(op, x, c.shape, attrs);
        const ref = refReduce(op, x, c.shape, refAxes(c), c.keepdims);
        expectShape(got.shape, ref.shape, op);
        const what = `${op} ${JSON.stringify(c.shape)} ${JSON.stringify(attrs)} seed ${seed}`;
        expectClose(got.data as Float32Array, ref.data, { op: what, shapes: [c.shape], outShape: ref.shape, dtype: 'float32', ...tolerances(op, ref, lseDiff(x, c.shape, refAxes(c))) });
      }),
      { numRuns: 400 },
    );
  });

  it('int32: Sum/Prod/Max/Min wrap and match exactly', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...INT_OPS), fc.integer(), fc.boolean(), (c, op, seed, big) => {
        const r = prng(seed);
        const x = Int32Array.from({ length: size(c.shape) }, () => (big ? (r() * 2 ** 32) | 0 : Math.floor(r() * 11) - 5));
        const attrs = { axes: c.axes, keepdims: c.keepdims, noop_with_empty_axes: c.noop };
        const got = runBoth(op, x, c.shape, attrs);
        const ref = refReduce(op, x, c.shape, refAxes(c), c.keepdims, true);
        expectShape(got.shape, ref.shape, op);
        expectClose(got.data as Int32Array, ref.data, { op: `${op} int32 ${JSON.stringify(c.shape)} ${JSON.stringify(attrs)}`, dtype: 'int32' });
      }),
      { numRuns: 200 },
    );
  });

  it('long sums stay within a log(n)·u bound (pairwise), rows and columns', () => {
    const n = 1_000_003;
    const x = new Float32Array(n).fill(0.1);
    const exact = n * Math.fround(0.1);
    const row = runBoth('ReduceSum', x, [n], {}).nums[0]!;
    // a sequential float32 sum is off by ~1% here; pairwise stays within ~60 u
    expect(Math.abs(row - exact) / exact).toBeLessThan(60 * U);
    const col = runBoth('ReduceSum', x.subarray(0, 100_000 * 5), [100_000, 5], { axes: [0] }).nums;
    for (const v of col) expect(Math.abs(v - 100_000 * Math.fround(0.1)) / (100_000 * Math.fround(0.1))).toBeLessThan(60 * U);
  });

  it('sizes large enough to split across threads: every op, rows, columns and two groups', () => {
    // rows (axes [3]: 4128 rows of 67) and 16-column tiles (axes [1]: 8 × 17 tiles of 129 rows) both
    // pass the cheap passes' 128k-elements-per-thread threshold
    const shape = [8, 129, 4, 67];
    for (const op of FLOAT_OPS) {
      const x = floatData(op, size(shape), 7, 0.001);
      for (const axes of [[3], [1], [0, 2], [1, 3]]) {
        const got = runBoth(op, x, shape, { axes, keepdims: false });
        const ref = refReduce(op, x, shape, axes, false);
        const diff = op === 'ReduceLogSumExp' ? lseDiff(x, shape, axes) : new Float64Array(ref.data.length);
        expectClose(got.data as Float32Array, ref.data, { op: `${op} ${JSON.stringify(shape)} axes ${axes}`, outShape: ref.shape, dtype: 'float32', ...tolerances(op, ref, diff) });
      }
    }
    for (const op of ['ArgMax', 'ArgMin'] as const) {
      const x = floatData('ReduceSum', size(shape), 9, 0.001);
      for (const axis of [3, 1]) {
        const got = runBoth(op, x, shape, { axis, keepdims: false, outputDtype: 'int32' });
        expect(Array.from(got.data as Int32Array)).toEqual(refArg(op, x, shape, axis, false));
      }
    }
    for (const axis of [3, 1]) {
      const x = floatData('CumSum', size(shape), 11, 0);
      const got = runBoth('CumSum', x, shape, { axis, reverse: axis === 1 });
      const ref = refCum('CumSum', x, shape, axis, false, axis === 1);
      const abs = refCum('CumSum', x.map(Math.abs), shape, axis, false, axis === 1);
      expectClose(got.data as Float32Array, ref, { op: `CumSum ${JSON.stringify(shape)} axis ${axis}`, dtype: 'float32', atolPer: abs.map((a) => (shape[axis]! + 1) * U * a) });
    }
  });

  it('empty reductions give the identity (ONNX-18)', () => {
    const f = new Float32Array(0);
    const expectOne = (op: string, dtype: 'float32' | 'int32', want: number) => {
      const x = dtype === 'int32' ? new Int32Array(0) : f;
      const got = runBoth(op, x, [2, 0, 3], { axes: [1], keepdims: false });
      expect(got.shape).toEqual([2, 3]);
      for (const v of got.data as Float32Array) expect(v).toBe(want);
    };
    expectOne('ReduceSum', 'float32', 0);
    expectOne('ReduceProd', 'float32', 1);
    expectOne('ReduceMax', 'float32', -Infinity);
    expectOne('ReduceMin', 'float32', Infinity);
    expectOne('ReduceMean', 'float32', NaN);
    expectOne('ReduceLogSumExp', 'float32', -Infinity);
    expectOne('ReduceLogSum', 'float32', -Infinity);
    expectOne('ReduceL2', 'float32', 0);
    expectOne('ReduceMax', 'int32', -2147483648);
    expectOne('ReduceMin', 'int32', 2147483647);
    expectOne('ReduceProd', 'int32', 1);
  });

  it('NaN and Inf: max propagates NaN, LogSumExp of ±Inf rows', () => {
    const x = Float32Array.from([1, NaN, 3, 2, -Infinity, -Infinity, -Infinity, -Infinity, 5, Infinity, 1, 2]);
    expect(runBoth('ReduceMax', x, [3, 4], { axes: [1], keepdims: false }).nums).toEqual([NaN, -Infinity, Infinity]);
    expect(runBoth('ReduceLogSumExp', x, [3, 4], { axes: [1], keepdims: false }).nums).toEqual([NaN, -Infinity, Infinity]);
    expect(runBoth('ReduceMin', x, [3, 4], { axes: [-1], keepdims: false }).nums).toEqual([NaN, -Infinity, 1]);
    // long rows: a NaN inside the 16-wide hot loop (tracked apart from pmax/pmin), in the tail, or none
    const long = floatData('ReduceSum', 3 * 1000, 5, 0);
    long[500] = NaN;
    long[1000 + 999] = NaN;
    for (const op of ['ReduceMax', 'ReduceMin'] as const) {
      const got = runBoth(op, long, [3, 1000], { axes: [1], keepdims: false }).nums;
      expect(got.slice(0, 2)).toEqual([NaN, NaN]);
      expect(got[2]).toBe(Math.fround(refReduce(op, long.subarray(2000), [1000], [0], false).data[0]!));
    }
  });

  it('throws typed errors naming the op and shape', () => {
    const t = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('ReduceSum', [t], { axes: [2] })).toThrow(/ReduceSum: axis 2 is out of range for input shape \[2,3\]/);
    expect(() => rt1.run('ReduceSum', [t], { axes: [1, -1] })).toThrow(TwinopsError);
    expect(() => rt1.run('ReduceSum', [t], { axes: 1 })).toThrow(/ReduceSum: axes must be an array of integers/);
    // ONNX-style int64 axes
    const [s] = rt1.run('ReduceSum', [t], { axes: new BigInt64Array([-1n]), keepdims: false });
    expect(s!.shape).toEqual([2]);
    s!.dispose();
    const i = rt1.tensor(new Int32Array(6), [2, 3]);
    expect(() => rt1.run('ReduceL2', [i])).toThrow(/ReduceL2: data has dtype int32\[2,3\]/);
    const e = rt1.tensor(new Float32Array(0), [2, 0]);
    expect(() => rt1.run('ArgMax', [e], { axis: 1 })).toThrow(/ArgMax: cannot take the ArgMax of an empty axis 1 of shape \[2,0\]/);
    t.dispose();
    i.dispose();
    e.dispose();
  });
});

const argArb = fc
  .array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 13, 33)), { minLength: 0, maxLength: 4 })
  .chain((shape) => fc.record({ shape: fc.constant(shape), axis: shape.length ? fc.integer({ min: -shape.length, max: shape.length - 1 }) : fc.constant(0) }));

describe('ArgMax/ArgMin (wasm)', () => {
  it('match the ONNX reference (ties, NaN, select_last_index, int32/int64 output)', () => {
    fc.assert(
      fc.property(argArb, fc.constantFrom('ArgMax' as const, 'ArgMin' as const), fc.boolean(), fc.boolean(), fc.constantFrom('int32' as const, 'int64' as const), fc.boolean(), fc.integer(), (c, op, last, keep, outputDtype, int, seed) => {
        const r = prng(seed);
        const n = size(c.shape);
        // few distinct values so ties are common; some NaN
        const x = int ? Int32Array.from({ length: n }, () => Math.floor(r() * 5) - 2) : Float32Array.from({ length: n }, () => (r() < 0.08 ? NaN : Math.floor(r() * 5) - 2));
        const got = runBoth(op, x, c.shape, { axis: c.axis, keepdims: keep, select_last_index: last, outputDtype });
        const want = refArg(op, x, c.shape, c.axis, last);
        const ax = c.axis < 0 ? c.axis + c.shape.length : c.axis;
        expect(got.shape).toEqual(c.shape.flatMap((d, i) => (i !== ax ? [d] : keep ? [1] : [])));
        expect(got.data).toBeInstanceOf(outputDtype === 'int64' ? BigInt64Array : Int32Array);
        expect(Array.from(got.data as ArrayLike<number | bigint>, Number)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});

describe('CumSum/CumProd (wasm)', () => {
  it('match float64 (sequential-sum bound) and int32 exactly', () => {
    fc.assert(
      fc.property(argArb, fc.constantFrom('CumSum' as const, 'CumProd' as const), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer(), (c, op, exclusive, reverse, int, seed) => {
        const n = size(c.shape);
        const r = prng(seed);
        const x = int ? Int32Array.from({ length: n }, () => (r() * 2 ** 32) | 0) : floatData(op, n, seed, 0.02);
        const attrs = { axis: c.axis, exclusive, reverse };
        const got = runBoth(op, x, c.shape, attrs);
        expect(got.shape).toEqual(c.shape);
        const ref = refCum(op, x, c.shape, c.axis, exclusive, reverse, int);
        const what = `${op} ${JSON.stringify(c.shape)} ${JSON.stringify(attrs)} seed ${seed}`;
        if (int) return expectClose(got.data as Int32Array, ref, { op: what, dtype: 'int32' });
        // a running float32 sum/product rounds once per step: ≤ (R+1)·u·Σ|x| (sum) or (R+1)·u relative (product)
        const R = c.shape.length ? c.shape[(c.axis + c.shape.length) % c.shape.length]! : 1;
        const abs = refCum('CumSum', x.map(Math.abs), c.shape, c.axis, exclusive, reverse);
        expectClose(got.data as Float32Array, ref, op === 'CumSum' ? { op: what, dtype: 'float32', atolPer: abs.map((a) => (R + 1) * U * a) } : { op: what, dtype: 'float32', rtol: (R + 1) * U, atol: 2 ** -126 });
      }),
      { numRuns: 300 },
    );
  });
});
