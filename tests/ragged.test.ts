/**
 * RaggedRangeSplits / RaggedRangeValues (ops/ragged.ts, wasm family `ragged`) against the
 * definition (row sizes ceil(|limit − start| / |delta|), values start + i·delta in float64 rounded
 * once): splits exact, values exact for int32 and equal to the float32 rounding for float32;
 * wasm at 1 and 2 threads. RaggedGather and RaggedTensorToTensor (plans over existing ops plus
 * RaggedOutputIndex) against nested-list definitions: exact (they only move values).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeError, ShapeError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { runRaggedGather, type RaggedExec } from '../ops/ragged-gather.js';
import { runRaggedToDense } from '../ops/ragged-to-dense.js';
import { rt1, rt2, useRuntimes, type Rt } from './runtimes.js';

useRuntimes();

function ref(s: number[], l: number[], d: number[], n: number, f32: boolean) {
  const at = (a: number[], r: number) => (a.length === 1 && n !== 1 ? a[0]! : a[r]!);
  const splits = [0];
  const values: number[] = [];
  for (let r = 0; r < n; r++) {
    const [a, b, c] = [at(s, r), at(l, r), at(d, r)];
    const size = (c > 0 && b < a) || (c < 0 && b > a) ? 0 : Math.ceil(Math.abs((b - a) / c));
    for (let i = 0; i < size; i++) values.push(f32 ? Math.fround(a + i * c) : a + i * c);
    splits.push(splits[r]! + size);
  }
  return { splits, values };
}

function run(rt: Rt, s: number[], l: number[], d: number[], shapes: number[][], dtype: 'float32' | 'int32') {
  const mk = (v: number[], shape: number[]) => rt.tensor(dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype);
  const ins = [mk(s, shapes[0]!), mk(l, shapes[1]!), mk(d, shapes[2]!)];
  try {
    const [splits] = rt.run('RaggedRangeSplits', ins);
    const sp = Array.from(splits!.dataSync() as Int32Array);
    const [values] = rt.run('RaggedRangeValues', [ins[0]!, ins[2]!, splits!], { total: sp[sp.length - 1]! });
    const out = { splits: sp, values: Array.from(values!.dataSync() as Float32Array | Int32Array) };
    splits!.dispose();
    values!.dispose();
    return out;
  } finally {
    for (const t of ins) t.dispose();
  }
}

describe('RaggedRange', () => {
  it('TensorFlow examples, broadcasting, empty ranges', () => {
    expect(run(rt1, [0, 5, 8, 5], [8, 7, 8, 1], [2, 1, 1, -1], [[4], [4], [4]], 'int32')).toEqual({ splits: [0, 4, 6, 6, 10], values: [0, 2, 4, 6, 5, 6, 5, 4, 3, 2] });
    expect(run(rt1, [0], [12], [3, 4, 5], [[], [], [3]], 'int32')).toEqual({ splits: [0, 4, 7, 10], values: [0, 3, 6, 9, 0, 4, 8, 0, 5, 10] });
    expect(run(rt1, [0], [5], [1], [[], [], []], 'float32')).toEqual({ splits: [0, 5], values: [0, 1, 2, 3, 4] });
    expect(run(rt1, [], [], [], [[0], [0], [0]], 'float32')).toEqual({ splits: [0], values: [] });
  });

  it('random float32 and int32 ranges (threads split rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.nat(), (n, f32, seed) => {
        let x = seed;
        const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) % 4001) - 2000;
        const s = Array.from({ length: n }, () => (f32 ? Math.fround(rnd() / 7) : rnd()));
        const l = Array.from({ length: n }, () => (f32 ? Math.fround(rnd() / 7) : rnd()));
        const d = Array.from({ length: n }, () => { const v = rnd() / 40 || 1; return f32 ? Math.fround(v) : Math.trunc(v) || 1; });
        const want = ref(s, l, d, n, f32);
        for (const rt of [rt1, rt2]) expect(run(rt, s, l, d, [[n], [n], [n]], f32 ? 'float32' : 'int32')).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });

  it('typed errors: zero delta, too many values, shapes', () => {
    expect(() => run(rt1, [0, 1], [3, 4], [1, 0], [[2], [2], [2]], 'int32')).toThrow(AttributeError);
    expect(() => run(rt1, [0, 1], [3, 4], [1, 0], [[2], [2], [2]], 'int32')).toThrow(/RaggedRangeSplits: Requires delta != 0 \(row 1\)/);
    expect(() => run(rt1, [0], [1e10], [1e-10], [[], [], []], 'float32')).toThrow(ShapeError);
    expect(() => run(rt1, [0, 1], [3], [1, 1, 1], [[2], [], [3]], 'int32')).toThrow(/must have the same shape/);
    expect(() => run(rt1, [0, 1], [3, 1], [1, 1], [[2, 1], [2], [2]], 'int32')).toThrow(/starts must be a scalar or vector/);
  });
});


function exec(rt: Rt, made: Tensor[]): RaggedExec<Tensor> {
  const keep = (t: Tensor) => (made.push(t), t);
  return {
    op: (n, ins, a) => rt.run(n, ins, a).map(keep),
    reshape: (t, s) => keep(rt.reshape(t, s)),
    int32: (v, s) => keep(rt.tensor(v, s, 'int32')),
    read: (t) => t.dataSync() as Int32Array,
  };
}

/** Nested lists from row splits (outermost first) over flat values. */
function nest(splits: number[][], values: number[]): unknown[] {
  let items: unknown[] = values;
  for (let l = splits.length - 1; l >= 0; l--) {
    const s = splits[l]!;
    const prev = items;
    items = s.slice(0, -1).map((a, r) => prev.slice(a, s[r + 1]));
  }
  return items;
}

describe('RaggedGather (plan over Gather/Slice/RaggedRange*)', () => {
  it('gathers rows of 1, 2 and 3 levels; 2-D and scalar indices', () => {
    const cases: [number[][], number[], number[], number[]][] = [
      [[[0, 3, 3, 7, 9]], [1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 1, 0, 3], [4]],
      [[[0, 1, 3, 3, 5, 6], [0, 0, 2, 3, 5, 8, 9]], [1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 1, 0, 2, 3], [5]],
      [[[0, 3, 3, 7, 9]], [1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 1, 0, 2], [2, 2]],
      [[[0, 3, 3, 7, 9]], [1, 2, 3, 4, 5, 6, 7, 8, 9], [2], []],
    ];
    for (const [splits, values, indices, ishape] of cases) {
      for (const rt of [rt1, rt2]) {
        const made: Tensor[] = [];
        const x = exec(rt, made);
        const st = splits.map((s) => x.int32(Int32Array.from(s), [s.length]));
        const vt = rt.tensor(Float32Array.from(values), [values.length], 'float32');
        made.push(vt);
        const r = runRaggedGather(x, st, vt, x.int32(Int32Array.from(indices), ishape));
        const got = nest(r.splits.map((t) => Array.from(t.dataSync() as Int32Array)), Array.from(r.values.dataSync() as Float32Array));
        const rows = nest(splits, values);
        const picked = indices.map((i) => rows[i]);
        const want = ishape.length === 0 ? picked[0] : ishape.length === 2 ? [picked.slice(0, 2), picked.slice(2)] : picked;
        expect(got).toEqual(want);
        for (const t of made) t.dispose();
      }
    }
  });
});

describe('RaggedTensorToTensor (plan over RaggedOutputIndex/Where/Expand/ScatterND)', () => {
  /** dense by definition: nested rows cut or padded to `shape` */
  function dense(rows: unknown[], shape: number[], dflt: number): number[] {
    const out: number[] = [];
    const walk = (item: unknown, d: number) => {
      if (d === shape.length) return void out.push(item === undefined ? dflt : (item as number));
      for (let i = 0; i < shape[d]!; i++) walk(Array.isArray(item) ? item[i] : undefined, d + 1);
    };
    walk(rows, 0);
    return out;
  }

  it('row splits and value row ids, cut and padded, nested levels', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const rowids = [0, 0, 0, 2, 2, 2, 2, 3, 3];
    const splits = [0, 3, 3, 7, 9];
    for (const shape of [[4, 4], [3, 5], [5, 2]]) {
      for (const mode of ['splits', 'rowids'] as const) {
        const made: Tensor[] = [];
        const x = exec(rt1, made);
        const vt = rt1.tensor(Float32Array.from(values), [9], 'float32');
        const dv = rt1.tensor(Float32Array.of(-1), [], 'float32');
        made.push(vt, dv);
        const partitions = mode === 'splits' ? [{ type: 'ROW_SPLITS' as const, tensor: x.int32(Int32Array.from(splits), [5]) }] : [{ type: 'FIRST_DIM_SIZE' as const, tensor: x.int32(Int32Array.of(4), []) }, { type: 'VALUE_ROWIDS' as const, tensor: x.int32(Int32Array.from(rowids), [9]) }];
        const y = runRaggedToDense(x, { shape, values: vt, defaultValue: dv, partitions });
        expect(Array.from(y.dataSync() as Float32Array), `${mode} [${shape}]`).toEqual(dense(nest([splits], values), shape, -1));
        for (const t of made) t.dispose();
      }
    }
    // two levels of row splits, values with an inner dim of 2
    const made: Tensor[] = [];
    const x = exec(rt2, made);
    const s0 = [0, 1, 3, 3];
    const s1 = [0, 0, 2, 3];
    const vt = rt2.tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2], 'float32');
    const dv = rt2.tensor(Float32Array.of(0, 9), [2], 'float32');
    made.push(vt, dv);
    const y = runRaggedToDense(x, { shape: [3, 2, 2, 2], values: vt, defaultValue: dv, partitions: [{ type: 'ROW_SPLITS', tensor: x.int32(Int32Array.from(s0), [4]) }, { type: 'ROW_SPLITS', tensor: x.int32(Int32Array.from(s1), [4]) }] });
    const rows = nest([s0, s1], [0, 1, 2]).map((r) => (r as unknown[]).map((q) => (q as number[]).map((i) => [2 * i + 1, 2 * i + 2])));
    const want: number[] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) {
      const v = (rows[a] as number[][][] | undefined)?.[b]?.[c];
      want.push(...(v ?? [0, 9]));
    }
    expect(Array.from(y.dataSync() as Float32Array)).toEqual(want);
    for (const t of made) t.dispose();
  });

  it('typed errors: unsorted row ids', () => {
    const made: Tensor[] = [];
    const x = exec(rt1, made);
    expect(() => x.op('RaggedOutputIndex', [x.int32(Int32Array.of(0, 4), [2]), x.int32(Int32Array.of(1, 0), [2])], { type: 'rowids', dim: 4, mult: 1 })).toThrow(/RaggedOutputIndex: row ids must be ascending/);
    expect(() => x.op('RaggedOutputIndex', [], { type: 'diagonal', dim: 1, mult: 1 })).toThrow(AttributeError);
    for (const t of made) t.dispose();
  });
});
