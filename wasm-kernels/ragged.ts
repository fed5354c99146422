/** wasm launchers for RaggedRangeSplits and RaggedRangeValues (family `ragged`, see ragged.wat.ts). */
import { AttributeError, ShapeError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/ragged.js';
import '../ops/ragged-to-dense.js';
import type { RaggedOutputIndexPlan } from '../ops/ragged-to-dense.js';
import type { RaggedRangePlan, RaggedRangeValuesPlan } from '../ops/ragged.js';
import { registry, type KernelContext } from '../registry/registry.js';

const T = (p: RaggedRangePlan) => (p.dispatchDType === 'int32' ? 'i32' : 'f32');
/** Values: a streaming store like Range (its launcher measured ~0.5 ns an element); threads from ~64k values each, by rows. */
const MIN_VALUES_PER_THREAD = 1 << 16;

function runSplits(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: RaggedRangePlan): void {
  const w = ctx.wasm;
  const op = 'RaggedRangeSplits';
  const ptr = (t: Tensor) => (t.size ? w.ptrOf(t, op) : 0);
  const status = w.alloc(4, op);
  try {
    w.exports('ragged')[`ragged_range_splits_${T(p)}`]!(ptr(inputs[0]!), ptr(inputs[1]!), ptr(inputs[2]!), p.n, ...p.broadcast, w.ptrOf(outputs[0]!, op), status);
    const s = w.view('int32', status, 1)[0] as number;
    if (s > 0) throw new AttributeError(op, `Requires delta != 0 (row ${s - 1})`);
    if (s < 0) throw new ShapeError(op, `Requires ((limit - start) / delta) <= 2147483647 (the ranges up to row ${-s - 1} hold more values)`);
  } finally {
    w.free(status);
  }
}

function runValues(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: RaggedRangeValuesPlan): void {
  const w = ctx.wasm;
  const op = 'RaggedRangeValues';
  const minPerThread = Math.max(1, Math.ceil((MIN_VALUES_PER_THREAD * p.n) / Math.max(1, p.total)));
  const args = [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), w.ptrOf(inputs[2]!, op), ...p.broadcast, w.ptrOf(outputs[0]!, op)];
  w.parallelFor('ragged', `ragged_range_values_${T(p)}`, args, p.n, { minPerThread, op });
}

registry.register<RaggedRangePlan>({ op: 'RaggedRangeSplits', device: 'wasm', dtypes: ['float32', 'int32'], kind: 'compute', family: 'ragged', run: runSplits });
registry.register<RaggedRangeValuesPlan>({ op: 'RaggedRangeValues', device: 'wasm', dtypes: ['float32', 'int32'], kind: 'compute', family: 'ragged', run: runValues });

/** RaggedOutputIndex: one pass over a level's items (sequential: a row's items count from its start). */
function runOutputIndex(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: RaggedOutputIndexPlan): void {
  const w = ctx.wasm;
  const op = 'RaggedOutputIndex';
  const ptr = (t: Tensor) => (t.size ? w.ptrOf(t, op) : 0);
  const out = w.ptrOf(outputs[0]!, op);
  const k = w.exports('ragged');
  if (p.type === 'first') k.ragged_index_first!(p.items, p.dim, p.mult, out);
  else if (p.type === 'splits') k.ragged_index_splits!(ptr(inputs[0]!), inputs[0]!.size, ptr(inputs[1]!), p.dim, p.mult, out, p.items);
  else {
    const s = k.ragged_index_rowids!(ptr(inputs[0]!), inputs[0]!.size, ptr(inputs[1]!), inputs[1]!.size, p.dim, p.mult, out) as number;
    if (s < 0) {
      const i = -s - 1;
      const row = w.view('int32', ptr(inputs[1]!) + 4 * i, 1)[0];
      throw new ShapeError(op, `row ids must be ascending and below the ${inputs[0]!.size} parent rows; row ids[${i}] is ${row}`);
    }
  }
}

registry.register<RaggedOutputIndexPlan>({ op: 'RaggedOutputIndex', device: 'wasm', dtypes: ['int32'], kind: 'compute', family: 'ragged', run: runOutputIndex });
