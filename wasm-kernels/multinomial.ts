/** wasm launcher for Multinomial (family `multinomial`, see multinomial.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/multinomial.js';
import type { MultinomialPlan } from '../ops/multinomial.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Threads split rows; a row costs up to numSamples·k weight visits. Measured one thread, Node 20, on 2 cores shared at load average ~17 (timings ~8× inflated and noisy; the figures below are the measured ones divided by 8): ~1.9 ns a visit
 * (64 rows × 16 outcomes × 1000 samples), so 16k visits (~30 µs) a thread's share.
 */
const MIN_WORK_PER_THREAD = 1 << 14;

function runMultinomial(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: MultinomialPlan): void {
  const w = ctx.wasm;
  const op = 'Multinomial';
  const probs = inputs[0]!.size ? w.ptrOf(inputs[0]!, op) : 0;
  const minPerThread = Math.max(1, Math.ceil(MIN_WORK_PER_THREAD / Math.max(1, p.numSamples * p.k)));
  w.parallelFor('multinomial', 'multinomial_f32', [probs, p.k, p.numSamples, p.seed, w.ptrOf(outputs[0]!, op)], p.rows, { minPerThread, op });
}

registry.register<MultinomialPlan>({ op: 'Multinomial', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'multinomial', run: runMultinomial });
