/** OneHot → twinops OneHot (same semantics: an index outside [0, depth) gives a row of offValue, as tfjs-backend-cpu). */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('OneHot', ['OneHot'], ({ inputs, attrs, backend }) =>
  backend.runOne('OneHot', 'OneHot', [inputs.indices as TensorInfo], {
    depth: attrs.depth as number,
    onValue: attrs.onValue as number,
    offValue: attrs.offValue as number,
    dtype: (attrs.dtype as DataType | undefined) ?? 'int32',
  }),
);
