/**
 * RaggedRange in two ops, since its value count depends on the data (see wasm-kernels/ragged.wat.ts):
 *
 *   RaggedRangeSplits(starts, limits, deltas) → splits int32 [n + 1]: row r is the range
 *     starts[r], starts[r] + deltas[r], ... up to (excluding) limits[r]; each input is a scalar
 *     (broadcast) or a vector of the common length n (n = 1 when all are scalars). A zero delta is an
 *     AttributeError, a total above 2^31 − 1 values a ShapeError (both name the row).
 *   RaggedRangeValues(starts, deltas, splits; { total }) → values [total]: the ranges' values,
 *     start + i·delta rounded once (float32) or exact (int32); `total` is splits[n].
 * float32 or int32, all inputs one dtype.
 */
import { AttributeError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface RaggedRangePlan extends Plan {
  n: number;
  /** per input: 1 when it is a scalar (broadcast) */
  broadcast: number[];
}

function rows(op: string, ins: readonly TensorInfo[], names: readonly string[]): { n: number; broadcast: number[] } {
  const dtype = ins[0]!.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError(op, `${names[0]} has dtype ${dtype}; supported: float32, int32`);
  let n = -1;
  ins.forEach((t, i) => {
    if (t.dtype !== dtype) throw new DTypeError(op, `${names[i]} has dtype ${t.dtype}, ${names[0]} has ${dtype}: they must match`);
    if (t.shape.length > 1) throw new ShapeError(op, `${names[i]} must be a scalar or vector, got ${fmtShape(t.shape)}`, 'RANK');
    if (t.shape.length === 1) {
      if (n >= 0 && t.shape[0] !== n) throw new ShapeError(op, `${names.join(', ')} must have the same shape, got ${ins.map((x) => fmtShape(x.shape)).join(', ')}`);
      n = t.shape[0]!;
    }
  });
  return { n: n < 0 ? 1 : n, broadcast: ins.map((t) => (t.shape.length === 0 ? 1 : 0)) };
}

export const raggedRangeSplitsDef: OpDef<Record<string, never>, RaggedRangePlan> = defineOp({
  name: 'RaggedRangeSplits',
  plan(inputs): RaggedRangePlan {
    const op = 'RaggedRangeSplits';
    expectArity(op, inputs, 3);
    const { n, broadcast } = rows(op, inputs, ['starts', 'limits', 'deltas']);
    return { outputs: [{ shape: [n + 1], dtype: 'int32' }], dispatchDType: inputs[0]!.dtype, n, broadcast };
  },
});

export interface RaggedRangeValuesPlan extends RaggedRangePlan {
  total: number;
}

export const raggedRangeValuesDef: OpDef<{ total: number }, RaggedRangeValuesPlan> = defineOp({
  name: 'RaggedRangeValues',
  plan(inputs, attrs): RaggedRangeValuesPlan {
    const op = 'RaggedRangeValues';
    expectArity(op, inputs, 3);
    const { broadcast } = rows(op, inputs.slice(0, 2), ['starts', 'deltas']);
    const splits = inputs[2]!;
    if (splits.dtype !== 'int32' || splits.shape.length !== 1 || splits.shape[0]! < 1) throw new ShapeError(op, `splits must be int32 [rows + 1], got ${splits.dtype}${fmtShape(splits.shape)}`);
    const n = splits.shape[0]! - 1;
    inputs.slice(0, 2).forEach((t, i) => {
      if (t.shape.length === 1 && t.shape[0] !== n) throw new ShapeError(op, `${i ? 'deltas' : 'starts'} ${fmtShape(t.shape)} must be a scalar or hold one value per row of splits ${fmtShape(splits.shape)}`);
    });
    if (!Number.isInteger(attrs.total) || attrs.total < 0) throw new AttributeError(op, `total must be a non-negative integer, got ${attrs.total}`);
    return { outputs: [{ shape: [attrs.total], dtype: inputs[0]!.dtype }], dispatchDType: inputs[0]!.dtype, n, broadcast, total: attrs.total };
  },
});
