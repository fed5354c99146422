/**
 * FusedBatchNorm → twinops BatchNormalization with the channel on the last axis (tfjs). tfjs'
 * optional scale and offset default to ones and zeros (written as data); parameters must be one
 * value per channel.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('FusedBatchNorm', ['BatchNormalization'], ({ inputs, attrs, backend }) => {
  const kernel = 'FusedBatchNorm';
  const x = inputs.x as TensorInfo;
  const C = x.shape[x.shape.length - 1] ?? 1;
  const made: TensorInfo[] = [];
  const param = (t: TensorInfo | undefined, dflt: number, what: string): TensorInfo => {
    if (t === undefined) {
      const p = backend.filled([C], 'float32', dflt);
      made.push(p);
      return p;
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== C) backend.unsupported(kernel, `${what} [${t.shape.join(',')}] must hold one value per channel (${C})`);
    return { ...t, shape: [C] };
  };
  try {
    const scale = param(inputs.scale as TensorInfo | undefined, 1, 'scale');
    const offset = param(inputs.offset as TensorInfo | undefined, 0, 'offset');
    const mean = param(inputs.mean as TensorInfo, 0, 'mean');
    const variance = param(inputs.variance as TensorInfo, 1, 'variance');
    const xr = x.shape.length >= 2 ? x : { ...x, shape: [1, C] };
    const y = backend.runOne(kernel, 'BatchNormalization', [xr, scale, offset, mean, variance], {
      epsilon: (attrs.varianceEpsilon as number | undefined) ?? 0.001,
      layout: 'NHWC',
    });
    return xr === x ? y : backend.reshaped(y, x.shape);
  } finally {
    for (const t of made) backend.release(t);
  }
});
