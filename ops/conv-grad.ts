import { AttributeError, ShapeError, TwinopsError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { convDef, type ConvAttrs, type ConvPlan } from './conv.js';
import { defineOp } from './index.js';
import type { TensorInfo } from './types.js';

/**
 * ConvBackpropFilter(x, dy): the gradient of a convolution's loss with respect to its filter (tfjs
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, Conv3DBackpropFilterV2), channels last
 * (layout NHWC: x [N, spatial..., C], dy [N, out spatial..., M]). The forward convolution is given by
 * its attributes (ops/conv.ts: strides, dilations, pads or autoPad, group, filterLayout HWIO or HWIM)
 * and `filterShape`; the result has filterShape:
 *
 *   dW[k..., ci, m] = Σ over n and output pixels p of x[n, p·s − pad + k·d, g·Cg + ci] · dy[n, p, m]
 *
 * for output channel m of group g (taps in the padding contribute nothing). The input gradient is
 * a ConvTranspose of dy (ops/conv-transpose.ts).
 */
export interface ConvBackpropFilterAttrs extends Omit<ConvAttrs, 'activation' | 'kernelShape'> {
  /** The filter's shape (HWIO: [...k, C/group, M]; HWIM: [...k, C, multiplier]). */
  filterShape: number[];
}

export type ConvBackpropFilterPlan = ConvPlan;

export const convBackpropFilterDef = defineOp<ConvBackpropFilterAttrs, ConvBackpropFilterPlan>({
  name: 'ConvBackpropFilter',
  plan(inputs, attrs) {
    const op = 'ConvBackpropFilter';
    expectArity(op, inputs, 2);
    const [x, dy] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, x, ['float32'], 'x');
    expectDType(op, dy, ['float32'], 'dy');
    if ((attrs.layout ?? 'NCHW') !== 'NHWC') throw new AttributeError(op, `layout must be NHWC (channels last), got ${String(attrs.layout ?? 'NCHW')}`);
    const fs = attrs.filterShape;
    if (!Array.isArray(fs) || !fs.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new AttributeError(op, `filterShape must be a list of sizes, got ${JSON.stringify(fs)}`);
    }
    let p: ConvPlan;
    try {
      p = convDef.plan([x, { shape: fs, dtype: 'float32' }], { ...attrs, activation: undefined });
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(op, e.message, e.code as 'RANK');
      if (e instanceof TwinopsError) throw new AttributeError(op, e.message);
      throw e;
    }
    const want = p.outputs[0]!.shape;
    if (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(op, `dy${fmtShape(dy.shape)} must be the forward convolution's output ${fmtShape(want)} (x${fmtShape(x.shape)}, filter${fmtShape(fs)})`);
    }
    return { ...p, outputs: [{ shape: fs.slice(), dtype: 'float32' }], hasBias: false };
  },
});
