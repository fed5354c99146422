/**
 * Col2Im (family `col2im`) against the float64 scatter-add reference in tests/reference/col2im.ts:
 * 1-D to 3-D images, strides, pads, dilations, size-1 dims, NaN/±Inf entries. Tolerance: the kernel
 * sums at most K = Π(block) float32 terms per pixel, so it is within K·2^-24·Σ|term| of the exact sum.
 * Threads 1 and 2 must be bit-identical (each pixel is summed by one thread in a fixed order); WebGPU
 * sums in the same order and is held to the same bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { sizeOf } from './reference/broadcast.js';
import { refCol2Im } from './reference/col2im.js';
import { gpu, rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

interface Case {
  img: number[];
  blk: number[];
  strides: number[];
  pads: number[];
  dil: number[];
  N: number;
  C: number;
  seed: number;
}

function blocksOf(c: Case): number[] {
  const r = c.img.length;
  return c.img.map((n, i) => Math.floor((n + c.pads[i]! + c.pads[i + r]! - (c.dil[i]! * (c.blk[i]! - 1) + 1)) / c.strides[i]!) + 1);
}

function check(c: Case, specials: boolean): void {
  const K = sizeOf(c.blk);
  const L = sizeOf(blocksOf(c));
  const xShape = [c.N, c.C * K, L];
  const r = prng(c.seed);
  const x = Float32Array.from({ length: sizeOf(xShape) }, () => (specials && r() < 0.02 ? [NaN, Infinity, -Infinity][Math.floor(r() * 3)]! : (r() - 0.5) * 10));
  const want = refCol2Im(x, xShape, c.img, c.blk, c.strides, c.pads, c.dil);
  const attrs = { imageShape: c.img, blockShape: c.blk, strides: c.strides, pads: c.pads, dilations: c.dil };
  const got = [rt1, rt2].map((rt) => {
    const t = rt.tensor(x, xShape);
    const [y] = rt.run('Col2Im', [t], attrs);
    expect(y!.shape).toEqual(want.shape);
    const d = y!.dataSync() as Float32Array;
    [t, y!].forEach((v) => v.dispose());
    return d;
  });
  const what = `Col2Im ${JSON.stringify(c)}`;
  got[0]!.forEach((v, i) => {
    const e = want.data[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(v) : !Number.isFinite(e) ? v === e : Math.abs(v - e) <= K * 2 ** -24 * want.mag[i]! + 1e-38;
    if (!ok) throw new Error(`${what}: element ${i} is ${v}, want ${e}`);
  });
  expect(Buffer.from(got[1]!.buffer).equals(Buffer.from(got[0]!.buffer)), `${what}: threads 2 differs`).toBe(true);
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 3 }).chain((r) =>
  fc
    .record({
      blk: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
      dil: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: r, maxLength: r }),
      strides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }),
      pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2 * r, maxLength: 2 * r }),
      extra: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: r, maxLength: r }),
      N: fc.integer({ min: 1, max: 2 }),
      C: fc.integer({ min: 1, max: 3 }),
      seed: fc.nat(),
    })
    .map((c) => ({ ...c, img: c.blk.map((k, i) => Math.max(1, c.dil[i]! * (k - 1) + 1 - c.pads[i]! - c.pads[i + r]! + c.extra[i]!)) })),
);

describe('Col2Im on wasm', () => {
  it('matches the scatter-add reference for 1-D to 3-D images with strides, pads and dilations, threads 1 and 2 (property)', () => {
    fc.assert(fc.property(caseArb, (c) => check(c, true)), { numRuns: 120 });
  });

  it('splits a large image across threads bit-identically', () => {
    check({ img: [67, 61], blk: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1], N: 2, C: 3, seed: 5 }, false);
  });

  it('rejects inconsistent block counts and bad attributes with typed errors naming Col2Im', () => {
    const x = rt1.tensor(new Float32Array(12 * 8), [1, 12, 8]);
    expect(() => rt1.run('Col2Im', [x], { imageShape: [5, 6], blockShape: [2, 3] })).toThrow(ShapeError);
    expect(() => rt1.run('Col2Im', [x], { imageShape: [5, 6], blockShape: [2, 3] })).toThrow(/Col2Im: input \[1,12,8\] has 8 blocks, but image \[5,6\] with block \[2,3\] gives 16/);
    expect(() => rt1.run('Col2Im', [x], { imageShape: [5, 6], blockShape: [5, 1] })).toThrow(/not a multiple of the block size 5/);
    expect(() => rt1.run('Col2Im', [x], { imageShape: [5, 6], blockShape: [2, 3], strides: [0, 1] })).toThrow(AttributeError);
    [x].forEach((t) => t.dispose());
  });
});

describe('Col2Im on WebGPU', () => {
  it('matches the reference for 1-D to 3-D images', async (ctx) => {
    if (!gpu) return ctx.skip();
    const cases: Case[] = [
      { img: [5, 6], blk: [2, 3], strides: [2, 1], pads: [1, 0, 1, 1], dil: [1, 2], N: 2, C: 3, seed: 1 },
      { img: [9], blk: [3], strides: [2], pads: [1, 2], dil: [2], N: 1, C: 2, seed: 2 },
      { img: [3, 4, 5], blk: [2, 2, 2], strides: [1, 1, 2], pads: [0, 1, 0, 1, 0, 1], dil: [1, 1, 1], N: 1, C: 2, seed: 3 },
    ];
    for (const c of cases) {
      const K = sizeOf(c.blk);
      const L = sizeOf(blocksOf(c));
      const xShape = [c.N, c.C * K, L];
      const r = prng(c.seed);
      const x = Float32Array.from({ length: sizeOf(xShape) }, () => (r() - 0.5) * 10);
      const want = refCol2Im(x, xShape, c.img, c.blk, c.strides, c.pads, c.dil);
      const t = gpu.tensor(x, xShape);
      const [y] = gpu.run('Col2Im', [t], { imageShape: c.img, blockShape: c.blk, strides: c.strides, pads: c.pads, dilations: c.dil });
      expect(y!.device).toBe('webgpu');
      const got = (await y!.data()) as Float32Array;
      got.forEach((v, i) => {
        if (!(Math.abs(v - want.data[i]!) <= K * 2 ** -24 * want.mag[i]! + 1e-38)) throw new Error(`Col2Im webgpu ${JSON.stringify(c)}: element ${i} is ${v}, want ${want.data[i]}`);
      });
      [t, y!].forEach((v) => v.dispose());
    }
  });
});
