/** wasm launcher of RoiAlign (family `roi-align`, see roi-align.wat.ts). */
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import '../ops/roi-align.js';
import type { RoiAlignPlan } from '../ops/roi-align.js';
import { registry, type KernelContext } from '../registry/registry.js';
import { readIndexTensor } from './index-ops.js';

/**
 * 100 rois, 7×7 bins, 2×2 samples, 64 channels took 5.5 ms on one thread here (best of 10, loaded
 * machine): ~4.4 ns per sample and channel, ~1.1 µs per output point. A thread takes at least 64
 * 16k samples × channels (~70 µs): minPerThread = ceil(16k / (samples · C)) points.
 */
const MIN_SAMPLE_CHANNELS_PER_THREAD = 1 << 14;

registry.register<RoiAlignPlan>({
  op: 'RoiAlign',
  device: 'wasm',
  dtypes: ['float32'],
  kind: 'compute',
  family: 'roi-align',
  run(ctx: KernelContext, inputs: readonly Tensor[], outputs: readonly Tensor[], plan: RoiAlignPlan): void {
    const op = 'RoiAlign';
    const w = ctx.wasm;
    const bi = readIndexTensor(w, inputs[2]!, op);
    bi.forEach((b, i) => {
      if (!(b >= 0 && b < plan.N)) throw new ShapeError(op, `batch index ${b} (roi ${i}) is out of range for X with N = ${plan.N} (batch_indices ${fmtShape(inputs[2]!.shape)})`);
    });
    const prm = w.alloc(7 * 4 + Math.max(4, bi.length * 4), op);
    try {
      w.i32(prm, 7 + bi.length).set([plan.C, plan.H, plan.W, plan.OH, plan.OW, plan.samplingRatio, plan.halfPixel ? 1 : 0, ...bi]);
      const args = [w.ptrOf(inputs[0]!, op), w.ptrOf(inputs[1]!, op), prm + 28, w.ptrOf(outputs[0]!, op), prm, plan.spatialScale];
      // samples per bin are known only per roi (samplingRatio 0): count 4 as a floor
      const perPoint = Math.max(1, plan.C * (plan.samplingRatio > 0 ? plan.samplingRatio ** 2 : 4));
      w.parallelFor('roi-align', `roi_align_${plan.mode}`, args, plan.R * plan.OH * plan.OW, { minPerThread: Math.max(1, Math.ceil(MIN_SAMPLE_CHANNELS_PER_THREAD / perPoint)), op });
    } finally {
      w.free(prm);
    }
  },
});
