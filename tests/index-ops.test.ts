/**
 * Family `index-ops` (Trilu, ScatterElements, and ScatterND's reductions) against the element-by-element
 * references in tests/reference/index-ops.ts. Everything here is exact: Trilu and the replacing scatter
 * move bits (random bit patterns, NaN payloads included, compared byte for byte), and the reducing
 * scatters apply updates in index order with the dtype's own rounding, which the reference reproduces
 * (a NaN result only has to be a NaN: f32.max/min may quiet a payload). wasm at threads 1 and 2 must
 * give the same bytes; WebGPU runs Trilu on the dtypes it stores.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, DTYPES, GPU_DTYPES, type AnyTypedArray, type DType } from '../core/dtype.js';
import { AttributeError, DTypeError, DeviceError, ShapeError } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refScatterElements, refScatterNDReduce, refTrilu, type Arr, type Reduction } from './reference/index-ops.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function randomBits(dtype: DType, n: number, seed: number): Arr {
  const r = prng(seed);
  const bytes = new Uint8Array(n * BYTES_PER_ELEMENT[dtype]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (r() * 256) | 0;
  return new ARRAY_CTOR[dtype](bytes.buffer, 0, n) as Arr;
}

/** Values for the reductions: small integers, float32 specials (NaN, ±Inf, ±0) and fractions. */
function randomValues(dtype: 'float32' | 'int32' | 'int64', n: number, seed: number): Arr {
  const r = prng(seed);
  const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 0.1, -3.5, 1e30, -1e-30];
  if (dtype === 'int64') return BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * 2 ** 40) - 2 ** 39) * (r() < 0.2 ? 2n ** 23n : 1n));
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => (r() < 0.2 ? (r() * 2 ** 32) | 0 : Math.floor(r() * 21) - 10));
  return Float32Array.from({ length: n }, () => (r() < 0.15 ? SPECIAL[Math.floor(r() * SPECIAL.length)]! : (r() - 0.5) * 8));
}

const bytesOf = (a: AnyTypedArray | Arr) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Byte equality; float32 NaN against NaN passes whatever the payload when `nanAny`. */
function expectSame(got: AnyTypedArray, want: Arr, dtype: DType, what: string, nanAny = false): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const B = BYTES_PER_ELEMENT[dtype];
  const a = bytesOf(got);
  const b = bytesOf(want);
  for (let e = 0; e < want.length; e++) {
    if (nanAny && dtype === 'float32' && Number.isNaN(got[e] as number) && Number.isNaN(want[e] as number)) continue;
    for (let j = 0; j < B; j++) {
      if (a[e * B + j] !== b[e * B + j]) throw new Error(`${what}: element ${e} differs (got ${String(got[e])}, want ${String(want[e])})`);
    }
  }
}

const dim = fc.oneof(fc.constantFrom(0, 1, 1, 2, 3, 5, 7), fc.integer({ min: 1, max: 11 }));
const RUNS = { numRuns: 50 };

describe('Trilu', () => {
  it('matches the reference on every dtype, shape and k, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(fc.array(dim, { minLength: 2, maxLength: 4 }).filter((s) => sizeOf(s) <= 3000), fc.integer({ min: -13, max: 13 }), fc.boolean(), fc.constantFrom(...DTYPES), fc.nat(), (shape, k, upper, dtype, seed) => {
        const x = randomBits(dtype, sizeOf(shape), seed);
        const want = refTrilu(x, shape, upper, k);
        for (const rt of [rt1, rt2]) {
          const t = rt.tensor(x, shape, dtype);
          const [y] = rt.run('Trilu', [t], { upper, k });
          expect(y!.shape).toEqual(shape);
          expectSame(y!.dataSync(), want, dtype, `Trilu ${dtype} [${shape}] upper=${upper} k=${k} threads=${rt.info().threads}`);
          [t, y!].forEach((v) => v.dispose());
        }
      }),
      RUNS,
    );
  });

  it('splits across threads on a large input and stays bit-identical (float32, int64)', () => {
    for (const [dtype, shape] of [['float32', [3, 401, 999]], ['int64', [2, 300, 777]]] as const) {
      const x = randomBits(dtype, sizeOf(shape), 7);
      for (const [upper, k] of [[true, 0], [false, -37], [true, 500]] as const) {
        const want = refTrilu(x, shape, upper, k);
        for (const rt of [rt1, rt2]) {
          const t = rt.tensor(x, shape, dtype);
          const [y] = rt.run('Trilu', [t], { upper, k });
          expectSame(y!.dataSync(), want, dtype, `Trilu ${dtype} [${shape}] upper=${upper} k=${k} threads=${rt.info().threads}`);
          [t, y!].forEach((v) => v.dispose());
        }
      }
    }
  });

  it('defaults to the upper triangle with k = 0, as ONNX', () => {
    const t = rt1.tensor(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9), [3, 3]);
    const [y] = rt1.run('Trilu', [t]);
    expect(Array.from(y!.dataSync() as Float32Array)).toEqual([1, 2, 3, 0, 5, 6, 0, 0, 9]);
    [t, y!].forEach((v) => v.dispose());
  });

  it('rejects rank < 2 and a non-integer k with typed errors naming the op and shape', () => {
    const v = rt1.tensor(Float32Array.of(1, 2), [2]);
    expect(() => rt1.run('Trilu', [v])).toThrow(ShapeError);
    expect(() => rt1.run('Trilu', [v])).toThrow(/Trilu: input must have rank >= 2, got \[2\]/);
    const m = rt1.tensor(Float32Array.of(1, 2, 3, 4), [2, 2]);
    expect(() => rt1.run('Trilu', [m], { k: 0.5 })).toThrow(AttributeError);
    expect(() => rt1.run('Trilu', [m], { k: 0.5 })).toThrow(/Trilu: k must be an integer.*\[2,2\]/);
    [v, m].forEach((t) => t.dispose());
  });

  it('WebGPU matches the reference on every dtype it stores', async (ctx) => {
    if (!gpu) return ctx.skip();
    const shapes = [[5, 7], [2, 3, 9], [1, 1], [4, 0], [3, 17, 5], [2, 33, 31]];
    let seed = 1;
    for (const dtype of GPU_DTYPES) {
      for (const shape of shapes) {
        for (const [upper, k] of [[true, 0], [false, 0], [true, -2], [false, 3], [true, 40], [false, -40]] as const) {
          // bool holds 0 or 1 (an upload normalises other bytes)
          const x = dtype === 'bool' ? Uint8Array.from(randomBits('uint8', sizeOf(shape), seed++) as Uint8Array, (v) => v & 1) : randomBits(dtype, sizeOf(shape), seed++);
          const t = gpu.tensor(x, shape, dtype);
          const [y] = gpu.run('Trilu', [t], { upper, k });
          expect(y!.device).toBe('webgpu');
          expectSame(await y!.data(), refTrilu(x, shape, upper, k), dtype, `Trilu webgpu ${dtype} [${shape}] upper=${upper} k=${k}`);
          [t, y!].forEach((v) => v.dispose());
        }
      }
    }
  });
});

type RedDType = 'float32' | 'int32' | 'int64';
const REDUCTIONS: Reduction[] = ['none', 'add', 'mul', 'max', 'min'];

/** Indices in [-dim, dim) (negative ones wrap), as int32 or int64. */
function randomIndices(n: number, dimSize: number, seed: number, int64: boolean): Int32Array | BigInt64Array {
  const r = prng(seed);
  const v = Array.from({ length: n }, () => Math.floor(r() * 2 * dimSize) - dimSize);
  return int64 ? BigInt64Array.from(v, BigInt) : Int32Array.from(v);
}

describe('ScatterElements', () => {
  const caseArb = fc
    .array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 })
    .chain((shape) => fc.record({
      shape: fc.constant(shape),
      axis: fc.integer({ min: 0, max: shape.length - 1 }),
      idxShape: fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }))),
      along: fc.integer({ min: 0, max: 9 }),
      seed: fc.nat(),
      int64: fc.boolean(),
    }))
    .map((c) => ({ ...c, idxShape: c.idxShape.map((d, i) => (i === c.axis ? c.along : d)) }));

  it('replaces (any dtype, bits) and reduces (float32/int32/int64) as the reference, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(...REDUCTIONS), fc.constantFrom<DType>(...DTYPES), (c, red, anyDtype) => {
        const dtype: DType = red === 'none' ? anyDtype : (['float32', 'int32', 'int64'] as const)[c.seed % 3]!;
        const n = sizeOf(c.shape);
        const m = sizeOf(c.idxShape);
        const x = red === 'none' ? randomBits(dtype, n, c.seed) : randomValues(dtype as RedDType, n, c.seed);
        const u = red === 'none' ? randomBits(dtype, m, c.seed + 1) : randomValues(dtype as RedDType, m, c.seed + 1);
        const idx = randomIndices(m, c.shape[c.axis]!, c.seed + 2, c.int64);
        const axis = c.seed % 2 ? c.axis - c.shape.length : c.axis;
        const want = refScatterElements(x, c.shape, idx, c.idxShape, u, c.axis, red);
        for (const rt of [rt1, rt2]) {
          const ts = [rt.tensor(x, c.shape, dtype), rt.tensor(idx, c.idxShape, c.int64 ? 'int64' : 'int32'), rt.tensor(u, c.idxShape, dtype)];
          const [y] = rt.run('ScatterElements', ts, { axis, reduction: red });
          expect(y!.shape).toEqual(c.shape);
          expectSame(y!.dataSync(), want, dtype, `ScatterElements ${red} ${dtype} data [${c.shape}] indices [${c.idxShape}] axis ${axis} threads=${rt.info().threads}`, true);
          [...ts, y!].forEach((t) => t.dispose());
        }
      }),
      RUNS,
    );
  });

  it('splits distinct positions across threads; repeated ones apply in order on one thread (bit-identical)', () => {
    const [R, C] = [300, 301];
    const r = prng(5);
    // a permutation of the rows per column: every position written once
    const perm = new Int32Array(R * C);
    for (let j = 0; j < C; j++) {
      const p = Array.from({ length: R }, (_, i) => i);
      for (let i = R - 1; i > 0; i--) {
        const s = Math.floor(r() * (i + 1));
        [p[i], p[s]] = [p[s]!, p[i]!];
      }
      p.forEach((v, i) => (perm[i * C + j] = v));
    }
    const x = randomValues('float32', R * C, 1);
    const u = randomValues('float32', R * C, 2);
    const dup = randomIndices(R * C, R, 3, false);
    for (const [idx, red] of [[perm, 'none'], [perm, 'add'], [dup, 'add'], [dup, 'none'], [dup, 'max']] as const) {
      const want = refScatterElements(x, [R, C], idx, [R, C], u, 0, red);
      for (const rt of [rt1, rt2]) {
        const ts = [rt.tensor(x, [R, C]), rt.tensor(idx, [R, C], 'int32'), rt.tensor(u, [R, C])];
        const [y] = rt.run('ScatterElements', ts, { axis: 0, reduction: red });
        expectSame(y!.dataSync(), want, 'float32', `ScatterElements ${red} [${R},${C}] threads=${rt.info().threads}`, true);
        [...ts, y!].forEach((t) => t.dispose());
      }
    }
  });

  it('raises typed errors: index out of range, shapes, reduction, dtype', () => {
    const x = rt1.tensor(new Float32Array(6), [2, 3]);
    const u = rt1.tensor(new Float32Array(2), [1, 2]);
    const bad = rt1.tensor(Int32Array.of(0, 3), [1, 2], 'int32');
    expect(() => rt1.run('ScatterElements', [x, bad, u], { axis: 1 })).toThrow(ShapeError);
    expect(() => rt1.run('ScatterElements', [x, bad, u], { axis: 1 })).toThrow(/ScatterElements: index 3 \(element 1 of indices \[1,2\]\) is out of range for axis 1 of size 3 in data \[2,3\]/);
    const neg = rt1.tensor(BigInt64Array.of(-4n, 0n), [1, 2], 'int64');
    expect(() => rt1.run('ScatterElements', [x, neg, u], { axis: 1 })).toThrow(/index -4/);
    const ok = rt1.tensor(Int32Array.of(0, 1), [1, 2], 'int32');
    const u3 = rt1.tensor(new Float32Array(3), [1, 3]);
    expect(() => rt1.run('ScatterElements', [x, ok, u3])).toThrow(/ScatterElements: updates must have the indices' shape \(data \[2,3\], indices \[1,2\], updates \[1,3\]\)/);
    expect(() => rt1.run('ScatterElements', [x, ok, u], { reduction: 'sum' as never })).toThrow(AttributeError);
    const b = rt1.tensor(new Uint8Array(6), [2, 3], 'uint8');
    const ub = rt1.tensor(new Uint8Array(2), [1, 2], 'uint8');
    expect(() => rt1.run('ScatterElements', [b, ok, ub], { reduction: 'add' })).toThrow(DTypeError);
    expect(() => rt1.run('ScatterElements', [x, ok, ub])).toThrow(/ScatterElements: inputs must share one dtype/);
    [x, u, bad, neg, ok, u3, b, ub].forEach((t) => t.dispose());
  });

  it('has no WebGPU twin: GPU tensors get a DeviceError (an index check must be synchronous)', (ctx) => {
    if (!gpu) return ctx.skip();
    const x = gpu.tensor(new Float32Array(3), [3]);
    const i = gpu.tensor(Int32Array.of(5), [1], 'int32');
    const u = gpu.tensor(new Float32Array(1), [1]);
    expect(() => gpu!.run('ScatterElements', [x, i, u])).toThrow(DeviceError);
    [x, i, u].forEach((t) => t.dispose());
  });
});

describe('ScatterND reductions', () => {
  it('add/mul/max/min on float32, int32, int64 match the reference, repeated tuples included, threads 1 and 2', () => {
    let seed = 100;
    const cases: [number[], number[]][] = [[[4, 4, 4], [2, 1]], [[2, 2], [2, 2]], [[5, 3, 2], [7, 2]], [[6], [9, 1]], [[3, 0], [2, 1]], [[40, 33], [50, 1]]];
    for (const dtype of ['float32', 'int32', 'int64'] as const) {
      for (const red of ['add', 'mul', 'max', 'min'] as const) {
        for (const [shape, idxShape] of cases) {
          const k = idxShape[idxShape.length - 1]!;
          const updShape = [...idxShape.slice(0, -1), ...shape.slice(k)];
          const x = randomValues(dtype, sizeOf(shape), seed++);
          const u = randomValues(dtype, sizeOf(updShape), seed++);
          const r = prng(seed++);
          const idx = BigInt64Array.from({ length: sizeOf(idxShape) }, (_, i) => BigInt(Math.floor(r() * 2 * shape[i % k]!) - shape[i % k]!));
          const want = refScatterNDReduce(x, shape, idx, idxShape, u, red);
          for (const rt of [rt1, rt2]) {
            const ts = [rt.tensor(x, shape, dtype), rt.tensor(idx, idxShape, 'int64'), rt.tensor(u, updShape, dtype)];
            const [y] = rt.run('ScatterND', ts, { reduction: red });
            expectSame(y!.dataSync(), want, dtype, `ScatterND ${red} ${dtype} [${shape}] indices [${idxShape}] threads=${rt.info().threads}`, true);
            [...ts, y!].forEach((t) => t.dispose());
          }
        }
      }
    }
  });

  it('rejects a reduction on a dtype without one, and an unknown reduction', () => {
    const x = rt1.tensor(new Uint8Array(4), [4], 'uint8');
    const i = rt1.tensor(Int32Array.of(1), [1, 1], 'int32');
    const u = rt1.tensor(new Uint8Array(1), [1], 'uint8');
    expect(() => rt1.run('ScatterND', [x, i, u], { reduction: 'mul' })).toThrow(/ScatterND: data \(reduction 'mul'\) has dtype uint8\[4\]/);
    expect(() => rt1.run('ScatterND', [x, i, u], { reduction: 'avg' as never })).toThrow(AttributeError);
    [x, i, u].forEach((t) => t.dispose());
  });
});

describe('OneHot axis (the contract places the new axis)', () => {
  it('puts the depth axis at any position, as a transpose of the last-axis result, threads 1 and 2', () => {
    const shape = [2, 3, 4];
    const depth = 5;
    const idx = Int32Array.from({ length: 24 }, (_, i) => ((i * 7) % 8) - 1); // -1 and 5, 6 fall outside
    for (const rt of [rt1, rt2]) {
      const t = rt.tensor(idx, shape, 'int32');
      const [last] = rt.run('OneHot', [t], { depth, onValue: 3, offValue: -1, dtype: 'float32' });
      const ref = last!.dataSync() as Float32Array;
      for (const axis of [0, 1, 2, 3, -1, -4]) {
        const a = axis < 0 ? axis + 4 : axis;
        const [y] = rt.run('OneHot', [t], { depth, onValue: 3, offValue: -1, dtype: 'float32', axis });
        const want = [...shape.slice(0, a), depth, ...shape.slice(a)];
        expect(y!.shape).toEqual(want);
        const got = y!.dataSync() as Float32Array;
        // element (i0, i1, i2) of indices with depth j sits at out[.., j at a, ..]
        for (let i = 0; i < 24; i++) {
          const ii = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4];
          for (let j = 0; j < depth; j++) {
            const o = [...ii.slice(0, a), j, ...ii.slice(a)];
            const flat = o.reduce((acc, v, d) => acc * want[d]! + v, 0);
            expect(got[flat], `axis ${axis} element ${i} depth ${j}`).toBe(ref[i * depth + j]);
          }
        }
        y!.dispose();
      }
      expect(() => rt.run('OneHot', [t], { depth, axis: 4 })).toThrow(AttributeError);
      [t, last!].forEach((v) => v.dispose());
    }
  });
});
