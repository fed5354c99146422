/**
 * Contract options added for tfjs semantics, on wasm (1 and 2 threads) and WebGPU: ArgMax/ArgMin
 * nanMode 'ignore' (the first element unless a later one is strictly better: NaN skipped unless it
 * leads), Pad mode 'symmetric' (the mirror image including the edge) and wasm Sin/Cos/Tan on
 * 2^29 < |x| ≤ 2^31 (the extended exact reduction) and wasm Exp in float64, against float64 /
 * index references written here from those definitions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const all = (): Rt[] => [rt1, rt2, ...(hasGpu && gpu ? [gpu] : [])];

async function run(rt: Rt, op: string, x: Float32Array, shape: number[], attrs: object): Promise<{ shape: number[]; data: ArrayLike<number> }> {
  const t = rt.tensor(x, shape, 'float32');
  try {
    const [y] = rt.run(op, [t], attrs);
    const out = { shape: y!.shape.slice(), data: (await y!.data()) as Float32Array | Int32Array };
    y!.dispose();
    return out;
  } finally {
    t.dispose();
  }
}

/** tfjs' argMax / argMin: the first element, replaced by a strictly greater / smaller one. */
function refArg(max: boolean, x: ArrayLike<number>, shape: number[], axis: number): number[] {
  const outer = size(shape.slice(0, axis));
  const R = shape[axis]!;
  const inner = size(shape.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = x[o * R * inner + i]!;
      let at = 0;
      for (let k = 1; k < R; k++) {
        const v = x[(o * R + k) * inner + i]!;
        if (max ? v > best : v < best) {
          best = v;
          at = k;
        }
      }
      out.push(at);
    }
  return out;
}

describe("ArgMax / ArgMin nanMode 'ignore'", () => {
  it('matches the first-element-then-strict scan (NaN, ±Inf, ties; inner 1 and wider)', async () => {
    let seed = 700;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }), fc.nat(2), fc.boolean(), async (shape, ax, max) => {
        const axis = ax % shape.length;
        const r = prng(seed++);
        const pool = [NaN, Infinity, -Infinity, 1, 1, 2, -3, 0];
        const x = Float32Array.from({ length: size(shape) }, () => pool[Math.floor(r() * pool.length)]!);
        const want = refArg(max, x, shape, axis);
        for (const rt of all()) {
          const got = await run(rt, max ? 'ArgMax' : 'ArgMin', x, shape, { axis, keepdims: false, outputDtype: 'int32', nanMode: 'ignore' });
          expect(Array.from(got.data), `${rt.device} ${JSON.stringify({ shape, axis, x: Array.from(x) })}`).toEqual(want);
        }
      }),
      { numRuns: 60, seed: 51 },
    );
  });

  it('rejects unknown modes and select_last_index with ignore', () => {
    const t = rt1.tensor(new Float32Array(4), [4], 'float32');
    expect(() => rt1.run('ArgMax', [t], { nanMode: 'skip' })).toThrow(TwinopsError);
    expect(() => rt1.run('ArgMin', [t], { nanMode: 'ignore', select_last_index: 1 })).toThrow(/ArgMin: .*select_last_index/);
    t.dispose();
  });
});

/** numpy's pad(mode='symmetric'): index j of an axis of n padded by b reads (j − b) mirrored with the edge repeated. */
function symmetricIndex(j: number, b: number, n: number): number {
  let q = j - b;
  if (q < 0) q = -q - 1;
  if (q >= n) q = 2 * n - q - 1;
  return q;
}

describe("Pad mode 'symmetric'", () => {
  it('mirrors including the edge, pads up to the axis size, on every axis', async () => {
    let seed = 800;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(5), { minLength: 6, maxLength: 6 }), async (shape, raw) => {
        const r = shape.length;
        const pb = shape.map((n, d) => raw[d]! % (n + 1));
        const pe = shape.map((n, d) => raw[d + 3]! % (n + 1));
        const x = Float32Array.from({ length: size(shape) }, (_, i) => i + seed);
        seed++;
        const outShape = shape.map((n, d) => n + pb[d]! + pe[d]!);
        const want: number[] = [];
        const idx = new Array<number>(r).fill(0);
        for (let f = 0; f < size(outShape); f++) {
          let rem = f;
          for (let d = r - 1; d >= 0; d--) {
            idx[d] = rem % outShape[d]!;
            rem = Math.floor(rem / outShape[d]!);
          }
          const src = idx.map((j, d) => symmetricIndex(j, pb[d]!, shape[d]!)).reduce((a, v, d) => a * shape[d]! + v, 0);
          want.push(x[src]!);
        }
        for (const rt of all()) {
          const got = await run(rt, 'Pad', x, shape, { pads: [...pb, ...pe], mode: 'symmetric' });
          expect(got.shape).toEqual(outShape);
          expect(Array.from(got.data), `${rt.device} ${JSON.stringify({ shape, pb, pe })}`).toEqual(want);
        }
      }),
      { numRuns: 40, seed: 52 },
    );
  });

  it('rejects pads past the axis size, naming the op', () => {
    const t = rt1.tensor(new Float32Array(3), [3], 'float32');
    expect(() => rt1.run('Pad', [t], { pads: [4, 0], mode: 'symmetric' })).toThrow(/^Pad: mode 'symmetric' pads axis 0 \(size 3\) by 4\/0/);
    t.dispose();
  });
});

describe('Sin / Cos / Tan past 2^29 (wasm: exact float64 reduction up to 2^31)', () => {
  it('round once from float64 for |x| up to 2^31, NaN past it', async () => {
    const r = prng(990);
    const xs = Float32Array.from({ length: 400 }, (_, i) => (i % 2 ? -1 : 1) * (2 ** 29 + r() * (2 ** 31 - 2 ** 29)));
    xs[0] = 2 ** 31;
    xs[1] = -(2 ** 31);
    xs[2] = 2 ** 31 * (1 + 2 ** -23); // just past the domain
    for (const [op, f] of [['Sin', Math.sin], ['Cos', Math.cos], ['Tan', Math.tan]] as const) {
      for (const rt of [rt1, rt2]) {
        const got = await run(rt, op, xs, [xs.length], {});
        xs.forEach((x, i) => {
          const want = f(x);
          if (i === 2) return expect(got.data[i], `${op}(${x})`).toBeNaN();
          // ≤ 0.5 ulp of float32 plus 2^-40 relative (sinCosF32x4's bound): within one float32 step
          expect(Math.abs(got.data[i]! - want), `${op}(${x}) on ${rt.device}`).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23 + 1e-30);
        });
      }
    }
  });
});

describe('Exp (wasm): float64 inside, rounded once', () => {
  it('gives the nearest float32 of e^x (exp(10) included), ±Inf, 0 and NaN at the ends', async () => {
    const r = prng(991);
    const xs = Float32Array.from({ length: 2000 }, () => (r() * 2 - 1) * 100);
    xs.set([10, 0, -0, 88.72, 88.73, -103.9, -110, Infinity, -Infinity, NaN], 0);
    for (const rt of [rt1, rt2]) {
      const got = await run(rt, 'Exp', xs, [xs.length], {});
      expect(got.data[0]).toBe(Math.fround(22026.465794806718));
      let off = 0;
      xs.forEach((x, i) => {
        const want = Math.fround(Math.exp(x));
        if (Number.isNaN(want)) return expect(got.data[i]).toBeNaN();
        if (got.data[i] === want) return;
        // only a double-rounding tie may differ, by one float32 step
        off++;
        expect(Math.abs(got.data[i]! - want), `exp(${x})`).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23);
      });
      expect(off).toBeLessThanOrEqual(2);
    }
  });
});
