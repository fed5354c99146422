/** wasm launcher of Det (family `det`, see det.wat.ts): each matrix eliminated in its own float64 scratch slot. */
import type { Tensor } from '../core/tensor.js';
import '../ops/det.js';
import type { DetPlan } from '../ops/det.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Elimination is ~M³/3 multiply-adds per matrix (scalar float64). One thread here (best of 15, loaded
 * machine): 256 matrices 16×16 in 405 µs (1.2 ns per multiply-add), 64 matrices 64×64 in 11 ms (2 ns).
 * A thread takes at least 64k multiply-adds (~80–130 µs) before a worker is woken (~20–40 µs).
 */
const MIN_FLOPS_PER_THREAD = 1 << 16;

registry.register<DetPlan>({
  op: 'Det',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'det',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: DetPlan): void {
    const op = 'Det';
    const w = ctx.wasm;
    const scratch = w.alloc(Math.max(8, plan.batch * plan.M * plan.M * 8), op);
    try {
      const perMatrix = Math.max(1, (plan.M * plan.M * plan.M) / 3);
      w.parallelFor('det', 'det_f32', [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), scratch, plan.M], plan.batch, { minPerThread: Math.max(1, Math.ceil(MIN_FLOPS_PER_THREAD / perMatrix)), op });
    } finally {
      w.free(scratch);
    }
  },
});
