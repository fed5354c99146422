/** UnsortedSegmentSum → twinops UnsortedSegmentSum (ids outside [0, numSegments) are dropped, as tfjs-backend-cpu). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';
import { checkSparseSegments } from './sparse-segment-checks.js';

defineKernel('UnsortedSegmentSum', ['UnsortedSegmentSum'], ({ inputs, attrs, backend }) =>
  backend.runOne('UnsortedSegmentSum', 'UnsortedSegmentSum', [inputs.x as TensorInfo, inputs.segmentIds as TensorInfo], { numSegments: attrs.numSegments as number }),
);

/** Bincount / DenseBincount → twinops Bincount; 0-length weights mean counts (in the weights' dtype, as tfjs). */
function bincount(kernel: string) {
  return defineKernel(kernel, ['Bincount'], ({ inputs, attrs, backend }) => {
    let x = inputs.x as TensorInfo;
    let weights = inputs.weights as TensorInfo;
    const weighted = weights.shape.reduce((a, d) => a * d, 1) > 0;
    if (kernel === 'Bincount') {
      // tfjs Bincount counts over all of x, whatever its shape: viewed as 1-D
      x = { ...x, shape: [x.shape.reduce((a, d) => a * d, 1)] };
      if (weighted) weights = { ...weights, shape: x.shape };
    }
    const dtype = weights.dtype as 'float32' | 'int32';
    return backend.runOne(kernel, 'Bincount', weighted ? [x, weights] : [x], { size: attrs.size as number, binaryOutput: (attrs.binaryOutput as boolean | undefined) ?? false, dtype });
  });
}
bincount('Bincount');
bincount('DenseBincount');

/**
 * SparseSegmentSum / SparseSegmentMean → the twinops ops of the same names. tfjs sizes the output
 * by the last segment id + 1, so that one value is read here (as tfjs-backend-cpu and -webgl do);
 * the twinops kernel checks every id and index.
 */
for (const kernel of ['SparseSegmentSum', 'SparseSegmentMean'] as const) {
  defineKernel(kernel, [kernel], ({ inputs, backend }) => {
    const segmentIds = inputs.segmentIds as TensorInfo;
    const ids = backend.readSync(segmentIds.dataId) as Int32Array;
    const data = inputs.data as TensorInfo;
    // tfjs' own checks and messages first (its tests match them verbatim)
    const numSegments = checkSparseSegments(backend.readSync((inputs.indices as TensorInfo).dataId) as Int32Array, ids, data.shape[0] ?? 1);
    return backend.runOne(kernel, kernel, [data, inputs.indices as TensorInfo, segmentIds], { numSegments });
  });
}
