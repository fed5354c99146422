/**
 * FFT and ComplexAbs (ops/fft.ts, wasm family `fft`) against float64 references
 * (tests/reference/fft.ts), on wasm at 1 and 2 threads (bit-identical).
 *
 * Tolerances, per output element, relative to S = Σ_j |x_j| of its row (times 1/n for the inverse):
 *  - power-of-two n (radix-2 Stockham in float32): each of the log2(n) stages rounds a butterfly sum
 *    (ε = 2^-24 relative) and a product by a float32-rounded twiddle (~3ε), so the error is at most
 *    ~(4·log2(n) + 2)·ε·S;
 *  - other n (direct DFT with float64 twiddles and sums): one final rounding to float32 plus
 *    float64 error (n·2^-53·S, negligible), so ε·|y| + 2ε·S.
 * ComplexAbs: computed in float64 and rounded once, so it equals the float32 rounding of hypot.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DTypeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { dftRef } from './reference/fft.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { gpu, hasGpu, rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();
const EPS = 2 ** -24;

function fft(rt: Rt, re: Float32Array, im: Float32Array, shape: number[], inverse: boolean) {
  const a = rt.tensor(re, shape, 'float32');
  const b = rt.tensor(im, shape, 'float32');
  try {
    const [yr, yi] = rt.run('FFT', [a, b], { inverse });
    const out = { re: yr!.dataSync() as Float32Array, im: yi!.dataSync() as Float32Array, shape: [...yr!.shape] };
    yr!.dispose();
    yi!.dispose();
    return out;
  } finally {
    a.dispose();
    b.dispose();
  }
}

function check(shape: number[], inverse: boolean, seed: number) {
  const r = prng(seed);
  const size = shape.reduce((x, y) => x * y, 1);
  const re = Float32Array.from({ length: size }, () => r() * 8 - 4);
  const im = Float32Array.from({ length: size }, () => r() * 8 - 4);
  const n = shape[shape.length - 1]!;
  const ref = dftRef(re, im, n, inverse);
  const a = fft(rt1, re, im, shape, inverse);
  const b = fft(rt2, re, im, shape, inverse);
  expect(a.shape).toEqual(shape);
  const pow2 = (n & (n - 1)) === 0;
  const k = pow2 ? (4 * Math.log2(Math.max(n, 1)) + 2) * EPS : 2 * EPS;
  const what = `FFT${inverse ? ' inverse' : ''} [${shape}]`;
  expectClose(a.re, ref.re, { op: `${what} re`, dtype: 'float32', rtol: EPS, atolPer: ref.absSum.map((s) => k * s), outShape: shape });
  expectClose(a.im, ref.im, { op: `${what} im`, dtype: 'float32', rtol: EPS, atolPer: ref.absSum.map((s) => k * s), outShape: shape });
  expectBitIdentical(a.re, b.re, `${what} re threads 1 vs 2`);
  expectBitIdentical(a.im, b.im, `${what} im threads 1 vs 2`);
}

describe('FFT', () => {
  for (const shape of [[1], [2], [4], [8], [16], [64], [1024], [3, 32], [3], [5], [7], [13], [33], [2, 3, 17], [100], [4, 0], [0, 8], [5, 1], [64, 256]]) {
    for (const inverse of [false, true]) it(`[${shape}] ${inverse ? 'inverse' : 'forward'}`, () => check(shape, inverse, shape.length * 100 + shape[shape.length - 1]!));
  }

  it('random shapes (rows × length, both algorithms, threads split rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.nat(1000), (rows, n, inv, seed) => check([rows, n], inv, seed)),
      { numRuns: 40 },
    );
  });

  it('inverse of forward is the identity (to rounding)', () => {
    const r = prng(9);
    const re = Float32Array.from({ length: 3 * 64 }, () => r() - 0.5);
    const im = Float32Array.from({ length: 3 * 64 }, () => r() - 0.5);
    const f = fft(rt1, re, im, [3, 64], false);
    const g = fft(rt1, f.re, f.im, [3, 64], true);
    expectClose(g.re, re, { op: 'FFT round trip re', dtype: 'float32', atol: 64 * EPS });
    expectClose(g.im, im, { op: 'FFT round trip im', dtype: 'float32', atol: 64 * EPS });
  });

  it('a NaN makes its whole row NaN and leaves other rows alone', () => {
    for (const n of [8, 6]) {
      const re = new Float32Array(2 * n).fill(1);
      const im = new Float32Array(2 * n);
      re[3] = NaN;
      const y = fft(rt1, re, im, [2, n], false);
      expect(Array.from(y.re.subarray(0, n)).every(Number.isNaN)).toBe(true);
      expect(y.re[n]).toBe(n);
      expect(Array.from(y.re.subarray(n + 1)).every((v) => v === 0 || Math.abs(v) < 1e-6)).toBe(true);
    }
  });

  it('typed errors name the op and shapes', () => {
    const a = rt1.tensor(new Float32Array(4), [4], 'float32');
    const b = rt1.tensor(new Float32Array(3), [3], 'float32');
    const c = rt1.tensor(new Int32Array(4), [4], 'int32');
    const s = rt1.tensor(new Float32Array(1), [], 'float32');
    expect(() => rt1.run('FFT', [a, b])).toThrow(ShapeError);
    expect(() => rt1.run('FFT', [a, b])).toThrow(/FFT: real part \[4\] and imaginary part \[3\]/);
    expect(() => rt1.run('FFT', [a, c])).toThrow(DTypeError);
    expect(() => rt1.run('FFT', [s, s])).toThrow(/rank >= 1/);
    for (const t of [a, b, c, s]) t.dispose();
  });
});

describe('ComplexAbs', () => {
  it('hypot rounded once, no overflow, Inf beats NaN; odd sizes', () => {
    const re = Float32Array.from([3, -5, 3e38, 1e-30, 0, Infinity, NaN, -0, 7, 1]);
    const im = Float32Array.from([4, 12, 3e38, 1e-30, 0, NaN, 1, -0, 24, 1]);
    const a = rt1.tensor(re, [re.length], 'float32');
    const b = rt1.tensor(im, [im.length], 'float32');
    for (const rt of [rt1]) {
      const [y] = rt.run('ComplexAbs', [a, b]);
      const got = y!.dataSync() as Float32Array;
      expect(Array.from(got)).toEqual(Array.from(re, (v, i) => Math.fround(Math.hypot(v, im[i]!))));
      y!.dispose();
    }
    a.dispose();
    b.dispose();
    for (const n of [0, 1, 5, 100001]) {
      const r = prng(n);
      const x = Float32Array.from({ length: n }, () => r() * 10 - 5);
      const z = Float32Array.from({ length: n }, () => r() * 10 - 5);
      const outs = [rt1, rt2].map((rt) => {
        const p = rt.tensor(x, [n], 'float32');
        const q = rt.tensor(z, [n], 'float32');
        const [y] = rt.run('ComplexAbs', [p, q]);
        const d = (y!.dataSync() as Float32Array).slice();
        for (const t of [p, q, y!]) t.dispose();
        return d;
      });
      expect(Array.from(outs[0]!)).toEqual(Array.from(x, (v, i) => Math.fround(Math.hypot(v, z[i]!))));
      expectBitIdentical(outs[0]!, outs[1]!, `ComplexAbs [${n}] threads 1 vs 2`);
    }
  });
});

describe('FFT and ComplexAbs on WebGPU', () => {
  it.skipIf(!hasGpu)('direct-DFT twin within (n + 2)·ε·Σ|x| of the float64 reference; ComplexAbs within 2 ulp', async () => {
    for (const [shape, inverse] of [[[3, 8], false], [[2, 13], true], [[1, 1], false], [[4, 64], true]] as [number[], boolean][]) {
      const r = prng(shape[1]!);
      const size = shape[0]! * shape[1]!;
      const re = Float32Array.from({ length: size }, () => r() * 8 - 4);
      const im = Float32Array.from({ length: size }, () => r() * 8 - 4);
      const n = shape[1]!;
      const ref = dftRef(re, im, n, inverse);
      const a = gpu!.tensor(re, shape, 'float32');
      const b = gpu!.tensor(im, shape, 'float32');
      const [yr, yi] = gpu!.run('FFT', [a, b], { inverse });
      const k = (n + 2) * EPS;
      expectClose((await yr!.data()) as Float32Array, ref.re, { op: `FFT webgpu [${shape}]`, dtype: 'float32', rtol: EPS, atolPer: ref.absSum.map((s) => k * s) });
      expectClose((await yi!.data()) as Float32Array, ref.im, { op: `FFT webgpu [${shape}]`, dtype: 'float32', rtol: EPS, atolPer: ref.absSum.map((s) => k * s) });
      const [abs] = gpu!.run('ComplexAbs', [a, b]);
      const want = Array.from(re, (v, i) => Math.hypot(v, im[i]!));
      expectClose((await abs!.data()) as Float32Array, want, { op: 'ComplexAbs webgpu', dtype: 'float32', rtol: 4 * EPS });
      for (const t of [a, b, yr!, yi!, abs!]) t.dispose();
    }
    const x = Float32Array.of(Infinity, NaN, 2e38, 0, 1e-40, 3e38);
    const z = Float32Array.of(NaN, 1, 2e38, -0, 1e-40, 3e38);
    const a = gpu!.tensor(x, [6], 'float32');
    const b = gpu!.tensor(z, [6], 'float32');
    const [abs] = gpu!.run('ComplexAbs', [a, b]);
    // no overflow below FLT_MAX (2e38·√2), Inf past it; WGSL may flush subnormals (1e-40) to 0
    expectClose((await abs!.data()) as Float32Array, Array.from(x, (v, i) => Math.hypot(v, z[i]!)), { op: 'ComplexAbs webgpu specials', dtype: 'float32', rtol: 4 * EPS, alt: [Array.from(x, (v, i) => (i === 4 ? 0 : Math.hypot(v, z[i]!)))] });
    for (const t of [a, b, abs!]) t.dispose();
  });
});
