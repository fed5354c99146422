/** Softmax along `dim` → twinops Softmax along `axis`; LogSoftmax along `axis` → twinops LogSoftmax. */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Softmax', ['Softmax'], ({ inputs, attrs, backend }) =>
  backend.runOne('Softmax', 'Softmax', [inputs.logits as TensorInfo], { axis: (attrs.dim as number | undefined) ?? -1 }),
);

defineKernel('LogSoftmax', ['LogSoftmax'], ({ inputs, attrs, backend }) =>
  backend.runOne('LogSoftmax', 'LogSoftmax', [inputs.logits as TensorInfo], { axis: (attrs.axis as number | undefined) ?? -1 }),
);
