/**
 * Dilation2D and its gradients (family `dilation`) against the float64 reference
 * (tests/reference/dilation.ts): strides, dilations, pads, odd channel counts, NaN and −Inf sums
 * (skipped; an all-skipped window gives −2^53), size-0 dims, 1 vs 2 threads bit-identical, errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { refDilation, type RefDilation } from './reference/dilation.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function data(n: number, seed: number, specials = 0): Float32Array {
  const r = prng(seed);
  const sp = [NaN, -Infinity];
  return Float32Array.from({ length: n }, () => (r() < specials ? sp[Math.floor(r() * 2)]! : Math.round((r() * 2 - 1) * 16) / 4));
}

const caseArb: fc.Arbitrary<RefDilation> = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }),
    H: fc.integer({ min: 1, max: 8 }),
    W: fc.integer({ min: 1, max: 8 }),
    C: fc.constantFrom(1, 2, 3, 5),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    p: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  })
  .map(({ N, H, W, C, k, s, d, p }) => {
    const o = (n: number, i: 0 | 1) => Math.floor((n + p[i] + p[i + 2]! - ((k[i] - 1) * d[i] + 1)) / s[i]) + 1;
    return { x: [N, H, W, C], k, s, d, p: [p[0], p[1]] as [number, number], out: [o(H, 0), o(W, 1)] as [number, number], pads: [p[0], p[1], p[2], p[3]] };
  })
  .filter((c) => c.out[0] >= 1 && c.out[1] >= 1);

type Case = RefDilation & { pads?: number[] };
const attrs = (c: Case) => ({ strides: c.s, dilations: c.d, pads: c.pads ?? [c.p[0], c.p[1], 0, 0] });

async function run(rt: Rt, op: string, c: Case, x: Float32Array, f: Float32Array, dy?: Float32Array): Promise<Float32Array> {
  const ts = [rt.tensor(x, c.x, 'float32'), rt.tensor(f, [...c.k, c.x[3]!], 'float32')];
  if (dy) ts.push(rt.tensor(dy, [c.x[0]!, ...c.out, c.x[3]!], 'float32'));
  try {
    const [y] = rt.run(op, ts, attrs(c));
    const d = (await y!.data()) as Float32Array;
    y!.dispose();
    return d;
  } finally {
    for (const t of ts) t.dispose();
  }
}

describe('Dilation2D', () => {
  it('forward and both gradients match the float64 reference on wasm and WebGPU', async () => {
    let seed = 500;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const x = data(size(c.x), seed++, 0.1);
        const f = data(c.k[0] * c.k[1] * c.x[3]!, seed++, 0.05);
        const dy = data(c.x[0]! * c.out[0] * c.out[1] * c.x[3]!, seed++);
        const ref = refDilation(x, f, dy, c);
        const ctx = JSON.stringify(c);
        for (const rt of [rt1, ...(hasGpu && gpu ? [gpu] : [])]) {
          // the max of float32 sums x + f is one rounded sum: exact against the reference's fround
          expectClose(await run(rt, 'Dilation2D', c, x, f), ref.y, { op: `Dilation2D ${rt.device}`, dtype: 'float32', rtol: 0, atol: 0, context: ctx });
          // gradients: sums of dy values (quarters, small counts): exact in float32
          expectClose(await run(rt, 'Dilation2DBackpropInput', c, x, f, dy), ref.dx, { op: `Dilation2DBackpropInput ${rt.device}`, dtype: 'float32', rtol: 0, atol: 0, context: ctx });
          expectClose(await run(rt, 'Dilation2DBackpropFilter', c, x, f, dy), ref.df, { op: `Dilation2DBackpropFilter ${rt.device}`, dtype: 'float32', rtol: 0, atol: 0, context: ctx });
        }
      }),
      { numRuns: 80, seed: 41 },
    );
  });

  it('1 and 2 threads give bit-identical results (sizes that split)', async () => {
    const c: Case = { x: [2, 40, 36, 7], k: [3, 3], s: [1, 1], d: [1, 1], p: [1, 1], pads: [1, 1, 1, 1], out: [40, 36] };
    const x = data(size(c.x), 1);
    const f = data(63, 2);
    const dy = Float32Array.from(data(2 * 40 * 36 * 7, 3), (v) => v * 1.37);
    for (const op of ['Dilation2D', 'Dilation2DBackpropInput', 'Dilation2DBackpropFilter']) {
      const a = await run(rt1, op, c, x, f, op === 'Dilation2D' ? undefined : dy);
      const b = await run(rt2, op, c, x, f, op === 'Dilation2D' ? undefined : dy);
      expect(Array.from(b), op).toEqual(Array.from(a));
    }
  });

  it('size-0 dims; errors name the op and the shapes', async () => {
    const c: Case = { x: [0, 3, 3, 2], k: [2, 2], s: [1, 1], d: [1, 1], p: [0, 0], out: [2, 2] };
    expect((await run(rt1, 'Dilation2D', c, new Float32Array(0), new Float32Array(8))).length).toBe(0);
    const df = await run(rt1, 'Dilation2DBackpropFilter', c, new Float32Array(0), new Float32Array(8), new Float32Array(0));
    expect(Array.from(df)).toEqual(new Array(8).fill(0));
    const t = (shape: number[]) => rt1.tensor(new Float32Array(size(shape)), shape, 'float32');
    const check = (op: string, ins: number[][], what: RegExp) => {
      let err: unknown;
      try {
        rt1.run(op, ins.map(t), {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TwinopsError);
      expect((err as Error).message).toMatch(new RegExp(`^${op}: `));
      expect((err as Error).message).toMatch(what);
    };
    check('Dilation2D', [[1, 3, 3, 2], [2, 2, 3]], /filter\[2,2,3\].*2 channels/);
    check('Dilation2D', [[1, 3, 3], [2, 2, 3]], /x\[1,3,3\]/);
    check('Dilation2D', [[1, 2, 2, 1], [3, 3, 1]], /larger than the padded input/);
    check('Dilation2DBackpropInput', [[1, 3, 3, 1], [2, 2, 1], [1, 3, 3, 1]], /dy\[1,3,3,1\].*\[1,2,2,1\]/);
  });
});
