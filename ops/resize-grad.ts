import { AttributeError, ShapeError, TwinopsError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { resizeDef, type ResizeAttrs, type ResizePlan } from './resize.js';
import type { TensorInfo } from './types.js';

/**
 * ResizeGrad(dy): the gradient of Resize (nearest and linear, NHWC [N, H, W, C]) with respect to
 * its input (tfjs ResizeBilinearGrad, ResizeNearestNeighborGrad): the adjoint of the forward, whose
 * attributes it takes with `inputShape` (ops/resize.ts; outputShape is dy's shape). Each output
 * (oy, ox) of the forward reads rows i0/i1 with weights 1 − wy / wy and columns likewise
 * (nearest: one tap of weight 1), so
 *
 *   dx[n, iy, ix, c] = Σ over (oy, ox) and the taps landing on (iy, ix) of dy[n, oy, ox, c] · wy · wx
 *
 * summed over oy, then ox, in increasing order (taps of weight 0 contribute nothing, so an infinite
 * dy never turns a zero weight into NaN). Cubic, antialias, exclude_outside and tf_crop_and_resize
 * (the forward's K-tap path) are not supported.
 */
export interface ResizeGradAttrs extends Omit<ResizeAttrs, 'outputShape'> {
  /** The forward input's shape [N, H, W, C] (the gradient's). */
  inputShape: number[];
}

export type ResizeGradPlan = ResizePlan;

export const resizeGradDef = defineOp<ResizeGradAttrs, ResizeGradPlan>({
  name: 'ResizeGrad',
  plan(inputs, attrs) {
    const op = 'ResizeGrad';
    expectArity(op, inputs, 1);
    const dy = inputs[0]!;
    expectDType(op, dy, ['float32'], 'dy');
    if ((attrs.layout ?? 'NCHW') !== 'NHWC') throw new AttributeError(op, `layout must be NHWC, got ${String(attrs.layout ?? 'NCHW')}`);
    const shape = attrs.inputShape;
    if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new AttributeError(op, `inputShape must be 4 sizes [N, H, W, C], got ${JSON.stringify(shape)}`);
    }
    if (dy.shape.length !== 4 || dy.shape[0] !== shape[0] || dy.shape[3] !== shape[3]) {
      throw new ShapeError(op, `dy${fmtShape(dy.shape)} must be [N, outHeight, outWidth, C] of inputShape ${fmtShape(shape)}`);
    }
    let p: ResizePlan;
    try {
      p = resizeDef.plan([{ shape, dtype: 'float32' } as TensorInfo], { ...attrs, outputShape: dy.shape.slice() });
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(op, e.message, e.code as 'RANK');
      if (e instanceof TwinopsError) throw new AttributeError(op, e.message);
      throw e;
    }
    if (p.taps) throw new AttributeError(op, `mode ${p.mode} with these options (cubic, antialias, excludeOutside, tf_crop_and_resize) has no gradient kernel (nearest and linear do)`);
    return { ...p, outputs: [{ shape: shape.slice(), dtype: 'float32' }] };
  },
});
