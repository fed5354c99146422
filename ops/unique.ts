/**
 * Unique: the distinct slices of x along `axis` (x[..., i, ...] for each i), or of its elements when
 * axis is absent (x flattened). The number of distinct slices depends on the data, which a plan
 * cannot read, so the outputs are sized for the worst case (every slice distinct) and a fourth
 * output holds the actual count u; callers keep the first u entries of `first` and `counts` (a
 * Slice) and gather the unique values themselves (Gather of x at `first` along the axis).
 *
 *   outputs: first int32 [n] (index of each unique slice's first occurrence), inverse int32 [n]
 *   (for each slice, its unique slice's number), counts int32 [n] (occurrences of each unique slice),
 *   count int32 [1] (u).
 * Unique slices are numbered by first occurrence, or in ascending lexicographic order when `sorted`
 * (ONNX Unique's default). float32 compares NaN equal to NaN (and above all numbers) and −0 equal to 0.
 */
import type { DType } from '../core/dtype.js';
import { AttributeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export const UNIQUE_DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'bool', 'uint8'];

export interface UniqueAttrs {
  /** The axis whose slices are compared; absent: the elements of x flattened. */
  axis?: number;
  sorted?: boolean;
}

export interface UniquePlan extends Plan {
  outer: number;
  n: number;
  inner: number;
  sorted: boolean;
}

export const uniqueDef: OpDef<UniqueAttrs, UniquePlan> = defineOp({
  name: 'Unique',
  plan(inputs, attrs): UniquePlan {
    const op = 'Unique';
    expectArity(op, inputs, 1);
    const x = inputs[0]!;
    expectDType(op, x, UNIQUE_DTYPES, 'x');
    const size = x.shape.reduce((a, b) => a * b, 1);
    let outer = 1;
    let n = size;
    let inner = 1;
    if (attrs.axis !== undefined) {
      const r = x.shape.length;
      const a = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
      if (!Number.isInteger(attrs.axis) || a < 0 || a >= r) throw new AttributeError(op, `axis ${attrs.axis} is out of range for x ${fmtShape(x.shape)}`);
      n = x.shape[a]!;
      x.shape.forEach((d, i) => (i < a ? (outer *= d) : i > a ? (inner *= d) : 0));
    }
    const i32 = (shape: number[]) => ({ shape, dtype: 'int32' as const });
    return { outputs: [i32([n]), i32([n]), i32([n]), i32([1])], dispatchDType: x.dtype, outer, n, inner, sorted: attrs.sorted === true };
  },
});
