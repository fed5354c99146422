/**
 * FFT / IFFT / ComplexAbs on complex64 tensors (stored as two float32 parts) → the twinops ops FFT
 * (inverse for IFFT, which scales by 1/n as tfjs does) and ComplexAbs over the parts. tfjs-core
 * builds rfft, irfft and stft from these.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

function parts(backend: TwinopsBackend, kernel: string, x: TensorInfo): [TensorInfo, TensorInfo] {
  return [backend.complexPart(kernel, x, 'real'), backend.complexPart(kernel, x, 'imag')];
}

for (const [kernel, inverse] of [['FFT', false], ['IFFT', true]] as const) {
  defineKernel(kernel, ['FFT'], ({ inputs, backend }) => {
    const ps = parts(backend, kernel, inputs.input as TensorInfo);
    const outs: TensorInfo[] = [];
    try {
      outs.push(...backend.runOp(kernel, 'FFT', ps, { inverse }));
      return backend.makeComplex(outs[0]!, outs[1]!);
    } finally {
      for (const t of [...ps, ...outs]) backend.release(t);
    }
  });
}

defineKernel('ComplexAbs', ['ComplexAbs'], ({ inputs, backend }) => {
  const ps = parts(backend, 'ComplexAbs', inputs.x as TensorInfo);
  try {
    return backend.runOne('ComplexAbs', 'ComplexAbs', ps);
  } finally {
    for (const t of ps) backend.release(t);
  }
});
