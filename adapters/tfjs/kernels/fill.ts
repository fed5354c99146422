/** Fill, ZerosLike and OnesLike: tensors of one repeated value, written like any tfjs-created data. */
import type { DataType } from '@tensorflow/tfjs-core';
import { defineKernel, inputX } from './register.js';

defineKernel('Fill', [], ({ attrs, backend }) =>
  backend.filled(attrs.shape as number[], (attrs.dtype as DataType | undefined) ?? 'float32', attrs.value as number | string),
);

for (const [kernel, value] of [['ZerosLike', 0], ['OnesLike', 1]] as const) {
  defineKernel(kernel, [], ({ inputs, backend }) => {
    const x = inputX(inputs);
    if (x.dtype === 'string') backend.unsupported(kernel, `dtype ${x.dtype} is not supported`);
    if (x.dtype !== 'complex64') return backend.filled(x.shape, x.dtype, value);
    // complex: the value is real (imaginary part zero)
    const real = backend.filled(x.shape, 'float32', value);
    const imag = backend.filled(x.shape, 'float32', 0);
    try {
      return backend.makeComplex(real, imag);
    } finally {
      backend.release(real);
      backend.release(imag);
    }
  });
}
