import { AttributeError, ShapeError, TwinopsError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { lrnDef, type LrnAttrs, type LrnPlan } from './lrn.js';
import type { TensorInfo } from './types.js';

/**
 * LRNGrad(x, y, dy): the gradient of LRN (ops/lrn.ts, its attributes; channels last, layout NHWC)
 * with respect to x, given the forward's input x and output y. With n_i = bias + coef·Σ_{window(i)} x²
 * (coef = alpha / size) and window(i) = [i − lo, i + hi] ∩ [0, C):
 *
 *   dx_k = dy_k · n_k^(−beta) − 2·coef·beta · x_k · Σ_{i : k ∈ window(i)} dy_i · y_i / n_i
 *
 * (tfjs-backend-cpu's LRNGrad, whose alpha is coef). float32, computed per pixel.
 */
export type LrnGradPlan = LrnPlan;

export const lrnGradDef = defineOp<LrnAttrs, LrnGradPlan>({
  name: 'LRNGrad',
  plan(inputs, attrs) {
    const op = 'LRNGrad';
    expectArity(op, inputs, 3);
    const [x, y, dy] = inputs as [TensorInfo, TensorInfo, TensorInfo];
    for (const [t, n] of [[y, 'y'], [dy, 'dy']] as const) {
      expectDType(op, t, ['float32'], n);
      if (t.shape.length !== x.shape.length || t.shape.some((d, i) => d !== x.shape[i])) throw new ShapeError(op, `${n}${fmtShape(t.shape)} must have x's shape ${fmtShape(x.shape)}`);
    }
    if ((attrs.layout ?? 'NCHW') !== 'NHWC') throw new AttributeError(op, `layout must be NHWC (channels last), got ${String(attrs.layout ?? 'NCHW')}`);
    try {
      return lrnDef.plan([x], attrs);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(op, e.message, e.code as 'RANK');
      if (e instanceof TwinopsError) throw new AttributeError(op, e.message);
      throw e;
    }
  },
});
