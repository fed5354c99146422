/** wasm launcher of Col2Im (family `col2im`, see col2im.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/col2im.js';
import type { Col2ImPlan } from '../ops/col2im.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { PARAMS } from './col2im.wat.js';

/**
 * A 3×3 Col2Im into 64×64 took 325 µs on one thread here (8.8 ns per output tap, best of 15, loaded
 * machine): a thread takes at least 4k taps' worth (~35 µs), about a worker wake-up (~20–40 µs).
 */
const MIN_TAPS_PER_THREAD = 1 << 12;

registry.register<Col2ImPlan>({
  op: 'Col2Im',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'col2im',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: Col2ImPlan): void {
    const op = 'Col2Im';
    const w = ctx.wasm;
    const K = plan.KD * plan.KH * plan.KW;
    const values = { ...plan, K } as unknown as Record<(typeof PARAMS)[number], number>;
    const prm = w.alloc(PARAMS.length * 4, op);
    try {
      w.i32(prm, PARAMS.length).set(PARAMS.map((k) => values[k]));
      const n = outputs[0]!.size;
      w.parallelFor('col2im', 'col2im', [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), prm], n, { minPerThread: Math.max(1, Math.ceil(MIN_TAPS_PER_THREAD / K)), op });
    } finally {
      w.free(prm);
    }
  },
});
