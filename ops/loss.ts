import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * NegativeLogLikelihoodLoss (ONNX), float32 input, int64 or int32 target:
 *   input [N, C] or [N, C, d1, …, dk], target [N] or [N, d1, …, dk], optional weight [C].
 *   loss[n, d] = −input[n, target[n, d], d] · weight[target[n, d]] (weight 1 when absent), and 0 with
 *   weight 0 where target = ignoreIndex (when given). A target outside [0, C) that is not ignored
 *   gives NaN (the values are data, so the contract cannot reject them).
 *   reduction 'none': the [N, d1, …] losses; 'sum': their sum; 'mean' (default): Σ loss / Σ weight.
 */
export type LossReduction = 'none' | 'sum' | 'mean';

export interface NllAttrs {
  reduction?: LossReduction;
  ignoreIndex?: number;
}

export interface NllPlan extends Plan {
  /** Positions N·D, classes C, trailing size D. */
  positions: number;
  C: number;
  D: number;
  reduction: LossReduction;
  ignoreIndex: number | undefined;
  hasWeight: boolean;
}

const OP = 'NegativeLogLikelihoodLoss';

export function nllPlan(op: string, inputs: readonly TensorInfo[], attrs: NllAttrs): NllPlan {
  expectArity(op, inputs, 2, 3);
  const [x, t] = inputs as [TensorInfo, TensorInfo];
  expectDType(op, x, ['float32'], 'input');
  expectDType(op, t, ['int64', 'int32'], 'target');
  if (x.shape.length < 2) throw new ShapeError(op, `input${fmtShape(x.shape)} must have rank >= 2 ([N, C, ...])`, 'RANK');
  const want = [x.shape[0]!, ...x.shape.slice(2)];
  if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(op, `target${fmtShape(t.shape)} must be ${fmtShape(want)} for input${fmtShape(x.shape)}`);
  }
  const C = x.shape[1]!;
  if (inputs[2]) {
    expectDType(op, inputs[2], ['float32'], 'weight');
    if (inputs[2].shape.length !== 1 || inputs[2].shape[0] !== C) throw new ShapeError(op, `weight${fmtShape(inputs[2].shape)} must be [${C}] (the classes of input${fmtShape(x.shape)})`);
  }
  const reduction = attrs.reduction ?? 'mean';
  if (!['none', 'sum', 'mean'].includes(reduction)) throw new AttributeError(op, `reduction must be 'none', 'sum' or 'mean', got ${String(reduction)}`);
  const ii = attrs.ignoreIndex;
  if (ii !== undefined && (!Number.isInteger(ii) || ii < -(2 ** 31) || ii >= 2 ** 31)) throw new AttributeError(op, `ignoreIndex must be a 32-bit integer, got ${String(ii)}`);
  const D = x.shape.slice(2).reduce((a, b) => a * b, 1);
  return {
    outputs: [{ shape: reduction === 'none' ? want : [], dtype: 'float32' }],
    // dispatched on the target dtype: int64 targets have only a wasm kernel (WebGPU cannot hold int64)
    dispatchDType: t.dtype,
    positions: x.shape[0]! * D, C, D, reduction, ignoreIndex: ii, hasWeight: inputs.length === 3,
  };
}

export const nllDef: OpDef<NllAttrs, NllPlan> = defineOp({ name: OP, plan: (inputs, attrs) => nllPlan(OP, inputs, attrs) });

/**
 * SoftmaxCrossEntropyLoss (ONNX): LogSoftmax over the class axis (1) of scores [N, C, d1, …], then
 * NegativeLogLikelihoodLoss of the result with the same target, weight, reduction and ignoreIndex.
 * Outputs the loss and, with `logProb`, the log-probabilities (the scores' shape).
 */
export interface SceAttrs extends NllAttrs {
  logProb?: boolean;
}

export interface ScePlan extends NllPlan {
  logProb: boolean;
}

export const sceDef: OpDef<SceAttrs, ScePlan> = defineOp({
  name: 'SoftmaxCrossEntropyLoss',
  plan(inputs: readonly TensorInfo[], attrs: SceAttrs): ScePlan {
    const p = nllPlan('SoftmaxCrossEntropyLoss', inputs, attrs);
    if (attrs.logProb) p.outputs.push({ shape: inputs[0]!.shape.slice(), dtype: 'float32' });
    return { ...p, logProb: !!attrs.logProb };
  },
});
