/** wasm launcher for Softmax (family `softmax`, see softmax.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import type { SoftmaxPlan } from '../ops/softmax.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Small softmaxes run on one thread below a measured threshold: one thread does ~0.6 ns/element
 * (1000×1000: 0.65–0.70 ms), a worker costs ~20–40 µs to wake (2 cores, Node 20), so each thread
 * gets at least 32k elements (~20 µs) of rows or column groups.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

registry.register<SoftmaxPlan>({
  op: 'Softmax',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'softmax',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: SoftmaxPlan): void {
    const w = ctx.wasm;
    const x = w.ptrOf(inputs[0]!, 'Softmax');
    const y = w.ptrOf(outputs[0]!, 'Softmax');
    const { outer, axisSize, inner } = plan;
    if (inner === 1) {
      const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / axisSize));
      w.parallelFor('softmax', 'rows', [x, y, axisSize], outer, { minPerThread, op: 'Softmax' });
    } else {
      const groups = Math.ceil(inner / 4);
      const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (4 * axisSize)));
      w.parallelFor('softmax', 'strided', [x, y, axisSize, inner], outer * groups, { minPerThread, op: 'Softmax' });
    }
  },
});
