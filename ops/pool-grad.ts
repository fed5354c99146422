import { AttributeError, ShapeError, TwinopsError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { averagePoolDef, maxPoolDef, type PoolAttrs, type PoolPlan } from './pool.js';
import type { OpDef, TensorInfo } from './types.js';

/**
 * Pooling gradients and argmax (tfjs MaxPoolGrad, AvgPoolGrad, MaxPool3DGrad, AvgPool3DGrad,
 * MaxPoolWithArgmax), channels-last (layout NHWC: [N, spatial..., C]) with 1-D to 3-D windows. Each
 * takes the forward pool's attributes (ops/pool.ts) and is planned through the forward contract.
 *
 * - `MaxPoolGrad(dy, x)`: dx (shaped like x) receives each window's dy at the window's argmax: the
 *   first tap, in (d, h, w) order, greater than every earlier one (`>`: ties go to the first). With
 *   nanMode 'ignore' NaN taps are skipped (tfjs); with 'propagate' (default) a NaN tap is the max
 *   at its first occurrence. A window with no such tap (empty, or all NaN when ignoring) gives no
 *   gradient.
 * - `AveragePoolGrad(dy)` with `inputShape`: dx[i] = Σ over windows holding i of dy / divisor, the
 *   forward AveragePool's divisor (countIncludePad: the window clipped to the padded input; else
 *   the window's input taps). tfjs' own gradient divides by the whole window: countIncludePad true.
 * - `MaxPoolWithArgmax(x)` → [y, argmax int32]: y as MaxPool; argmax is the flat index of the max
 *   in x, ((d·H + h)·W + w)·C + c, plus n·D·H·W·C with `includeBatchInIndex` (TensorFlow); -1 for a
 *   window with no max.
 */
export interface PoolGradPlan extends PoolPlan {
  /** MaxPoolWithArgmax: add the image's offset to the argmax. */
  includeBatchInIndex: boolean;
}

export interface AveragePoolGradAttrs extends PoolAttrs {
  /** The forward input's shape (the gradient's). */
  inputShape: number[];
}

export interface MaxPoolWithArgmaxAttrs extends PoolAttrs {
  includeBatchInIndex?: boolean;
}

/** The forward plan, its errors renamed to `op`. */
function forward(op: string, def: OpDef<PoolAttrs, PoolPlan>, x: TensorInfo, attrs: PoolAttrs): PoolPlan {
  if ((attrs.layout ?? 'NCHW') !== 'NHWC') throw new AttributeError(op, `layout must be NHWC (channels last), got ${String(attrs.layout ?? 'NCHW')}`);
  try {
    return def.plan([x], attrs);
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(op, e.message, e.code as 'RANK');
    if (e instanceof TwinopsError) throw new AttributeError(op, e.message);
    throw e;
  }
}

function sameShape(op: string, what: string, got: TensorInfo, want: readonly number[]): void {
  if (got.shape.length !== want.length || got.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(op, `${what}${fmtShape(got.shape)} must be the forward pool's output ${fmtShape(want)}`);
  }
}

export const maxPoolGradDef = defineOp<PoolAttrs, PoolGradPlan>({
  name: 'MaxPoolGrad',
  plan(inputs, attrs) {
    const op = 'MaxPoolGrad';
    expectArity(op, inputs, 2);
    const [dy, x] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, dy, ['float32'], 'dy');
    expectDType(op, x, ['float32'], 'x');
    const p = forward(op, maxPoolDef, x, attrs);
    sameShape(op, 'dy', dy, p.outputs[0]!.shape);
    return { ...p, outputs: [{ shape: x.shape.slice(), dtype: 'float32' }], includeBatchInIndex: false };
  },
});

export const averagePoolGradDef = defineOp<AveragePoolGradAttrs, PoolGradPlan>({
  name: 'AveragePoolGrad',
  plan(inputs, attrs) {
    const op = 'AveragePoolGrad';
    expectArity(op, inputs, 1);
    const dy = inputs[0]!;
    expectDType(op, dy, ['float32'], 'dy');
    const shape = attrs.inputShape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new AttributeError(op, `inputShape must be a list of sizes, got ${JSON.stringify(shape)}`);
    }
    if (attrs.dilations?.some((d) => d !== 1)) throw new AttributeError(op, `dilations ${JSON.stringify(attrs.dilations)} are not supported (average pooling gradients take none)`);
    const p = forward(op, averagePoolDef, { shape, dtype: 'float32' }, attrs);
    sameShape(op, 'dy', dy, p.outputs[0]!.shape);
    return { ...p, outputs: [{ shape: shape.slice(), dtype: 'float32' }], includeBatchInIndex: false };
  },
});

export const maxPoolWithArgmaxDef = defineOp<MaxPoolWithArgmaxAttrs, PoolGradPlan>({
  name: 'MaxPoolWithArgmax',
  plan(inputs, attrs) {
    const op = 'MaxPoolWithArgmax';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'x');
    const p = forward(op, maxPoolDef, x, attrs);
    const y = p.outputs[0]!;
    if (x.shape.reduce((a, b) => a * b, 1) > 2 ** 31 - 1) throw new ShapeError(op, `x${fmtShape(x.shape)} has more elements than an int32 argmax can index`);
    return { ...p, outputs: [y, { shape: y.shape.slice(), dtype: 'int32' }], includeBatchInIndex: Boolean(attrs.includeBatchInIndex) };
  },
});

export const POOL_GRAD_OPS = ['MaxPoolGrad', 'AveragePoolGrad', 'MaxPoolWithArgmax'] as const;
