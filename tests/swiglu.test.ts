/**
 * Swish and SwiGLU (family `swiglu`) against the float64 reference: lengths across the SIMD tails,
 * several alphas, wide ranges (sigmoid saturating both ways), NaN/±Inf, size-0 tensors, float16,
 * 1 vs 2 threads bit-identical, typed errors; the WebGPU twins on the same finite cases.
 */
import { describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { expectClose } from './reference/compare.js';
import { halfToNumber, numberToHalf } from './reference/copy.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const U = 2 ** -24;
const rand = (n: number, seed: number, scale: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

/**
 * float64 reference y = a·sigmoid(alpha·a)(·b). Bound: sigmoid's 2.2 ulp (wasm) or a few ulp of
 * WGSL exp (the GPU), the rounding of z = alpha·a moves sigmoid by (1 − σ)·|z|·U relative, and the
 * one or two products round: |y|·U·(8 + |z|). sigmoid(z) below the normal range may be flushed or
 * underflow to 0 before the products (WGSL may flush subnormals; e^-|z| underflows past z ≈ -104):
 * that is an absolute error of up to 2^-126 in sigmoid, times |a·b|.
 */
function ref(a: Float32Array, b: Float32Array | undefined, alpha: number): { y: Float64Array; tol: Float64Array } {
  const y = Float64Array.from(a, (x, i) => (x * (b ? b[i]! : 1)) / (1 + Math.exp(-alpha * x)));
  // -Inf·sigmoid(-Inf) = -Inf·0: NaN, as IEEE (and the kernel) give
  a.forEach((x, i) => {
    if (x === -Infinity && alpha > 0) y[i] = NaN;
    if (x === Infinity && alpha < 0) y[i] = NaN;
  });
  const ab = (i: number) => Math.abs(a[i]! * (b ? b[i]! : 1));
  return { y, tol: Float64Array.from(y, (v, i) => (Number.isFinite(v) ? Math.abs(v) * U * (8 + Math.abs(alpha * a[i]!)) + ab(i) * 2 ** -126 : 0)) };
}

async function check(rt: Rt, a: Float32Array, b: Float32Array | undefined, alpha: number, what: string): Promise<Float32Array> {
  const op = b ? 'SwiGLU' : 'Swish';
  const ts = [rt.tensor(a, [a.length]), ...(b ? [rt.tensor(b, [b.length])] : [])];
  const [y] = rt.run(op, ts, { alpha });
  const got = (await y!.data()) as Float32Array;
  for (const t of [...ts, y!]) t.dispose();
  const r = ref(a, b, alpha);
  expectClose(got, r.y, { op: `${op} alpha=${alpha} ${rt.device} threads=${rt.info().threads} (${what})`, shapes: [[a.length]], dtype: 'float32', atolPer: r.tol });
  return got;
}

async function suite(rt: Rt, specials: boolean): Promise<void> {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 100]) {
    for (const alpha of [1, 0.5, -1.7]) {
      await check(rt, rand(n, n, 6), undefined, alpha, `n=${n}`);
      await check(rt, rand(n, n, 6), rand(n, n + 1, 3), alpha, `n=${n}`);
    }
  }
  await check(rt, rand(300, 1, 120), rand(300, 2, 2), 1, 'wide');
  await check(rt, new Float32Array(0), new Float32Array(0), 1, 'empty');
  if (specials) {
    const x = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 1e-40, 88, -88, 200, -200]);
    await check(rt, x, undefined, 1, 'specials');
    await check(rt, x, Float32Array.from(x, (_, i) => i - 3), 1, 'specials');
  }
}

describe('Swish / SwiGLU wasm', () => {
  it('match the float64 reference', async () => {
    await suite(rt1, true);
  });

  it('take float16 (computed in float32, rounded to float16)', async () => {
    const bits = (x: Float32Array) => Uint16Array.from(x, (v) => numberToHalf(v));
    const ab = bits(rand(37, 5, 5));
    const bb = bits(rand(37, 6, 2));
    const a = Float32Array.from(ab, halfToNumber);
    const b = Float32Array.from(bb, halfToNumber);
    const ts = [rt1.tensor(ab, [37], 'float16'), rt1.tensor(bb, [37], 'float16')];
    const [y] = rt1.run('SwiGLU', ts, { alpha: 1.5 });
    expect(y!.dtype).toBe('float16');
    const got = Float64Array.from((await y!.data()) as Uint16Array, halfToNumber);
    for (const t of [...ts, y!]) t.dispose();
    const r = ref(a, b, 1.5);
    // rounding to float16: half an ulp, 2^-11 relative (2^-25 absolute below the normal range)
    expectClose(got, r.y, { op: 'SwiGLU float16', dtype: 'float32', atolPer: r.tol.map((t, i) => t + Math.abs(r.y[i]!) * 2 ** -11 + 2 ** -25) });
  });

  it('1 and 2 threads give bit-identical results', async () => {
    expect(rt2.info().threads).toBe(2);
    const a = rand(200003, 7, 10);
    const b = rand(200003, 8, 2);
    for (const bb of [undefined, b]) {
      const x = await check(rt1, a, bb, 1.1, 'split');
      const y = await check(rt2, a, bb, 1.1, 'split');
      expect(new Uint32Array(y.buffer)).toEqual(new Uint32Array(x.buffer));
    }
  });

  it('bad input throws typed errors naming the op and the shapes', () => {
    const a = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('SwiGLU', [a, rt1.tensor(new Float32Array(6), [3, 2])])).toThrow(TwinopsError);
    expect(() => rt1.run('SwiGLU', [a, rt1.tensor(new Float32Array(6), [3, 2])])).toThrow(/SwiGLU.*A\[2,3\] and B\[3,2\]/);
    expect(() => rt1.run('Swish', [rt1.tensor(new Int32Array(2), [2], 'int32')])).toThrow(/Swish.*X has dtype int32/);
    expect(() => rt1.run('Swish', [a], { alpha: NaN })).toThrow(/Swish.*alpha/);
    expect(() => rt1.run('Swish', [a, a])).toThrow(/Swish/);
  });
});

describe.skipIf(!hasGpu)('Swish / SwiGLU webgpu twins', () => {
  it('match the float64 reference (finite inputs)', async () => {
    if (!gpu) return;
    await suite(gpu, false);
  });
});
