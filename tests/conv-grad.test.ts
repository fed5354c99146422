/**
 * ConvBackpropFilter (im2col + transposed GEMM, wasm-kernels/conv-grad.ts) against the float64
 * reference (tests/reference/conv-grad.ts): 1-D to 3-D, strides, dilations, pads, groups and
 * depthwise (HWIM) filters, odd sizes, size-0 dims, 1 vs 2 threads bit-identical, typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refConvBackpropFilter, type RefConvGrad } from './reference/conv-grad.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const data = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

interface Case extends RefConvGrad {
  filterLayout: 'HWIO' | 'HWIM';
  pads: number[];
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 3 }).chain((r) =>
  fc
    .record({
      N: fc.integer({ min: 1, max: 3 }),
      G: fc.constantFrom(1, 1, 2, 3),
      Cg: fc.integer({ min: 1, max: 5 }),
      Mg: fc.integer({ min: 1, max: 6 }),
      depthwise: fc.boolean(),
      ins: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: r, maxLength: r }),
      k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
      s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
      d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2 * r, maxLength: 2 * r }),
    })
    .map(({ N, G, Cg, Mg, depthwise, ins, k, s, d, pads }) => {
      const C = depthwise ? G * 2 : G * Cg;
      const groups = depthwise ? C : G;
      const M = depthwise ? C * Mg : G * Mg;
      const out = ins.map((n, i) => Math.floor((n + pads[i]! + pads[i + r]! - (k[i]! - 1) * d[i]! - 1) / s[i]!) + 1);
      return { xShape: [N, ...ins, C], k, s, d, pb: pads.slice(0, r), out, M, G: groups, filterLayout: depthwise ? 'HWIM' : 'HWIO', pads } as Case;
    })
    .filter((c) => c.out.every((o) => o >= 1)),
);

function filterShape(c: Case): number[] {
  const C = c.xShape[c.xShape.length - 1]!;
  return c.filterLayout === 'HWIM' ? [...c.k, C, c.M / C] : [...c.k, C / c.G, c.M];
}

const attrs = (c: Case) => ({ layout: 'NHWC', filterLayout: c.filterLayout, strides: c.s, dilations: c.d, pads: c.pads, filterShape: filterShape(c), ...(c.filterLayout === 'HWIO' ? { group: c.G } : {}) });

async function grad(rt: Rt, x: Float32Array, dy: Float32Array, c: Case): Promise<{ shape: number[]; data: Float32Array }> {
  const dyShape = [c.xShape[0]!, ...c.out, c.M];
  const xt = rt.tensor(x, c.xShape, 'float32');
  const dyt = rt.tensor(dy, dyShape, 'float32');
  try {
    const [y] = rt.run('ConvBackpropFilter', [xt, dyt], attrs(c));
    const out = { shape: y!.shape.slice(), data: (await y!.data()) as Float32Array };
    y!.dispose();
    return out;
  } finally {
    xt.dispose();
    dyt.dispose();
  }
}

describe('ConvBackpropFilter', () => {
  it('matches the float64 reference on wasm and WebGPU (1-D to 3-D, strides, dilations, pads, groups, depthwise)', async () => {
    let seed = 100;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const x = data(size(c.xShape), seed++);
        const dy = data(c.xShape[0]! * size(c.out) * c.M, seed++);
        // each element is a dot product of K = N·P terms in float32 (GEMM order, FMA or not): within
        // K·2^-24·Σ|x·dy| of the exact sum; Σ|x·dy| from the reference on |x|, |dy|
        const K = c.xShape[0]! * size(c.out);
        const ref = refConvBackpropFilter(x, dy, c);
        const abs = refConvBackpropFilter(x.map(Math.abs), dy.map(Math.abs), c);
        for (const rt of [rt1, ...(hasGpu && gpu ? [gpu] : [])]) {
          const got = await grad(rt, x, dy, c);
          expect(got.shape).toEqual(filterShape(c));
          expectClose(got.data, ref, { op: `ConvBackpropFilter ${rt.device}`, dtype: 'float32', rtol: 0, atolPer: abs.map((a) => a * (K + 1) * 2 ** -24), context: JSON.stringify(c) });
        }
      }),
      { numRuns: 80, seed: 21 },
    );
  });

  it('1 and 2 threads give bit-identical results (sizes that split)', async () => {
    for (const c of [
      { xShape: [2, 40, 36, 16], k: [3, 3], s: [1, 1], d: [1, 1], pb: [1, 1], pads: [1, 1, 1, 1], out: [40, 36], M: 24, G: 1, filterLayout: 'HWIO' },
      { xShape: [1, 33, 35, 12], k: [3, 3], s: [2, 2], d: [1, 1], pb: [1, 1], pads: [1, 1, 1, 1], out: [17, 18], M: 24, G: 12, filterLayout: 'HWIM' },
    ] as Case[]) {
      const x = data(size(c.xShape), 7);
      const dy = data(c.xShape[0]! * size(c.out) * c.M, 8);
      const a = await grad(rt1, x, dy, c);
      const b = await grad(rt2, x, dy, c);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
    }
  });

  it('size-0 batches give a zero gradient; a size-0 filter an empty one', async () => {
    const c: Case = { xShape: [0, 4, 4, 2], k: [2, 2], s: [1, 1], d: [1, 1], pb: [0, 0], pads: [0, 0, 0, 0], out: [3, 3], M: 3, G: 1, filterLayout: 'HWIO' };
    const got = await grad(rt1, new Float32Array(0), new Float32Array(0), c);
    expect(got.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(got.data)).toEqual(new Array(24).fill(0));
    const e = await grad(rt1, new Float32Array(32), new Float32Array(0), { ...c, xShape: [1, 4, 4, 2], M: 0 });
    expect(e.shape).toEqual([2, 2, 2, 0]);
  });

  it('errors name the op and the shapes', () => {
    const t = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape, 'float32');
    const check = (f: () => unknown, what: RegExp) => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TwinopsError);
      expect((err as Error).message).toMatch(/^ConvBackpropFilter: /);
      expect((err as Error).message).toMatch(what);
    };
    const base = { layout: 'NHWC', filterShape: [2, 2, 1, 3] };
    check(() => rt1.run('ConvBackpropFilter', [t([1, 4, 4, 1]), t([1, 2, 2, 3])], base), /dy\[1,2,2,3\].*\[1,3,3,3\]/);
    check(() => rt1.run('ConvBackpropFilter', [t([1, 4, 4, 1]), t([1, 3, 3, 3])], { ...base, layout: 'NCHW' }), /layout must be NHWC/);
    check(() => rt1.run('ConvBackpropFilter', [t([1, 4, 4, 2]), t([1, 3, 3, 3])], base), /input channels|channels/);
    check(() => rt1.run('ConvBackpropFilter', [t([1, 4, 4, 1]), t([1, 3, 3, 3])], { layout: 'NHWC' }), /filterShape/);
  });
});
