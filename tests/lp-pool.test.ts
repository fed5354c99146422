/**
 * LpPool (family `lp-pool`) against the float64 reference in tests/reference/lp-pool.ts: p = 1 to 4,
 * 1-D to 3-D windows with strides, pads, dilations, auto_pad and ceil_mode, size-1 dims, NaN/±Inf.
 *
 * Tolerance: every term |x|^p is ≥ 0, so the float32 sum of k terms, each with p − 1 roundings, is
 * within (k + p)·2^-24 of the exact sum relatively; the p-th root divides that relative error by p and
 * adds its own rounding (sqrt exact, pow ≤ 0.5 ulp). The root's exponent is f32(1/p), as onnxruntime's
 * powf(s, 1.0f / p): that moves the result by |ln s|·|1/p − f32(1/p)| relatively, which grows for sums
 * far from 1. Bound: ((k + p)/p + 2)·2^-24 + |ln s|·|1/p − f32(1/p)| relative.
 * Threads 1 and 2 must be bit-identical. WebGPU takes the root as exp2(log2(s)/p) (WGSL leaves its
 * accuracy to the implementation; a few ulps on SwiftShader): 16·2^-24 more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, DTypeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refLpPool, type LpGeometry } from './reference/lp-pool.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function values(n: number, seed: number, specials: boolean): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (specials && r() < 0.02 ? [NaN, Infinity, -Infinity, 0][Math.floor(r() * 4)]! : (r() - 0.5) * 6));
}

function attrsOf(g: LpGeometry, p: number) {
  return { kernelShape: g.kernel, p, ...(g.strides ? { strides: g.strides } : {}), ...(g.pads ? { pads: g.pads } : {}), ...(g.dilations ? { dilations: g.dilations } : {}), autoPad: g.autoPad ?? 'NOTSET', ceilMode: !!g.ceilMode };
}

function check(shape: number[], g: LpGeometry, p: number, seed: number, specials = true): void {
  const x = values(sizeOf(shape), seed, specials);
  const want = refLpPool(x, shape, g, p);
  const k = sizeOf(g.kernel);
  const expErr = Math.abs(1 / p - Math.fround(1 / p));
  const rtolOf = (e: number) => ((k + p) / p + 2) * 2 ** -24 + (e > 0 ? p * Math.abs(Math.log(e)) * expErr : 0);
  const got = [rt1, rt2].map((rt) => {
    const t = rt.tensor(x, shape);
    const [y] = rt.run('LpPool', [t], attrsOf(g, p));
    expect(y!.shape).toEqual(want.shape);
    const d = y!.dataSync() as Float32Array;
    [t, y!].forEach((v) => v.dispose());
    return d;
  });
  const what = `LpPool p=${p} X [${shape}] ${JSON.stringify(g)} seed ${seed}`;
  got[0]!.forEach((v, i) => {
    const e = want.data[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(v) : !Number.isFinite(e) ? v === e : Math.abs(v - e) <= rtolOf(e) * Math.abs(e) + 1e-38;
    if (!ok) throw new Error(`${what}: element ${i} is ${v}, want ${e}`);
  });
  expect(Buffer.from(got[1]!.buffer).equals(Buffer.from(got[0]!.buffer)), `${what}: threads 2 differs`).toBe(true);
}

const caseArb = fc.record({
  r: fc.integer({ min: 1, max: 3 }),
  sp: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
  k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  autoPad: fc.constantFrom('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
  ceil: fc.boolean(),
  p: fc.integer({ min: 1, max: 4 }),
  nc: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 })),
  seed: fc.nat(),
});

/** MaxPool's Indices (onnxruntime): per window the first strictly largest element above the lowest finite float, -1 if none. */
function refIndices(x: Float32Array, shape: number[], g: LpGeometry, order: number): number[] {
  // 2-D explicit pads only (what the test below uses)
  const [N, C, H, W] = shape as [number, number, number, number];
  const [kh, kw] = g.kernel as [number, number];
  const [sh, sw] = g.strides ?? [1, 1];
  const [pt, pl, pb, pr] = g.pads ?? [0, 0, 0, 0];
  const OH = Math.floor((H + pt! + pb! - kh) / sh!) + 1;
  const OW = Math.floor((W + pl! + pr! - kw) / sw!) + 1;
  const out: number[] = [];
  for (let img = 0; img < N * C; img++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -3.4028234663852886e38;
        let idx = -1;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const h = oh * sh! - pt! + a;
            const w = ow * sw! - pl! + b;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const v = x[(img * H + h) * W + w]!;
            if (v > best) {
              best = v;
              idx = img * H * W + (order ? h + w * H : h * W + w);
            }
          }
        }
        out.push(idx);
      }
    }
  }
  return out;
}

describe('MaxPoolWithIndices on wasm', () => {
  it('matches the reference (both storage orders, pads, strides, ties, NaN, all -Inf windows), threads 1 and 2', () => {
    const shape = [2, 3, 9, 8];
    const r = prng(12);
    const x = Float32Array.from({ length: 2 * 3 * 9 * 8 }, () => (r() < 0.05 ? NaN : r() < 0.1 ? -Infinity : Math.floor(r() * 5)));
    x.fill(-Infinity, 0, 20);
    for (const order of [0, 1]) {
      const g: LpGeometry = { kernel: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] };
      const want = refIndices(x, shape, g, order);
      for (const rt of [rt1, rt2]) {
        const t = rt.tensor(x, shape);
        const [y, idx] = rt.run('MaxPoolWithIndices', [t], { kernelShape: g.kernel, strides: g.strides, pads: g.pads, storageOrder: order });
        expect(idx!.dtype).toBe('int64');
        const got = Array.from(idx!.dataSync() as BigInt64Array, Number);
        expect(got, `order ${order} threads ${rt.info().threads}`).toEqual(want);
        // the values: the element at the index, or -FLT_MAX for a window without one
        const toFlat = (k: number) => (order ? Math.floor(k / 72) * 72 + (k % 72 % 9) * 8 + Math.floor((k % 72) / 9) : k);
        expect(Array.from(y!.dataSync() as Float32Array)).toEqual(got.map((k) => (k < 0 ? -3.4028234663852886e38 : x[toFlat(k)]!)));
        [t, y!, idx!].forEach((v) => v.dispose());
      }
    }
    const t = rt1.tensor(x, shape);
    expect(() => rt1.run('MaxPoolWithIndices', [t], { kernelShape: [2, 2], storageOrder: 2 })).toThrow(AttributeError);
    t.dispose();
  });
});

describe('LpPool on wasm', () => {
  it('matches the reference for p 1..4 and every window geometry, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const kernel = c.k.slice(0, c.r);
        const sp = c.sp.slice(0, c.r).map((n, i) => Math.max(n, (kernel[i]! - 1) * c.d[i]! + 1));
        const pads = [...c.pads.slice(0, c.r), ...c.pads.slice(3, 3 + c.r)].map((v, i) => Math.min(v, kernel[i % c.r]! - 1));
        const g: LpGeometry = { kernel, strides: c.s.slice(0, c.r), dilations: c.d.slice(0, c.r), autoPad: c.autoPad as LpGeometry['autoPad'], ceilMode: c.ceil && c.autoPad === 'NOTSET', ...(c.autoPad === 'NOTSET' ? { pads } : {}) };
        check([...c.nc, ...sp], g, c.p, c.seed);
      }),
      { numRuns: 150 },
    );
  });

  it('splits a large case across threads bit-identically, every root path (p = 1, 2, 3)', () => {
    for (const p of [1, 2, 3]) check([2, 5, 67, 71], { kernel: [3, 3], strides: [1, 2], pads: [1, 1, 1, 1] }, p, 7 + p, false);
  });

  it('rejects a bad p, dtype and window with typed errors naming LpPool and the shape', () => {
    const x = rt1.tensor(new Float32Array(16), [1, 1, 4, 4]);
    expect(() => rt1.run('LpPool', [x], { kernelShape: [2, 2], p: 0 })).toThrow(AttributeError);
    expect(() => rt1.run('LpPool', [x], { kernelShape: [2, 2], p: 1.5 })).toThrow(/LpPool: p must be a positive integer, got 1.5 \(X \[1,1,4,4\]\)/);
    expect(() => rt1.run('LpPool', [x], { kernelShape: [5, 5] })).toThrow(ShapeError);
    expect(() => rt1.run('LpPool', [x], { kernelShape: [5, 5] })).toThrow(/^LpPool: /);
    const i = rt1.tensor(new Int32Array(4), [1, 1, 2, 2], 'int32');
    expect(() => rt1.run('LpPool', [i], { kernelShape: [2, 2] })).toThrow(DTypeError);
    [x, i].forEach((t) => t.dispose());
  });
});

describe('LpPool on WebGPU', () => {
  it('matches the reference for p 1..4, 1-D to 3-D windows', async (ctx) => {
    if (!gpu) return ctx.skip();
    const cases: [number[], LpGeometry][] = [
      [[2, 3, 9, 8], { kernel: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] }],
      [[1, 2, 17], { kernel: [4], dilations: [2], autoPad: 'SAME_UPPER' }],
      [[1, 2, 5, 6, 7], { kernel: [2, 2, 3], strides: [1, 2, 2], ceilMode: true }],
    ];
    let seed = 40;
    for (const [shape, g] of cases) {
      for (const p of [1, 2, 3, 4]) {
        const x = values(shape.reduce((a, b) => a * b, 1), seed++, true);
        const want = refLpPool(x, shape, g, p);
        const t = gpu.tensor(x, shape);
        const [y] = gpu.run('LpPool', [t], attrsOf(g, p));
        expect(y!.device).toBe('webgpu');
        const got = (await y!.data()) as Float32Array;
        const expErr = Math.abs(1 / p - Math.fround(1 / p));
        got.forEach((v, i) => {
          const e = want.data[i]!;
          const rtol = ((g.kernel.reduce((a, b) => a * b, 1) + p) / p + 2 + 16) * 2 ** -24 + (e > 0 ? p * Math.abs(Math.log(e)) * expErr : 0);
          const ok = Number.isNaN(e) ? Number.isNaN(v) : !Number.isFinite(e) ? v === e : Math.abs(v - e) <= rtol * Math.abs(e) + 1e-38;
          if (!ok) throw new Error(`LpPool webgpu p=${p} [${shape}]: element ${i} is ${v}, want ${e}`);
        });
        [t, y!].forEach((v) => v.dispose());
      }
    }
  });
});
