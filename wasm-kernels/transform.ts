/** wasm launcher for Transform (family `transform`, see transform.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/transform.js';
import type { TransformPlan } from '../ops/transform.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Threads split output rows. Measured one thread, Node 20, on 2 cores shared at load average ~17 (timings ~8× inflated and noisy; the figures below are the measured ones divided by 8): ~3.8 ns an output element (4×64×64×8, bilinear, float64
 * coordinates), so 8k elements (~30 µs) a thread's share, against ~20–40 µs to wake a worker.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 13;

function runTransform(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: TransformPlan): void {
  const w = ctx.wasm;
  const op = 'Transform';
  const img = inputs[0]!.size ? w.ptrOf(inputs[0]!, op) : 0;
  const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, p.outW * p.C)));
  const args = [img, w.ptrOf(inputs[1]!, op), p.shared ? 0 : 32, p.H, p.W, p.C, p.outH, p.outW, p.nearest ? 1 : 0, p.mode, p.fillValue, w.ptrOf(outputs[0]!, op)];
  w.parallelFor('transform', 'transform_f32', args, p.B * p.outH, { minPerThread, op });
}

registry.register<TransformPlan>({ op: 'Transform', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'transform', run: runTransform });
