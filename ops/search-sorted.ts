/**
 * SearchSorted (tfjs, TF; numpy searchsorted per row): for each value of row b of `values`, the
 * insertion index into row b of `sortedSequence` — side 'left': the first i with !(seq[i] < v);
 * 'right': the first i with !(seq[i] <= v) — by binary search, so rows must be sorted ascending.
 * Comparisons with NaN are false; results are what the bisection lo=0, hi=n, mid=⌊(lo+hi)/2⌋ gives
 * (the one tfjs-backend-cpu runs), so a NaN value gets 0.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType, expectSameDType } from './checks.js';
import { defineOp } from './index.js';
import { shapeSize } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface SearchSortedAttrs {
  side?: 'left' | 'right';
}

export interface SearchSortedPlan extends Plan {
  /** Rows, sequence length n, values per row m. */
  batch: number;
  n: number;
  m: number;
  right: boolean;
}

export const searchSortedDef: OpDef<SearchSortedAttrs, SearchSortedPlan> = defineOp({
  name: 'SearchSorted',
  plan(inputs, attrs = {}) {
    const op = 'SearchSorted';
    expectArity(op, inputs, 2);
    const [seq, vals] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, seq, ['float32', 'int32'], 'sortedSequence');
    expectSameDType(op, [seq, vals]);
    const r = seq.shape.length;
    if (r < 1 || vals.shape.length !== r || seq.shape.slice(0, -1).some((d, i) => d !== vals.shape[i])) {
      throw new ShapeError(op, `sortedSequence ${fmtShape(seq.shape)} and values ${fmtShape(vals.shape)} must have one rank ≥ 1 and the same leading dimensions`);
    }
    const side = attrs.side ?? 'left';
    if (side !== 'left' && side !== 'right') throw new AttributeError(op, `side must be 'left' or 'right', got ${String(side)}`);
    return {
      outputs: [{ shape: vals.shape.slice(), dtype: 'int32' }],
      dispatchDType: seq.dtype,
      batch: shapeSize(seq.shape.slice(0, -1)),
      n: seq.shape[r - 1]!,
      m: vals.shape[r - 1]!,
      right: side === 'right',
    };
  },
});
