import { ShapeError, fmtShape } from '../core/errors.js';
import { AttributeError } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Normalisation contracts (float32):
 *  - BatchNormalization (inference): Y = (X − mean) / sqrt(var + epsilon) · scale + B, per channel;
 *    the channel axis is 1 (layout NCHW, ONNX) or the last (NHWC, tfjs). Inputs X, scale, B, mean, var.
 *  - InstanceNormalization: per (n, c), mean and population variance over the spatial elements;
 *    Y = (X − mean) / sqrt(var + epsilon) · scale[c] + B[c]. Inputs X [N, C, ...], scale [C], B [C].
 *  - LayerNormalization: rows are X.shape[axis:], flattened; Y = (X − mean) / sqrt(var + epsilon) ·
 *    Scale + B with Scale and optional B of the row's shape (leading 1s allowed). Outputs Y only.
 * epsilon defaults to 1e-5 (ONNX).
 */
export type NormLayout = 'NCHW' | 'NHWC';

export interface BatchNormAttrs {
  epsilon?: number;
  layout?: NormLayout;
}
export interface InstanceNormAttrs {
  epsilon?: number;
}
export interface LayerNormAttrs {
  axis?: number;
  epsilon?: number;
}

/**
 * The input viewed as rows: `rows` rows of `n` contiguous elements. Per-channel ops ('channel') use
 * channel c = row % C when `inner` is false (channels outer, NCHW rows); 'lastAxis' means the channel
 * is the element index within a row of n = C (NHWC). LayerNorm ('element') scales element j of a row.
 */
export interface NormPlan extends Plan {
  op: 'BatchNormalization' | 'InstanceNormalization' | 'LayerNormalization';
  rows: number;
  n: number;
  C: number;
  /** BatchNormalization: channel is the last axis (NHWC). */
  channelLast: boolean;
  epsilon: number;
  hasBias: boolean;
}

function epsilonOf(op: string, e: number | undefined): number {
  const eps = e ?? 1e-5;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new AttributeError(op, `epsilon must be a finite number >= 0, got ${String(e)}`);
  return eps;
}

function expectVector(op: string, t: TensorInfo, C: number, what: string, x: TensorInfo): void {
  expectDType(op, t, ['float32'], what);
  if (t.shape.length !== 1 || t.shape[0] !== C) {
    throw new ShapeError(op, `${what}${fmtShape(t.shape)} must be [${C}] (the channels of X${fmtShape(x.shape)})`);
  }
}

export const batchNormDef: OpDef<BatchNormAttrs, NormPlan> = defineOp({
  name: 'BatchNormalization',
  plan(inputs: readonly TensorInfo[], attrs: BatchNormAttrs): NormPlan {
    const op = 'BatchNormalization';
    expectArity(op, inputs, 5);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const layout = attrs.layout ?? 'NCHW';
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new AttributeError(op, `layout must be NCHW or NHWC, got ${String(layout)}`);
    const r = x.shape.length;
    if (r < 2) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 2`, 'RANK');
    const last = layout === 'NHWC';
    const C = last ? x.shape[r - 1]! : x.shape[1]!;
    ['scale', 'B', 'mean', 'var'].forEach((w, i) => expectVector(op, inputs[i + 1]!, C, w, x));
    const size = x.shape.reduce((a, b) => a * b, 1);
    const n = last ? C : x.shape.slice(2).reduce((a, b) => a * b, 1);
    return {
      outputs: [{ shape: x.shape.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      op, rows: n === 0 ? 0 : size / n, n, C, channelLast: last, epsilon: epsilonOf(op, attrs.epsilon), hasBias: true,
    };
  },
});

export const instanceNormDef: OpDef<InstanceNormAttrs, NormPlan> = defineOp({
  name: 'InstanceNormalization',
  plan(inputs: readonly TensorInfo[], attrs: InstanceNormAttrs): NormPlan {
    const op = 'InstanceNormalization';
    expectArity(op, inputs, 3);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    if (x.shape.length < 3) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 3 ([N, C, spatial...])`, 'RANK');
    const C = x.shape[1]!;
    expectVector(op, inputs[1]!, C, 'scale', x);
    expectVector(op, inputs[2]!, C, 'B', x);
    const n = x.shape.slice(2).reduce((a, b) => a * b, 1);
    return {
      outputs: [{ shape: x.shape.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      op, rows: x.shape[0]! * C, n, C, channelLast: false, epsilon: epsilonOf(op, attrs.epsilon), hasBias: true,
    };
  },
});

export const layerNormDef: OpDef<LayerNormAttrs, NormPlan> = defineOp({
  name: 'LayerNormalization',
  plan(inputs: readonly TensorInfo[], attrs: LayerNormAttrs): NormPlan {
    const op = 'LayerNormalization';
    expectArity(op, inputs, 2, 3);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    const r = x.shape.length;
    if (r < 1) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 1`, 'RANK');
    const axis = normalizeAxis(op, attrs.axis ?? -1, r);
    const row = x.shape.slice(axis);
    const n = row.reduce((a, b) => a * b, 1);
    const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const fits = (t: TensorInfo): boolean => {
      const s = t.shape.slice();
      while (s.length > row.length && s[0] === 1) s.shift();
      return s.length === row.length && s.every((d, i) => d === row[i]);
    };
    inputs.slice(1).forEach((t, i) => {
      const what = i === 0 ? 'Scale' : 'B';
      expectDType(op, t, ['float32'], what);
      if (!fits(t)) throw new ShapeError(op, `${what}${fmtShape(t.shape)} must have the normalized shape ${fmtShape(row)} of X${fmtShape(x.shape)} (axis ${axis})`);
    });
    return {
      outputs: [{ shape: x.shape.slice(), dtype: 'float32' }],
      dispatchDType: 'float32',
      op, rows, n, C: n, channelLast: true, epsilon: epsilonOf(op, attrs.epsilon), hasBias: inputs.length === 3,
    };
  },
});
