/**
 * SparseReshape and SparseFillEmptyRows → the twinops ops of the same names. tfjs' conventions
 * and exact messages (backend_util.getSparse*ErrorMessage; its tests compare them verbatim) are
 * applied here first: the −1 of a target shape is resolved from the two small shape tensors, and
 * SparseFillEmptyRows' row indices are checked in tfjs' order. The index arithmetic runs in the ops.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

/** tfjs' resolution of a target shape with at most one −1. */
function resolveShape(inputShape: number[], target: number[]): number[] {
  const dense = util.sizeFromShape(inputShape);
  const out: number[] = [];
  let product = 1;
  let unknown = -1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (unknown !== -1) throw new Error(backend_util.getSparseReshapeMultipleNegativeOneOutputDimErrorMessage(unknown, i));
      unknown = i;
      out.push(1);
    } else {
      if (d < 0) throw new Error(backend_util.getSparseReshapeNegativeOutputDimErrorMessage(i, d));
      product *= d;
      out.push(d);
    }
  });
  if (unknown !== -1) {
    if (product <= 0) throw new Error(backend_util.getSparseReshapeEmptyTensorZeroOutputDimErrorMessage());
    const missing = Math.trunc(dense / product);
    if (product * missing !== dense) throw new Error(backend_util.getSparseReshapeInputOutputMultipleErrorMessage(inputShape, out));
    out[unknown] = missing;
  }
  if (util.sizeFromShape(out) !== dense) throw new Error(backend_util.getSparseReshapeInputOutputMismatchErrorMessage(inputShape, out));
  return out;
}

defineKernel('SparseReshape', ['SparseReshape'], ({ inputs, backend }) => {
  const ints = (t: unknown) => Array.from(backend.readSync((t as TensorInfo).dataId) as Int32Array);
  const inputShape = ints(inputs.inputShape);
  const outputShape = resolveShape(inputShape, ints(inputs.newShape));
  const indices = backend.runOne('SparseReshape', 'SparseReshape', [inputs.inputIndices as TensorInfo], { inputShape, outputShape });
  return [indices, { dataId: backend.write(Int32Array.from(outputShape), [outputShape.length], 'int32'), shape: [outputShape.length], dtype: 'int32' }];
});

defineKernel('SparseFillEmptyRows', ['SparseFillEmptyRows', 'Slice'], ({ inputs, backend }) => {
  const kernel = 'SparseFillEmptyRows';
  const indices = inputs.indices as TensorInfo;
  const denseRows = (backend.readSync((inputs.denseShape as TensorInfo).dataId) as Int32Array)[0]!;
  const n = indices.shape[0]!;
  const rank = indices.shape[1]!;
  if (denseRows === 0 && n !== 0) throw new Error(backend_util.getSparseFillEmptyRowsIndicesDenseShapeMismatch(n));
  const idx = backend.readSync(indices.dataId) as Int32Array;
  for (let i = 0; i < n; i++) {
    const row = idx[i * rank]!;
    if (row < 0) throw new Error(backend_util.getSparseFillEmptyRowsNegativeIndexErrorMessage(i, row));
    if (row >= denseRows) throw new Error(backend_util.getSparseFillEmptyRowsOutOfRangeIndexErrorMessage(i, row, denseRows));
  }
  const outs = backend.runOp(kernel, kernel, [indices, inputs.values as TensorInfo, inputs.defaultValue as TensorInfo], { denseRows });
  try {
    const total = (backend.readSync(outs[4]!.dataId) as Int32Array)[0]!;
    const cut = (t: TensorInfo) => backend.runOne(kernel, 'Slice', [t], { starts: [0], ends: [total], axes: [0] });
    return [cut(outs[0]!), cut(outs[1]!), backend.alias(outs[2]!), backend.alias(outs[3]!)];
  } finally {
    for (const t of outs) backend.release(t);
  }
});
