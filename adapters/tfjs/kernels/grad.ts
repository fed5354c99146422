/**
 * Gradient kernels. EluGrad is composed of twinops elementwise ops (no arithmetic here):
 * dy where y ≥ 0, dy · (y + 1) elsewhere (tfjs-backend-cpu's formula, from the forward's output
 * y = elu(x)). LRNGrad → twinops LRNGrad with LRN's attribute mapping (lrn.ts).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('EluGrad', ['GreaterOrEqual', 'Add', 'Mul', 'Where'], ({ inputs, backend }) => {
  const kernel = 'EluGrad';
  const dy = inputs.dy as TensorInfo;
  const y = inputs.y as TensorInfo;
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t);
  try {
    const zero = keep(backend.filled([], 'float32', 0));
    const one = keep(backend.filled([], 'float32', 1));
    const pos = keep(backend.runOne(kernel, 'GreaterOrEqual', [y, zero]));
    const scaled = keep(backend.runOne(kernel, 'Mul', [dy, keep(backend.runOne(kernel, 'Add', [y, one]))]));
    return backend.runOne(kernel, 'Where', [pos, dy, scaled]);
  } finally {
    for (const t of made) backend.release(t);
  }
});

// LRNGrad (x, y, dy): size = 2·depthRadius + 1, alpha = alpha_tfjs · size, as LRN
defineKernel('LRNGrad', ['LRNGrad'], ({ inputs, attrs, backend }) => {
  const r = (attrs.depthRadius as number | undefined) ?? 5;
  const size = 2 * r + 1;
  return backend.runOne('LRNGrad', 'LRNGrad', [inputs.x as TensorInfo, inputs.y as TensorInfo, inputs.dy as TensorInfo], {
    size,
    alpha: ((attrs.alpha as number | undefined) ?? 1) * size,
    beta: (attrs.beta as number | undefined) ?? 0.5,
    bias: (attrs.bias as number | undefined) ?? 1,
    layout: 'NHWC',
  });
});
