/**
 * Index arithmetic on COO sparse tensors (int32 indices [nnz, rank]); see wasm-kernels/sparse.wat.ts.
 *
 *   SparseReshape(indices; { inputShape, outputShape }) → indices [nnz, outputShape.length]: each
 *     entry's position in the dense inputShape, re-expressed in outputShape (both fully known: a −1
 *     in a framework's target shape is resolved by its adapter, with its own messages).
 *   SparseFillEmptyRows(indices, values, defaultValue; { denseRows }) → outputIndices, outputValues,
 *     emptyRowIndicator (bool [denseRows]), reverseIndexMap (int32 [nnz]), count (int32 [1]):
 *     entries regrouped by row (order kept within a row), one (row, 0, ..., 0) = defaultValue entry
 *     added for each row without entries. The number of added entries depends on the data, so the
 *     first two outputs are sized nnz + denseRows and callers keep the first count[0] entries.
 *     A row index outside [0, denseRows) is a ShapeError naming the entry.
 */
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan } from './types.js';

export interface SparseReshapeAttrs {
  inputShape: readonly number[];
  outputShape: readonly number[];
}

export interface SparseReshapePlan extends Plan {
  nnz: number;
  inStrides: number[];
  outStrides: number[];
}

const strides = (s: readonly number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export const sparseReshapeDef: OpDef<SparseReshapeAttrs, SparseReshapePlan> = defineOp({
  name: 'SparseReshape',
  plan(inputs, attrs): SparseReshapePlan {
    const op = 'SparseReshape';
    expectArity(op, inputs, 1);
    const idx = inputs[0]!;
    expectDType(op, idx, ['int32'], 'indices');
    const { inputShape, outputShape } = attrs;
    const dims = (s: readonly number[]) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0);
    if (!dims(inputShape) || !dims(outputShape)) throw new ShapeError(op, `shapes must be non-negative integers, got inputShape ${JSON.stringify(inputShape)} and outputShape ${JSON.stringify(outputShape)}`);
    if (idx.shape.length !== 2 || idx.shape[1] !== inputShape.length) throw new ShapeError(op, `indices must be [nnz, ${inputShape.length}] for inputShape ${fmtShape(inputShape)}, got ${fmtShape(idx.shape)}`, 'RANK');
    if (size(inputShape) !== size(outputShape)) throw new ShapeError(op, `inputShape ${fmtShape(inputShape)} has ${size(inputShape)} dense values but outputShape ${fmtShape(outputShape)} has ${size(outputShape)}`);
    const nnz = idx.shape[0]!;
    return { outputs: [{ shape: [nnz, outputShape.length], dtype: 'int32' }], dispatchDType: 'int32', nnz, inStrides: strides(inputShape), outStrides: strides(outputShape) };
  },
});

export interface SparseFillEmptyRowsAttrs {
  denseRows: number;
}

export interface SparseFillEmptyRowsPlan extends Plan {
  n: number;
  rank: number;
  denseRows: number;
}

export const sparseFillEmptyRowsDef: OpDef<SparseFillEmptyRowsAttrs, SparseFillEmptyRowsPlan> = defineOp({
  name: 'SparseFillEmptyRows',
  plan(inputs, attrs): SparseFillEmptyRowsPlan {
    const op = 'SparseFillEmptyRows';
    expectArity(op, inputs, 3);
    const [idx, values, dflt] = [inputs[0]!, inputs[1]!, inputs[2]!];
    expectDType(op, idx, ['int32'], 'indices');
    expectDType(op, values, ['float32', 'int32'], 'values');
    if (dflt.dtype !== values.dtype || dflt.shape.length !== 0) throw new DTypeError(op, `defaultValue must be a ${values.dtype} scalar, got ${dflt.dtype}${fmtShape(dflt.shape)}`);
    if (idx.shape.length !== 2) throw new ShapeError(op, `indices must be [nnz, rank], got ${fmtShape(idx.shape)}`, 'RANK');
    const [n, rank] = idx.shape as [number, number];
    if (values.shape.length !== 1 || values.shape[0] !== n) throw new ShapeError(op, `values must be [${n}] for indices ${fmtShape(idx.shape)}, got ${fmtShape(values.shape)}`);
    const denseRows = attrs.denseRows;
    if (!Number.isInteger(denseRows) || denseRows < 0) throw new ShapeError(op, `denseRows must be a non-negative integer, got ${denseRows}`);
    if (denseRows === 0 && n > 0) throw new ShapeError(op, `a sparse tensor with 0 dense rows cannot hold indices ${fmtShape(idx.shape)}`);
    if (n > 0 && rank < 1) throw new ShapeError(op, `indices ${fmtShape(idx.shape)} must have rank >= 1 entries`);
    const total = n + denseRows;
    return {
      outputs: [
        { shape: [total, rank], dtype: 'int32' },
        { shape: [total], dtype: values.dtype },
        { shape: [denseRows], dtype: 'bool' },
        { shape: [n], dtype: 'int32' },
        { shape: [1], dtype: 'int32' },
      ],
      dispatchDType: values.dtype,
      n,
      rank,
      denseRows,
    };
  },
});
