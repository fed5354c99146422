/**
 * int64 elementwise kernels (binary Add Sub Mul Div Pow Max Min Mod + comparisons, unary Abs Neg
 * Sign; wasm only) and Range (float32, int32, int64), against exact BigInt references
 * (tests/reference/int64.ts). Every comparison is exact: integer results have one right answer
 * (wrapping at ±2^63), and float32 Range is start + i·delta rounded once, which the reference
 * computes the same way. Broadcast patterns, odd sizes, size-0 dims, the ±2^63 edges, 1 and 2 threads
 * (bit-identical), typed errors, and dispatch from a WebGPU runtime to the wasm kernels.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeError, DTypeError } from '../core/errors.js';
import { createRuntime } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { broadcastIndexMaps, broadcastShape, sizeOf } from './reference/broadcast.js';
import { I64_ARITH, I64_COMPARE, refArg64, refArith64, refCompare64, refRangeF32, refRangeInt, refReduce64, refUnary64 } from './reference/int64.js';

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

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);
const EDGES = [0n, 1n, -1n, 2n, -2n, 3n, -7n, 7n, 62n, 63n, 64n, MAX, MIN, MAX - 1n, MIN + 1n, 1n << 32n, -(1n << 32n), (1n << 31n) - 1n, -(1n << 31n), 4294967295n];

function bigints(n: number, seed: number): BigInt64Array {
  const r = prng(seed);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.3) out[i] = EDGES[Math.floor(r() * EDGES.length)]!;
    else if (u < 0.6) out[i] = BigInt(Math.floor((r() * 2 - 1) * 100));
    else out[i] = BigInt.asIntN(64, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)));
  }
  return out;
}

/** Small non-negative exponents mostly, some negative and huge ones (Pow). */
function exponents(n: number, seed: number): BigInt64Array {
  const r = prng(seed);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < 0.8 ? BigInt(Math.floor(r() * 70)) : EDGES[Math.floor(r() * EDGES.length)]!;
  return out;
}

function run1(rt: Rt, op: string, ins: Tensor[], attrs: object = {}): Tensor {
  return rt.run(op, ins, attrs)[0]!;
}

/** The reference result of a binary op on broadcast operands (BigInt, or 0/1 for comparisons). */
function refBinary64(op: string, a: BigInt64Array, as: number[], b: BigInt64Array, bs: number[], fmod: boolean): { shape: number[]; data: bigint[] | number[] } {
  const shape = broadcastShape(as, bs);
  const [ma, mb] = broadcastIndexMaps(shape, as, bs);
  const n = sizeOf(shape);
  if ((I64_COMPARE as readonly string[]).includes(op)) {
    return { shape, data: Array.from({ length: n }, (_, i) => (refCompare64(op as never, a[ma![i]!]!, b[mb![i]!]!) ? 1 : 0)) };
  }
  return { shape, data: Array.from({ length: n }, (_, i) => refArith64(op as never, a[ma![i]!]!, b[mb![i]!]!, fmod)) };
}

function checkBinary(rt: Rt, op: string, as: number[], bs: number[], seed: number, fmod = false): void {
  const a = bigints(sizeOf(as), seed);
  const b = op === 'Pow' ? exponents(sizeOf(bs), seed + 1) : bigints(sizeOf(bs), seed + 1);
  const ta = rt.tensor(a, as);
  const tb = rt.tensor(b, bs);
  try {
    const y = run1(rt, op, [ta, tb], op === 'Mod' ? { fmod: fmod ? 1 : 0 } : {});
    const want = refBinary64(op, a, as, b, bs, fmod);
    expect(y.shape).toEqual(want.shape);
    const got = Array.from(y.dataSync() as ArrayLike<bigint | number>);
    y.dispose();
    // find the first difference by hand (toEqual on long arrays is slow and prints everything)
    let i = 0;
    while (i < got.length && got[i] === want.data[i]) i++;
    expect(i === got.length ? 'equal' : `${op}${fmod ? ' fmod' : ''} ${JSON.stringify(as)}×${JSON.stringify(bs)} at ${i}: ${String(got[i])} vs ${String(want.data[i])}`).toBe('equal');
    expect(got.length).toBe(want.data.length);
  } finally {
    ta.dispose();
    tb.dispose();
  }
}

// inner-stride patterns after collapsing: (1,1) (1,0) (0,1), strided, outer dims, scalars, odd sizes, size 0
const SHAPES: [number[], number[]][] = [
  [[], []],
  [[1], [1]],
  [[7], [7]],
  [[33], [33]],
  [[33], [1]],
  [[1], [35]],
  [[5, 9], [9]],
  [[5, 1], [1, 9]],
  [[3, 1, 7], [1, 4, 1]],
  [[2, 3, 5, 3], [3, 1, 3]],
  [[0, 3], [3]],
  [[4, 0], [1, 1]],
];

const OPS_AND_MODES: [string, boolean][] = [...I64_ARITH.map((op) => [op, false] as [string, boolean]), ['Mod', true], ...I64_COMPARE.map((op) => [op, false] as [string, boolean])];

describe('int64 binary (wasm)', () => {
  it('every op and broadcast pattern matches the BigInt reference', () => {
    let seed = 1;
    for (const [op, fmod] of OPS_AND_MODES) for (const [as, bs] of SHAPES) checkBinary(rt1, op, as, bs, seed++, fmod);
  });

  it('wraps at ±2^63 and handles the division edges', () => {
    const t = (v: bigint[]) => rt1.tensor(BigInt64Array.from(v), [v.length]);
    const a = t([MAX, MIN, MIN, 7n, -7n, 7n, -7n, 5n]);
    const b = t([1n, -1n, -1n, -2n, 2n, 0n, 0n, 3n]);
    const data = (op: string, attrs: object = {}) => Array.from(run1(rt1, op, [a, b], attrs).dataSync() as BigInt64Array);
    expect(data('Add')).toEqual([MIN, MAX, MAX, 5n, -5n, 7n, -7n, 8n]);
    expect(data('Sub')).toEqual([MAX - 1n, MIN + 1n, MIN + 1n, 9n, -9n, 7n, -7n, 2n]);
    expect(data('Div')).toEqual([MAX, MIN, MIN, -3n, -3n, 0n, 0n, 1n]);
    expect(data('Mod')).toEqual([0n, 0n, 0n, -1n, 1n, 0n, 0n, 2n]);
    expect(data('Mod', { fmod: 1 })).toEqual([0n, 0n, 0n, 1n, -1n, 0n, 0n, 2n]);
    expect(data('Mul')).toEqual([MAX, MIN, MIN, -14n, -14n, 0n, 0n, 15n]);
    const p = run1(rt1, 'Pow', [t([3n, 2n, -1n, 2n, 10n]), t([40n, 63n, 5n, 64n, 19n])]).dataSync() as BigInt64Array;
    expect(Array.from(p)).toEqual([BigInt.asIntN(64, 3n ** 40n), MIN, -1n, 0n, 10n ** 19n - (1n << 64n)]);
  });

  it('random shapes and values (fast-check)', () => {
    const dims = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 });
    fc.assert(
      fc.property(fc.constantFrom(...OPS_AND_MODES), dims, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer(), ([op, fmod], shape, ones, seed) => {
        // B: a suffix of the shape with some dims broadcast
        const bs = shape.slice(Math.floor(shape.length / 2)).map((d, i) => (ones[i] ? 1 : d));
        checkBinary(rt1, op, shape, bs, seed, fmod);
        checkBinary(rt1, op, bs, shape, seed + 7, fmod);
      }),
      { numRuns: 120 },
    );
  });

  it('1 and 2 threads give identical results above the threading thresholds', () => {
    for (const op of ['Add', 'Mul', 'Div', 'Mod', 'Less']) {
      const n = op === 'Add' || op === 'Mul' ? 140_001 : 40_001;
      const a = bigints(n, 11);
      const b = bigints(n, 12);
      const outs = [rt1, rt2].map((rt) => {
        const ta = rt.tensor(a, [n]);
        const tb = rt.tensor(b, [n]);
        const y = run1(rt, op, [ta, tb]);
        const d = (y.dataSync() as ArrayBufferView);
        const copy = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
        ta.dispose();
        tb.dispose();
        y.dispose();
        return copy;
      });
      expect(Buffer.compare(Buffer.from(outs[0]!), Buffer.from(outs[1]!)), op).toBe(0);
    }
    // and correct: spot-check the threaded Div against the reference
    checkBinary(rt2, 'Div', [40_001], [40_001], 13);
  });

  it('rejects int64 where the op has no int64 kernel, and mixed dtypes', () => {
    const a = rt1.tensor(BigInt64Array.from([1n, 2n]), [2]);
    const b = rt1.tensor(Int32Array.from([1, 2]), [2]);
    expect(() => rt1.run('FloorDiv', [a, a])).toThrow(DTypeError);
    expect(() => rt1.run('Add', [a, b])).toThrow(/Add.*int64.*int32/);
    expect(() => rt1.run('Relu', [a])).toThrow(DTypeError);
  });
});

describe('int8 and uint8 binary (wasm)', () => {
  // the exact result wrapped to the byte (Add/Sub/Mul/Div wrap; Mod, Max, Min and comparisons fit)
  const BYTE_OPS: [string, boolean][] = OPS_AND_MODES.filter(([op]) => op !== 'Pow');
  for (const dtype of ['int8', 'uint8'] as const) {
    it(`${dtype}: every op and broadcast pattern, all byte values`, () => {
      const bytes = (v: number[]) => (dtype === 'int8' ? Int8Array.from(v) : Uint8Array.from(v));
      const wrap = (v: bigint) => Number(dtype === 'int8' ? BigInt.asIntN(8, v) : BigInt.asUintN(8, v));
      let seed = 500;
      for (const [op, fmod] of BYTE_OPS) {
        for (const [as, bs] of [...SHAPES, [[256], [1]], [[1], [256]], [[16, 16], [16, 1]]] as [number[], number[]][]) {
          const r = prng(seed++);
          // every byte value appears against edge values (0, ±1, the extremes) and random ones
          const a = bytes(Array.from({ length: sizeOf(as) }, (_, i) => (sizeOf(as) === 256 ? i : Math.floor(r() * 256))));
          const b = bytes(Array.from({ length: sizeOf(bs) }, (_, i) => (sizeOf(bs) === 256 ? i : [0, 1, 255, 128, 127, Math.floor(r() * 256)][i % 6]!)));
          const ta = rt1.tensor(a, as, dtype);
          const tb = rt1.tensor(b, bs, dtype);
          const y = run1(rt1, op, [ta, tb], op === 'Mod' ? { fmod: fmod ? 1 : 0 } : {});
          const cmp = (I64_COMPARE as readonly string[]).includes(op);
          expect(y.dtype).toBe(cmp ? 'bool' : dtype);
          const want = refBinary64(op, BigInt64Array.from(a, BigInt), as, BigInt64Array.from(b, BigInt), bs, fmod);
          const got = Array.from(y.dataSync() as Uint8Array);
          expect(got, `${dtype} ${op}${fmod ? ' fmod' : ''} ${JSON.stringify(as)}×${JSON.stringify(bs)}`).toEqual(cmp ? want.data : (want.data as bigint[]).map(wrap));
          ta.dispose();
          tb.dispose();
          y.dispose();
        }
      }
    });
  }
});

describe('int64 unary (wasm)', () => {
  it('Abs, Neg, Sign match the reference for every tail length', () => {
    for (const op of ['Abs', 'Neg', 'Sign'] as const) {
      for (const n of [0, 1, 2, 3, 5, 16, 17, 33]) {
        const x = bigints(n, n + 100);
        const tx = rt1.tensor(x, [n]);
        const y = run1(rt1, op, [tx]);
        expect(Array.from(y.dataSync() as BigInt64Array), `${op} n=${n}`).toEqual(Array.from(x, (v) => refUnary64(op, v)));
        tx.dispose();
        y.dispose();
      }
    }
    const e = rt1.tensor(BigInt64Array.from([MIN, MAX, 0n]), [3]);
    expect(Array.from(run1(rt1, 'Abs', [e]).dataSync() as BigInt64Array)).toEqual([MIN, MAX, 0n]);
    expect(Array.from(run1(rt1, 'Neg', [e]).dataSync() as BigInt64Array)).toEqual([MIN, MIN + 1n, 0n]);
  });
});

describe('int64 reductions (wasm)', () => {
  const MODES = { ReduceSum: 'sum', ReduceProd: 'prod', ReduceMax: 'max', ReduceMin: 'min' } as const;

  it('ReduceSum/Prod/Max/Min over random axes match the reference (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(MODES) as (keyof typeof MODES)[])), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer(), fc.boolean(), (op, shape, pick, seed, keep) => {
        const axes = shape.map((_, i) => i).filter((i) => pick[i]);
        const x = bigints(sizeOf(shape), seed);
        const t = rt1.tensor(x, shape);
        const y = run1(rt1, op, [t], { axes, keepdims: keep ? 1 : 0 });
        const want = refReduce64(x, shape, axes, MODES[op]);
        expect(Array.from(y.dataSync() as BigInt64Array), `${op} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`).toEqual(want);
        expect(y.dtype).toBe('int64');
        t.dispose();
        y.dispose();
      }),
      { numRuns: 200 },
    );
  });

  it('ArgMax/ArgMin (first and last index, int64 and int32 indices) match the reference (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer(), fc.boolean(), fc.boolean(), fc.boolean(), (shape, ax, seed, max, last, i32) => {
        const axis = ax % shape.length;
        // few distinct values, so ties are common
        const x = BigInt64Array.from(bigints(sizeOf(shape), seed), (v) => (v % 3n) * (1n << 62n));
        const t = rt1.tensor(x, shape);
        const y = run1(rt1, max ? 'ArgMax' : 'ArgMin', [t], { axis, select_last_index: last ? 1 : 0, outputDtype: i32 ? 'int32' : 'int64' });
        expect(Array.from(y.dataSync() as ArrayLike<number | bigint>, Number)).toEqual(refArg64(x, shape, axis, max, last));
        t.dispose();
        y.dispose();
      }),
      { numRuns: 200 },
    );
  });

  it('1 and 2 threads agree on a large reduction', () => {
    const x = bigints(300_000, 5);
    const [a, b] = [rt1, rt2].map((rt) => {
      const t = rt.tensor(x, [300, 1000]);
      const r = [run1(rt, 'ReduceSum', [t], { axes: [1] }), run1(rt, 'ReduceMax', [t], { axes: [0] }), run1(rt, 'ArgMin', [t], { axis: 1 })].map((y) => Array.from(y.dataSync() as BigInt64Array));
      t.dispose();
      return r;
    });
    expect(a).toEqual(b);
    expect(a![0]).toEqual(refReduce64(x, [300, 1000], [1], 'sum'));
  });
});

describe('Range (wasm)', () => {
  const got = (rt: Rt, attrs: object) => {
    const y = run1(rt, 'Range', [], attrs);
    const d = Array.from(y.dataSync() as ArrayLike<number | bigint>);
    expect(y.shape).toEqual([d.length]);
    y.dispose();
    return d;
  };

  it('int32 and int64: exact lengths and values (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0), (s, l, d) => {
        expect(got(rt1, { start: s, limit: l, delta: d, dtype: 'int32' })).toEqual(refRangeInt(BigInt(s), BigInt(l), BigInt(d), 32).map(Number));
        expect(got(rt1, { start: BigInt(s), limit: BigInt(l), delta: BigInt(d), dtype: 'int64' })).toEqual(refRangeInt(BigInt(s), BigInt(l), BigInt(d), 64));
      }),
      { numRuns: 150 },
    );
  });

  it('int64 beyond 2^32 and near ±2^63 (wrapping values, exact length)', () => {
    const s = MAX - 10n;
    expect(got(rt1, { start: s, limit: MAX, delta: 3n, dtype: 'int64' })).toEqual(refRangeInt(s, MAX, 3n, 64));
    expect(got(rt1, { start: 1n << 40n, limit: (1n << 40n) + 7n, delta: 2n, dtype: 'int64' })).toEqual(refRangeInt(1n << 40n, (1n << 40n) + 7n, 2n, 64));
    expect(got(rt1, { start: MIN + 5n, limit: MIN, delta: -2n, dtype: 'int64' })).toEqual(refRangeInt(MIN + 5n, MIN, -2n, 64));
  });

  it('float32: onnxruntime lengths, values rounded once (fast-check)', () => {
    const f = fc.float({ min: -1000, max: 1000, noNaN: true });
    fc.assert(
      fc.property(f, f, fc.float({ min: -30, max: 30, noNaN: true }).filter((d) => Math.abs(d) > 0.01), (s, l, d) => {
        expect(got(rt1, { start: s, limit: l, delta: d })).toEqual(refRangeF32(s, l, d));
      }),
      { numRuns: 150 },
    );
    expect(got(rt1, { start: 1, limit: 5, delta: 2 })).toEqual([1, 3]);
    expect(got(rt1, { start: 10, limit: 6, delta: -3 })).toEqual([10, 7]);
    expect(got(rt1, { start: 0, limit: 0.3, delta: 0.1 })).toEqual(refRangeF32(0, 0.3, 0.1));
  });

  it('1 and 2 threads are identical on long ranges', () => {
    for (const attrs of [
      { start: -3.25, limit: 100_000, delta: 0.75 },
      { start: -7, limit: 1_000_000, delta: 3, dtype: 'int32' },
      { start: MAX - 5n * 300_000n, limit: MAX, delta: 5n, dtype: 'int64' },
    ]) {
      const [a, b] = [got(rt1, attrs), got(rt2, attrs)];
      expect(a.length).toBeGreaterThan(130_000);
      let i = 0;
      while (i < a.length && Object.is(a[i], b[i])) i++;
      expect(i).toBe(a.length);
    }
    expect(got(rt2, { start: -7, limit: 1_000_000, delta: 3, dtype: 'int32' }).at(-1)).toBe(-7 + 3 * Math.ceil(1_000_007 / 3 - 1));
  });

  it('empty ranges and typed errors', () => {
    expect(got(rt1, { start: 5, limit: 1, delta: 1, dtype: 'int32' })).toEqual([]);
    expect(got(rt1, { start: 5, limit: 5, delta: -1 })).toEqual([]);
    expect(() => rt1.run('Range', [], { start: 0, limit: 5, delta: 0 })).toThrow(AttributeError);
    expect(() => rt1.run('Range', [], { start: 0, limit: Infinity, delta: 1 })).toThrow(/Range.*finite/);
    expect(() => rt1.run('Range', [], { start: 0.5, limit: 5, delta: 1, dtype: 'int32' })).toThrow(/Range.*integer/);
    expect(() => rt1.run('Range', [], { start: 0, limit: 2 ** 40, delta: 1, dtype: 'int64' })).toThrow(/Range.*elements/);
    expect(() => rt1.run('Range', [], { start: 0, limit: 5, delta: 1, dtype: 'bool' })).toThrow(DTypeError);
    const t = rt1.tensor(Int32Array.from([1]), [1]);
    expect(() => rt1.run('Range', [t], { start: 0, limit: 5 })).toThrow(/Range/);
  });
});

describe('int64 on a WebGPU runtime', async () => {
  let gpu: Rt | undefined;
  try {
    gpu = await createRuntime({ device: 'webgpu', threads: 1 });
  } catch {
    gpu = undefined; // no adapter: nothing to dispatch from
  }
  it.skipIf(!gpu)('int64 ops dispatch to the wasm kernels, where int64 tensors live', () => {
    const a = gpu!.tensor(BigInt64Array.from([5n, -3n]), [2]);
    const b = gpu!.tensor(BigInt64Array.from([2n]), [1]);
    expect(a.device).toBe('wasm');
    const y = gpu!.run('Div', [a, b])[0]!;
    expect(y.device).toBe('wasm');
    expect(Array.from(y.dataSync() as BigInt64Array)).toEqual([2n, -1n]);
    expect(Array.from(gpu!.run('Equal', [a, b])[0]!.dataSync() as Uint8Array)).toEqual([0, 0]);
    expect(Array.from(gpu!.run('Range', [], { start: 0n, limit: 3n, delta: 1n, dtype: 'int64' })[0]!.dataSync() as BigInt64Array)).toEqual([0n, 1n, 2n]);
  });
  it.skipIf(!gpu)('Range twin: int32 exact, float32 within 1 ulp of max(|start|, |i·delta|) (float32 inside, two roundings)', async () => {
    const y = gpu!.run('Range', [], { start: 2147483000, limit: 2147483647, delta: 7, dtype: 'int32' })[0]!;
    expect(y.device).toBe('webgpu');
    expect(Array.from((await y.data()) as Int32Array)).toEqual(refRangeInt(2147483000n, 2147483647n, 7n, 32).map(Number));
    const w = gpu!.run('Range', [], { start: -5, limit: 1e6, delta: -3, dtype: 'int32' })[0]!;
    expect(Array.from((await w.data()) as Int32Array)).toEqual([]);
    for (const [s, l, d] of [[-3.25, 1000, 0.75], [0, 1, 0.1], [1e4, -1e4, -3.3], [0.1, 70001.7, 1.1]] as const) {
      const r = gpu!.run('Range', [], { start: s, limit: l, delta: d })[0]!;
      const got = (await r.data()) as Float32Array;
      const want = refRangeF32(s, l, d);
      expect(got.length).toBe(want.length);
      const [fs, fd] = [Math.fround(s), Math.fround(d)];
      for (let i = 0; i < want.length; i++) {
        const scale = Math.max(Math.abs(fs), Math.abs(i * fd));
        const ulp = 2 ** (Math.floor(Math.log2(scale || 2 ** -126)) - 23);
        if (Math.abs(got[i]! - want[i]!) > ulp) expect(`${i}: ${got[i]} vs ${want[i]}`).toBe('within 1 ulp');
      }
    }
    gpu!.dispose();
  });
});
