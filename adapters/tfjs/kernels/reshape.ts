/** Reshape and Identity: metadata only, the output shares the input's data (reference counted). */
import { util } from '@tensorflow/tfjs-core';
import { defineKernel, inputX } from './register.js';

defineKernel('Reshape', [], ({ inputs, attrs, backend }) => {
  const x = inputX(inputs);
  const size = util.sizeFromShape(x.shape);
  const shape = util.inferFromImplicitShape(attrs.shape as number[], size);
  const outSize = util.sizeFromShape(shape);
  if (outSize !== size) {
    backend.unsupported('Reshape', `cannot reshape [${x.shape.join(',')}] (${size} elements) to [${shape.join(',')}] (${outSize} elements)`);
  }
  return backend.alias(x, shape);
});

defineKernel('Identity', [], ({ inputs, backend }) => backend.alias(inputX(inputs)));
