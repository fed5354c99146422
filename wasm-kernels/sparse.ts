/** wasm launchers for SparseReshape and SparseFillEmptyRows (family `sparse`, see sparse.wat.ts). */
import { ShapeError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/sparse.js';
import type { SparseFillEmptyRowsPlan, SparseReshapePlan } from '../ops/sparse.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * SparseReshape. Measured one thread, Node 20, on 2 cores shared at load average ~17 (timings ~8× inflated and noisy; the figures below are the measured ones divided by 8): ~5.8 ns an entry (100k entries, rank 3 → 2, int64 divisions), so 4k
 * entries (~24 µs) a thread's share.
 */
const RESHAPE_MIN_PER_THREAD = 1 << 12;

function runSparseReshape(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: SparseReshapePlan): void {
  const w = ctx.wasm;
  const op = 'SparseReshape';
  const tables = w.alloc(8 * (p.inStrides.length + p.outStrides.length) + 8, op);
  try {
    const view = w.view('int64', tables, p.inStrides.length + p.outStrides.length) as BigInt64Array;
    [...p.inStrides, ...p.outStrides].forEach((s, i) => (view[i] = BigInt(s)));
    const args = [w.ptrOf(inputs[0]!, op), p.inStrides.length, tables, p.outStrides.length, tables + 8 * p.inStrides.length, w.ptrOf(outputs[0]!, op)];
    w.parallelFor('sparse', 'sparse_reshape_i32', args, p.nnz, { minPerThread: RESHAPE_MIN_PER_THREAD, op });
  } finally {
    w.free(tables);
  }
}

/** SparseFillEmptyRows: sequential (each row's slots depend on the rows before it). */
function runFillEmptyRows(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: SparseFillEmptyRowsPlan): void {
  const w = ctx.wasm;
  const op = 'SparseFillEmptyRows';
  const ptr = (t: Tensor) => (t.size ? w.ptrOf(t, op) : 0);
  const count = w.ptrOf(outputs[4]!, op);
  const scratch = w.alloc(8 * Math.max(1, p.denseRows), op);
  try {
    w.exports('sparse').fill_empty_rows_b32!(ptr(inputs[0]!), ptr(inputs[1]!), w.ptrOf(inputs[2]!, op), p.n, p.rank, p.denseRows, ptr(outputs[0]!), ptr(outputs[1]!), ptr(outputs[2]!), ptr(outputs[3]!), count, scratch);
  } finally {
    w.free(scratch);
  }
  const c = w.view('int32', count, 1)[0] as number;
  if (c < 0) {
    const i = -c - 1;
    const row = w.view('int32', w.ptrOf(inputs[0]!, op) + 4 * i * p.rank, 1)[0];
    throw new ShapeError(op, `indices[${i}] has row ${row}, outside [0, ${p.denseRows})`);
  }
}

registry.register<SparseReshapePlan>({ op: 'SparseReshape', device: 'wasm', dtypes: ['int32'], kind: 'compute', family: 'sparse', run: runSparseReshape });
registry.register<SparseFillEmptyRowsPlan>({ op: 'SparseFillEmptyRows', device: 'wasm', dtypes: ['float32', 'int32'], kind: 'compute', family: 'sparse', run: runFillEmptyRows });
