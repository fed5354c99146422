/** wasm launchers for the `select` family (see select.wat.ts): TopK, segment sums (UnsortedSegmentSum, ScatterNDSum, Bincount, SparseSegmentSum/Mean), SearchSorted, LinSpace. */
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { BincountPlan, SegmentPlan, SparseSegmentPlan } from '../ops/segment.js';
import type { LinSpacePlan } from '../ops/linspace.js';
import type { SearchSortedPlan } from '../ops/search-sorted.js';
import type { TopKPlan } from '../ops/topk.js';
import '../ops/linspace.js';
import '../ops/search-sorted.js';
import '../ops/segment.js';
import '../ops/topk.js';
import { registry } from '../registry/registry.js';
import type { WasmBackend } from './runtime/backend.js';

/**
 * Work below which one thread runs alone. Waking a worker costs ~20–40 µs (2 cores, Node 20).
 * Measured on this machine (noisy: shared cores): TopK on random float32 rows, k ≤ 10, ~1.2 ns per
 * input element on long rows (the v128 skip) to ~2.5–3.7 ns on rows of 512–1000, so 8k elements
 * (≥ ~10–30 µs) per thread; segment sums ~0.2–0.5 ns per element moved, so 128k elements (~40 µs).
 */
const TOPK_MIN_ELEMENTS_PER_THREAD = 1 << 13;
const SUM_MIN_ELEMENTS_PER_THREAD = 1 << 17;

const WAT_TYPE = { float32: 'f32', int32: 'i32', int64: 'i64' } as const;

registry.register<TopKPlan>({
  op: 'TopK',
  device: 'wasm',
  dtypes: ['float32', 'int32', 'int64'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'TopK';
    const w = ctx.wasm;
    const lanes = plan.outer * plan.inner;
    if (plan.k === 0 || lanes === 0) return;
    const v = WAT_TYPE[inputs[0]!.dtype as 'float32' | 'int32' | 'int64'];
    const ix = outputs[1]!.dtype === 'int64' ? 'i64' : 'i32';
    const args = [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), w.ptrOf(outputs[1]!, op), plan.n, plan.k, plan.inner, plan.largest ? 1 : 0];
    w.parallelFor('select', `topk_${v}_${ix}`, args, lanes, { minPerThread: Math.max(1, Math.ceil(TOPK_MIN_ELEMENTS_PER_THREAD / plan.n)), op });
  },
});

/** Index values of `t` as numbers (int32 or int64); read before allocating (views go stale when memory grows). */
function readIndices(w: WasmBackend, t: Tensor, op: string): Float64Array {
  const p = w.ptrOf(t, op);
  // plain loops: TypedArray.from with a map function costs ~80 ns/element on V8 11
  const out = new Float64Array(t.size);
  if (t.dtype === 'int64') {
    const v = new BigInt64Array(w.memory.buffer, p, t.size);
    for (let i = 0; i < out.length; i++) out[i] = Number(v[i]!);
  } else out.set(new Int32Array(w.memory.buffer, p, t.size));
  return out;
}

/**
 * dst[rows[i]] += src[srcRows?.[i] ?? i] over [*, inner] rows (rows[i] < 0: dropped), dst zeroed
 * first; with counts, each dst row is then divided by its count where it is > 1 (int32: truncating).
 */
function segmentSum(w: WasmBackend, src: number, dst: Tensor, rows: Int32Array, plan: SegmentPlan, op: string, srcRows?: Int32Array, counts?: Int32Array): void {
  const groups = Math.ceil(plan.inner / 4);
  if (groups === 0 || plan.segments === 0) return;
  const v = WAT_TYPE[dst.dtype as 'float32' | 'int32'];
  const scratch: number[] = [];
  const put = (a: Int32Array | undefined): number => {
    if (!a) return 0;
    const p = w.alloc(Math.max(4, a.byteLength), op);
    scratch.push(p);
    w.i32(p, a.length).set(a);
    return p;
  };
  try {
    const rp = put(rows);
    const sp = put(srcRows);
    const cp = put(counts);
    const perGroup = 4 * (plan.rows + plan.segments);
    w.parallelFor('select', `segment_sum_${v}`, [src, sp, w.ptrOf(dst, op), rp, cp, plan.rows, plan.segments, plan.inner], groups, {
      minPerThread: Math.max(1, Math.ceil(SUM_MIN_ELEMENTS_PER_THREAD / perGroup)),
      op,
    });
  } finally {
    scratch.forEach((p) => w.free(p));
  }
}

registry.register<SegmentPlan>({
  op: 'UnsortedSegmentSum',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'UnsortedSegmentSum';
    const w = ctx.wasm;
    const ids = readIndices(w, inputs[1]!, op);
    const rows = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) rows[i] = ids[i]! >= 0 && ids[i]! < plan.segments ? ids[i]! : -1;
    segmentSum(w, w.ptrOf(inputs[0]!, op), outputs[0]!, rows, plan, op);
  },
});

registry.register<SegmentPlan>({
  op: 'ScatterNDSum',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'ScatterNDSum';
    const w = ctx.wasm;
    const idx = readIndices(w, inputs[0]!, op);
    const k = plan.indicesShape[plan.indicesShape.length - 1]!;
    const rows = new Int32Array(plan.rows);
    for (let t = 0; t < plan.rows; t++) {
      let row = 0;
      for (let i = 0; i < k; i++) {
        const dim = plan.shape[i]!;
        const v = idx[t * k + i]!;
        if (!(v >= 0 && v < dim)) {
          throw new ShapeError(op, `index ${v} (element ${t * k + i} of indices ${fmtShape(plan.indicesShape)}) is out of range for an axis of size ${dim} in shape ${fmtShape(plan.shape)}`);
        }
        row = row * dim + v;
      }
      rows[t] = row;
    }
    segmentSum(w, w.ptrOf(inputs[1]!, op), outputs[0]!, rows, plan, op);
  },
});

registry.register<BincountPlan>({
  op: 'Bincount',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'Bincount';
    const w = ctx.wasm;
    const x = readIndices(w, inputs[0]!, op);
    const size = plan.indicesShape.length === 2 ? plan.segments / Math.max(1, plan.indicesShape[0]!) : plan.segments;
    const n = plan.indicesShape[plan.indicesShape.length - 1]!;
    const rows = new Int32Array(x.length);
    const seen = new Set<number>();
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v < 0) throw new ShapeError(op, `x ${fmtShape(plan.indicesShape)} holds a negative value ${v} (element ${i})`);
      const row = v < size ? Math.floor(i / n) * size + v : -1;
      // binary output: each (row, value) counted once, so its sum of ones is 1
      rows[i] = plan.binaryOutput && row >= 0 ? (seen.has(row) ? -1 : (seen.add(row), row)) : row;
    }
    if (plan.weighted && !plan.binaryOutput) {
      segmentSum(w, w.ptrOf(inputs[1]!, op), outputs[0]!, rows, plan, op);
      return;
    }
    // counts: sums of ones (1.0 or 1 by the output dtype)
    const ones = w.alloc(Math.max(4, 4 * x.length), op);
    try {
      if (outputs[0]!.dtype === 'float32') new Float32Array(w.memory.buffer, ones, x.length).fill(1);
      else w.i32(ones, x.length).fill(1);
      segmentSum(w, ones, outputs[0]!, rows, plan, op);
    } finally {
      w.free(ones);
    }
  },
});

for (const op of ['SparseSegmentSum', 'SparseSegmentMean'] as const) {
  registry.register<SparseSegmentPlan>({
    op,
    device: 'wasm',
    dtypes: ['float32', 'int32'],
    kind: 'compute',
    family: 'select',
    run(ctx, inputs, outputs, plan) {
      const w = ctx.wasm;
      const indices = readIndices(w, inputs[1]!, op);
      const ids = readIndices(w, inputs[2]!, op);
      const srcRows = new Int32Array(indices.length);
      const rows = new Int32Array(ids.length);
      const counts = plan.mean ? new Int32Array(plan.segments) : undefined;
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i]!;
        if (s < 0) throw new ShapeError(op, `segment ids must be >= 0 (segmentIds[${i}] == ${s})`);
        if (i > 0 && s < ids[i - 1]!) throw new ShapeError(op, `segment ids are not increasing (segmentIds[${i}] == ${s} after ${ids[i - 1]!})`);
        if (s >= plan.segments) throw new ShapeError(op, `Segment id ${s} out of range [0, ${plan.segments})`);
        const r = indices[i]!;
        if (!(r >= 0 && r < plan.dataRows)) throw new ShapeError(op, `indices[${i}] == ${r} out of range [0, ${plan.dataRows})`);
        srcRows[i] = r;
        rows[i] = s;
        if (counts) counts[s]!++;
      }
      segmentSum(w, w.ptrOf(inputs[0]!, op), outputs[0]!, rows, plan, op, srcRows, counts);
    },
  });
}

registry.register<SearchSortedPlan>({
  op: 'SearchSorted',
  device: 'wasm',
  dtypes: ['float32', 'int32'],
  kind: 'compute',
  family: 'select',
  run(ctx, inputs, outputs, plan) {
    const op = 'SearchSorted';
    const w = ctx.wasm;
    const total = plan.batch * plan.m;
    if (total === 0) return;
    const v = WAT_TYPE[inputs[0]!.dtype as 'float32' | 'int32'];
    // ~log2(n) dependent loads per value: charge each value log2(n)+1 elements of work
    const cost = Math.log2(plan.n + 1) + 1;
    w.parallelFor('select', `search_sorted_${v}_${plan.right ? 'right' : 'left'}`, [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(outputs[0]!, op), plan.n, plan.m], total, {
      minPerThread: Math.max(1, Math.ceil(TOPK_MIN_ELEMENTS_PER_THREAD / cost)),
      op,
    });
  },
});

registry.register<LinSpacePlan>({
  op: 'LinSpace',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'select',
  run(ctx, _inputs, outputs, plan) {
    const op = 'LinSpace';
    const w = ctx.wasm;
    const step = plan.num > 1 ? (plan.stop - plan.start) / (plan.num - 1) : 0;
    // one float64 multiply-add per element: ~1 ns, so the sum threshold applies
    w.parallelFor('select', 'linspace_f32', [w.ptrOf(outputs[0]!, op), plan.start, step, plan.num > 1 ? plan.num - 1 : -1, plan.stop], plan.num, {
      minPerThread: SUM_MIN_ELEMENTS_PER_THREAD,
      op,
    });
  },
});
