/** wasm launcher for Softmax, LogSoftmax and Hardmax (family `softmax`, see softmax.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/hardmax.js';
import '../ops/log-softmax.js';
import type { SoftmaxPlan } from '../ops/softmax.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Small softmaxes run on one thread below a measured threshold: one thread does ~0.6 ns/element
 * (1000×1000: 0.65–0.70 ms), a worker costs ~20–40 µs to wake (2 cores, Node 20), so each thread
 * gets at least 32k elements (~20 µs) of rows or column groups.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

/** Softmax and LogSoftmax share the passes; LogSoftmax's exports are `log_rows` / `log_strided`. */
for (const [op, prefix] of [['Softmax', ''], ['LogSoftmax', 'log_']] as const) {
  registry.register<SoftmaxPlan>({
    op,
    device: 'wasm',
    dtypes: ['float32'],
    kind: 'compute',
    family: 'softmax',
    run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: SoftmaxPlan): void {
      const w = ctx.wasm;
      const x = w.ptrOf(inputs[0]!, op);
      const y = w.ptrOf(outputs[0]!, op);
      const { outer, axisSize, inner } = plan;
      if (inner === 1) {
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / axisSize));
        w.parallelFor('softmax', `${prefix}rows`, [x, y, axisSize], outer, { minPerThread, op });
      } else {
        const groups = Math.ceil(inner / 4);
        const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (4 * axisSize)));
        w.parallelFor('softmax', `${prefix}strided`, [x, y, axisSize, inner], outer * groups, { minPerThread, op });
      }
    },
  });
}

/** Hardmax: one item per (outer, inner column), ~2·axisSize loads/stores each; same 32k threshold. */
registry.register<SoftmaxPlan>({
  op: 'Hardmax',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'softmax',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: SoftmaxPlan): void {
    const op = 'Hardmax';
    const { outer, axisSize, inner } = plan;
    if (outer * axisSize * inner === 0) return;
    const w = ctx.wasm;
    const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (2 * axisSize)));
    w.parallelFor('softmax', 'hardmax', [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), axisSize, inner], outer * inner, { minPerThread, op });
  },
});
