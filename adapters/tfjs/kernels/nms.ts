/**
 * NonMaxSuppressionV3/V4/V5 → twinops NonMaxSuppression (outputs sized for the most selections,
 * count in a third output): the count is read, the first `count` entries kept (Slice), and for
 * V4's padToMaxOutputSize zero-padded to maxOutputSize (Pad).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

/** The selected indices (cut to the count, padded when asked), their scores, and the count as a scalar. */
function nms(backend: TwinopsBackend, kernel: string, inputs: Record<string, unknown>, attrs: Record<string, unknown>, softNmsSigma: number, pad: boolean): [TensorInfo, TensorInfo, TensorInfo] {
  const maxOutputSize = attrs.maxOutputSize as number;
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t);
  try {
    const [sel, scores, count] = backend
      .runOp(kernel, 'NonMaxSuppression', [inputs.boxes as TensorInfo, inputs.scores as TensorInfo], {
        maxOutputSize,
        iouThreshold: attrs.iouThreshold as number,
        scoreThreshold: attrs.scoreThreshold as number,
        softNmsSigma,
      })
      .map(keep) as [TensorInfo, TensorInfo, TensorInfo];
    const k = (backend.readSync(count.dataId) as Int32Array)[0]!;
    let idx = keep(backend.runOne(kernel, 'Slice', [sel], { starts: [0], ends: [k] }));
    if (pad && k < maxOutputSize) idx = keep(backend.runOne(kernel, 'Pad', [idx], { pads: [0, maxOutputSize - k] }));
    const kept = keep(backend.runOne(kernel, 'Slice', [scores], { starts: [0], ends: [k] }));
    const out: [TensorInfo, TensorInfo, TensorInfo] = [idx, kept, backend.filled([], 'int32', k)];
    for (const t of out) if (made.includes(t)) made.splice(made.indexOf(t), 1);
    return out;
  } finally {
    for (const t of made) backend.release(t);
  }
}

defineKernel('NonMaxSuppressionV3', ['NonMaxSuppression', 'Slice'], ({ inputs, attrs, backend }) => {
  const [idx, scores, valid] = nms(backend, 'NonMaxSuppressionV3', inputs, attrs, 0, false);
  backend.release(scores);
  backend.release(valid);
  return idx;
});

defineKernel('NonMaxSuppressionV4', ['NonMaxSuppression', 'Slice', 'Pad'], ({ inputs, attrs, backend }) => {
  const [idx, scores, valid] = nms(backend, 'NonMaxSuppressionV4', inputs, attrs, 0, attrs.padToMaxOutputSize as boolean);
  backend.release(scores);
  return [idx, valid];
});

defineKernel('NonMaxSuppressionV5', ['NonMaxSuppression', 'Slice'], ({ inputs, attrs, backend }) =>
  nms(backend, 'NonMaxSuppressionV5', inputs, attrs, attrs.softNmsSigma as number, false),
);
