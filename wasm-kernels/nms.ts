/** wasm launcher for NonMaxSuppression (family `nms`, see nms.wat.ts): sequential, one thread. */
import type { Tensor } from '../core/tensor.js';
import '../ops/nms.js';
import type { NMSPlan } from '../ops/nms.js';
import { registry, type KernelContext } from '../registry/registry.js';

function runNMS(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: NMSPlan): void {
  const w = ctx.wasm;
  const op = 'NonMaxSuppression';
  const [sel, scores, count] = outputs.map((t) => w.ptrOf(t, op)) as [number, number, number];
  if (plan.maxOut === 0) {
    w.view('int32', count, 1)[0] = 0;
    return;
  }
  const scratch = w.alloc(plan.n * 12, op);
  try {
    w.exports('nms').nms_f32!(w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), plan.n, plan.maxOut, plan.iouThreshold, plan.scoreThreshold, plan.softScale, plan.flags, sel, scores, count, scratch);
  } finally {
    w.free(scratch);
  }
}

registry.register<NMSPlan>({ op: 'NonMaxSuppression', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'nms', run: runNMS });
