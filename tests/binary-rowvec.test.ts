/**
 * The binary family's row-vector kernels (wasm-kernels/binary.wat.ts `rowvec`): a contiguous
 * operand against a vector repeating along it, e.g. NHWC x [N,H,W,C] op alpha [C] / [1,1,C] /
 * [1,1,1,C] (side b), or [C] op x (side a); and the row-scalar kernels (`rowscal`): one value per
 * row, NCHW x [1,C,H,W] op [C,1,1] (either side; PRelu's slope on the right); and the one-row
 * entry (`<op>_<dt>_flat`: same shapes, or a scalar against a tensor) for every op. Checked against the float64 reference
 * (tests/reference/binary.ts) over vector lengths around the kernel's cases (whole vectors: n ≥ 16,
 * n % 4 = 0; the scratch period for shorter or odd n; the strided path past 1024), row counts,
 * NaN/±Inf/±0/denormals, and 1 vs 2 threads bit for bit on tensors large enough to split.
 * Tolerances: Add/Sub/Mul/Div/Max/Min/PRelu are one correctly rounded float32 operation (or exact
 * int32 wrapping), so rtol 0: the result must equal the reference rounded to float32;
 * SquaredDifference rounds a − b and then the square: 3·2^-24 relative.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../core/tensor.js';
import { prng } from './arbitraries.js';
import { refBinary, type RefArith } from './reference/binary.js';
import { sizeOf } from './reference/broadcast.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

const OPS: Record<string, readonly ('float32' | 'int32')[]> = {
  Add: ['float32', 'int32'], Sub: ['float32', 'int32'], Mul: ['float32', 'int32'], Div: ['float32'], Max: ['float32', 'int32'], Min: ['float32', 'int32'],
  PRelu: ['float32'], SquaredDifference: ['float32'],
};
const RTOL: Record<string, number> = { SquaredDifference: 3 * 2 ** -24 * (1 + 2 ** -24) };
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-40, -1e-40, 3.4e38, -3.4e38, 0.5];

function data(dtype: 'float32' | 'int32', n: number, seed: number): Float32Array | Int32Array {
  const r = prng(seed);
  if (dtype === 'int32') {
    const edge = [0, 1, -1, 2147483647, -2147483648, 7, -7];
    return Int32Array.from({ length: n }, () => (r() < 0.2 ? edge[Math.floor(r() * edge.length)]! : Math.floor((r() * 2 - 1) * 1000)));
  }
  return Float32Array.from({ length: n }, () => (r() < 0.1 ? SPECIALS[Math.floor(r() * SPECIALS.length)]! : (r() * 2 - 1) * 8));
}

function run(rt: Rt, op: string, dtype: 'float32' | 'int32', sa: number[], sb: number[], av: Float32Array | Int32Array, bv: Float32Array | Int32Array): Tensor {
  const a = rt.tensor(av, sa);
  const b = rt.tensor(bv, sb);
  try {
    return rt.run(op, [a, b])[0]!;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** x [rows (as N,H,W), n] against the vector, in the orientation and vector shape given. */
function check(op: string, dtype: 'float32' | 'int32', lead: number[], n: number, vecShape: number[], side: 'a' | 'b', seed: number): void {
  const xs = [...lead, n];
  const [sa, sb] = side === 'b' ? [xs, vecShape] : [vecShape, xs];
  const av = data(dtype, sizeOf(sa), seed);
  const bv = data(dtype, sizeOf(sb), seed + 1);
  const out = run(rt1, op, dtype, sa, sb, av, bv);
  const ref = refBinary(op as RefArith, dtype, av, sa, bv, sb);
  expect(out.shape).toEqual(ref.shape);
  expectClose(out.dataSync() as Float32Array, ref.data, { op: `${op} ${dtype} rowvec side ${side}`, shapes: [sa, sb], outShape: ref.shape, dtype, rtol: RTOL[op] ?? 0, context: `seed ${seed}` });
  out.dispose();
}

const NS = [1, 2, 3, 4, 5, 7, 12, 15, 16, 17, 20, 32, 33, 64, 100, 128, 1020, 1023, 1024];

describe('binary row-vector kernels', () => {
  for (const [op, dtypes] of Object.entries(OPS)) {
    for (const dtype of dtypes) {
      it(`${op} ${dtype}: [.., n] op [n] for n around every kernel case, both sides`, () => {
        let seed = 1;
        for (const n of NS) {
          for (const lead of [[2], [1, 3, 5], [2, 1, 7]]) {
            // [n], [1,1,n] (within X's rank: PRelu broadcasts one way) or all of X's leading dims as 1
            const vec = seed % 3 === 0 || lead.length < 2 ? [n] : seed % 3 === 1 ? [1, 1, n] : Array.from({ length: lead.length }, () => 1).concat(n);
            check(op, dtype, lead, n, vec, 'b', seed++);
            if (op !== 'PRelu') check(op, dtype, lead, n, vec, 'a', seed++);
          }
        }
      });
    }
  }

  for (const [op, dtypes] of Object.entries(OPS)) {
    for (const dtype of dtypes) {
      it(`${op} ${dtype}: [C, H, W] op [C,1,1] (a value per row), both sides`, () => {
        let seed = 500;
        for (const C of [2, 3, 7, 16]) {
          for (const HW of [[1, 2], [1, 3], [2, 2], [1, 5], [3, 5], [4, 4], [1, 17], [10, 10]]) {
            const xs = [...(seed % 2 ? [1] : []), C, ...HW];
            for (const side of op === 'PRelu' ? ['b'] : ['b', 'a']) {
              const [sa, sb] = side === 'b' ? [xs, [C, 1, 1]] : [[C, 1, 1], xs];
              const av = data(dtype, sizeOf(sa), seed);
              const bv = data(dtype, sizeOf(sb), seed + 1);
              seed += 2;
              const out = run(rt1, op, dtype, sa, sb, av, bv);
              const ref = refBinary(op as RefArith, dtype, av, sa, bv, sb);
              expectClose(out.dataSync() as Float32Array, ref.data, { op: `${op} ${dtype} rowscal side ${side}`, shapes: [sa, sb], outShape: ref.shape, dtype, rtol: RTOL[op] ?? 0 });
              out.dispose();
            }
          }
        }
      });
    }
  }

  it('random shapes and splits: matches the reference (fast-check)', () => {
    const ops = Object.keys(OPS);
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 140 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        (op, rows, n, sideA, seed) => {
          const dtype = OPS[op]!.includes('int32') && seed % 2 ? 'int32' : 'float32';
          check(op, dtype, [rows], n, [n], sideA && op !== 'PRelu' ? 'a' : 'b', seed);
        },
      ),
      { numRuns: 120, seed: 7 },
    );
  });

  it('1 and 2 threads give identical bytes (tensors large enough to split)', () => {
    for (const [op, dtype, lead, n] of [
      ['PRelu', 'float32', [1, 96, 96], 16],
      ['Add', 'float32', [1, 64, 64], 48],
      ['Mul', 'float32', [1, 256, 256], 3],
      ['Sub', 'int32', [2, 128, 100], 20],
      ['SquaredDifference', 'float32', [3, 200, 77], 7],
    ] as [string, 'float32' | 'int32', number[], number][]) {
      const xs = [...lead, n];
      const av = data(dtype, sizeOf(xs), 5);
      const bv = data(dtype, n, 6);
      for (const side of op === 'PRelu' ? ['b'] : ['b', 'a']) {
        const [sa, sb, va, vb] = side === 'b' ? [xs, [n], av, bv] : [[n], xs, bv, av];
        const o1 = run(rt1, op, dtype, sa, sb, va, vb);
        const o2 = run(rt2, op, dtype, sa, sb, va, vb);
        expectBitIdentical(o1.dataSync() as Float32Array, o2.dataSync() as Float32Array, `${op} ${dtype} ${side} ${xs}`);
        if (side === 'b' && op === 'PRelu') {
          const ref = refBinary('PRelu', dtype, va, sa, vb, sb);
          expectClose(o2.dataSync() as Float32Array, ref.data, { op: 'PRelu 2 threads', dtype, rtol: 0 });
        }
        o1.dispose();
        o2.dispose();
      }
    }
  });

  it('row-scalar kernels: 1 and 2 threads give identical bytes', () => {
    for (const [op, dtype] of [['PRelu', 'float32'], ['Mul', 'float32'], ['Add', 'int32'], ['Div', 'float32']] as [string, 'float32' | 'int32'][]) {
      const xs = [1, 32, 80, 81];
      const av = data(dtype, sizeOf(xs), 8);
      const bv = data(dtype, 32, 9);
      for (const side of op === 'PRelu' ? ['b'] : ['b', 'a']) {
        const [sa, sb, va, vb] = side === 'b' ? [xs, [32, 1, 1], av, bv] : [[32, 1, 1], xs, bv, av];
        const o1 = run(rt1, op, dtype, sa, sb, va, vb);
        const o2 = run(rt2, op, dtype, sa, sb, va, vb);
        expectBitIdentical(o1.dataSync() as Float32Array, o2.dataSync() as Float32Array, `${op} ${dtype} rowscal ${side}`);
        o1.dispose();
        o2.dispose();
      }
    }
  });

  it('one-row problems (same shapes, scalar either side): every op against the reference, 1 and 2 threads', () => {
    const ARITH_RTOL: Record<string, number> = { Pow: 2 ** -23, Mod: 2 ** -24, SquaredDifference: 3 * 2 ** -24 * (1 + 2 ** -24), Atan2: 2 ** -24 };
    const CMP = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'NotEqual'];
    for (const dtype of ['float32', 'int32'] as const) {
      for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'FloorDiv', 'SquaredDifference', 'PRelu', ...(dtype === 'float32' ? ['Atan2'] : []), ...CMP]) {
        for (const [sa, sb] of [[[37], [37]], [[2, 3, 5], [2, 3, 5]], [[41], []], [[], [13]], [[], []], [[1], [1, 9]]] as [number[], number[]][]) {
          if (op === 'PRelu' && sizeOf(sb) > sizeOf(sa)) continue;
          const av = data(dtype, sizeOf(sa), 31);
          const bv = data(dtype, sizeOf(sb), 32);
          if (op === 'Pow' && dtype === 'int32') bv.forEach((x, j) => (bv[j] = x % 20));
          const out = run(rt1, op, dtype, sa, sb, av, bv);
          const ref = refBinary(op as RefArith, dtype, av, sa, bv, sb);
          const cmp = CMP.includes(op);
          expectClose(out.dataSync() as Float32Array, ref.data, { op: `${op} ${dtype} one row`, shapes: [sa, sb], outShape: ref.shape, dtype: cmp ? 'bool' : dtype, rtol: cmp ? 0 : ARITH_RTOL[op] ?? 0 });
          out.dispose();
        }
      }
    }
    // past the split threshold (64k elements a thread for the cheap ops, 4k for Pow)
    for (const [op, n] of [['Add', 300001], ['Pow', 20011], ['Less', 300001]] as [string, number][]) {
      for (const [sa, sb] of [[[n], [n]], [[n], []]] as [number[], number[]][]) {
        const av = data('float32', sizeOf(sa), 41);
        const bv = data('float32', sizeOf(sb), 42);
        const o1 = run(rt1, op, 'float32', sa, sb, av, bv);
        const o2 = run(rt2, op, 'float32', sa, sb, av, bv);
        expectBitIdentical(o1.dataSync() as Float32Array, o2.dataSync() as Float32Array, `${op} one row ${sa} ${sb}`);
        o1.dispose();
        o2.dispose();
      }
    }
  });

  it('a NaN slope and NaN inputs pass through PRelu as the definition says', () => {
    const x = new Float32Array([NaN, -1, 2, -0, -Infinity, Infinity, -3, 0.25]);
    const alpha = new Float32Array([0.5, NaN, 2, -1]);
    const out = run(rt1, 'PRelu', 'float32', [2, 4], [4], x, alpha).dataSync() as Float32Array;
    // x < 0 ? x·alpha : x — NaN x is not < 0 (stays NaN); -1·NaN = NaN; -0 is not < 0 (stays -0)
    expect(Array.from(out)).toEqual([NaN, NaN, 2, -0, -Infinity, Infinity, -6, 0.25]);
    expect(Object.is(out[3], -0)).toBe(true);
  });
});
