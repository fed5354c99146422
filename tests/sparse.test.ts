/**
 * SparseReshape and SparseFillEmptyRows (ops/sparse.ts, wasm family `sparse`) against the index
 * references in tests/reference/sparse.ts: integer outputs, so exact; wasm at 1 and 2 threads.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DTypeError, ShapeError } from '../core/errors.js';
import { fillEmptyRowsRef, sparseReshapeRef } from './reference/sparse.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function reshape(rt: Rt, idx: Int32Array, inShape: number[], outShape: number[]) {
  const t = rt.tensor(idx, [inShape.length ? idx.length / inShape.length : 0, inShape.length], 'int32');
  const [y] = rt.run('SparseReshape', [t], { inputShape: inShape, outputShape: outShape });
  const r = { data: Array.from(y!.dataSync() as Int32Array), shape: [...y!.shape] };
  t.dispose();
  y!.dispose();
  return r;
}

function fill(rt: Rt, idx: Int32Array, vals: Float32Array, rank: number, rows: number, dflt: number) {
  const ts = [rt.tensor(idx, [vals.length, rank], 'int32'), rt.tensor(vals, [vals.length], 'float32'), rt.tensor(Float32Array.of(dflt), [], 'float32')];
  const outs = rt.run('SparseFillEmptyRows', ts, { denseRows: rows });
  const total = (outs[4]!.dataSync() as Int32Array)[0]!;
  const r = {
    outIdx: Array.from((outs[0]!.dataSync() as Int32Array).slice(0, total * rank)),
    outVals: Array.from((outs[1]!.dataSync() as Float32Array).slice(0, total)),
    empty: Array.from(outs[2]!.dataSync() as Uint8Array),
    rev: Array.from(outs[3]!.dataSync() as Int32Array),
  };
  for (const t of [...ts, ...outs]) t.dispose();
  return r;
}

describe('SparseReshape', () => {
  it('random shapes of equal size, many entries (threads split rows)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 20000 }), fc.nat(), (inShape, nnz, seed) => {
        const total = inShape.reduce((a, b) => a * b, 1);
        // an output shape of the same size: the dims regrouped
        const outShape = [total];
        if (seed % 2 && inShape.length > 1) outShape.splice(0, 1, inShape[0]!, total / inShape[0]!);
        let s = seed;
        const idx = new Int32Array(nnz * inShape.length);
        for (let i = 0; i < nnz; i++) inShape.forEach((d, k) => (idx[i * inShape.length + k] = (s = (s * 1103515245 + 12345) >>> 0) % d));
        const want = sparseReshapeRef(idx, inShape, outShape);
        for (const rt of [rt1, rt2]) {
          const got = reshape(rt, idx, inShape, outShape);
          expect(got.shape).toEqual([nnz, outShape.length]);
          expect(got.data).toEqual(want);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('int64 positions: a dense size past 2^31', () => {
    const idx = Int32Array.of(70000, 69999, 3, 5);
    const got = reshape(rt1, idx, [70001, 70000], [70000, 70001]);
    expect(got.data).toEqual(sparseReshapeRef(idx, [70001, 70000], [70000, 70001]));
    expect(got.data.slice(0, 2)).toEqual([69999, 70000]); // 70000·70000 + 69999 = 69999·70001 + 70000
  });

  it('typed errors', () => {
    const t = rt1.tensor(new Int32Array(4), [2, 2], 'int32');
    expect(() => rt1.run('SparseReshape', [t], { inputShape: [2, 3], outputShape: [5] })).toThrow(ShapeError);
    expect(() => rt1.run('SparseReshape', [t], { inputShape: [2, 3], outputShape: [5] })).toThrow(/SparseReshape: inputShape \[2,3\] has 6 dense values but outputShape \[5\] has 5/);
    expect(() => rt1.run('SparseReshape', [t], { inputShape: [6], outputShape: [6] })).toThrow(/indices must be \[nnz, 1\]/);
    t.dispose();
  });
});

describe('SparseFillEmptyRows', () => {
  it('TensorFlow example: empty rows get the default, order kept within rows', () => {
    const idx = Int32Array.from([0, 0, 1, 0, 1, 3, 1, 4, 3, 2, 3, 3]);
    const vals = Float32Array.from([0, 10, 13, 14, 32, 33]);
    const got = fill(rt1, idx, vals, 2, 5, -1);
    expect(got).toEqual(fillEmptyRowsRef(idx, vals, 2, 5, -1));
    expect(got.outVals).toEqual([0, 10, 13, 14, -1, 32, 33, -1]);
  });

  it('random unordered entries, ranks 1–3, no entries at all', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.nat(), (n, rank, rows, seed) => {
        let s = seed;
        const rnd = (m: number) => (s = (s * 1103515245 + 12345) >>> 0) % m;
        const idx = Int32Array.from({ length: n * rank }, (_, i) => (i % rank === 0 ? rnd(rows) : rnd(5)));
        const vals = Float32Array.from({ length: n }, () => rnd(100) - 50);
        const want = fillEmptyRowsRef(idx, vals, rank, rows, 7);
        for (const rt of [rt1, rt2]) expect(fill(rt, idx, vals, rank, rows, 7)).toEqual(want);
      }),
      { numRuns: 60 },
    );
    expect(fill(rt1, new Int32Array(0), new Float32Array(0), 2, 0, 1)).toEqual({ outIdx: [], outVals: [], empty: [], rev: [] });
  });

  it('typed errors: rows out of range, dtypes, shapes', () => {
    expect(() => fill(rt1, Int32Array.of(0, 0, 5, 0), Float32Array.of(1, 2), 2, 5, 0)).toThrow(/SparseFillEmptyRows: indices\[1\] has row 5, outside \[0, 5\)/);
    expect(() => fill(rt1, Int32Array.of(-1, 0), Float32Array.of(1), 2, 5, 0)).toThrow(ShapeError);
    expect(() => fill(rt1, Int32Array.of(0, 0), Float32Array.of(1), 2, 0, 0)).toThrow(/0 dense rows/);
    const i = rt1.tensor(Int32Array.of(0, 0), [1, 2], 'int32');
    const v = rt1.tensor(Float32Array.of(1), [1], 'float32');
    const d = rt1.tensor(Int32Array.of(1), [], 'int32');
    expect(() => rt1.run('SparseFillEmptyRows', [i, v, d], { denseRows: 2 })).toThrow(DTypeError);
    for (const t of [i, v, d]) t.dispose();
  });
});
