import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

/**
 * Row normalisations over X.shape[axis:] (flattened rows of n elements), float32:
 *  - RMSNormalization: Y = X / sqrt(mean(X²) + epsilon) · Scale; Scale has the row's shape (leading
 *    1s allowed). epsilon defaults to 1e-5, axis to -1. Also float16 X and Scale (computed in
 *    float32, Y rounded to float16).
 *  - NormMoments: the statistics LayerNormalization reports: Mean = mean(X) and
 *    InvStdDev = 1 / sqrt(var(X) + epsilon) (population variance), each shaped like X with the
 *    normalised axes set to 1.
 *  - LpNormalization: Y = X / ‖X‖_p along one axis (p 1 or 2, default 2; axis default -1); a zero
 *    norm divides by 1 (the ONNX reference), so an all-zero line stays 0.
 */
export interface RowNormAttrs {
  axis?: number;
  epsilon?: number;
}

export interface RowNormPlan extends Plan {
  rows: number;
  n: number;
  epsilon: number;
}

export interface LpNormAttrs {
  axis?: number;
  p?: number;
}

export interface LpNormPlan extends Plan {
  outer: number;
  n: number;
  inner: number;
  p: 1 | 2;
}

function epsilonOf(op: string, e: number | undefined): number {
  const eps = e ?? 1e-5;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new AttributeError(op, `epsilon must be a finite number >= 0, got ${String(e)}`);
  return eps;
}

function rows(op: string, x: TensorInfo, axisAttr: number | undefined, dtypes: readonly ('float32' | 'float16')[] = ['float32']): { axis: number; rows: number; n: number; row: number[] } {
  expectDType(op, x, dtypes, 'X');
  if (x.shape.length < 1) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 1`, 'RANK');
  const axis = normalizeAxis(op, axisAttr ?? -1, x.shape.length);
  const row = x.shape.slice(axis);
  return { axis, row, n: row.reduce((a, b) => a * b, 1), rows: x.shape.slice(0, axis).reduce((a, b) => a * b, 1) };
}

export const rmsNormDef: OpDef<RowNormAttrs, RowNormPlan> = defineOp({
  name: 'RMSNormalization',
  plan(inputs: readonly TensorInfo[], attrs: RowNormAttrs): RowNormPlan {
    const op = 'RMSNormalization';
    expectArity(op, inputs, 2);
    const x = inputs[0]!;
    const r = rows(op, x, attrs.axis, ['float32', 'float16']);
    const s = inputs[1]!;
    expectDType(op, s, [x.dtype], 'Scale');
    const sh = s.shape.slice();
    while (sh.length > r.row.length && sh[0] === 1) sh.shift();
    if (sh.length !== r.row.length || sh.some((d, i) => d !== r.row[i])) {
      throw new ShapeError(op, `Scale${fmtShape(s.shape)} must have the normalized shape ${fmtShape(r.row)} of X${fmtShape(x.shape)} (axis ${r.axis})`);
    }
    return { outputs: [{ shape: x.shape.slice(), dtype: x.dtype }], dispatchDType: x.dtype, rows: r.rows, n: r.n, epsilon: epsilonOf(op, attrs.epsilon) };
  },
});

export const normMomentsDef: OpDef<RowNormAttrs, RowNormPlan> = defineOp({
  name: 'NormMoments',
  plan(inputs: readonly TensorInfo[], attrs: RowNormAttrs): RowNormPlan {
    const op = 'NormMoments';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = rows(op, x, attrs.axis);
    const shape = x.shape.map((d, i) => (i < r.axis ? d : 1));
    return { outputs: [{ shape, dtype: 'float32' }, { shape: shape.slice(), dtype: 'float32' }], dispatchDType: 'float32', rows: r.rows, n: r.n, epsilon: epsilonOf(op, attrs.epsilon) };
  },
});

export const lpNormDef: OpDef<LpNormAttrs, LpNormPlan> = defineOp({
  name: 'LpNormalization',
  plan(inputs: readonly TensorInfo[], attrs: LpNormAttrs): LpNormPlan {
    const op = 'LpNormalization';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32'], 'X');
    if (x.shape.length < 1) throw new ShapeError(op, `X${fmtShape(x.shape)} must have rank >= 1`, 'RANK');
    const axis = normalizeAxis(op, attrs.axis ?? -1, x.shape.length);
    const p = attrs.p ?? 2;
    if (p !== 1 && p !== 2) throw new AttributeError(op, `p must be 1 or 2, got ${String(attrs.p)}`);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return { outputs: [{ shape: x.shape.slice(), dtype: 'float32' }], dispatchDType: 'float32', outer, n: x.shape[axis]!, inner, p };
  },
});
