import { defineOp } from './index.js';
import { softmaxPlan, type SoftmaxAttrs, type SoftmaxPlan } from './softmax.js';
import type { OpDef, TensorInfo } from './types.js';

/**
 * Hardmax along one axis (ONNX opset 13): 1 at the first index of the maximum, 0 elsewhere. A NaN
 * counts as the maximum (the first NaN wins), as numpy's argmax. Same shape rules, attributes and
 * plan as Softmax (axis default −1); pre-opset-13 ONNX flattening is the adapter's job.
 */
export const hardmaxDef: OpDef<SoftmaxAttrs, SoftmaxPlan> = defineOp({
  name: 'Hardmax',
  plan(inputs: readonly TensorInfo[], attrs: SoftmaxAttrs): SoftmaxPlan {
    return softmaxPlan('Hardmax', inputs, attrs);
  },
});
