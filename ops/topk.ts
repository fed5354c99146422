/**
 * TopK: the k largest (or smallest) values along one axis with their indices. ONNX TopK-11
 * semantics and tfjs TopK: values come out best first; equal values keep their input order (the
 * lower index first). NaN ranks above every number, for largest and smallest alike (so a NaN is
 * picked first by largest and last by smallest), as numpy's sort places it.
 */

import { AttributeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { normalizeAxis } from './shape.js';
import type { OpDef, Plan } from './types.js';

export interface TopKAttrs {
  k: number;
  /** Axis to select along (default -1). */
  axis?: number;
  /** Largest (default) or smallest values. */
  largest?: boolean;
  /** Outputs are always sorted best first; `sorted: false` (allowed any order by ONNX) gives the same. */
  sorted?: boolean;
  /** dtype of the indices output: int32 (tfjs, default) or int64 (ONNX). */
  indexDType?: 'int32' | 'int64';
}

export interface TopKPlan extends Plan {
  /** The input viewed as [outer, n, inner]; the outputs as [outer, k, inner]. */
  outer: number;
  n: number;
  inner: number;
  k: number;
  largest: boolean;
}

export const topKDef: OpDef<TopKAttrs, TopKPlan> = defineOp({
  name: 'TopK',
  plan(inputs, attrs) {
    const op = 'TopK';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, ['float32', 'int32', 'int64'], 'X');
    const rank = x.shape.length;
    if (rank === 0) throw new AttributeError(op, `X ${fmtShape(x.shape)} must have rank ≥ 1`);
    const axis = normalizeAxis(op, attrs?.axis ?? -1, rank);
    const n = x.shape[axis]!;
    const k = attrs?.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n) {
      throw new AttributeError(op, `k must be an integer in [0, ${n}] for X ${fmtShape(x.shape)} along axis ${axis}, got ${String(k)}`);
    }
    const indexDType = attrs.indexDType ?? 'int32';
    if (indexDType !== 'int32' && indexDType !== 'int64') throw new AttributeError(op, `indexDType must be int32 or int64, got ${String(indexDType)}`);
    let outer = 1;
    let inner = 1;
    x.shape.forEach((d, i) => {
      if (i < axis) outer *= d;
      else if (i > axis) inner *= d;
    });
    const shape = x.shape.slice();
    shape[axis] = k;
    return {
      outputs: [{ shape, dtype: x.dtype }, { shape: shape.slice(), dtype: indexDType }],
      dispatchDType: x.dtype,
      outer,
      n,
      inner,
      k,
      largest: attrs.largest ?? true,
    };
  },
});
