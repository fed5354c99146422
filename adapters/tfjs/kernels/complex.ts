/**
 * complex64 storage kernels: Complex pairs two float32 tensors without copying them, Real and Imag
 * hand back a part (arithmetic on complex values needs twinops complex ops and is not mapped yet).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('Complex', [], ({ inputs, backend }) => {
  const real = inputs.real as TensorInfo;
  const imag = inputs.imag as TensorInfo;
  if (real.dtype !== 'float32' || imag.dtype !== 'float32') backend.unsupported('Complex', `parts must be float32, got ${real.dtype} and ${imag.dtype}`);
  if (real.shape.length !== imag.shape.length || real.shape.some((d, i) => d !== imag.shape[i])) {
    backend.unsupported('Complex', `real [${real.shape.join(',')}] and imag [${imag.shape.join(',')}] must have one shape`);
  }
  return backend.makeComplex(real, imag);
});

defineKernel('Real', [], ({ inputs, backend }) => backend.complexPart('Real', inputs.input as TensorInfo, 'real'));
defineKernel('Imag', [], ({ inputs, backend }) => backend.complexPart('Imag', inputs.input as TensorInfo, 'imag'));
