/**
 * The quantised ops (family `quant`): QuantizeLinear / DequantizeLinear (per-tensor, per-axis and
 * blocked, every quantised dtype), DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger
 * and QLinearConv, against the exact references in tests/reference/quant.ts, on wasm at 1 and 2
 * threads. Tolerance: none. Integer results are exact, and every float32 step is rounded the same
 * way in the reference (see its header), so every comparison is exact equality, which also makes
 * 1 and 2 threads bit-identical. Sizes are chosen so that the 2-thread runtime really splits work
 * (≥ 2× each kernel's minPerThread) as well as odd sizes, size 0 and size 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../core/dtype.js';
import { TwinopsError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { QRANGE, convIntegerRef, scaleIndex, dequantizeRef, dynamicQuantizeRef, matmulIntegerRef, quantizeRef, requantRef } from './reference/quant.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';
import '../wasm-kernels/index.js';

useRuntimes();

const QTYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4'] as const;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

async function read(t: Tensor): Promise<number[]> {
  const d = await t.data();
  t.dispose();
  return Array.from(d as ArrayLike<number>, Number);
}

/** Random float32 values around ±range·scale, with exact ties (k + 0.5)·scale, NaN and ±Inf mixed in. */
function floats(n: number, seed: number, scale: number, range: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.01) return NaN;
    if (u < 0.02) return r() < 0.5 ? Infinity : -Infinity;
    if (u < 0.3) return (Math.floor((r() * 2 - 1) * range) + 0.5) * scale;
    return (r() * 2 - 1) * range * scale;
  });
}

function ints(n: number, seed: number, lo: number, hi: number): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

/** A layout case: x shape, scale shape, axis, blockSize. */
interface Layout {
  x: number[];
  s: number[];
  axis: number;
  block: number;
}

/** Every path (16-wide, 4-wide and scalar tails; splat and stepped scales) on small sizes. */
const SMALL: Layout[] = [
  { x: [0], s: [], axis: 1, block: 0 },
  { x: [1], s: [1], axis: 1, block: 0 },
  { x: [7], s: [], axis: 1, block: 0 },
  { x: [1003], s: [], axis: 1, block: 0 },
  { x: [3, 5, 7], s: [5], axis: 1, block: 0 },
  { x: [5, 3, 67], s: [3], axis: 1, block: 0 },
  { x: [9, 13], s: [13], axis: 1, block: 0 },
  { x: [2, 7, 6], s: [2, 3, 6], axis: 1, block: 3 },
  { x: [3, 10], s: [3, 4], axis: 1, block: 3 },
  { x: [4, 9, 1], s: [4, 5, 1], axis: 1, block: 2 },
];
/** Sizes at which the 2-thread runtime splits each layout (≥ 2 × 64k elements). */
const LARGE: Layout[] = [
  { x: [4096 * 33 + 13], s: [], axis: 1, block: 0 },
  { x: [96, 3, 515], s: [3], axis: -2, block: 0 },
  { x: [11000, 13], s: [13], axis: -1, block: 0 },
  { x: [64, 300, 7], s: [64, 75, 7], axis: 1, block: 4 },
];
const LAYOUTS = [...SMALL, ...LARGE];
/** The launcher's thread split does not depend on the dtype: the large layouts run for 8-bit types and int32. */
const layoutsFor = (dt: string) => (dt === 'uint8' || dt === 'int8' || dt === 'int32' ? LAYOUTS : SMALL);

function scaleOf(n: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => Math.fround(0.01 + r() * 0.5));
}

describe('QuantizeLinear', () => {
  for (const dt of QTYPES) {
    it(`${dt}: per-tensor, per-axis, blocked; ties, NaN, ±Inf, saturation; 1 and 2 threads`, async () => {
      const [lo, hi] = QRANGE[dt]!;
      for (const [k, L] of layoutsFor(dt).entries()) {
        const n = size(L.x);
        const ns = Math.max(1, size(L.s));
        const s = scaleOf(ns, k);
        const x = floats(n, 100 + k, s[0]!, (hi - lo) * 0.7);
        const z = ints(ns, 200 + k, lo, hi);
        for (const withZp of [true, false]) {
          const attrs = { axis: L.axis, blockSize: L.block, ...(withZp ? {} : { outputDtype: dt }) };
          const want = quantizeRef(x, L.x, s, L.s, withZp ? z : undefined, dt, L.axis, L.block);
          const ctx = `${dt} x ${JSON.stringify(L.x)} scale ${JSON.stringify(L.s)} axis ${L.axis} block ${L.block} zp ${withZp}`;
          for (const rt of [rt1, rt2]) {
            const ins = [rt.tensor(x, L.x), rt.tensor(s, L.s)];
            if (withZp) ins.push(rt.tensor(z, L.s, dt));
            const [y] = rt.run('QuantizeLinear', ins, attrs);
            expect(y!.dtype).toBe(dt);
            expect(await read(y!), ctx).toEqual(want);
            for (const t of ins) t.dispose();
          }
        }
      }
    });
  }

  it('defaults to uint8 without a zero point', async () => {
    const [y] = rt1.run('QuantizeLinear', [rt1.tensor(new Float32Array([-1, 0.5, 1.5, 2.5, 300]), [5]), rt1.tensor(new Float32Array([1]), [])]);
    expect(y!.dtype).toBe('uint8');
    expect(await read(y!)).toEqual([0, 0, 2, 2, 255]);
  });

  it('fast-check: random shapes, axes and per-axis scales agree with the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.constantFrom(...QTYPES),
        fc.nat(),
        async (shape, axisSeed, dt, seed) => {
          const axis = axisSeed % shape.length;
          const [lo, hi] = QRANGE[dt]!;
          const s = scaleOf(shape[axis]!, seed);
          const z = ints(shape[axis]!, seed + 1, lo, hi);
          const x = floats(size(shape), seed + 2, 0.3, hi - lo);
          const want = quantizeRef(x, shape, s, [shape[axis]!], z, dt, axis, 0);
          const [y] = rt2.run('QuantizeLinear', [rt2.tensor(x, shape), rt2.tensor(s, [shape[axis]!]), rt2.tensor(z, [shape[axis]!], dt)], { axis });
          expect(await read(y!)).toEqual(want);
        },
      ),
      { numRuns: 60, seed: 4 },
    );
  });
});

describe('DequantizeLinear', () => {
  for (const dt of [...QTYPES, 'int32'] as const) {
    it(`${dt}: per-tensor, per-axis, blocked; 1 and 2 threads`, async () => {
      const [lo, hi] = dt === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : QRANGE[dt]!;
      for (const [k, L] of layoutsFor(dt).entries()) {
        const n = size(L.x);
        const ns = Math.max(1, size(L.s));
        const s = scaleOf(ns, k);
        const x = ints(n, 300 + k, lo, hi);
        // an int32 zero point must be 0 (ONNX); the others take any value of their type
        const z = dt === 'int32' ? new Array<number>(ns).fill(0) : ints(ns, 400 + k, lo, hi);
        for (const withZp of [true, false]) {
          const want = dequantizeRef(x, L.x, s, L.s, withZp ? z : undefined, L.axis, L.block);
          const ctx = `${dt} x ${JSON.stringify(L.x)} scale ${JSON.stringify(L.s)} axis ${L.axis} block ${L.block} zp ${withZp}`;
          for (const rt of [rt1, rt2]) {
            const ins = [rt.tensor(x, L.x, dt), rt.tensor(s, L.s)];
            if (withZp) ins.push(rt.tensor(z, L.s, dt));
            const [y] = rt.run('DequantizeLinear', ins, { axis: L.axis, blockSize: L.block });
            expect(y!.dtype).toBe('float32');
            expect(await read(y!), ctx).toEqual(want);
            for (const t of ins) t.dispose();
          }
        }
      }
    });
  }
});

/**
 * WebGPU: WGSL allows f32 division 2.5 ulp of error, so where x / scale lies within 3 ulp of a
 * half-integer the other rounding (one step away, before saturation) is accepted too; an int32
 * dequantisation may round its input (> 2^24) either way (WGSL leaves i32 → f32 rounding open), so
 * it may be off by ulp(x)·scale, checked as 1 ulp of the float32 input times the scale.
 */
describe.skipIf(!hasGpu)('WebGPU twins', () => {
  const ulp = (v: number) => {
    const a = Math.abs(Math.fround(v));
    if (a === 0 || !Number.isFinite(a)) return 0;
    return 2 ** (Math.floor(Math.log2(a)) - 23);
  };
  for (const dt of ['uint8', 'int8'] as const) {
    it(`QuantizeLinear → ${dt} and DequantizeLinear ${dt}: every layout`, async () => {
      const [lo, hi] = QRANGE[dt]!;
      for (const [k, L] of [...SMALL, LARGE[3]!].entries()) {
        const n = size(L.x);
        const ns = Math.max(1, size(L.s));
        const s = scaleOf(ns, k);
        const x = floats(n, 100 + k, s[0]!, (hi - lo) * 0.7);
        const z = ints(ns, 200 + k, lo, hi);
        const idx = scaleIndex(L.x, L.s, L.axis, L.block);
        for (const withZp of [true, false]) {
          const ins = [gpu!.tensor(x, L.x), gpu!.tensor(s, L.s)];
          if (withZp) ins.push(gpu!.tensor(z, L.s, dt));
          const [y] = gpu!.run('QuantizeLinear', ins, { axis: L.axis, blockSize: L.block, outputDtype: dt });
          expect(y!.device).toBe('webgpu');
          const got = await read(y!);
          const want = quantizeRef(x, L.x, s, L.s, withZp ? z : undefined, dt, L.axis, L.block);
          for (let i = 0; i < n; i++) {
            if (got[i] === want[i]) continue;
            const q = x[i]! / s[idx[i]!]!;
            const nearTie = Math.abs(q - Math.floor(q) - 0.5) <= 3 * ulp(q);
            expect(nearTie && Math.abs(got[i]! - want[i]!) === 1, `${dt} ${JSON.stringify(L)} element ${i}: x ${x[i]} / ${s[idx[i]!]} → ${got[i]}, want ${want[i]}`).toBe(true);
          }
          const q = ints(n, 300 + k, lo, hi);
          const xq = gpu!.tensor(q, L.x, dt);
          const dins = [xq, ins[1]!, ...(withZp ? [ins[2]!] : [])];
          const [d] = gpu!.run('DequantizeLinear', dins, { axis: L.axis, blockSize: L.block });
          expect(await read(d!), `${dt} ${JSON.stringify(L)}`).toEqual(dequantizeRef(q, L.x, s, L.s, withZp ? z : undefined, L.axis, L.block));
          for (const t of [...ins, xq]) t.dispose();
        }
      }
    });
  }

  it('DequantizeLinear int32 (biases), per-axis', async () => {
    const L = { x: [5, 33], s: [33] };
    const q = ints(5 * 33, 5, -(2 ** 31), 2 ** 31 - 1);
    const s = scaleOf(33, 1);
    const want = dequantizeRef(q, L.x, s, L.s, undefined, 1, 0);
    const [d] = gpu!.run('DequantizeLinear', [gpu!.tensor(q, L.x, 'int32'), gpu!.tensor(s, L.s)], { axis: 1 });
    const got = await read(d!);
    got.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}`).toBeLessThanOrEqual(Math.fround(ulp(q[i]!) * s[i % 33]!) + ulp(want[i]!)));
  });
});

/**
 * WebGPU MatMulInteger is exact (integer sums). WebGPU QLinearMatMul computes its multiplier
 * (a·b)/y in the shader, where WGSL allows the division 2.5 ulp of error: the product f32(acc)·mult
 * then carries ≤ ~4 ulp, so an output whose exact product lies within 4 ulp of a half-integer may take
 * the other rounding (one step); every other output is exact.
 */
describe.skipIf(!hasGpu)('WebGPU twins of the integer matmuls', () => {
  const ulp = (v: number) => {
    const a = Math.abs(Math.fround(v));
    return a === 0 || !Number.isFinite(a) ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  };
  it('MatMulInteger and QLinearMatMul, uint8/int8 operands, per-column b, batch broadcasting, float16 scales', async () => {
    for (const ad of I8) {
      for (const bd of I8) {
        for (const [k, c] of MM_CASES.entries()) {
          const base = mmInputs(gpu!, c, ad, bd, 90 + k);
          const zA = c.az === 'none' ? 0 : c.az === 'scalar' ? base.az[0]! : base.az;
          const zB = c.bz === 'none' ? 0 : c.bz === 'scalar' ? base.bz[0]! : base.bz;
          const ref = matmulIntegerRef({ a: base.a, aShape: c.a, b: base.b, bShape: c.b, az: zA, bz: zB });
          const t = base.tensors();
          const ins = c.bz !== 'none' ? [t.a, t.b, c.az === 'none' ? gpu!.tensor([0], [], ad) : t.az, t.bz] : c.az !== 'none' ? [t.a, t.b, t.az] : [t.a, t.b];
          const [y] = gpu!.run('MatMulInteger', ins);
          expect(y!.device).toBe('webgpu');
          expect(await read(y!), `MatMulInteger ${ad} ${bd} ${JSON.stringify(c)}`).toEqual(ref.data);
          if (c.az === 'vector') continue;
          const perCol = c.bz === 'vector';
          const acc = matmulIntegerRef({ a: base.a, aShape: c.a, b: base.b, bShape: c.b, az: base.az[0]!, bz: perCol ? base.bz : base.bz[0]! }).data;
          for (const half of [false, true]) {
            const yd = ad;
            // float16 scales: values exactly representable in half precision
            const sa = half ? 0.015625 : Math.fround(0.02);
            const sb = half ? Array.from(scaleOf(perCol ? base.N : 1, k), (v) => Math.round(v * 1024) / 1024) : Array.from(scaleOf(perCol ? base.N : 1, k));
            const sy = half ? 0.75 : Math.fround(0.9);
            const zy = ints(1, k, ...range8(yd))[0]!;
            const toHalf = (v: number) => {
              const f = new Float32Array([v]);
              const u = new Uint32Array(f.buffer)[0]!;
              const e = ((u >> 23) & 0xff) - 127 + 15;
              return ((u >> 16) & 0x8000) | (e << 10) | ((u >> 13) & 0x3ff);
            };
            const sc = (v: number[], shape: number[]) => (half ? gpu!.tensor(Uint16Array.from(v, toHalf), shape, 'float16') : gpu!.tensor(v, shape));
            const azT = gpu!.tensor([base.az[0]!], [], ad);
            const extra = [sc([sa], []), sc(sb, perCol ? [base.N] : []), sc([sy], []), gpu!.tensor([zy], [], yd)];
            const [q] = gpu!.run('QLinearMatMul', [t.a, extra[0]!, azT, t.b, extra[1]!, t.bz, extra[2]!, extra[3]!]);
            const got = await read(q!);
            acc.forEach((v, i) => {
              const sbi = sb[perCol ? i % base.N : 0]!;
              const want = requantRef(v, sa, sbi, sy, zy, yd);
              if (got[i] === want) return;
              const p = Math.fround(v) * Math.fround(Math.fround(sa * sbi) / sy);
              const nearTie = Math.abs(Math.abs(p - Math.floor(p)) - 0.5) <= 4 * ulp(p);
              expect(nearTie && Math.abs(got[i]! - want) === 1, `QLinearMatMul ${ad} ${bd} half ${half} ${JSON.stringify(c)} element ${i}: ${got[i]} vs ${want}`).toBe(true);
            });
            for (const v of [azT, ...extra]) v.dispose();
          }
          for (const v of Object.values(t)) v.dispose();
        }
      }
    }
  });
});

describe('DynamicQuantizeLinear', () => {
  it('matches the reference on mixed, positive-only, negative-only, zero and long inputs', async () => {
    const r = prng(9);
    const cases: number[][] = [
      [0, 2, -3, -2.5, 1.34, 0.5],
      [1, 2.1, 1.3, 2.5, 3.34, 4, 1.5, 2.6, 3.9, 4, 3, 2.345],
      [-1, -2.1, -1.3, -2.5, -3.34, -4],
      [0, 0, 0],
      [7],
      [],
      Array.from({ length: 4096 * 140 + 3 }, () => (r() - 0.3) * 50),
    ];
    for (const x of cases) {
      const want = dynamicQuantizeRef(Float32Array.from(x));
      for (const rt of [rt1, rt2]) {
        const [y, s, z] = rt.run('DynamicQuantizeLinear', [rt.tensor(Float32Array.from(x), [x.length])]);
        expect(s!.shape).toEqual([]);
        expect(await read(s!)).toEqual([want.scale]);
        expect(await read(z!)).toEqual([want.zeroPoint]);
        expect(await read(y!)).toEqual(want.y);
      }
    }
  });
});

type IntT = 'uint8' | 'int8';
const I8: IntT[] = ['uint8', 'int8'];
const range8 = (d: IntT): [number, number] => (d === 'uint8' ? [0, 255] : [-128, 127]);

interface MMCase {
  a: number[];
  b: number[];
  /** Zero points: 'scalar', 'vector' (per row / per column), or 'none'. */
  az: 'none' | 'scalar' | 'vector';
  bz: 'none' | 'scalar' | 'vector';
}

const MM_CASES: MMCase[] = [
  { a: [4, 3], b: [3, 2], az: 'scalar', bz: 'scalar' },
  { a: [1, 1], b: [1, 1], az: 'none', bz: 'none' },
  { a: [5, 0], b: [0, 7], az: 'scalar', bz: 'scalar' },
  { a: [0, 3], b: [3, 9], az: 'none', bz: 'scalar' },
  { a: [13], b: [13, 9], az: 'scalar', bz: 'vector' },
  { a: [7, 13], b: [13], az: 'vector', bz: 'scalar' },
  { a: [2, 1, 5, 17], b: [3, 17, 33], az: 'vector', bz: 'vector' },
  { a: [3, 9, 8], b: [8, 65], az: 'scalar', bz: 'none' },
  { a: [3, 70], b: [70, 9], az: 'scalar', bz: 'vector' },
  { a: [67, 301], b: [301, 130], az: 'vector', bz: 'vector' },
];

function mmInputs(rt: Rt, c: MMCase, ad: IntT, bd: IntT, seed: number) {
  const [alo, ahi] = range8(ad);
  const [blo, bhi] = range8(bd);
  const a = ints(size(c.a), seed, alo, ahi);
  const b = ints(size(c.b), seed + 1, blo, bhi);
  const M = c.a.length === 1 ? 1 : c.a[c.a.length - 2]!;
  const N = c.b.length === 1 ? 1 : c.b[c.b.length - 1]!;
  const az = c.az === 'vector' ? ints(M, seed + 2, alo, ahi) : ints(1, seed + 2, alo, ahi);
  const bz = c.bz === 'vector' ? ints(N, seed + 3, blo, bhi) : ints(1, seed + 3, blo, bhi);
  return {
    a,
    b,
    az,
    bz,
    M,
    N,
    tensors: () => ({
      a: rt.tensor(a, c.a, ad),
      b: rt.tensor(b, c.b, bd),
      az: rt.tensor(az, c.az === 'vector' ? [M] : [], ad),
      bz: rt.tensor(bz, c.bz === 'vector' ? [N] : [1], bd),
    }),
  };
}

describe('MatMulInteger', () => {
  for (const ad of I8) {
    for (const bd of I8) {
      it(`A ${ad} × B ${bd}: batch broadcasting, 1-D operands, per-row/per-column zero points, K = 0`, async () => {
        for (const [k, c] of MM_CASES.entries()) {
          const base = mmInputs(rt1, c, ad, bd, k);
          const ref = matmulIntegerRef({
            a: base.a,
            aShape: c.a,
            b: base.b,
            bShape: c.b,
            az: c.az === 'none' ? 0 : c.az === 'scalar' ? base.az[0]! : base.az,
            bz: c.bz === 'none' ? 0 : c.bz === 'scalar' ? base.bz[0]! : base.bz,
          });
          for (const rt of [rt1, rt2]) {
            const t = mmInputs(rt, c, ad, bd, k).tensors();
            const ins = c.bz !== 'none' ? [t.a, t.b, c.az === 'none' ? rt.tensor([0], [], ad) : t.az, t.bz] : c.az !== 'none' ? [t.a, t.b, t.az] : [t.a, t.b];
            const [y] = rt.run('MatMulInteger', ins);
            expect(y!.shape, JSON.stringify(c)).toEqual(ref.shape);
            expect(y!.dtype).toBe('int32');
            expect(await read(y!), JSON.stringify(c)).toEqual(ref.data);
            for (const v of Object.values(t)) v.dispose();
          }
        }
      });
    }
  }
});

describe('QLinearMatMul', () => {
  for (const ad of I8) {
    for (const bd of I8) {
      for (const yd of I8) {
        it(`a ${ad}, b ${bd} → ${yd}: per-tensor and per-column b scales, saturation`, async () => {
          for (const [k, c] of MM_CASES.filter((c) => c.az !== 'vector').entries()) {
            const perCol = c.bz === 'vector';
            const base = mmInputs(rt1, c, ad, bd, 50 + k);
            const acc = matmulIntegerRef({ a: base.a, aShape: c.a, b: base.b, bShape: c.b, az: base.az[0]!, bz: perCol ? base.bz : base.bz[0]! });
            const sa = Math.fround(0.02);
            const sb = scaleOf(perCol ? base.N : 1, k);
            const sy = Math.fround(perCol ? 3.7 : 0.9);
            const zy = ints(1, k, ...range8(yd))[0]!;
            const want = acc.data.map((v, i) => requantRef(v, sa, sb[perCol ? i % base.N : 0]!, sy, zy, yd));
            for (const rt of [rt1, rt2]) {
              const t = mmInputs(rt, c, ad, bd, 50 + k).tensors();
              const azT = rt.tensor([base.az[0]!], [], ad);
              const extra = [rt.tensor([sa], []), rt.tensor(sb, perCol ? [base.N] : []), rt.tensor([sy], [1]), rt.tensor([zy], [], yd)];
              const [y] = rt.run('QLinearMatMul', [t.a, extra[0]!, azT, t.b, extra[1]!, t.bz, extra[2]!, extra[3]!]);
              expect(y!.dtype).toBe(yd);
              expect(await read(y!), JSON.stringify(c)).toEqual(want);
              for (const v of [...Object.values(t), azT, ...extra]) v.dispose();
            }
          }
        });
      }
    }
  }
});

interface ConvCase {
  x: number[];
  w: number[];
  group: number;
  strides: number[];
  dilations: number[];
  pads: number[];
  perChannel: boolean;
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 1, 3, 3], w: [2, 1, 2, 2], group: 1, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: true },
  { x: [2, 3, 7, 9], w: [5, 3, 3, 3], group: 1, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1], perChannel: false },
  { x: [1, 4, 6, 5], w: [6, 2, 1, 3], group: 2, strides: [1, 2], dilations: [1, 1], pads: [0, 1, 0, 1], perChannel: true },
  { x: [1, 6, 5, 5], w: [6, 1, 3, 3], group: 6, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: true },
  // depthwise kernel: 8-wide interior columns, depth multiplier 2 with dilation, stride 2, and a size that splits across threads
  { x: [2, 8, 13, 29], w: [8, 1, 3, 3], group: 8, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: true },
  { x: [1, 3, 9, 20], w: [6, 1, 3, 5], group: 3, strides: [1, 1], dilations: [2, 1], pads: [2, 0, 1, 3], perChannel: true },
  { x: [1, 4, 15, 17], w: [4, 1, 3, 3], group: 4, strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: false },
  { x: [1, 4, 11, 45], w: [4, 1, 3, 3], group: 4, strides: [2, 2], dilations: [1, 2], pads: [1, 2, 1, 0], perChannel: true },
  { x: [1, 3, 7, 40], w: [3, 1, 2, 4], group: 3, strides: [1, 3], dilations: [1, 1], pads: [0, 1, 0, 1], perChannel: true },
  { x: [1, 32, 40, 40], w: [32, 1, 3, 3], group: 32, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: true },
  { x: [1, 32, 24, 24], w: [40, 32, 3, 3], group: 1, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], perChannel: true },
];

describe('ConvInteger and QLinearConv', () => {
  for (const xd of I8) {
    for (const wd of I8) {
      it(`x ${xd}, w ${wd}: groups, depthwise, strides, dilations, asymmetric pads, per-channel zero points and scales`, async () => {
        for (const [k, c] of CONV_CASES.entries()) {
          const [xlo, xhi] = range8(xd);
          const [wlo, whi] = range8(wd);
          const M = c.w[0]!;
          const x = ints(size(c.x), 600 + k, xlo, xhi);
          const w = ints(size(c.w), 700 + k, wlo, whi);
          const xz = ints(1, 800 + k, xlo, xhi)[0]!;
          const wz = c.perChannel ? ints(M, 900 + k, wlo, whi) : ints(1, 900 + k, wlo, whi);
          const ref = convIntegerRef({ x, xShape: c.x, w, wShape: c.w, xz, wz: c.perChannel ? wz : wz[0]!, group: c.group, strides: c.strides, dilations: c.dilations, pads: c.pads });
          const attrs = { group: c.group, strides: c.strides, dilations: c.dilations, pads: c.pads };
          const ws = scaleOf(c.perChannel ? M : 1, k);
          const bias = ints(M, 1000 + k, -5000, 5000);
          const sx = Math.fround(0.05);
          const sy = Math.fround(2.5);
          const wzShape = c.perChannel ? [M] : [];
          const oSize = ref.data.length / (c.x[0]! * M);
          for (const yd of I8) {
            const zy = ints(1, k + 3, ...range8(yd))[0]!;
            const want = ref.data.map((v, i) => {
              const m = Math.floor(i / oSize) % M;
              return requantRef(v + bias[m]!, sx, ws[c.perChannel ? m : 0]!, sy, zy, yd);
            });
            for (const rt of [rt1, rt2]) {
              const t = [rt.tensor(x, c.x, xd), rt.tensor([sx], []), rt.tensor([xz], [], xd), rt.tensor(w, c.w, wd), rt.tensor(ws, wzShape), rt.tensor(wz, wzShape, wd), rt.tensor([sy], []), rt.tensor([zy], [], yd), rt.tensor(bias, [M], 'int32')];
              const [y] = rt.run('QLinearConv', t, attrs);
              expect(y!.shape).toEqual(ref.shape);
              expect(await read(y!), `${JSON.stringify(c)} → ${yd}`).toEqual(want);
              const [yi] = rt.run('ConvInteger', [t[0]!, t[3]!, t[2]!, t[5]!], attrs);
              expect(yi!.dtype).toBe('int32');
              expect(await read(yi!), JSON.stringify(c)).toEqual(ref.data);
              for (const v of t) v.dispose();
            }
          }
        }
      });
    }
  }

  it('ConvInteger without zero points, auto_pad SAME_UPPER', async () => {
    const x = ints(2 * 3 * 5 * 4, 1, 0, 255);
    const w = ints(4 * 3 * 2 * 2, 2, 0, 255);
    const ref = convIntegerRef({ x, xShape: [2, 3, 5, 4], w, wShape: [4, 3, 2, 2], xz: 0, wz: 0, group: 1, strides: [2, 2], dilations: [1, 1], pads: [0, 0, 1, 1] });
    const [y] = rt2.run('ConvInteger', [rt2.tensor(x, [2, 3, 5, 4], 'uint8'), rt2.tensor(w, [4, 3, 2, 2], 'uint8')], { strides: [2, 2], autoPad: 'SAME_UPPER' });
    expect(y!.shape).toEqual(ref.shape);
    expect(await read(y!)).toEqual(ref.data);
  });
});

describe('typed errors name the op and the shapes or dtypes', () => {
  const f32 = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)).fill(1), shape);
  const q = (shape: number[], dt: DType = 'uint8') => rt1.tensor(new Array<number>(size(shape)).fill(0), shape, dt);
  const fails = (op: string, ins: Tensor[], attrs: object, code: string, text: RegExp) => {
    let err: unknown;
    try {
      rt1.run(op, ins, attrs);
    } catch (e) {
      err = e;
    }
    expect(err, op).toBeInstanceOf(TwinopsError);
    expect((err as TwinopsError).code).toBe(code);
    expect((err as TwinopsError).message).toMatch(new RegExp(`^${op}: `));
    expect((err as TwinopsError).message).toMatch(text);
  };

  it('QuantizeLinear / DequantizeLinear', () => {
    fails('QuantizeLinear', [f32([2, 3]), f32([4])], {}, 'SHAPE_MISMATCH', /per-axis scale.*x \[2,3\], scale \[4\]/);
    fails('QuantizeLinear', [f32([2, 3]), f32([3]), q([2])], {}, 'SHAPE_MISMATCH', /zero point must have the scale's shape/);
    fails('QuantizeLinear', [f32([2, 4]), f32([2, 3])], { axis: 1, blockSize: 2 }, 'SHAPE_MISMATCH', /blocked scale.*\[2,2\]/);
    fails('QuantizeLinear', [q([3]), f32([])], {}, 'DTYPE', /x has dtype uint8\[3\]/);
    fails('QuantizeLinear', [f32([3]), f32([]), q([], 'int8')], { outputDtype: 'uint8' }, 'DTYPE', /outputDtype uint8 differs.*int8/);
    fails('QuantizeLinear', [f32([3]), f32([]), q([], 'int32')], {}, 'DTYPE', /y_zero_point has dtype int32/);
    fails('QuantizeLinear', [f32([2, 3]), f32([3])], { axis: 5 }, 'ATTRIBUTE', /axis 5/);
    fails('DequantizeLinear', [q([3]), f32([]), q([], 'int8')], {}, 'DTYPE', /zero point's dtype must be x's: x uint8\[3\], zero point int8/);
    fails('DequantizeLinear', [f32([3]), f32([])], {}, 'DTYPE', /x has dtype float32/);
  });

  it('MatMulInteger / QLinearMatMul', () => {
    fails('MatMulInteger', [q([2, 3]), q([4, 5])], {}, 'SHAPE_MISMATCH', /inner dimensions differ: A \[2,3\], B \[4,5\]/);
    fails('MatMulInteger', [q([2, 3]), q([3, 5], 'int32')], {}, 'DTYPE', /B has dtype int32/);
    fails('MatMulInteger', [q([2, 3]), q([3, 5]), q([3])], {}, 'SHAPE_MISMATCH', /a_zero_point \[3\] must be a scalar or 1-D with 2 entries/);
    fails('MatMulInteger', [q([2, 3]), q([3, 5], 'int8'), q([]), q([])], {}, 'DTYPE', /b_zero_point has dtype uint8 but its operand is int8/);
    const s = f32([]);
    fails('QLinearMatMul', [q([2, 3]), s, q([]), q([3, 4]), f32([3]), q([]), s, q([])], {}, 'SHAPE_MISMATCH', /b_scale \[3\] must be a scalar or 1-D with 4 entries/);
    fails('QLinearMatMul', [q([2, 3]), s, q([], 'int8'), q([3, 4]), s, q([]), s, q([])], {}, 'DTYPE', /a_zero_point int8/);
    fails('QLinearMatMul', [q([2, 3]), q([]), q([]), q([3, 4]), s, q([]), s, q([])], {}, 'DTYPE', /a_scale has dtype uint8/);
  });

  it('ConvInteger / QLinearConv', () => {
    fails('ConvInteger', [q([1, 3, 5, 5]), q([2, 4, 3, 3])], {}, 'SHAPE_MISMATCH', /X \[1,3,5,5\], filter \[2,4,3,3\]/);
    fails('ConvInteger', [q([1, 3, 5, 5]), q([2, 3, 3, 3]), q([]), q([3])], {}, 'SHAPE_MISMATCH', /w_zero_point \[3\] must be a scalar or 1-D with 2 entries/);
    const s = f32([]);
    fails('QLinearConv', [q([1, 3, 5, 5]), s, q([]), q([2, 3, 3, 3]), s, q([]), s, q([]), q([3], 'int32')], {}, 'SHAPE_MISMATCH', /B must be int32 \[2\]/);
    fails('QLinearConv', [q([1, 3, 5, 5]), s, q([]), q([2, 3, 3, 3]), s, q([]), s, q([], 'int32')], {}, 'DTYPE', /y_zero_point has dtype int32/);
  });
});
