/** wasm launcher for RotateWithOffset (family `rotate`, see rotate.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/rotate-with-offset.js';
import type { RotateWithOffsetPlan } from '../ops/rotate-with-offset.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Threads split output rows. Measured one thread (tmp/J/bench.ts, Node 20, 2 cores shared at load
 * average ~7, so only indicative): ~12 ns an output pixel whatever C (1×256×256×1: 0.77 ms;
 * ×4 channels: 0.87 ms; the two rounded float64 coordinates dominate, the copy is cheap), so
 * 4k pixels (~45 µs) a thread's share, against ~20–40 µs to wake a worker.
 */
const MIN_PIXELS_PER_THREAD = 1 << 12;

function runRotate(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: RotateWithOffsetPlan): void {
  const w = ctx.wasm;
  const op = 'RotateWithOffset';
  if (outputs[0]!.size === 0) return;
  // the fill pixel, written in the image's dtype (an int32 image truncates it, as tfjs' Int32Array does)
  const fill = w.alloc(4 * p.C, op);
  try {
    const fv = w.view(inputs[0]!.dtype, fill, p.C);
    for (let c = 0; c < p.C; c++) fv[c] = p.fill[c]!;
    const minPerThread = Math.max(1, Math.ceil(MIN_PIXELS_PER_THREAD / p.W));
    const args = [w.ptrOf(inputs[0]!, op), w.ptrOf(outputs[0]!, op), fill, p.H, p.W, p.C, p.cx, p.cy, p.sin, p.cos];
    w.parallelFor('rotate', 'rotate_x32', args, p.B * p.H, { minPerThread, op });
  } finally {
    w.free(fill);
  }
}

registry.register<RotateWithOffsetPlan>({ op: 'RotateWithOffset', device: 'wasm', dtypes: ['float32', 'int32'], kind: 'compute', family: 'rotate', run: runRotate });
