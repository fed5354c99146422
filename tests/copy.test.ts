import { DeviceError } from '../core/errors.js';
/**
 * Data-movement ops (family `copy`) on wasm against the element-by-element references in
 * tests/reference/copy.ts. Moves are exact, so every dtype is compared byte for byte on random bit
 * patterns (NaN payloads included), and threads 1 and 2 must agree exactly. Shapes come from
 * fast-check, size-0 and size-1 dimensions included.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARRAY_CTOR, BYTES_PER_ELEMENT, type AnyTypedArray, type DType } from '../core/dtype.js';
import { TwinopsError } from '../core/errors.js';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import {
  refCastElement, refConcat, refExpand, refGather, refGatherElements, refGatherND, refPad, refScatterND, refReverse, refSlice, refSplit, refTile, refTranspose, refWhere,
  type Arr, type CastDType,
} from './reference/copy.js';

const DTYPES: DType[] = ['float32', 'int32', 'int64', 'bool', 'uint8', 'int8', 'float16', 'float64', 'uint16', 'uint32', 'uint64', 'int16', 'int4', 'uint4'];
let rts: Runtime[] = [];

beforeAll(async () => {
  rts = [await createRuntime({ device: 'wasm', threads: 1 }), await createRuntime({ device: 'wasm', threads: 2 })];
});
afterAll(() => rts.forEach((r) => r.dispose()));

/** Random bit patterns of `n` elements of `dtype`. */
function randomData(dtype: DType, n: number, seed: number): Arr {
  const r = prng(seed);
  const bytes = new Uint8Array(n * BYTES_PER_ELEMENT[dtype]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (r() * 256) | 0;
  return new ARRAY_CTOR[dtype](bytes.buffer, 0, n) as Arr;
}

const bytesOf = (a: AnyTypedArray | Arr) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** The references move float32 (float64) as uint32 (uint64) bits: a JS number read from a float array may quiet a signalling NaN. */
const bits = (a: Arr): Arr =>
  a instanceof Float32Array ? (new Uint32Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a instanceof Float64Array ? (new BigUint64Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a;

function expectBytes(got: Tensor, want: { data: Arr; shape: number[] }, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const a = bytesOf(got.dataSync());
  const b = bytesOf(want.data);
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    const i = a.findIndex((v, k) => v !== b[k]);
    const B = a.length / Math.max(1, sizeOf(want.shape));
    throw new Error(`${what}: bytes differ at element ${Math.floor(i / B)} (got ${[...a.slice(i - (i % B), i - (i % B) + B)]}, want ${[...b.slice(i - (i % B), i - (i % B) + B)]})`);
  }
}

/** Run `op` on every runtime with a fresh input tensor of each dtype and compare with `ref`. */
function check(dtype: DType, shape: number[], seed: number, what: string, run: (rt: Runtime, x: Tensor) => Tensor[], ref: (x: Arr) => { data: Arr; shape: number[] }[]): void {
  const x = randomData(dtype, sizeOf(shape), seed);
  const want = ref(bits(x));
  for (const rt of rts) {
    const t = rt.tensor(x, shape, dtype);
    const outs = run(rt, t);
    outs.forEach((o, k) => expectBytes(o, want[k]!, `${what} ${dtype} threads=${rt.info().threads} output ${k}`));
    outs.forEach((o) => o.dispose());
    t.dispose();
  }
}

/** Exact equality, except that a NaN result only has to be a NaN (float16: a quiet one of the same sign). */
function sameCast(to: CastDType, g: number | bigint, w: number | bigint): boolean {
  if (to === 'float16') {
    const [a, b] = [g as number, w as number];
    const nan = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    return nan(b) ? nan(a) && (a & 0xfe00) === (b & 0xfe00) : a === b;
  }
  if (to === 'float32' && Number.isNaN(w)) return Number.isNaN(g);
  return Object.is(g, w);
}

const dim = fc.oneof(fc.constantFrom(0, 1, 1, 2, 3, 5, 7), fc.integer({ min: 1, max: 9 }));
const shapeArb = (min = 0, max = 5) => fc.array(dim, { minLength: min, maxLength: max }).filter((s) => sizeOf(s) <= 4000);
const dtypeArb = fc.constantFrom(...DTYPES);
const RUNS = { numRuns: 60 };

describe('copy family: strided moves', () => {
  it('Transpose: random permutations', () => {
    fc.assert(
      fc.property(shapeArb(), dtypeArb, fc.integer(), (shape, dtype, seed) => {
        const perm = shape.map((_, i) => i).sort(() => prng(seed)() - 0.5);
        const p = [...perm].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        check(dtype, shape, seed, `Transpose ${JSON.stringify(shape)} perm ${p}`, (rt, t) => rt.run('Transpose', [t], { perm: p }), (x) => [refTranspose(x, shape, p)]);
      }),
      RUNS,
    );
  });

  it('Transpose: large 2-D and 4-D (vector paths, thread split), default perm', () => {
    for (const dtype of DTYPES) {
      check(dtype, [67, 131], 1, 'Transpose 67x131', (rt, t) => rt.run('Transpose', [t]), (x) => [refTranspose(x, [67, 131])]);
      check(dtype, [3, 17, 33, 9], 2, 'Transpose NCHW→NHWC', (rt, t) => rt.run('Transpose', [t], { perm: [0, 2, 3, 1] }), (x) => [refTranspose(x, [3, 17, 33, 9], [0, 2, 3, 1])]);
    }
    // big enough to split across 2 threads (rows of the strided kernel, 4-byte lane path included)
    for (const dtype of ['float32', 'int64', 'uint8', 'float16'] as const) {
      check(dtype, [257, 515], 4, 'Transpose 257x515', (rt, t) => rt.run('Transpose', [t]), (x) => [refTranspose(x, [257, 515])]);
    }
    // a short innermost dimension (NCHW → NHWC, C = 3) is reordered behind a long contiguous one
    for (const dtype of ['float32', 'uint8', 'float16', 'int64'] as const) {
      check(dtype, [2, 3, 67, 65], 5, 'Transpose NCHW→NHWC C=3', (rt, t) => rt.run('Transpose', [t], { perm: [0, 2, 3, 1] }), (x) => [refTranspose(x, [2, 3, 67, 65], [0, 2, 3, 1])]);
    }
    check('float32', [1, 3, 224, 224], 6, 'Transpose NCHW→NHWC 224² (splits)', (rt, t) => rt.run('Transpose', [t], { perm: [0, 2, 3, 1] }), (x) => [refTranspose(x, [1, 3, 224, 224], [0, 2, 3, 1])]);
    // rank 8: more than the kernel's 6 dimensions after collapsing
    const s8 = [2, 3, 2, 3, 2, 3, 2, 3];
    const p8 = [7, 0, 6, 1, 5, 2, 4, 3];
    check('float32', s8, 3, 'Transpose rank 8', (rt, t) => rt.run('Transpose', [t], { perm: p8 }), (x) => [refTranspose(x, s8, p8)]);
  });

  it('Slice: starts/ends/steps, negative and out-of-range values, axes', () => {
    const spec = shapeArb(1, 4).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        specs: fc.array(
          fc.record({
            axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
            start: fc.integer({ min: -12, max: 12 }),
            end: fc.oneof(fc.integer({ min: -12, max: 12 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31))),
            step: fc.oneof(fc.integer({ min: -4, max: 4 }).filter((s) => s !== 0), fc.constant(1), fc.constant(-1)),
          }),
          { minLength: 1, maxLength: shape.length },
        ).filter((s) => new Set(s.map((q) => (q.axis + shape.length) % shape.length)).size === s.length),
        dtype: dtypeArb,
        seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(spec, ({ shape, specs, dtype, seed }) => {
        const a = { starts: specs.map((s) => s.start), ends: specs.map((s) => s.end), axes: specs.map((s) => s.axis), steps: specs.map((s) => s.step) };
        check(dtype, shape, seed, `Slice ${JSON.stringify(shape)} ${JSON.stringify(a)}`, (rt, t) => rt.run('Slice', [t], a), (x) => [refSlice(x, shape, a.starts, a.ends, a.axes, a.steps)]);
      }),
      RUNS,
    );
  });

  it('Expand, Tile, Reverse', () => {
    fc.assert(
      fc.property(shapeArb(0, 4), dtypeArb, fc.integer(), fc.array(fc.constantFrom(1, 2, 3, 0) as fc.Arbitrary<number>, { minLength: 4, maxLength: 4 }), (shape, dtype, seed, r) => {
        const target = [r[0]! + 1, ...shape.map((d, i) => (d === 1 ? r[i % 4]! + 1 : i % 2 ? 1 : d))].slice(0, 6);
        check(dtype, shape, seed, `Expand ${JSON.stringify(shape)} to ${JSON.stringify(target)}`, (rt, t) => rt.run('Expand', [t], { shape: target }), (x) => [refExpand(x, shape, target)]);
        const reps = shape.map((_, i) => r[i % 4]!);
        if (sizeOf(shape) * reps.reduce((a, b) => a * b, 1) <= 20000) {
          check(dtype, shape, seed + 1, `Tile ${JSON.stringify(shape)} ${JSON.stringify(reps)}`, (rt, t) => rt.run('Tile', [t], { repeats: reps }), (x) => [refTile(x, shape, reps)]);
        }
        const axes = shape.map((_, i) => i).filter((i) => r[i % 4]! % 2 === 1).map((a) => (seed % 2 ? a - shape.length : a));
        check(dtype, shape, seed + 2, `Reverse ${JSON.stringify(shape)} axes ${axes}`, (rt, t) => rt.run('Reverse', [t], { axes }), (x) => [refReverse(x, shape, axes)]);
      }),
      RUNS,
    );
  });

  it('Concat (n inputs) and Split (sizes, equal parts)', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), dtypeArb, fc.integer(), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }), (shape, dtype, seed, sizes) => {
        const axis = Math.abs(seed) % shape.length;
        const shapes = sizes.map((s) => shape.map((d, i) => (i === axis ? s : d)));
        const xs = shapes.map((s, k) => randomData(dtype, sizeOf(s), seed + k));
        const want = refConcat(xs.map(bits), shapes, axis - (seed % 2 ? shape.length : 0));
        for (const rt of rts) {
          const ts = xs.map((x, k) => rt.tensor(x, shapes[k]!, dtype));
          const [y] = rt.run('Concat', ts, { axis: axis - (seed % 2 ? shape.length : 0) });
          expectBytes(y!, want, `Concat ${JSON.stringify(shapes)} axis ${axis} ${dtype} threads=${rt.info().threads}`);
          y!.dispose();
          ts.forEach((t) => t.dispose());
        }
        // Split the concatenation back
        const cat = want.shape;
        check(dtype, cat, seed, `Split ${JSON.stringify(cat)} ${sizes}`, (rt, t) => rt.run('Split', [t], { axis, split: sizes }), (x) => refSplit(x, cat, axis, sizes));
        const n = cat[axis]!;
        const parts = 1 + (Math.abs(seed) % 3);
        const per = Math.ceil(n / parts);
        const eq = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(per, n - i * per)));
        check(dtype, cat, seed, `Split ${JSON.stringify(cat)} outputs ${parts}`, (rt, t) => rt.run('Split', [t], { axis, outputs: parts }), (x) => refSplit(x, cat, axis, eq));
      }),
      RUNS,
    );
  });

  it('Pad: constant/reflect/edge/wrap, negative pads crop', () => {
    const spec = shapeArb(1, 4).filter((s) => s.every((d) => d > 0)).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        pads: fc.array(fc.integer({ min: -2, max: 4 }), { minLength: 2 * shape.length, maxLength: 2 * shape.length }),
        mode: fc.constantFrom('constant', 'reflect', 'edge', 'wrap') as fc.Arbitrary<'constant' | 'reflect' | 'edge' | 'wrap'>,
        dtype: dtypeArb,
        seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(spec, ({ shape, pads, mode, dtype, seed }) => {
        const r = shape.length;
        const p = pads.map((v, i) => (shape[i % r]! + Math.min(0, pads[(i + r) % (2 * r)]!) + v <= 0 && v < 0 ? 0 : v));
        const inner = shape.map((n, d) => n + Math.min(0, p[d]!) + Math.min(0, p[d + r]!));
        if (inner.some((n) => n <= 0)) return;
        const pp = mode === 'reflect' ? p.map((v, i) => Math.min(v, inner[i % r]! - 1)) : p;
        // constant fill 3 as every dtype holds it (float32 bits 0x40400000, float16 0x4200; bool: non-zero → 1)
        // (float64 bits 0x4008000000000000, moved as uint64 by `bits`)
        const fill = dtype === 'int64' || dtype === 'uint64' ? 3n : dtype === 'float64' ? 0x4008000000000000n : dtype === 'float16' ? 0x4200 : dtype === 'float32' ? 0x40400000 : dtype === 'bool' ? 1 : 3;
        check(dtype, shape, seed, `Pad ${mode} ${JSON.stringify(shape)} pads ${pp}`, (rt, t) => rt.run('Pad', [t], { pads: pp, mode, value: 3 }), (x) => [refPad(x, shape, pp, mode, fill)]);
      }),
      RUNS,
    );
    // wrap and edge further than the axis is long
    check('int32', [2, 3], 5, 'Pad wrap 7', (rt, t) => rt.run('Pad', [t], { pads: [7, 1, 2, 8], mode: 'wrap' }), (x) => [refPad(x, [2, 3], [7, 1, 2, 8], 'wrap', 0)]);
    check('uint8', [2, 3], 5, 'Pad edge 7', (rt, t) => rt.run('Pad', [t], { pads: [7, 1, 2, 8], mode: 'edge' }), (x) => [refPad(x, [2, 3], [7, 1, 2, 8], 'edge', 0)]);
  });

  it('multi-axis moves large enough to split rows across threads', () => {
    const s3 = [64, 65, 67];
    for (const dtype of ['float32', 'int8', 'int64'] as const) {
      check(dtype, s3, 21, 'Transpose 3-D', (rt, t) => rt.run('Transpose', [t], { perm: [2, 0, 1] }), (x) => [refTranspose(x, s3, [2, 0, 1])]);
      const sl = { starts: [-1, 3, 1], ends: [-(2 ** 31), 60, 67], steps: [-1, 2, 1] };
      check(dtype, s3, 22, 'Slice 3-D', (rt, t) => rt.run('Slice', [t], sl), (x) => [refSlice(x, s3, sl.starts, sl.ends, undefined, sl.steps)]);
      const pads = [3, 5, 2, 4, 1, 6];
      check(dtype, s3, 23, 'Pad reflect 3-D', (rt, t) => rt.run('Pad', [t], { pads, mode: 'reflect' }), (x) => [refPad(x, s3, pads, 'reflect', 0)]);
      check(dtype, [33, 17, 5], 24, 'Tile 3-D', (rt, t) => rt.run('Tile', [t], { repeats: [3, 4, 5] }), (x) => [refTile(x, [33, 17, 5], [3, 4, 5])]);
    }
  });

  it('long copies split across threads (every element size): contiguous pieces, splats, broadcast rows', () => {
    for (const dtype of DTYPES) {
      const B = BYTES_PER_ELEMENT[dtype];
      // 3 MiB + 3 elements: past the 2 MiB at which a contiguous copy splits, with a tail piece
      const n = (3 << 20) / B + 3;
      const x = randomData(dtype, n, 9);
      const m = 600_001;
      for (const rt of rts) {
        const t = rt.tensor(x, [n], dtype);
        const [y] = rt.run('Expand', [t], { shape: [1] });
        const xb = bytesOf(x);
        expect(bytesOf(y!.dataSync()).every((v, i) => v === xb[i]), `copy ${dtype} threads=${rt.info().threads}`).toBe(true);
        const one = rt.tensor(x.subarray(0, 1) as Arr, [1], dtype);
        const [z] = rt.run('Expand', [one], { shape: [m] });
        const zb = bytesOf(z!.dataSync());
        const first = bytesOf(x).subarray(0, B);
        expect(zb.every((v, i) => v === first[i % B]), `splat ${dtype} threads=${rt.info().threads}`).toBe(true);
        [t, y!, one, z!].forEach((u) => u.dispose());
      }
      // rows of 3 broadcast down 90001 rows (a strided source row, 270k elements)
      const x3 = bytesOf(x.subarray(0, 3) as Arr);
      for (const rt of rts) {
        const t = rt.tensor(x.subarray(0, 3) as Arr, [1, 3], dtype);
        const [y] = rt.run('Expand', [t], { shape: [90001, 3] });
        expect(bytesOf(y!.dataSync()).every((v, i) => v === x3[i % (3 * B)]), `broadcast rows ${dtype} threads=${rt.info().threads}`).toBe(true);
        [t, y!].forEach((u) => u.dispose());
      }
    }
  });
});

describe('copy family: Gather, Where, Cast', () => {
  it('Gather: any axis, int32 and int64 indices, negative indices', () => {
    fc.assert(
      fc.property(shapeArb(1, 4), dtypeArb, fc.integer(), fc.array(dim, { maxLength: 2 }), fc.boolean(), (shape, dtype, seed, idxShape, i64) => {
        const axis = Math.abs(seed) % shape.length;
        const n = shape[axis]!;
        if (n === 0 && sizeOf(idxShape) > 0) return;
        const r = prng(seed);
        const vals = Array.from({ length: sizeOf(idxShape) }, () => Math.floor(r() * 2 * n) - n);
        const idx = i64 ? BigInt64Array.from(vals, BigInt) : Int32Array.from(vals);
        const x = randomData(dtype, sizeOf(shape), seed);
        const want = refGather(bits(x), shape, idx, idxShape, axis);
        for (const rt of rts) {
          const t = rt.tensor(x, shape, dtype);
          const it = rt.tensor(idx, idxShape, i64 ? 'int64' : 'int32');
          const [y] = rt.run('Gather', [t, it], { axis: seed % 2 ? axis - shape.length : axis });
          expectBytes(y!, want, `Gather ${JSON.stringify(shape)} axis ${axis} idx ${JSON.stringify(idxShape)} ${dtype}`);
          [t, it, y!].forEach((u) => u.dispose());
        }
      }),
      RUNS,
    );
  });

  it('Gather: out-of-range index is a typed error naming the op and shapes', () => {
    const rt = rts[0]!;
    const x = rt.tensor(new Float32Array(6), [2, 3]);
    for (const bad of [3, -4]) {
      const i = rt.tensor([0, bad], [2], 'int32');
      expect(() => rt.run('Gather', [x, i], { axis: 1 })).toThrow(/Gather: index -?\d .*out of range.*\[2,3\]/);
      i.dispose();
    }
    const f = rt.tensor([0], [1]);
    const live = rt.memory().liveTensors;
    expect(() => rt.run('Gather', [x, f])).toThrow(TwinopsError);
    expect(rt.memory().liveTensors).toBe(live);
    x.dispose();
    f.dispose();
  });

  /** Random indices in [-n, n) (both wrapping forms), as int32 or int64. */
  function randomIndices(count: number, n: number | ((i: number) => number), seed: number, i64: boolean): Int32Array | BigInt64Array {
    const r = prng(seed);
    const vals = Array.from({ length: count }, (_, i) => {
      const d = typeof n === 'number' ? n : n(i);
      return Math.floor(r() * 2 * d) - d;
    });
    return i64 ? BigInt64Array.from(vals, BigInt) : Int32Array.from(vals);
  }

  function runIndexed(dtype: DType, xShape: number[], idx: Int32Array | BigInt64Array, idxShape: number[], op: string, attrs: object, want: { data: Arr; shape: number[] }, extra?: { data: Arr; shape: number[] }): void {
    const x = randomData(dtype, sizeOf(xShape), 77);
    for (const rt of rts) {
      const ts = [rt.tensor(x, xShape, dtype), rt.tensor(idx, idxShape, idx instanceof BigInt64Array ? 'int64' : 'int32')];
      if (extra) ts.push(rt.tensor(extra.data, extra.shape, dtype));
      const [y] = rt.run(op, ts, attrs);
      expectBytes(y!, want, `${op} ${JSON.stringify(xShape)} idx ${JSON.stringify(idxShape)} ${JSON.stringify(attrs)} ${dtype} threads=${rt.info().threads}`);
      [...ts, y!].forEach((t) => t.dispose());
    }
  }

  it('GatherElements, GatherND (batch_dims) and ScatterND', () => {
    fc.assert(
      fc.property(shapeArb(1, 4).filter((s) => s.every((d) => d > 0)), dtypeArb, fc.integer(), fc.boolean(), (shape, dtype, seed, i64) => {
        const x = bits(randomData(dtype, sizeOf(shape), 77));
        const r = shape.length;
        // GatherElements: indices no larger than data outside the axis, any length along it
        const axis = Math.abs(seed) % r;
        const is = shape.map((d, i) => (i === axis ? 1 + (Math.abs(seed >> 3) % 4) : Math.max(0, d - (Math.abs(seed >> (i + 5)) % 2))));
        const ge = randomIndices(sizeOf(is), shape[axis]!, seed, i64);
        runIndexed(dtype, shape, ge, is, 'GatherElements', { axis: axis - (seed % 2 ? r : 0) }, refGatherElements(x, shape, ge, is, axis));
        // GatherND with batch_dims b and k-tuples
        const b = Math.abs(seed >> 2) % r;
        const k = 1 + (Math.abs(seed >> 4) % (r - b));
        const nd = [...shape.slice(0, b), 1 + (Math.abs(seed) % 3), k];
        const gn = randomIndices(sizeOf(nd), (i) => shape[b + (i % k)]!, seed + 1, i64);
        runIndexed(dtype, shape, gn, nd, 'GatherND', { batch_dims: b }, refGatherND(x, shape, gn, nd, b));
        // ScatterND: k-tuples over the leading axes, repeated tuples included
        const kk = 1 + (Math.abs(seed >> 6) % r);
        const sn = [1 + (Math.abs(seed >> 1) % 4), kk];
        const si = randomIndices(sizeOf(sn), (i) => shape[i % kk]!, seed + 2, i64);
        const us = [sn[0]!, ...shape.slice(kk)];
        const upd = randomData(dtype, sizeOf(us), seed + 3);
        runIndexed(dtype, shape, si, sn, 'ScatterND', {}, { data: refScatterND(x, shape, si, sn, bits(upd)), shape: shape.slice() }, { data: upd, shape: us });
      }),
      RUNS,
    );
    // large enough to split across threads (≥ 512 KiB of output)
    const shape = [600, 257];
    const gi = randomIndices(600 * 257, 600, 5, false);
    runIndexed('float32', shape, gi, shape, 'GatherElements', { axis: 0 }, refGatherElements(bits(randomData('float32', 600 * 257, 77)), shape, gi, shape, 0));
    const perm = Int32Array.from({ length: 600 }, (_, i) => (i * 7) % 600);
    const upd = randomData('int32', 600 * 257, 6);
    runIndexed('int32', shape, perm, [600, 1], 'ScatterND', {}, { data: refScatterND(randomData('int32', 600 * 257, 77), shape, perm, [600, 1], upd), shape }, { data: upd, shape });
  });

  it('OneHot (tfjs): every output dtype, out-of-range indices give off rows', () => {
    for (const dtype of DTYPES) {
      for (const i64 of [false, true]) {
        const depth = 7;
        const vals = Array.from({ length: 3 * 5 }, (_, i) => ((i * 5) % 11) - 2);
        const idx = i64 ? BigInt64Array.from(vals, BigInt) : Int32Array.from(vals);
        const on = dtype === 'bool' ? 1 : 5;
        const off = dtype === 'bool' ? 0 : -2;
        const want = new ARRAY_CTOR[dtype](vals.length * depth) as unknown as (number | bigint)[];
        const asDtype = (v: number) => (dtype === 'int64' || dtype === 'uint64' ? BigInt(v) : dtype === 'float16' ? refCastElement('int32', 'float16', v) : dtype === 'uint8' ? v & 0xff : dtype === 'uint4' ? v & 15 : v);
        vals.forEach((v, i) => {
          for (let j = 0; j < depth; j++) want[i * depth + j] = asDtype(v === j ? on : off);
        });
        for (const rt of rts) {
          const t = rt.tensor(idx, [3, 5], i64 ? 'int64' : 'int32');
          const [y] = rt.run('OneHot', [t], { depth, onValue: on, offValue: off, dtype });
          expect(y!.shape).toEqual([3, 5, depth]);
          expect(y!.dtype).toBe(dtype);
          expect(bytesOf(y!.dataSync()), `OneHot ${dtype}`).toEqual(bytesOf(want as unknown as Arr));
          [t, y!].forEach((u) => u.dispose());
        }
      }
    }
    const rt = rts[0]!;
    const t = rt.tensor([1], [1], 'int32');
    expect(() => rt.run('OneHot', [t], { depth: -1 })).toThrow(/OneHot: depth must be a non-negative integer/);
    t.dispose();
  });

  it('indexed ops: out-of-range indices and bad shapes are typed errors', () => {
    const rt = rts[1]!;
    const x = rt.tensor(new Float32Array(6), [2, 3]);
    const i1 = rt.tensor([0, 5], [1, 2], 'int32');
    const i2 = rt.tensor([1, -4], [1, 2], 'int64');
    const u = rt.tensor(new Float32Array(1), [1]);
    expect(() => rt.run('GatherElements', [x, i1], { axis: 1 })).toThrow(/GatherElements: index 5 .*out of range for an axis of size 3 in data \[2,3\]/);
    expect(() => rt.run('GatherND', [x, i2])).toThrow(/GatherND: index -4 .*size 3/);
    expect(() => rt.run('ScatterND', [x, i1, u])).toThrow(/ScatterND: index 5/);
    expect(() => rt.run('GatherND', [x, i1], { batch_dims: 2 })).toThrow(/GatherND: batch_dims 2/);
    expect(() => rt.run('ScatterND', [x, i2, x])).toThrow(/ScatterND: updates \[2,3\] must have shape \[1\]/);
    [x, i1, i2, u].forEach((t) => t.dispose());
  });

  it('Where: broadcasting condition, X and Y, every dtype', () => {
    // an output shape; each operand takes a suffix of it with some dimensions set to 1
    const operand = (out: number[]) => fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }).map((m) => out.map((d, i) => (m[i] ? 1 : d)).slice(Math.floor(m.length / 3)));
    const trio: fc.Arbitrary<number[][]> = shapeArb(0, 4).chain((out) => fc.tuple(operand(out), operand(out), operand(out)));
    fc.assert(
      fc.property(trio, dtypeArb, fc.integer(), ([cs = [], xs = [], ys = []], dtype, seed) => {
        const r = prng(seed);
        const c = Uint8Array.from({ length: sizeOf(cs) }, () => (r() < 0.5 ? 0 : r() < 0.8 ? 1 : 7));
        const x = randomData(dtype, sizeOf(xs), seed + 1);
        const y = randomData(dtype, sizeOf(ys), seed + 2);
        const want = refWhere(c, cs, bits(x), xs, bits(y), ys);
        for (const rt of rts) {
          const ts = [rt.tensor(c, cs, 'bool'), rt.tensor(x, xs, dtype), rt.tensor(y, ys, dtype)];
          const [o] = rt.run('Where', ts);
          expectBytes(o!, want, `Where ${JSON.stringify([cs, xs, ys])} ${dtype} threads=${rt.info().threads}`);
          [...ts, o!].forEach((u) => u.dispose());
        }
      }),
      RUNS,
    );
    // long, same shape: the vector path of every element size
    for (const dtype of DTYPES) {
      const n = 70_001;
      const r = prng(4);
      const c = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
      const x = randomData(dtype, n, 5);
      const y = randomData(dtype, n, 6);
      const want = refWhere(c, [n], bits(x), [n], bits(y), [n]);
      for (const rt of rts) {
        const ts = [rt.tensor(c, [n], 'bool'), rt.tensor(x, [n], dtype), rt.tensor(y, [n], dtype)];
        const [o] = rt.run('Where', ts);
        expectBytes(o!, want, `Where long ${dtype}`);
        [...ts, o!].forEach((u) => u.dispose());
      }
    }
  });

  /** Values that probe each conversion: specials, rounding ties, range edges. */
  function castInputs(dtype: CastDType, seed: number): Arr {
    const r = prng(seed);
    const n = 3001;
    switch (dtype) {
      case 'float32': {
        const special = [NaN, -NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 255.9, 256, -129, 127.7, 2 ** 31, -(2 ** 31), 2 ** 31 - 128, 2 ** 63, -(2 ** 63), 65504, 65519.99, 65520, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -149, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e-8];
        const bits = randomData('float32', n, seed) as Float32Array;
        special.forEach((v, i) => (bits[i] = v));
        for (let i = special.length; i < n; i += 3) bits[i] = (r() - 0.5) * 2 ** ((r() * 80) | 0);
        return bits;
      }
      case 'float16':
        return randomData('float16', n, seed);
      case 'int32': {
        const a = randomData('int32', n, seed) as Int32Array;
        [0, 1, -1, 127, 128, 255, 256, -128, -129, 65504, 65519, 65520, 2 ** 24 + 1, 2 ** 31 - 1, -(2 ** 31)].forEach((v, i) => (a[i] = v));
        for (let i = 20; i < n; i += 2) a[i] = Math.floor((r() - 0.5) * 600);
        return a;
      }
      case 'int64': {
        const a = randomData('int64', n, seed) as BigInt64Array;
        [0n, 1n, -1n, 255n, 256n, -129n, 65519n, 65520n, -65520n, 2n ** 24n + 1n, 2n ** 53n + 1n, 2n ** 62n + 2n ** 38n, 2n ** 63n - 1n, -(2n ** 63n)].forEach((v, i) => (a[i] = v));
        for (let i = 20; i < n; i += 2) a[i] = BigInt(Math.floor((r() - 0.5) * 600));
        return a;
      }
      case 'bool':
        return Uint8Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
      default:
        return randomData(dtype, n, seed);
    }
  }

  it('Cast: every pair of dtypes', () => {
    const CAST: CastDType[] = ['float32', 'float16', 'int32', 'int64', 'int8', 'uint8', 'bool'];
    for (const from of CAST) {
      const x = castInputs(from, CAST.indexOf(from) + 1);
      for (const to of CAST) {
        const want = new ARRAY_CTOR[to](x.length) as unknown as (number | bigint)[];
        const fbits = from === 'float32' ? new Uint32Array(x.buffer) : undefined;
        for (let i = 0; i < x.length; i++) {
          const nanSign = fbits ? (fbits[i]! >>> 16) & 0x8000 : from === 'float16' ? (x[i] as number) & 0x8000 : 0;
          want[i] = from === to ? x[i]! : refCastElement(from, to, x[i]!, nanSign);
        }
        for (const rt of rts) {
          const t = rt.tensor(x, [x.length], from);
          const [y] = rt.run('Cast', [t], { to });
          expect(y!.dtype).toBe(to);
          const got = y!.dataSync() as unknown as (number | bigint)[];
          for (let i = 0; i < x.length; i++) {
            const g = got[i]!;
            const w = want[i]!;
            const same = sameCast(to, g, w);
            if (!same) throw new Error(`Cast ${from}→${to}: element ${i} = ${String(x[i])} gave ${String(g)}, want ${String(w)} (threads=${rt.info().threads})`);
          }
          t.dispose();
          y!.dispose();
        }
      }
    }
    // long enough to split across threads: threads 1 and 2 give the same bytes
    for (const [from, to] of [['float32', 'float16'], ['float16', 'float32'], ['int64', 'float32'], ['float32', 'int8']] as const) {
      const x = randomData(from, 100_003, 12);
      const outs = rts.map((rt) => {
        const t = rt.tensor(x, [x.length], from);
        const [y] = rt.run('Cast', [t], { to });
        const b = bytesOf(y!.dataSync()).slice();
        [t, y!].forEach((u) => u.dispose());
        return b;
      });
      expect(outs[0]!.every((v, i) => v === outs[1]![i]), `Cast ${from}→${to} threads 1 vs 2`).toBe(true);
    }
  });
});

describe('copy family: errors', () => {
  it('bad attributes and shapes are typed errors naming the op', () => {
    const rt = rts[0]!;
    const live = rt.memory().liveTensors;
    const x = rt.tensor(new Float32Array(6), [2, 3]);
    const cases: [string, object, RegExp][] = [
      ['Transpose', { perm: [0, 0] }, /Transpose: perm \[0,0\] is not a permutation.*\[2,3\]/],
      ['Slice', { starts: [0], ends: [1], steps: [0] }, /Slice: step 0/],
      ['Expand', { shape: [4, 3] }, /Expand: shapes \[2,3\] and \[4,3\] cannot be broadcast/],
      ['Tile', { repeats: [1] }, /Tile: attribute repeats has 1 entries, expected 2/],
      ['Pad', { pads: [0, 3, 0, 0], mode: 'reflect' }, /Pad: mode 'reflect' pads axis 1 \(size 3\)/],
      ['Pad', { pads: [0, 0, 0], mode: 'edge' }, /Pad: attribute pads has 3 entries/],
      ['Split', { axis: 1, split: [1, 1] }, /Split: split \[1,1\] must be .* summing to 3/],
      ['Cast', { to: 'bfloat16' }, /Cast: attribute to must be one of/],
      ['Reverse', { axes: [2] }, /Reverse: axis 2 is out of range/],
    ];
    for (const [op, attrs, msg] of cases) expect(() => rt.run(op, [x], attrs), op).toThrow(msg);
    const y = rt.tensor(new Float32Array(4), [2, 2]);
    const z = rt.tensor(new Int32Array(6), [2, 3]);
    expect(() => rt.run('Concat', [x, y], { axis: 0 })).toThrow(/Concat: inputs \[2,3\], \[2,2\] differ outside axis 0/);
    expect(() => rt.run('Concat', [x, z], { axis: 0 })).toThrow(/Concat: inputs must share one dtype/);
    expect(() => rt.run('Where', [x, x, x])).toThrow(/Where: condition has dtype float32/);
    [x, y, z].forEach((t) => t.dispose());
    expect(rt.memory().liveTensors).toBe(live);
  });
});

describe('copy family on WebGPU (float32, int32)', () => {
  let gpu: Runtime | undefined;
  beforeAll(async () => {
    try {
      gpu = await createRuntime({ device: 'webgpu', threads: 1 });
    } catch {
      gpu = undefined; // no adapter: skipped below
    }
  });
  afterAll(() => gpu?.dispose());

  async function gpuCheck(dtype: DType, shapes: number[][], seed: number, what: string, run: (rt: Runtime, xs: Tensor[]) => Tensor[], ref: (xs: Arr[]) => { data: Arr; shape: number[] }[]): Promise<void> {
    // WebGPU keeps bool as 0/1 bytes (reads normalise), so bool data is 0/1 here
    const xs = shapes.map((s, k) => (dtype === 'bool' ? (Uint8Array.from(randomData(dtype, sizeOf(s), seed + k) as Uint8Array, (v) => v & 1) as Arr) : randomData(dtype, sizeOf(s), seed + k)));
    const want = ref(xs.map(bits));
    const ts = xs.map((x, k) => gpu!.tensor(x, shapes[k]!, dtype));
    const outs = run(gpu!, ts);
    for (let k = 0; k < outs.length; k++) {
      expect(outs[k]!.device).toBe('webgpu');
      const got = await outs[k]!.data();
      expect(outs[k]!.shape, what).toEqual(want[k]!.shape);
      expect(bytesOf(got), `${what} ${dtype}`).toEqual(bytesOf(want[k]!.data));
    }
    [...ts, ...outs].forEach((t) => t.dispose());
  }

  it('strided moves and Where match the references bit for bit', async (ctx) => {
    if (!gpu) return ctx.skip();
    for (const dtype of ['float32', 'int32'] as const) {
      await gpuCheck(dtype, [[3, 5, 7]], 1, 'Transpose', (rt, [x]) => rt.run('Transpose', [x!], { perm: [2, 0, 1] }), ([x]) => [refTranspose(x!, [3, 5, 7], [2, 0, 1])]);
      await gpuCheck(dtype, [[]], 1, 'Transpose scalar', (rt, [x]) => rt.run('Transpose', [x!]), ([x]) => [refTranspose(x!, [])]);
      const sl = { starts: [-1, 1], ends: [-(2 ** 31), 9], axes: [0, 2], steps: [-2, 3] };
      await gpuCheck(dtype, [[5, 4, 9]], 2, 'Slice', (rt, [x]) => rt.run('Slice', [x!], sl), ([x]) => [refSlice(x!, [5, 4, 9], sl.starts, sl.ends, sl.axes, sl.steps)]);
      await gpuCheck(dtype, [[3, 1]], 3, 'Expand', (rt, [x]) => rt.run('Expand', [x!], { shape: [2, 3, 5] }), ([x]) => [refExpand(x!, [3, 1], [2, 3, 5])]);
      await gpuCheck(dtype, [[2, 3]], 4, 'Tile', (rt, [x]) => rt.run('Tile', [x!], { repeats: [3, 2] }), ([x]) => [refTile(x!, [2, 3], [3, 2])]);
      await gpuCheck(dtype, [[4, 5]], 5, 'Reverse', (rt, [x]) => rt.run('Reverse', [x!], { axes: [-1, 0] }), ([x]) => [refReverse(x!, [4, 5], [1, 0])]);
      await gpuCheck(dtype, [[2, 3], [2, 0], [2, 5]], 6, 'Concat', (rt, xs) => rt.run('Concat', xs, { axis: 1 }), (xs) => [refConcat(xs, [[2, 3], [2, 0], [2, 5]], 1)]);
      await gpuCheck(dtype, [[7, 2]], 7, 'Split', (rt, [x]) => rt.run('Split', [x!], { split: [3, 0, 4] }), ([x]) => refSplit(x!, [7, 2], 0, [3, 0, 4]));
      for (const mode of ['constant', 'reflect', 'edge', 'wrap'] as const) {
        const pads = [2, -1, 1, 3];
        const fill = dtype === 'float32' ? 0x40400000 : 3;
        await gpuCheck(dtype, [[4, 5]], 8, `Pad ${mode}`, (rt, [x]) => rt.run('Pad', [x!], { pads, mode, value: 3 }), ([x]) => [refPad(x!, [4, 5], pads, mode, fill)]);
      }
      const c = Uint8Array.from({ length: 15 }, (_, i) => (i * 7) % 3 === 0 ? 0 : i % 2 ? 1 : 9);
      const xs = [randomData(dtype, 5, 9), randomData(dtype, 3 * 5, 10)];
      const want = refWhere(c, [3, 5], bits(xs[0]!), [5], bits(xs[1]!), [1, 3, 5]);
      const ts = [gpu.tensor(c, [3, 5], 'bool'), gpu.tensor(xs[0]!, [5], dtype), gpu.tensor(xs[1]!, [1, 3, 5], dtype)];
      const [o] = gpu.run('Where', ts);
      expect(o!.shape).toEqual(want.shape);
      expect(bytesOf(await o!.data())).toEqual(bytesOf(want.data));
      [...ts, o!].forEach((t) => t.dispose());
    }
  });

  it('bool, uint8, int8 and float16 (packed words): moves that write their output whole', async (ctx) => {
    if (!gpu) return ctx.skip();
    for (const dtype of ['bool', 'uint8', 'int8', 'float16'] as const) {
      await gpuCheck(dtype, [[3, 5, 7]], 11, 'Transpose', (rt, [x]) => rt.run('Transpose', [x!], { perm: [2, 0, 1] }), ([x]) => [refTranspose(x!, [3, 5, 7], [2, 0, 1])]);
      const sl = { starts: [-1, 1], ends: [-(2 ** 31), 9], axes: [0, 2], steps: [-2, 3] };
      await gpuCheck(dtype, [[5, 3, 9]], 12, 'Slice', (rt, [x]) => rt.run('Slice', [x!], sl), ([x]) => [refSlice(x!, [5, 3, 9], sl.starts, sl.ends, sl.axes, sl.steps)]);
      await gpuCheck(dtype, [[3, 1]], 13, 'Expand', (rt, [x]) => rt.run('Expand', [x!], { shape: [2, 3, 5] }), ([x]) => [refExpand(x!, [3, 1], [2, 3, 5])]);
      await gpuCheck(dtype, [[3, 3]], 14, 'Tile', (rt, [x]) => rt.run('Tile', [x!], { repeats: [3, 1] }), ([x]) => [refTile(x!, [3, 3], [3, 1])]);
      await gpuCheck(dtype, [[5, 3]], 15, 'Reverse', (rt, [x]) => rt.run('Reverse', [x!], { axes: [0, 1] }), ([x]) => [refReverse(x!, [5, 3], [0, 1])]);
      await gpuCheck(dtype, [[7, 3]], 16, 'Split', (rt, [x]) => rt.run('Split', [x!], { split: [3, 0, 4] }), ([x]) => refSplit(x!, [7, 3], 0, [3, 0, 4]));
      await gpuCheck(dtype, [[]], 17, 'Transpose scalar', (rt, [x]) => rt.run('Transpose', [x!]), ([x]) => [refTranspose(x!, [])]);
    }
  });

  it('Gather has no WebGPU twin: tensors on WebGPU get a DeviceError, never a silent 0 for a bad index', async (ctx) => {
    if (!gpu) return ctx.skip();
    const rt = gpu;
    const x = rt.tensor(Float32Array.of(1, 2, 3), [3]);
    const i = rt.tensor(Int32Array.of(2, 3), [2], 'int32');
    expect(() => rt.run('Gather', [x, i])).toThrow(DeviceError);
    expect(() => rt.run('Gather', [x, i])).toThrow(/Gather.*on webgpu.*runs on wasm/);
    [x, i].forEach((t) => t.dispose());
  });

  it('Cast between float32, int32 and bool; other targets are a typed error', async (ctx) => {
    if (!gpu) return ctx.skip();
    const r = prng(3);
    const n = 1001;
    const inputs: Record<'float32' | 'int32' | 'bool', Arr> = {
      float32: Float32Array.from({ length: n }, (_, i) => [NaN, -NaN, Infinity, -Infinity, 0, -0, 2.5, -2.5, 2 ** 31, -(2 ** 31), 2 ** 31 - 128, 1e-40][i] ?? (r() - 0.5) * 2 ** ((r() * 40) | 0)),
      int32: Int32Array.from({ length: n }, (_, i) => [0, 1, -1, 2 ** 24 + 1, 2 ** 31 - 1, -(2 ** 31), 16777219][i] ?? ((r() - 0.5) * 2 ** 32) | 0),
      bool: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1)),
    };
    for (const from of ['float32', 'int32', 'bool'] as const) {
      for (const to of ['float32', 'int32', 'bool'] as const) {
        const x = inputs[from];
        const t = gpu.tensor(x, [n], from);
        const [y] = gpu.run('Cast', [t], { to });
        expect(y!.device).toBe('webgpu');
        const got = (await y!.data()) as unknown as number[];
        for (let i = 0; i < n; i++) {
          const w = from === to ? x[i]! : refCastElement(from, to, x[i]!);
          if (!sameCast(to, got[i]!, w)) throw new Error(`WebGPU Cast ${from}→${to}: element ${i} = ${String(x[i])} gave ${got[i]}, want ${String(w)}`);
        }
        [t, y!].forEach((u) => u.dispose());
      }
    }
    const t = gpu.tensor(new Float32Array(3), [3]);
    expect(() => gpu!.run('Cast', [t], { to: 'float16' })).toThrow(/Cast: float32→float16 has no WebGPU kernel/);
    t.dispose();
  });
});
