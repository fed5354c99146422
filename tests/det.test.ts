/**
 * Det (family `det`) against a float64 reference (Gaussian elimination with partial pivoting on the
 * float32 inputs widened to float64, the same algorithm as the kernel, so the two differ only by the
 * final rounding and float64 rounding noise). Tolerance: |got − want| ≤ 2^-23·|want| (the kernel's
 * one rounding to float32 is ≤ 2^-24; float64 noise is ~M³·2^-53 of Π‖row‖, added as a second term).
 * Also singular matrices (exactly 0), size 0 (1) and 1, NaN (NaN), permutations (sign), threads 1 and 2.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError } from '../core/errors.js';
import { prng } from './arbitraries.js';
import { rt1, rt2, useRuntimes } from './runtimes.js';

useRuntimes();

function refDet(a: Float32Array, M: number, off: number): { det: number; scale: number } {
  const m = Array.from({ length: M }, (_, i) => Array.from({ length: M }, (_, j) => a[off + i * M + j]!));
  const scale = m.reduce((p, row) => p * Math.max(1e-300, Math.hypot(...row)), 1);
  let det = 1;
  for (let k = 0; k < M; k++) {
    let p = k;
    for (let i = k + 1; i < M; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    if (p !== k) {
      [m[p], m[k]] = [m[k]!, m[p]!];
      det = -det;
    }
    const piv = m[k]![k]!;
    det *= piv;
    if (piv === 0) break;
    for (let i = k + 1; i < M; i++) {
      const f = m[i]![k]! / piv;
      for (let j = k + 1; j < M; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  return { det, scale };
}

function run(x: Float32Array, shape: number[]): Float32Array[] {
  return [rt1, rt2].map((rt) => {
    const t = rt.tensor(x, shape);
    const [y] = rt.run('Det', [t]);
    expect(y!.shape).toEqual(shape.slice(0, -2));
    const d = y!.dataSync() as Float32Array;
    [t, y!].forEach((v) => v.dispose());
    return d;
  });
}

function check(x: Float32Array, shape: number[], what: string): void {
  const M = shape[shape.length - 1]!;
  const [a, b] = run(x, shape);
  expect(Buffer.from(b!.buffer).equals(Buffer.from(a!.buffer)), `${what}: threads 2 differs`).toBe(true);
  a!.forEach((v, r) => {
    const { det, scale } = refDet(x, M, r * M * M);
    const ok = Number.isNaN(det) ? Number.isNaN(v) : Math.abs(v - det) <= 2 ** -23 * Math.abs(det) + M ** 3 * 2 ** -50 * scale;
    if (!ok) throw new Error(`${what}: matrix ${r} det ${v}, want ${det}`);
  });
}

describe('Det on wasm', () => {
  it('matches the float64 reference for batches of 0×0 to 12×12 matrices, threads 1 and 2 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), fc.integer({ min: 0, max: 12 }), fc.nat(), (batch, M, seed) => {
        const r = prng(seed);
        const shape = [...batch, M, M];
        const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() - 0.5) * 4);
        check(x, shape, `Det [${shape}] seed ${seed}`);
      }),
      { numRuns: 100 },
    );
  });

  it('gives exactly 0 for singular matrices, ±1 for permutations, 1 for 0×0, NaN for a NaN entry', () => {
    const sing = Float32Array.of(1, 2, 3, 2, 4, 6, 1, 0, 1);
    expect(Math.abs(run(sing, [3, 3])[0]![0]!)).toBe(0);
    const perm = Float32Array.of(0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1);
    expect(Array.from(run(perm, [2, 3, 3])[0]!)).toEqual([1, -1]);
    expect(Array.from(run(new Float32Array(0), [2, 0, 0])[0]!)).toEqual([1, 1]);
    expect(Number.isNaN(run(Float32Array.of(0, NaN, 0, 0), [2, 2])[0]![0]!)).toBe(true);
  });

  it('splits a large batch across threads bit-identically', () => {
    const r = prng(9);
    const x = Float32Array.from({ length: 300 * 16 * 16 }, () => r() - 0.5);
    check(x, [300, 16, 16], 'Det [300,16,16]');
  });

  it('rejects non-square and non-float input with typed errors naming Det and the shape', () => {
    const t = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('Det', [t])).toThrow(ShapeError);
    expect(() => rt1.run('Det', [t])).toThrow(/Det: X must be \[\*, M, M\] \(square matrices\), got \[2,3\]/);
    const i = rt1.tensor(new Int32Array(4), [2, 2], 'int32');
    expect(() => rt1.run('Det', [i])).toThrow(DTypeError);
    [t, i].forEach((v) => v.dispose());
  });
});
