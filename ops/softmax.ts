import { expectArity, expectDType } from './checks.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface SoftmaxAttrs {
  /** Axis to normalise along (default -1, as ONNX opset 13 and tfjs). */
  axis?: number;
}

export interface SoftmaxPlan extends Plan {
  /** The input viewed as [outer, axisSize, inner]. */
  outer: number;
  axisSize: number;
  inner: number;
}

/** Softmax along one axis: exp(x - max) / sum(exp(x - max)). A row of -Infinity gives NaN, as numpy. */
export const softmaxDef: OpDef<SoftmaxAttrs, SoftmaxPlan> = {
  name: 'Softmax',
  plan: (inputs: readonly TensorInfo[], attrs: SoftmaxAttrs): SoftmaxPlan => softmaxPlan('Softmax', inputs, attrs),
};

/** The plan shared by the softmax family (Softmax, LogSoftmax); `op` names the op in errors. */
export function softmaxPlan(op: string, inputs: readonly TensorInfo[], attrs: SoftmaxAttrs): SoftmaxPlan {
  expectArity(op, inputs, 1);
  const x = inputs[0]!;
  expectDType(op, x, ['float32'], 'X');
  const rank = x.shape.length;
  const axis = rank === 0 ? 0 : normalizeAxis(op, attrs.axis ?? -1, rank);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
  for (let i = axis + 1; i < rank; i++) inner *= x.shape[i]!;
  const axisSize = rank === 0 ? 1 : x.shape[axis]!;
  return { outputs: [{ shape: x.shape.slice(), dtype: 'float32' }], dispatchDType: 'float32', outer, axisSize, inner };
}
