/**
 * GridSample (family `grid-sample`) against the float64 reference in tests/reference/grid-sample.ts,
 * every mode × padding × align_corners, 2-D and 3-D, size-1 dims, grid values inside, on and past the
 * edges (reflection folds several times), NaN/±Inf in the grid and in X.
 *
 * Tolerance: the pixel coordinates are computed identically (float32 steps) on both sides, so the
 * taps agree; what differs is the weights, which the kernel computes in float32, and its float32 sum.
 * The sum of up to 16 products costs ≤ ~(16 + 3)·2^-24 of Σ|w·v| (bound used: 64·2^-24·Σ|w·v|). A
 * weight's own error is absolute, not relative: linear's 1 − t is one rounding (≤ 2^-24), a product of
 * three such ≤ 4·2^-24; cubic's Horner polynomials pass through terms up to ~10 before cancelling to a
 * small weight, ~6 roundings of ≤ 10·2^-24 each, times up to ~2.5 for the product of two weights:
 * ≤ 160·2^-24 per tap. So the bound is 64·2^-24·Σ|w·v| + (0, 4 or 160)·2^-24·Σ|v| (nearest, linear,
 * cubic). wasm at threads 1 and 2 must be bit-identical; WebGPU is held to the same bound (its float32
 * coordinate may differ by an FMA rounding, which moves a weight by ~2^-24·|u|: the WebGPU cases keep
 * |u| small, and nearest there avoids exact .5 ties).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, DTypeError, ShapeError } from '../core/errors.js';
import type { Runtime } from '../core/runtime.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refGridSample, type Mode, type Padding } from './reference/grid-sample.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

const TOL = 64 * 2 ** -24;
const WEIGHT_ERR: Record<Mode, number> = { nearest: 0, linear: 4 * 2 ** -24, cubic: 160 * 2 ** -24 };

/**
 * X values; `specials` mixes in NaN, ±0, huge and tiny values, and ±Inf unless `finiteOnly`. Random
 * cases use finiteOnly: an X of ±Inf meets a tap weight that is exactly 0 in the float64 reference
 * but ~1e-8 in the kernel's float32 coordinates (or the reverse), turning Inf·0 = NaN into ±Inf
 * (seed 1208101665: cubic reflection [1,3,2,9]). The fixed-seed cases keep the infinities.
 */
function values(n: number, seed: number, specials: boolean, finiteOnly = false): Float32Array {
  const r = prng(seed);
  const S = finiteOnly ? [NaN, 0, -0, 1e30, -1e-30] : [NaN, Infinity, -Infinity, 0, -0, 1e30, -1e-30];
  return Float32Array.from({ length: n }, () => (specials && r() < 0.04 ? S[Math.floor(r() * S.length)]! : (r() - 0.5) * 8));
}

/** Grid values: mostly in [-1.4, 1.4], some exactly on -1/0/1, some far out (reflection folds), specials when asked. */
function gridValues(n: number, seed: number, far: boolean, specials: boolean): Float32Array {
  const r = prng(seed);
  const S = [NaN, Infinity, -Infinity];
  return Float32Array.from({ length: n }, () => {
    const q = r();
    if (specials && q < 0.03) return S[Math.floor(r() * S.length)]!;
    if (q < 0.15) return [-1, 0, 1, -0.5, 0.5][Math.floor(r() * 5)]!;
    if (far && q < 0.3) return (r() - 0.5) * 14;
    return (r() - 0.5) * 2.8;
  });
}

function check(got: Float32Array, want: { data: Float64Array; mag: Float64Array; vmag: Float64Array }, mode: Mode, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.data.length);
  for (let i = 0; i < got.length; i++) {
    const [g, e] = [got[i]!, want.data[i]!];
    const bound = TOL * want.mag[i]! + WEIGHT_ERR[mode] * want.vmag[i]! + 1e-37;
    if (Number.isNaN(e) ? Number.isNaN(g) : !Number.isFinite(e) ? g === e : Math.abs(g - e) <= bound) continue;
    throw new Error(`${what}: element ${i} is ${g}, want ${e} (bound ${bound})`);
  }
}

interface Case {
  xShape: number[];
  gShape: number[];
  mode: Mode;
  pad: Padding;
  align: boolean;
  seed: number;
}

function run(rt: Runtime, c: Case, x: Float32Array, grid: Float32Array): Promise<Float32Array> | Float32Array {
  const tx = rt.tensor(x, c.xShape);
  const tg = rt.tensor(grid, c.gShape);
  const [y] = rt.run('GridSample', [tx, tg], { mode: c.mode, paddingMode: c.pad, alignCorners: c.align });
  const done = (d: Float32Array) => {
    [tx, tg, y!].forEach((t) => t.dispose());
    return d;
  };
  if (rt.info().device === 'webgpu') return y!.data().then((d) => done(d as Float32Array));
  expect(y!.shape).toEqual([c.xShape[0], c.xShape[1], ...c.gShape.slice(1, -1)]);
  return done(y!.dataSync() as Float32Array);
}

const dim = fc.constantFrom(1, 1, 2, 3, 4, 5, 7, 9);
const caseArb: fc.Arbitrary<Case> = fc
  .record({ dims: fc.constantFrom(2, 2, 3), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), sp: fc.array(dim, { minLength: 3, maxLength: 3 }), out: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }), mode: fc.constantFrom<Mode>('nearest', 'linear', 'cubic'), pad: fc.constantFrom<Padding>('zeros', 'border', 'reflection'), align: fc.boolean(), seed: fc.nat() })
  .map((r) => {
    const d = r.dims;
    const mode = d === 3 && r.mode === 'cubic' ? 'linear' : r.mode;
    return { xShape: [r.N, r.C, ...r.sp.slice(0, d)], gShape: [r.N, ...r.out.slice(0, d), d], mode, pad: r.pad, align: r.align, seed: r.seed };
  });

describe('GridSample on wasm', () => {
  it('matches the reference for every mode, padding and alignment, 2-D and 3-D, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const x = values(sizeOf(c.xShape), c.seed, true, true);
        const grid = gridValues(sizeOf(c.gShape), c.seed + 1, true, true);
        const want = refGridSample(x, c.xShape, grid, c.gShape, c.mode, c.pad, c.align);
        const a = run(rt1, c, x, grid) as Float32Array;
        const b = run(rt2, c, x, grid) as Float32Array;
        const what = `GridSample ${c.mode} ${c.pad} align=${c.align} X [${c.xShape}] grid [${c.gShape}] seed ${c.seed}`;
        check(a, want, c.mode, what);
        expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer)), `${what}: threads 2 differs from threads 1`).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('splits points and images across threads on a large case, bit-identical to one thread', () => {
    for (const mode of ['linear', 'cubic', 'nearest'] as const) {
      const c: Case = { xShape: [2, 8, 61, 67], gShape: [2, 97, 95, 2], mode, pad: 'reflection', align: false, seed: 3 };
      const x = values(sizeOf(c.xShape), 1, false);
      const grid = gridValues(sizeOf(c.gShape), 2, true, false);
      const a = run(rt1, c, x, grid) as Float32Array;
      const b = run(rt2, c, x, grid) as Float32Array;
      check(a, refGridSample(x, c.xShape, grid, c.gShape, mode, 'reflection', false), mode, `GridSample ${mode} large`);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
  });

  it('gives NaN for a NaN coordinate, clamps ±Inf with border padding, and 0 outside a zero-padded image', () => {
    const x = rt1.tensor(Float32Array.of(1, 2, 3, 4), [1, 1, 2, 2]);
    const g = rt1.tensor(Float32Array.of(NaN, 0, Infinity, 0, -5, -5), [1, 1, 3, 2]);
    const out = (pad: Padding) => {
      const [y] = rt1.run('GridSample', [x, g], { paddingMode: pad, alignCorners: true });
      const d = Array.from(y!.dataSync() as Float32Array);
      y!.dispose();
      return d;
    };
    expect(out('zeros').map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(['NaN', 'NaN', 0]);
    expect(out('border')).toEqual([NaN, 3, 1]);
    [x, g].forEach((t) => t.dispose());
  });

  it('rejects bad shapes, attributes and dtypes with typed errors naming the op and the shapes', () => {
    const x = rt1.tensor(new Float32Array(4), [1, 1, 2, 2]);
    const g3 = rt1.tensor(new Float32Array(3), [1, 1, 1, 3]);
    const x5 = rt1.tensor(new Float32Array(8), [1, 1, 2, 2, 2]);
    const g5 = rt1.tensor(new Float32Array(3), [1, 1, 1, 1, 3]);
    const gi = rt1.tensor(new Int32Array(2), [1, 1, 1, 2], 'int32');
    const g2 = rt1.tensor(new Float32Array(4), [2, 1, 1, 2]);
    const g1 = rt1.tensor(new Float32Array(2), [1, 1, 1, 2]);
    expect(() => rt1.run('GridSample', [x, g3])).toThrow(ShapeError);
    expect(() => rt1.run('GridSample', [x, g3])).toThrow(/GridSample: grid must be \[N, Ho, Wo, 2\] with X's N \(X \[1,1,2,2\], grid \[1,1,1,3\]\)/);
    expect(() => rt1.run('GridSample', [x, g2])).toThrow(/X's N/);
    expect(() => rt1.run('GridSample', [x5, g5], { mode: 'cubic' })).toThrow(AttributeError);
    expect(() => rt1.run('GridSample', [x, g1], { mode: 'bilinear' as never })).toThrow(/GridSample: mode must be one of linear, nearest, cubic/);
    expect(() => rt1.run('GridSample', [x, g1], { paddingMode: 'edge' as never })).toThrow(AttributeError);
    expect(() => rt1.run('GridSample', [x, gi])).toThrow(DTypeError);
    [x, g3, x5, g5, gi, g2, g1].forEach((t) => t.dispose());
  });
});

describe('GridSample on WebGPU', () => {
  it('matches the reference for every mode, padding and alignment, 2-D and 3-D', async (ctx) => {
    if (!gpu) return ctx.skip();
    let seed = 11;
    for (const dims of [2, 3]) {
      for (const mode of ['nearest', 'linear', 'cubic'] as const) {
        if (dims === 3 && mode === 'cubic') continue;
        for (const pad of ['zeros', 'border', 'reflection'] as const) {
          for (const align of [false, true]) {
            const c: Case = dims === 2 ? { xShape: [2, 3, 5, 7], gShape: [2, 4, 6, 2], mode, pad, align, seed } : { xShape: [1, 2, 3, 4, 5], gShape: [1, 2, 3, 4, 3], mode, pad, align, seed };
            const x = values(sizeOf(c.xShape), seed++, true);
            // random coordinates only (no exact .5 ties for nearest), some past the edges
            const r = prng(seed++);
            const grid = Float32Array.from({ length: sizeOf(c.gShape) }, () => (r() - 0.5) * 3.2);
            grid[0] = NaN;
            const got = await run(gpu, c, x, grid);
            check(got, refGridSample(x, c.xShape, grid, c.gShape, mode, pad, align), mode, `GridSample webgpu ${dims}-D ${mode} ${pad} align=${align}`);
          }
        }
      }
    }
  });
});
