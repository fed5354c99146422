import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * LRN, local response normalisation across channels (float32), with ONNX's attributes:
 *   square_sum[c] = Σ x[c']² over c' ∈ [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] ∩ [0, C)
 *   y[c] = x[c] / (bias + (alpha / size) · square_sum[c])^beta
 * The channel axis is 1 (layout NCHW, ONNX; X is [N, C, D1, ...]) or the last axis (NHWC, tfjs).
 * Attribute mapping: ONNX passes its attributes unchanged (alpha is divided by size here); tfjs
 * LRN(depthRadius r, bias, alpha, beta) is size = 2r + 1, alpha = alpha_tfjs · size, since tfjs
 * multiplies the square sum by alpha directly. Defaults are ONNX's: alpha 1e-4, beta 0.75, bias 1.
 */
export interface LrnAttrs {
  size: number;
  alpha?: number;
  beta?: number;
  bias?: number;
  layout?: 'NCHW' | 'NHWC';
}

/** X viewed as [outer, C, inner]; the window is [c − lo, c + hi]; y = x · (bias + coef·sum)^(−beta). */
export interface LrnPlan extends Plan {
  outer: number;
  C: number;
  inner: number;
  lo: number;
  hi: number;
  bias: number;
  /** alpha / size, in float64. */
  coef: number;
  beta: number;
}

function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AttributeError(op, `${name} must be a finite number, got ${String(v)}`);
  return v;
}

export const lrnDef: OpDef<LrnAttrs, LrnPlan> = defineOp({
  name: 'LRN',
  plan(inputs: readonly TensorInfo[], attrs: LrnAttrs): LrnPlan {
    const op = 'LRN';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const layout = attrs.layout ?? 'NCHW';
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new AttributeError(op, `layout must be NCHW or NHWC, got ${String(layout)}`);
    const size = attrs.size;
    if (!Number.isInteger(size) || size < 1) throw new AttributeError(op, `size must be an integer >= 1, got ${String(size)}`);
    const alpha = finite(op, 'alpha', attrs.alpha ?? 1e-4);
    const beta = finite(op, 'beta', attrs.beta ?? 0.75);
    const bias = finite(op, 'bias', attrs.bias ?? 1);
    const r = x.shape.length;
    if (r < 2) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 2 (a batch and a channel axis)`, 'RANK');
    const cAxis = layout === 'NHWC' ? r - 1 : 1;
    const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    return {
      outputs: [{ shape: x.shape.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      outer: prod(x.shape.slice(0, cAxis)),
      C: x.shape[cAxis]!,
      inner: prod(x.shape.slice(cAxis + 1)),
      lo: Math.floor((size - 1) / 2),
      hi: Math.ceil((size - 1) / 2),
      bias,
      coef: alpha / size,
      beta,
    };
  },
});
