/** SearchSorted → twinops SearchSorted (tfjs-core hands both inputs over as 2-D [batch, *]). */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('SearchSorted', ['SearchSorted'], ({ inputs, attrs, backend }) =>
  backend.runOne('SearchSorted', 'SearchSorted', [inputs.sortedSequence as TensorInfo, inputs.values as TensorInfo], { side: attrs.side as 'left' | 'right' }),
);
