/** wasm launcher for CropAndResize (family `crop-resize`, see crop-resize.wat.ts). */
import type { Tensor } from '../core/tensor.js';
import '../ops/crop-resize.js';
import type { CropAndResizePlan } from '../ops/crop-resize.js';
import { registry, type KernelContext } from '../registry/registry.js';

/**
 * Threads split output rows (box, y). Measured one thread, Node 20, on 2 cores shared at load average ~17 (timings ~8× inflated and noisy; the figures below are the measured ones divided by 8): ~1.6 ns an output element (64 boxes of 32×32×8,
 * bilinear), so 16k elements (~26 µs) a thread's share, against ~20–40 µs to wake a worker.
 */
const MIN_ELEMENTS_PER_THREAD = 1 << 14;

function runCropAndResize(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], p: CropAndResizePlan): void {
  const w = ctx.wasm;
  const op = 'CropAndResize';
  const [img, boxes, ind] = inputs.map((t) => (t.size ? w.ptrOf(t, op) : 0)) as [number, number, number];
  // an empty image: every box's index is out of range
  const B = p.H * p.W === 0 ? 0 : p.B;
  const rows = p.N * p.cropH;
  const minPerThread = Math.max(1, Math.ceil(MIN_ELEMENTS_PER_THREAD / (p.cropW * p.C)));
  w.parallelFor('crop-resize', 'crop_and_resize_f32', [img, boxes, ind, B, p.H, p.W, p.C, p.cropH, p.cropW, p.nearest ? 1 : 0, p.extrapolationValue, w.ptrOf(outputs[0]!, op)], rows, { minPerThread, op });
}

registry.register<CropAndResizePlan>({ op: 'CropAndResize', device: 'wasm', dtypes: ['float32'], kind: 'compute', family: 'crop-resize', run: runCropAndResize });
