/** BitwiseAnd → twinops BitwiseAnd (int32; tfjs-core checks shapes and dtype first). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('BitwiseAnd', ['BitwiseAnd'], ({ inputs, backend }) =>
  backend.runOne('BitwiseAnd', 'BitwiseAnd', [inputs.a as TensorInfo, inputs.b as TensorInfo]),
);
