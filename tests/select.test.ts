/**
 * The `select` family on wasm (TopK, UnsortedSegmentSum, ScatterNDSum) against the float64
 * references in tests/reference/select.ts: random shapes/axes/k with fast-check, odd sizes, size-0
 * and size-1 dims, NaN/±Inf and heavy ties, int32 and int64 indices, 1 and 2 threads bit-identical,
 * and typed errors. TopK only selects, so its values and indices must match exactly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinopsError } from '../core/errors.js';
import { createRuntime, type Runtime } from '../core/runtime.js';
import { prng } from './arbitraries.js';
import { expectBitIdentical, expectClose } from './reference/compare.js';
import { refBincount, refSearchSorted, refSegmentSum, refTopK, refTupleRows } from './reference/select.js';

let rt1: Runtime;
let rt2: Runtime;
beforeAll(async () => {
  rt1 = await createRuntime({ device: 'wasm', threads: 1 });
  rt2 = await createRuntime({ device: 'wasm', threads: 2 });
});
afterAll(() => {
  rt1?.dispose();
  rt2?.dispose();
});

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** float32 values with many ties (few distinct values) and, when asked, NaN/±Inf. */
function values(n: number, seed: number, specials: boolean, distinct: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (specials && u < 0.05) return NaN;
    if (specials && u < 0.08) return Infinity;
    if (specials && u < 0.11) return -Infinity;
    return Math.fround(Math.floor(r() * distinct) - distinct / 2 + (distinct > 100 ? r() : 0));
  });
}

type TopKInput = Float32Array | Int32Array | BigInt64Array;
const dtypeOf = (x: TopKInput) => (x instanceof Int32Array ? 'int32' : x instanceof BigInt64Array ? 'int64' : 'float32');

function runTopK(rt: Runtime, x: TopKInput, shape: number[], attrs: object) {
  const t = rt.tensor(x, shape, dtypeOf(x));
  const [v, i] = rt.run('TopK', [t], attrs);
  const out = { values: v!.dataSync(), indices: i!.dataSync(), shape: v!.shape.slice(), idtype: i!.dtype };
  [t, v!, i!].forEach((u) => u.dispose());
  return out;
}

function checkTopK(x: TopKInput, shape: number[], axis: number, k: number, largest: boolean, indexDType: 'int32' | 'int64', what: string) {
  // int64 inputs compare exactly as BigInt; the test values stay within ±2^53 so Number keeps them
  const ref = refTopK(Array.from(x as ArrayLike<number | bigint>, Number), shape, axis, k, largest);
  const attrs = { k, axis, largest, indexDType };
  const a = runTopK(rt1, x, shape, attrs);
  const b = runTopK(rt2, x, shape, attrs);
  const op = `TopK ${what} shape [${shape}] axis ${axis} k ${k} largest ${largest}`;
  expect(a.shape, op).toEqual(ref.shape);
  expect(a.idtype).toBe(indexDType);
  // selection only: values are the input's own bits, so exact (NaN matches NaN)
  expectClose(Array.from(a.values as ArrayLike<number | bigint>, Number), ref.values, { op, dtype: dtypeOf(x) === 'float32' ? 'float32' : 'int32', rtol: 0, atol: 0 });
  expect(Array.from(a.indices as ArrayLike<number | bigint>, Number), op).toEqual(ref.indices);
  expectBitIdentical(a.values as Float32Array, b.values as Float32Array, `${op} threads 1 vs 2`);
  expectBitIdentical(a.indices as Int32Array, b.indices as Int32Array, `${op} threads 1 vs 2`);
}

describe('TopK (wasm)', () => {
  it('matches a stable float64 sort for random shapes, axes, k, ties and NaN/Inf', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
        fc.nat(), fc.nat(), fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom(3, 1000), fc.constantFrom('float32', 'int32', 'int64'),
        (dims, axisSeed, seed, largest, specials, int64, distinct, dtype) => {
          const asInt = dtype !== 'float32';
          const shape = dims.map((d) => (d === 9 ? 33 : d));
          const axis = axisSeed % shape.length;
          const k = seed % (shape[axis]! + 1);
          const n = size(shape);
          const f = values(n, seed, specials && !asInt, distinct);
          const ints = Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0));
          const x = dtype === 'int32' ? Int32Array.from(ints) : dtype === 'int64' ? BigInt64Array.from(ints, (v) => BigInt(v) * 3n ** 20n) : f;
          checkTopK(x, shape, axis, k, largest, int64 ? 'int64' : 'int32', dtype);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('handles long rows across threads, k = n, k = 1 and all-equal rows', () => {
    // 40 rows of 1001: above the 8k-element per-thread threshold, so 2 threads split them
    const x = values(40 * 1001, 11, true, 1000);
    checkTopK(x, [40, 1001], 1, 5, true, 'int32', 'long rows');
    checkTopK(x.subarray(0, 7 * 1001), [7, 1001], 1, 1001, false, 'int64', 'full sort');
    checkTopK(x.subarray(0, 7 * 143), [7, 143], 0, 1, true, 'int32', 'axis 0');
    checkTopK(new Float32Array(17).fill(2), [17], 0, 17, true, 'int32', 'all equal');
    checkTopK(Int32Array.from([-2147483648, 2147483647, 0, -1]), [4], 0, 4, true, 'int32', 'int32 extremes');
    const big = BigInt64Array.from([2n ** 52n, -(2n ** 52n), 7n, 7n, -1n, 2n ** 40n, 7n], (v) => v);
    checkTopK(big, [7], 0, 4, true, 'int64', 'int64 values');
    checkTopK(big, [7], 0, 5, false, 'int32', 'int64 values');
  });

  it('rejects bad inputs with typed errors naming the op and the shapes', () => {
    const t = rt1.tensor(new Float32Array(6), [2, 3]);
    expect(() => rt1.run('TopK', [t], { k: 4 })).toThrow(/TopK: k must be an integer in \[0, 3\] for X \[2,3\]/);
    expect(() => rt1.run('TopK', [t], { k: 1, axis: 2 })).toThrow(TwinopsError);
    const s = rt1.tensor(new Float32Array(1), []);
    expect(() => rt1.run('TopK', [s], { k: 1 })).toThrow(/TopK: X \[\] must have rank/);
    const b = rt1.tensor(new Uint8Array(2), [2], 'bool');
    expect(() => rt1.run('TopK', [b], { k: 1 })).toThrow(/TopK.*dtype/);
    [t, s, b].forEach((u) => u.dispose());
  });
});

/**
 * Segment sums in float32 add the rows of a segment one by one, in row order: each addition rounds
 * by at most 2^-24 of the running |sum| ≤ Σ|x|, so the error is below count·2^-24·Σ|x| (per element).
 */
function sumTolerance(abs: Float64Array, count: Float64Array): Float64Array {
  return abs.map((a, i) => count[i]! * 2 ** -24 * a);
}

function runBoth(op: string, make: (rt: Runtime) => { inputs: ReturnType<Runtime['tensor']>[]; attrs: object }) {
  return [rt1, rt2].map((rt) => {
    const { inputs, attrs } = make(rt);
    const [y] = rt.run(op, inputs, attrs);
    const out = { data: y!.dataSync() as Float32Array | Int32Array, shape: y!.shape.slice() };
    [...inputs, y!].forEach((u) => u.dispose());
    return out;
  });
}

describe('UnsortedSegmentSum (wasm)', () => {
  it('matches float64 sums for random shapes, ids (some out of range) and NaN/Inf', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }), fc.integer({ min: 0, max: 6 }), fc.nat(), fc.boolean(), fc.boolean(), fc.boolean(),
        (rows, innerDims, segments, seed, specials, asInt, int64) => {
          const innerShape = innerDims.map((d) => (d === 9 ? 37 : d));
          const inner = size(innerShape);
          const r = prng(seed);
          const ids = Array.from({ length: rows }, () => Math.floor(r() * (segments + 3)) - 1);
          const f = values(rows * inner, seed + 1, specials && !asInt, 1000);
          const data = asInt ? Int32Array.from(f, (v) => (Number.isFinite(v) ? v : 0)) : f;
          const [a, b] = runBoth('UnsortedSegmentSum', (rt) => ({
            inputs: [rt.tensor(data, [rows, ...innerShape], asInt ? 'int32' : 'float32'), int64 ? rt.tensor(BigInt64Array.from(ids, BigInt), [rows], 'int64') : rt.tensor(Int32Array.from(ids), [rows], 'int32')],
            attrs: { numSegments: segments },
          }));
          const ref = refSegmentSum(data, ids, segments, inner);
          const op = `UnsortedSegmentSum rows ${rows} inner [${innerShape}] segments ${segments}`;
          expect(a!.shape).toEqual([segments, ...innerShape]);
          if (asInt) expect(Array.from(a!.data), op).toEqual(Array.from(ref.sum, (v) => v | 0));
          else expectClose(a!.data, ref.sum, { op, dtype: 'float32', rtol: 0, atol: 0, atolPer: sumTolerance(ref.abs, ref.count) });
          expectBitIdentical(a!.data, b!.data, `${op} threads 1 vs 2`);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('splits wide rows across threads with identical results', () => {
    // 4103 column groups of 4 × (50 rows + 5 segments): above the 128k-element per-thread threshold
    const rows = 50;
    const inner = 16411;
    const data = values(rows * inner, 5, true, 1000);
    const ids = Array.from({ length: rows }, (_, i) => (i * 7) % 5);
    const [a, b] = runBoth('UnsortedSegmentSum', (rt) => ({ inputs: [rt.tensor(data, [rows, inner]), rt.tensor(Int32Array.from(ids), [rows], 'int32')], attrs: { numSegments: 5 } }));
    const ref = refSegmentSum(data, ids, 5, inner);
    expectClose(a!.data, ref.sum, { op: 'UnsortedSegmentSum wide', dtype: 'float32', rtol: 0, atol: 0, atolPer: sumTolerance(ref.abs, ref.count) });
    expectBitIdentical(a!.data, b!.data, 'UnsortedSegmentSum wide threads 1 vs 2');
  });

  it('rejects bad inputs with typed errors', () => {
    const d = rt1.tensor(new Float32Array(6), [2, 3]);
    const ids = rt1.tensor(new Int32Array(3), [3], 'int32');
    expect(() => rt1.run('UnsortedSegmentSum', [d, ids], { numSegments: 2 })).toThrow(/UnsortedSegmentSum: segmentIds \[3\] must be a prefix of data \[2,3\]/);
    const ids2 = rt1.tensor(new Int32Array(2), [2], 'int32');
    expect(() => rt1.run('UnsortedSegmentSum', [d, ids2], { numSegments: -1 })).toThrow(/UnsortedSegmentSum: numSegments/);
    expect(() => rt1.run('UnsortedSegmentSum', [d, d], { numSegments: 1 })).toThrow(/UnsortedSegmentSum.*segmentIds.*dtype/);
    [d, ids, ids2].forEach((u) => u.dispose());
  });
});

describe('ScatterNDSum (wasm)', () => {
  it('adds updates at index tuples, summing repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 12 }), fc.nat(), (shape, kk, tuples, seed) => {
        const k = Math.min(kk, shape.length);
        const r = prng(seed);
        const idx = Array.from({ length: tuples * k }, (_, j) => Math.floor(r() * shape[j % k]!));
        const inner = size(shape.slice(k));
        const upd = values(tuples * inner, seed, false, 1000);
        const [a, b] = runBoth('ScatterNDSum', (rt) => ({
          inputs: [rt.tensor(Int32Array.from(idx), [tuples, k], 'int32'), rt.tensor(upd, [tuples, ...shape.slice(k)])],
          attrs: { shape },
        }));
        const ref = refSegmentSum(upd, refTupleRows(idx, k, shape), size(shape.slice(0, k)), inner);
        const op = `ScatterNDSum shape [${shape}] k ${k} tuples ${tuples}`;
        expect(a!.shape).toEqual(shape);
        expectClose(a!.data, ref.sum, { op, dtype: 'float32', rtol: 0, atol: 0, atolPer: sumTolerance(ref.abs, ref.count) });
        expectBitIdentical(a!.data, b!.data, `${op} threads 1 vs 2`);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects out-of-range indices and mismatched updates with typed errors', () => {
    const idx = rt1.tensor(Int32Array.from([0, 4]), [2, 1], 'int32');
    const upd = rt1.tensor(new Float32Array(2), [2]);
    expect(() => rt1.run('ScatterNDSum', [idx, upd], { shape: [4] })).toThrow(/ScatterNDSum: index 4 .* out of range for an axis of size 4 in shape \[4\]/);
    const upd3 = rt1.tensor(new Float32Array(3), [3]);
    expect(() => rt1.run('ScatterNDSum', [idx, upd3], { shape: [5] })).toThrow(/ScatterNDSum: updates \[3\] must have shape \[2\]/);
    [idx, upd, upd3].forEach((u) => u.dispose());
  });
});

describe('Bincount (wasm)', () => {
  it('counts or sums weights per row, drops values ≥ size, and gives 0/1 with binaryOutput', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 9 }), fc.nat(), fc.constantFrom('none', 'float32', 'int32'), fc.boolean(), fc.boolean(),
        (batch, n, size, seed, weights, binaryOutput, twoD) => {
          const b = twoD ? batch : 1;
          const shape = twoD ? [b, n] : [n];
          const r = prng(seed);
          const x = Int32Array.from({ length: b * n }, () => Math.floor(r() * (size + 3)));
          const wf = values(b * n, seed + 1, false, 1000);
          const w = weights === 'int32' ? Int32Array.from(wf, Math.round) : wf;
          const outs = [rt1, rt2].map((rt) => {
            const ins = [rt.tensor(x, shape, 'int32'), ...(weights === 'none' ? [] : [rt.tensor(w, shape, weights)])];
            const [y] = rt.run('Bincount', ins, { size, binaryOutput, dtype: 'float32' });
            const out = { data: y!.dataSync() as Float32Array | Int32Array, shape: y!.shape.slice(), dtype: y!.dtype };
            [...ins, y!].forEach((u) => u.dispose());
            return out;
          });
          const ref = refBincount(x, b, n, size, weights === 'none' || binaryOutput ? undefined : w, binaryOutput);
          const op = `Bincount [${shape}] size ${size} weights ${weights} binary ${binaryOutput}`;
          expect(outs[0]!.shape, op).toEqual([...shape.slice(0, -1), size]);
          expect(outs[0]!.dtype, op).toBe(weights === 'none' ? 'float32' : weights);
          expectClose(outs[0]!.data, ref.sum, { op, dtype: 'float32', rtol: 0, atol: 0, atolPer: sumTolerance(ref.abs, ref.count) });
          expectBitIdentical(outs[0]!.data, outs[1]!.data, `${op} threads 1 vs 2`);
        }),
      { numRuns: 100 },
    );
  });

  it('rejects negative values and mismatched weights with typed errors', () => {
    const x = rt1.tensor(Int32Array.from([1, -2]), [2], 'int32');
    expect(() => rt1.run('Bincount', [x], { size: 3 })).toThrow(/Bincount: x \[2\] holds a negative value -2/);
    const w = rt1.tensor(new Float32Array(3), [3]);
    expect(() => rt1.run('Bincount', [x, w], { size: 3 })).toThrow(/Bincount: weights \[3\] must have the shape of x \[2\]/);
    [x, w].forEach((u) => u.dispose());
  });
});

describe('SparseSegmentSum / SparseSegmentMean (wasm)', () => {
  it('sum or average gathered rows into sorted segments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 20 }), fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 2 }), fc.nat(), fc.boolean(), fc.boolean(),
        (dataRows, k, innerDims, seed, mean, asInt) => {
          const innerShape = innerDims.map((d) => (d === 9 ? 37 : d));
          const inner = size(innerShape);
          const r = prng(seed);
          const indices = Array.from({ length: k }, () => Math.floor(r() * dataRows));
          let id = 0;
          const ids = Array.from({ length: k }, () => (id += r() < 0.4 ? Math.floor(r() * 3) : 0));
          const segments = k ? ids[k - 1]! + 1 : 0;
          const f = values(dataRows * inner, seed + 1, !asInt, 1000);
          const data = asInt ? Int32Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0)) : f;
          const op = mean ? 'SparseSegmentMean' : 'SparseSegmentSum';
          const [a, b] = runBoth(op, (rt) => ({
            inputs: [rt.tensor(data, [dataRows, ...innerShape], asInt ? 'int32' : 'float32'), rt.tensor(Int32Array.from(indices), [k], 'int32'), rt.tensor(Int32Array.from(ids), [k], 'int32')],
            attrs: { numSegments: segments },
          }));
          const gathered = new Float64Array(k * inner);
          indices.forEach((row, i) => { for (let c = 0; c < inner; c++) gathered[i * inner + c] = data[row * inner + c]!; });
          const ref = refSegmentSum(gathered, ids, segments, inner);
          const what = `${op} data [${dataRows},${innerShape}] k ${k} ${asInt ? 'int32' : 'float32'}`;
          expect(a!.shape, what).toEqual([segments, ...innerShape]);
          if (asInt) {
            const want = Array.from(ref.sum, (v, i) => { const s = v | 0; return mean && ref.count[i]! > 1 ? Math.trunc(s / ref.count[i]!) | 0 : s; });
            expect(Array.from(a!.data), what).toEqual(want);
          } else {
            // the mean's division adds one rounding (2^-24 relative) to the sum's bound, scaled by 1/count
            const want = ref.sum.map((v, i) => (mean && ref.count[i]! > 1 ? v / ref.count[i]! : v));
            const tol = sumTolerance(ref.abs, ref.count).map((t, i) => (mean && ref.count[i]! > 1 ? t / ref.count[i]! + Math.abs(want[i]!) * 2 ** -24 : t));
            expectClose(a!.data, want, { op: what, dtype: 'float32', rtol: 0, atol: 0, atolPer: tol });
          }
          expectBitIdentical(a!.data, b!.data, `${what} threads 1 vs 2`);
        }),
      { numRuns: 120 },
    );
  });

  it('rejects bad ids and indices with typed errors naming the element', () => {
    const d = rt1.tensor(new Float32Array(8), [4, 2]);
    const idx = rt1.tensor(Int32Array.from([0, 5, 1]), [3], 'int32');
    const ok = rt1.tensor(Int32Array.from([0, 0, 1]), [3], 'int32');
    expect(() => rt1.run('SparseSegmentSum', [d, idx, ok], { numSegments: 2 })).toThrow(/SparseSegmentSum: indices\[1\] == 5 out of range \[0, 4\)/);
    const idx2 = rt1.tensor(Int32Array.from([0, 1, 2]), [3], 'int32');
    const down = rt1.tensor(Int32Array.from([1, 0, 1]), [3], 'int32');
    expect(() => rt1.run('SparseSegmentMean', [d, idx2, down], { numSegments: 2 })).toThrow(/SparseSegmentMean: segment ids are not increasing/);
    const neg = rt1.tensor(Int32Array.from([-1, 0, 1]), [3], 'int32');
    expect(() => rt1.run('SparseSegmentSum', [d, idx2, neg], { numSegments: 2 })).toThrow(/SparseSegmentSum: segment ids must be >= 0/);
    expect(() => rt1.run('SparseSegmentSum', [d, idx2, ok], { numSegments: 1 })).toThrow(/SparseSegmentSum: Segment id 1 out of range \[0, 1\)/);
    [d, idx, ok, idx2, down, neg].forEach((u) => u.dispose());
  });
});

describe('SearchSorted (wasm)', () => {
  it('matches counting on sorted rows (ties, ±Inf, NaN values), both sides', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.nat(), fc.boolean(), fc.boolean(),
        (lead, n, m, seed, right, asInt) => {
          const batch = size(lead);
          const seqF = values(batch * n, seed, false, 20);
          for (let b = 0; b < batch; b++) seqF.subarray(b * n, (b + 1) * n).sort();
          if (!asInt && n > 1 && batch > 0) { seqF[0] = -Infinity; seqF[n - 1] = Infinity; }
          const valF = values(batch * m, seed + 1, !asInt, 24);
          const toInt = (f: Float32Array) => Int32Array.from(f, (v) => (Number.isFinite(v) ? Math.round(v) : 0));
          const seq = asInt ? toInt(seqF) : seqF;
          const vals = asInt ? toInt(valF) : valF;
          if (asInt) for (let b = 0; b < batch; b++) seq.subarray(b * n, (b + 1) * n).sort();
          const [a, c] = runBoth('SearchSorted', (rt) => ({
            inputs: [rt.tensor(seq, [...lead, n], asInt ? 'int32' : 'float32'), rt.tensor(vals, [...lead, m], asInt ? 'int32' : 'float32')],
            attrs: { side: right ? 'right' : 'left' },
          }));
          const what = `SearchSorted [${lead},${n}] values [${lead},${m}] ${right ? 'right' : 'left'}`;
          expect(a!.shape, what).toEqual([...lead, m]);
          expect(Array.from(a!.data), what).toEqual(refSearchSorted(seq, vals, batch, n, m, right));
          expectBitIdentical(a!.data, c!.data, `${what} threads 1 vs 2`);
        }),
      { numRuns: 120 },
    );
  });

  it('splits many values across threads', () => {
    const n = 1000;
    const seq = Float32Array.from({ length: n }, (_, i) => i / 7);
    const vals = values(50000, 3, true, 300);
    const [a, c] = runBoth('SearchSorted', (rt) => ({ inputs: [rt.tensor(seq, [n]), rt.tensor(vals, [50000])], attrs: { side: 'left' } }));
    expect(Array.from(a!.data)).toEqual(refSearchSorted(seq, vals, 1, n, 50000, false));
    expectBitIdentical(a!.data, c!.data, 'SearchSorted threads 1 vs 2');
  });

  it('rejects mismatched shapes, dtypes and sides with typed errors', () => {
    const s = rt1.tensor(new Float32Array(6), [2, 3]);
    const v = rt1.tensor(new Float32Array(3), [3, 1]);
    expect(() => rt1.run('SearchSorted', [s, v])).toThrow(/SearchSorted: sortedSequence \[2,3\] and values \[3,1\]/);
    const vi = rt1.tensor(new Int32Array(2), [2, 1], 'int32');
    expect(() => rt1.run('SearchSorted', [s, vi])).toThrow(/SearchSorted.*dtype/);
    const v2 = rt1.tensor(new Float32Array(2), [2, 1]);
    expect(() => rt1.run('SearchSorted', [s, v2], { side: 'middle' })).toThrow(/SearchSorted: side must be/);
    [s, v, vi, v2].forEach((u) => u.dispose());
  });
});

describe('LinSpace (wasm)', () => {
  it('rounds start + i·step once and ends exactly at stop', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 300 }), (start, stop, num) => {
        const outs = [rt1, rt2].map((rt) => {
          const [y] = rt.run('LinSpace', [], { start, stop, num });
          const d = y!.dataSync() as Float32Array;
          y!.dispose();
          return d;
        });
        // float64 reference, rounded to float32 once: exact match expected
        const want = Array.from({ length: num }, (_, i) => Math.fround(i === num - 1 && num > 1 ? stop : start + i * ((stop - start) / Math.max(1, num - 1))));
        expect(Array.from(outs[0]!), `LinSpace ${start} ${stop} ${num}`).toEqual(want);
        expectBitIdentical(outs[0]!, outs[1]!, 'LinSpace threads 1 vs 2');
      }),
      { numRuns: 100 },
    );
    const [big] = rt2.run('LinSpace', [], { start: 0, stop: 1, num: 300001 });
    const d = big!.dataSync() as Float32Array;
    expect(d[150000]).toBe(Math.fround(0.5));
    expect(d[300000]).toBe(1);
    big!.dispose();
  });

  it('rejects num < 1 with a typed error', () => {
    expect(() => rt1.run('LinSpace', [], { start: 0, stop: 1, num: 0 })).toThrow(/LinSpace: num must be a positive integer, got 0/);
  });
});
