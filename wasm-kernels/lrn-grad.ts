/** wasm launcher for LRNGrad (family `lrn-grad`, see lrn-grad.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/lrn-grad.js';
import type { LrnGradPlan } from '../ops/lrn-grad.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Work is counted in channel-window terms per pixel (C · (lo + hi + 1), twice, plus a pow per
 * channel). A worker costs ~20–40 µs to wake (2 cores, Node 20): at least 32k terms per thread.
 */
const MIN_PER_THREAD = 1 << 15;

registry.register<LrnGradPlan>({
  op: 'LRNGrad',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'lrn-grad',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: LrnGradPlan): void {
    const op = 'LRNGrad';
    const w = ctx.wasm;
    const dx = outputs[0]!;
    if (dx.size === 0) return;
    const rows = p.outer * p.inner;
    const s = w.alloc(8 * dx.size, op);
    try {
      const [x, y, dy] = inputs.map((t) => w.ptrOf(t, op)) as [number, number, number];
      const per = Math.max(1, Math.ceil(MIN_PER_THREAD / Math.max(1, p.C * (p.lo + p.hi + 2))));
      w.parallelFor('lrn-grad', 'rows', [x, y, dy, w.ptrOf(dx, op), s, p.C, p.lo, p.hi, p.bias, p.coef, p.beta], rows, { minPerThread: per, op });
    } finally {
      w.free(s);
    }
  },
});
