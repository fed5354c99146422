/**
 * tfjs LRN (NHWC, rank 4): y = x / (bias + alpha · Σ_{|c' − c| ≤ depthRadius} x[c']²)^beta →
 * twinops LRN, whose contract follows ONNX (the square sum is scaled by alpha / size): so
 * size = 2·depthRadius + 1 and alpha = alpha_tfjs · size.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('LRN', ['LRN'], ({ inputs, attrs, backend }) => {
  const r = (attrs.depthRadius as number | undefined) ?? 5;
  const size = 2 * r + 1;
  return backend.runOne('LRN', 'LRN', [inputs.x as TensorInfo], {
    size,
    alpha: ((attrs.alpha as number | undefined) ?? 1) * size,
    beta: (attrs.beta as number | undefined) ?? 0.5,
    bias: (attrs.bias as number | undefined) ?? 1,
    layout: 'NHWC',
  });
});
