/** wasm launcher for Swish and SwiGLU (family `swiglu`, see swiglu.wat.ts). */
import '../ops/swiglu.js';
import type { SwishPlan } from '../ops/swiglu.js';
import { registry } from '../registry/registry.js';
import { F32Scratch } from './f16-scratch.js';

/**
 * A sigmoid per element (~1–2 ns on one thread, the unary family's figure); a worker costs ~20–40 µs
 * to wake (2 cores, Node 20), so each thread gets at least 32k elements.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 15;

for (const op of ['Swish', 'SwiGLU'] as const) {
  registry.register<SwishPlan>({
    op,
    device: 'wasm',
    // float16: widened to float32 scratch, Y narrowed back
    dtypes: ['float32', 'float16'],
    kind: 'compute',
    family: 'swiglu',
    run(ctx, inputs, outputs, p) {
      const w = ctx.wasm;
      if (p.n === 0) return;
      const f32 = new F32Scratch(w, op);
      try {
        const ins = inputs.map((t) => f32.input(t));
        const y = f32.output(outputs[0]);
        w.parallelFor('swiglu', op === 'Swish' ? 'swish' : 'swiglu', [...ins, y, p.alpha], p.n, { minPerThread: MIN_ELEMENTS_PER_THREAD, op });
        f32.finish();
      } finally {
        f32.free();
      }
    },
  });
}
