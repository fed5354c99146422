/** wasm launcher for ResizeGrad (family `resize-grad`, see resize-grad.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/resize-grad.js';
import type { ResizeGradPlan } from '../ops/resize-grad.js';
import type { AxisTable } from '../ops/resize.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Work is counted in dy elements read per input row (each row scans every output row's taps and
 * adds in about OH / H of dy's rows). A worker costs ~20–40 µs to wake (2 cores, Node 20): at
 * least 32k such elements per thread, as the forward Resize's launcher.
 */
const MIN_PER_THREAD = 1 << 15;

function writeTable(ctx: KernelContext, ptr: number, t: AxisTable): void {
  const n = t.i0.length;
  ctx.wasm.i32(ptr, n).set(t.i0);
  ctx.wasm.i32(ptr + 4 * n, n).set(t.i1);
  ctx.wasm.f32(ptr + 8 * n, n).set(t.w);
}

registry.register<ResizeGradPlan>({
  op: 'ResizeGrad',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'resize-grad',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: ResizeGradPlan): void {
    const op = 'ResizeGrad';
    const w = ctx.wasm;
    const dx = outputs[0]!;
    if (dx.size === 0) return;
    const dy = inputs[0]!;
    const tables = w.alloc(12 * Math.max(1, p.OH + p.OW), op);
    try {
      writeTable(ctx, tables, p.ys);
      writeTable(ctx, tables + 12 * p.OH, p.xs);
      const perRow = Math.max(1, Math.ceil(MIN_PER_THREAD / Math.max(1, (p.OW * p.C * Math.max(1, p.OH)) / Math.max(1, p.H))));
      w.parallelFor('resize-grad', 'grad_nhwc', [dy.size ? w.ptrOf(dy, op) : 0, w.ptrOf(dx, op), p.H, p.W, p.C, p.OH, p.OW, tables, tables + 12 * p.OH], p.planes * p.H, {
        minPerThread: perRow,
        op,
      });
    } finally {
      w.free(tables);
    }
  },
});
