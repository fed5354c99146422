import { defineOp } from './index.js';
import { softmaxPlan, type SoftmaxAttrs, type SoftmaxPlan } from './softmax.js';
import type { OpDef, TensorInfo } from './types.js';

/**
 * LogSoftmax along one axis: (x − max) − log(sum(exp(x − max))), the numerically stable form
 * (never log of a softmax, which underflows to −Inf). Same shape rules, attributes and plan as
 * Softmax (axis default −1); pre-opset-13 ONNX flattening is the adapter's job.
 */
export const logSoftmaxDef: OpDef<SoftmaxAttrs, SoftmaxPlan> = defineOp({
  name: 'LogSoftmax',
  plan(inputs: readonly TensorInfo[], attrs: SoftmaxAttrs): SoftmaxPlan {
    return softmaxPlan('LogSoftmax', inputs, attrs);
  },
});
