/** Softmax along `dim` → twinops Softmax along `axis`. */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Softmax', ['Softmax'], ({ inputs, attrs, backend }) =>
  backend.runOne('Softmax', 'Softmax', [inputs.logits as TensorInfo], { axis: (attrs.dim as number | undefined) ?? -1 }),
);
