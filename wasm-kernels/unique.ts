/** wasm launcher for Unique (family `unique`, see unique.wat.ts): sequential, one thread. */
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/unique.js';
import { UNIQUE_DTYPES, type UniquePlan } from '../ops/unique.js';
import { registry, type KernelContext } from '../registry/registry.js';

const SUFFIX: Partial<Record<DType, string>> = { float32: 'f32', int32: 'i32', int64: 'i64', bool: 'u8', uint8: 'u8' };

function runUnique(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: UniquePlan): void {
  const w = ctx.wasm;
  const op = 'Unique';
  const x = inputs[0]!;
  const [first, inverse, counts, count] = outputs.map((t) => w.ptrOf(t, op)) as [number, number, number, number];
  if (plan.n === 0 || x.size === 0) {
    // no slices, or slices of no elements (all equal: one unique slice when n > 0)
    const view = w.view('int32', 0, w.memory.buffer.byteLength >> 2);
    view[count >> 2] = plan.n > 0 ? 1 : 0;
    for (let i = 0; i < plan.n; i++) view[(inverse >> 2) + i] = 0;
    if (plan.n > 0) {
      view[first >> 2] = 0;
      view[counts >> 2] = plan.n;
    }
    return;
  }
  const scratch = plan.sorted ? w.alloc(plan.n * 8, op) : 0;
  try {
    const f = w.exports('unique')[`unique_${SUFFIX[plan.dispatchDType]!}`]!;
    f(w.ptrOf(x, op), plan.outer, plan.n, plan.inner, plan.sorted ? 1 : 0, first, inverse, counts, count, scratch);
  } finally {
    if (scratch) w.free(scratch);
  }
}

registry.register<UniquePlan>({ op: 'Unique', device: 'wasm', dtypes: UNIQUE_DTYPES, kind: 'compute', family: 'unique', run: runUnique });
