import { BYTES_PER_ELEMENT } from '../core/dtype.js';
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface TriluAttrs {
  /** Keep the upper triangle (default true, as ONNX Trilu); false keeps the lower one. */
  upper?: boolean | number;
  /** Diagonal offset (default 0): upper keeps j - i >= k, lower keeps j - i <= k. */
  k?: number;
}

export interface TriluPlan extends Plan {
  elemBytes: number;
  /** The input viewed as [batch, rows, cols] (the last two axes are the matrix). */
  batch: number;
  rows: number;
  cols: number;
  upper: boolean;
  /** k clamped to [-rows, cols] (further out keeps or zeroes every row alike). */
  k: number;
}

/** Trilu (ONNX): the upper or lower triangle of each matrix in the last two axes; the rest becomes zero. Any dtype. */
export const triluDef: OpDef<TriluAttrs, TriluPlan> = defineOp({
  name: 'Trilu',
  plan(inputs: readonly TensorInfo[], attrs: TriluAttrs = {}): TriluPlan {
    const op = 'Trilu';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    const r = x.shape.length;
    if (r < 2) throw new ShapeError(op, `input must have rank >= 2, got ${fmtShape(x.shape)}`, 'RANK');
    const k = attrs.k ?? 0;
    if (!Number.isInteger(k)) throw new AttributeError(op, `k must be an integer, got ${String(k)} (input ${fmtShape(x.shape)})`);
    const rows = x.shape[r - 2]!;
    const cols = x.shape[r - 1]!;
    const batch = x.shape.slice(0, r - 2).reduce((a, d) => a * d, 1);
    return {
      outputs: [{ shape: x.shape.slice(), dtype: x.dtype }],
      dispatchDType: x.dtype,
      elemBytes: BYTES_PER_ELEMENT[x.dtype],
      batch,
      rows,
      cols,
      upper: attrs.upper === undefined ? true : !!attrs.upper,
      k: Math.max(-rows, Math.min(cols, k)),
    };
  },
});
