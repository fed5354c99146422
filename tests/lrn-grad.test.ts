/**
 * LRNGrad (family `lrn-grad`) against the float64 reference (tests/reference/lrn-grad.ts):
 * window sizes (odd and even), channel counts with 4-lane tails, bias/alpha/beta, 1 vs 2 threads
 * bit-identical, size-0 dims, typed errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refLrnGrad } from './reference/lrn-grad.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

async function run(rt: Rt, xs: Float32Array[], shape: number[], attrs: object): Promise<Float32Array> {
  const ts = xs.map((d) => rt.tensor(d, shape, 'float32'));
  try {
    const [y] = rt.run('LRNGrad', ts, attrs);
    const d = (await y!.data()) as Float32Array;
    y!.dispose();
    return d;
  } finally {
    for (const t of ts) t.dispose();
  }
}

describe('LRNGrad', () => {
  it('matches the float64 reference on wasm and WebGPU', async () => {
    let seed = 1100;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }), fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 1.5, noNaN: true }),
        async (P, C, size, bias, alpha, beta) => {
          const r = prng(seed++);
          const n = P * C;
          const [x, y, dy] = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => r() * 4 - 2));
          const lo = Math.floor((size - 1) / 2);
          const hi = Math.ceil((size - 1) / 2);
          // the reference's window for i is [i − lo, i + hi]: the contract's
          const ref = refLrnGrad(x!, y!, dy!, C, lo, hi, bias, alpha / size, beta);
          for (const rt of [rt1, ...(hasGpu && gpu ? [gpu] : [])]) {
            const got = await run(rt, [x!, y!, dy!], [1, P, C], { size, alpha, beta, bias, layout: 'NHWC' });
            // float32: n (size + 2 roundings), pow (a few ulp; SwiftShader's pow is exp2(y·log2 x)),
            // each term ~4 roundings, the window sum: within 32·(size + 4)·2^-24 of Σ|terms|
            expectClose(got, ref.dx, { op: `LRNGrad ${rt.device}`, dtype: 'float32', rtol: 0, atolPer: ref.abs.map((a) => a * 32 * (size + 4) * 2 ** -24), context: JSON.stringify({ P, C, size, bias, alpha, beta }) });
          }
        },
      ),
      { numRuns: 80, seed: 81 },
    );
  });

  it('1 and 2 threads agree bit for bit; size-0 dims; errors name the op', async () => {
    const r = prng(3);
    const n = 2 * 30 * 30 * 16;
    const xs = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => r() - 0.5));
    const attrs = { size: 5, alpha: 1e-2, beta: 0.75, bias: 1, layout: 'NHWC' };
    const a = await run(rt1, xs, [2, 30, 30, 16], attrs);
    const b = await run(rt2, xs, [2, 30, 30, 16], attrs);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect((await run(rt1, [0, 1, 2].map(() => new Float32Array(0)), [0, 3, 3], attrs)).length).toBe(0);
    const t = rt1.tensor(new Float32Array(6), [2, 3], 'float32');
    const u = rt1.tensor(new Float32Array(4), [2, 2], 'float32');
    expect(() => rt1.run('LRNGrad', [t, t, u], attrs)).toThrow(/^LRNGrad: dy\[2,2\] must have x's shape \[2,3\]/);
    expect(() => rt1.run('LRNGrad', [t, t, t], { ...attrs, layout: 'NCHW' })).toThrow(TwinopsError);
    expect(() => rt1.run('LRNGrad', [t, t, t], { ...attrs, size: 0 })).toThrow(/^LRNGrad: .*size/);
    t.dispose();
    u.dispose();
  });
});
