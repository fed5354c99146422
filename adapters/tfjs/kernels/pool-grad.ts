/**
 * Pooling gradients and MaxPoolWithArgmax (channels last) → twinops MaxPoolGrad, AveragePoolGrad,
 * MaxPoolWithArgmax (ops/pool-grad.ts) with the forward pool's geometry (pool.ts). tfjs' MaxPool
 * skips NaN (nanMode 'ignore'); its average gradients divide by the whole window (countIncludePad).
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { poolAttrs } from './pool.js';
import { defineKernel } from './register.js';

for (const [kernel, rank] of [['MaxPoolGrad', 2], ['MaxPool3DGrad', 3]] as const) {
  defineKernel(kernel, ['MaxPoolGrad'], ({ inputs, attrs, backend }) => {
    const x = inputs.input as TensorInfo;
    const g = poolAttrs(x, attrs, rank);
    return backend.runOne(kernel, 'MaxPoolGrad', [inputs.dy as TensorInfo, x], { ...g.attrs, autoPad: 'NOTSET', layout: 'NHWC', nanMode: 'ignore' });
  });
}

for (const [kernel, rank] of [['AvgPoolGrad', 2], ['AvgPool3DGrad', 3]] as const) {
  defineKernel(kernel, ['AveragePoolGrad'], ({ inputs, attrs, backend }) => {
    const x = inputs.input as TensorInfo;
    const g = poolAttrs(x, attrs, rank);
    return backend.runOne(kernel, 'AveragePoolGrad', [inputs.dy as TensorInfo], {
      ...g.attrs,
      inputShape: x.shape,
      autoPad: 'NOTSET',
      layout: 'NHWC',
      countIncludePad: true,
    });
  });
}

defineKernel('MaxPoolWithArgmax', ['MaxPoolWithArgmax'], ({ inputs, attrs, backend }) => {
  const x = inputs.x as TensorInfo;
  const g = poolAttrs(x, attrs as NamedAttrMap, 2);
  return backend.runOp('MaxPoolWithArgmax', 'MaxPoolWithArgmax', [x], {
    ...g.attrs,
    autoPad: 'NOTSET',
    layout: 'NHWC',
    nanMode: 'ignore',
    includeBatchInIndex: !!attrs.includeBatchInIndex,
  });
});
