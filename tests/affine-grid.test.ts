/**
 * AffineGrid (family `grid-sample`) against a float64 reference: base coordinates -1 + 2i/(L - 1)
 * (align_corners; -1 for L = 1) or (2i + 1)/L - 1, then theta·(x, y[, z], 1). Tolerance: the kernel
 * rounds each base coordinate (≤ 3 roundings, relative 3·2^-24) and then 2 or 3 products and sums in
 * float32, so an output is within 8·2^-24·Σ_k|theta_jk·c_k| (+ the same for the translation term) of
 * the exact value. Threads 1 and 2 must be bit-identical; WebGPU is held to the same bound. Also the
 * size-0 and size-1 edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function ref(theta: Float32Array, size: number[], align: boolean): { data: Float64Array; mag: Float64Array } {
  const dims = size.length - 2;
  const N = size[0]!;
  const sp = size.slice(2);
  const base = (i: number, L: number) => (align ? (L <= 1 ? -1 : -1 + (2 * i) / (L - 1)) : (2 * i + 1) / L - 1);
  const P = sp.reduce((a, b) => a * b, 1);
  const data = new Float64Array(N * P * dims);
  const mag = new Float64Array(N * P * dims);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      // point p walks (d,) h, w; coordinates (x, y[, z]) = (w, h[, d])
      const idx: number[] = [];
      let rem = p;
      for (let a = dims - 1; a >= 0; a--) {
        idx[a] = rem % sp[a]!;
        rem = Math.floor(rem / sp[a]!);
      }
      const c = idx.map((v, a) => base(v, sp[a]!)).reverse();
      for (let j = 0; j < dims; j++) {
        const t = (k: number) => theta[(n * dims + j) * (dims + 1) + k]!;
        let s = t(dims);
        let m = Math.abs(t(dims));
        for (let k = 0; k < dims; k++) {
          s += t(k) * c[k]!;
          m += Math.abs(t(k) * c[k]!);
        }
        data[(n * P + p) * dims + j] = s;
        mag[(n * P + p) * dims + j] = m;
      }
    }
  }
  return { data, mag };
}

function check(size: number[], align: boolean, seed: number): void {
  const dims = size.length - 2;
  const r = prng(seed);
  const theta = Float32Array.from({ length: size[0]! * dims * (dims + 1) }, () => (r() - 0.5) * 4);
  const want = ref(theta, size, align);
  const got = [rt1, rt2].map((rt) => {
    const t = rt.tensor(theta, [size[0]!, dims, dims + 1]);
    const [y] = rt.run('AffineGrid', [t], { size, alignCorners: align });
    expect(y!.shape).toEqual([size[0]!, ...size.slice(2), dims]);
    const d = y!.dataSync() as Float32Array;
    [t, y!].forEach((v) => v.dispose());
    return d;
  });
  const what = `AffineGrid size [${size}] align=${align}`;
  got[0]!.forEach((v, i) => {
    if (!(Math.abs(v - want.data[i]!) <= 8 * 2 ** -24 * want.mag[i]! + 1e-38)) throw new Error(`${what}: element ${i} is ${v}, want ${want.data[i]}`);
  });
  expect(Buffer.from(got[1]!.buffer).equals(Buffer.from(got[0]!.buffer)), `${what}: threads 2 differs`).toBe(true);
}

describe('AffineGrid on wasm', () => {
  it('matches the reference in 2-D and 3-D, both alignments, size-0 and size-1 axes (property)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.array(fc.constantFrom(0, 1, 1, 2, 3, 5, 8, 13), { minLength: 2, maxLength: 3 }), fc.boolean(), fc.nat(), (d3, N, sp, align, seed) => {
        check([N, 2, ...(d3 ? [sp[0]!, sp[1]!, sp[2] ?? 2] : [sp[0]!, sp[1]!])], align, seed);
      }),
      { numRuns: 100 },
    );
  });

  it('splits a large grid across threads bit-identically', () => {
    check([2, 1, 300, 257], false, 3);
    check([1, 1, 40, 50, 60], true, 4);
  });

  it('rejects a theta that does not fit the size, and a bad size, with typed errors naming AffineGrid', () => {
    const t = rt1.tensor(new Float32Array(6), [1, 2, 3]);
    expect(() => rt1.run('AffineGrid', [t], { size: [1, 1, 4, 4, 4] })).toThrow(ShapeError);
    expect(() => rt1.run('AffineGrid', [t], { size: [2, 1, 4, 4] })).toThrow(/AffineGrid: theta must be \[2, 2, 3\] for size \[2,1,4,4\], got \[1,2,3\]/);
    expect(() => rt1.run('AffineGrid', [t], { size: [1, 1, 4] })).toThrow(AttributeError);
    t.dispose();
  });
});

describe('AffineGrid on WebGPU', () => {
  it('matches the reference in 2-D and 3-D, both alignments', async (ctx) => {
    if (!gpu) return ctx.skip();
    let seed = 20;
    for (const size of [[2, 1, 5, 7], [1, 3, 1, 4], [2, 1, 3, 4, 5]]) {
      for (const align of [false, true]) {
        const dims = size.length - 2;
        const r = prng(seed++);
        const theta = Float32Array.from({ length: size[0]! * dims * (dims + 1) }, () => (r() - 0.5) * 4);
        const want = ref(theta, size, align);
        const t = gpu.tensor(theta, [size[0]!, dims, dims + 1]);
        const [y] = gpu.run('AffineGrid', [t], { size, alignCorners: align });
        expect(y!.device).toBe('webgpu');
        const got = (await y!.data()) as Float32Array;
        got.forEach((v, i) => {
          if (!(Math.abs(v - want.data[i]!) <= 8 * 2 ** -24 * want.mag[i]! + 1e-38)) throw new Error(`AffineGrid webgpu [${size}] align=${align}: element ${i} is ${v}, want ${want.data[i]}`);
        });
        [t, y!].forEach((v) => v.dispose());
      }
    }
  });
});
