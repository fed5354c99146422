/**
 * Sums of rows into segments: UnsortedSegmentSum (tfjs/TF) and ScatterNDSum (tfjs ScatterNd: a
 * zero tensor of a given shape with updates added at index tuples, repeated tuples summed). Both
 * view their output as [segments, inner] and add input row i into output row rows[i], in input order.
 */
import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import { assertValidShape, shapeSize } from './shape.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export interface SegmentPlan extends Plan {
  /** Input rows (each `inner` elements) and output rows. */
  rows: number;
  segments: number;
  inner: number;
  /** ScatterNDSum: the output shape (index tuples address its leading dims); UnsortedSegmentSum: []. */
  shape: number[];
  indicesShape: number[];
}

export interface UnsortedSegmentSumAttrs {
  numSegments: number;
}

/**
 * UnsortedSegmentSum(data, segmentIds): segmentIds' shape is a prefix of data's; output
 * [numSegments, ...data.shape[ids.rank:]], row s = Σ data rows whose id is s (0 where none). Ids
 * outside [0, numSegments) are dropped (TF and tfjs-backend-cpu).
 */
export const unsortedSegmentSumDef: OpDef<UnsortedSegmentSumAttrs, SegmentPlan> = defineOp({
  name: 'UnsortedSegmentSum',
  plan(inputs, attrs) {
    const op = 'UnsortedSegmentSum';
    expectArity(op, inputs, 2);
    const [x, ids] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, x, ['float32', 'int32'], 'data');
    expectDType(op, ids, ['int32', 'int64'], 'segmentIds');
    const q = ids.shape.length;
    if (q > x.shape.length || ids.shape.some((d, i) => d !== x.shape[i])) {
      throw new ShapeError(op, `segmentIds ${fmtShape(ids.shape)} must be a prefix of data ${fmtShape(x.shape)}`);
    }
    const numSegments = attrs?.numSegments;
    if (typeof numSegments !== 'number' || !Number.isInteger(numSegments) || numSegments < 0) {
      throw new AttributeError(op, `numSegments must be a non-negative integer, got ${String(numSegments)}`);
    }
    const innerShape = x.shape.slice(q);
    return {
      outputs: [{ shape: [numSegments, ...innerShape], dtype: x.dtype }],
      dispatchDType: x.dtype,
      rows: shapeSize(ids.shape),
      segments: numSegments,
      inner: shapeSize(innerShape),
      shape: [],
      indicesShape: ids.shape.slice(),
    };
  },
});

export interface ScatterNDSumAttrs {
  shape: number[];
}

/**
 * ScatterNDSum(indices, updates; shape): zeros of `shape`, plus each update slab added at the slab
 * its index k-tuple names (indices [..., k], updates [...indices.shape[:-1], ...shape[k:]]).
 * Negative or out-of-range indices are errors (thrown by the kernel, which reads them).
 */
export const scatterNDSumDef: OpDef<ScatterNDSumAttrs, SegmentPlan> = defineOp({
  name: 'ScatterNDSum',
  plan(inputs, attrs) {
    const op = 'ScatterNDSum';
    expectArity(op, inputs, 2);
    const [idx, upd] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, idx, ['int32', 'int64'], 'indices');
    expectDType(op, upd, ['float32', 'int32'], 'updates');
    const shape = attrs?.shape;
    if (!Array.isArray(shape)) throw new AttributeError(op, `shape must be an array of dimensions, got ${String(shape)}`);
    assertValidShape(op, shape);
    if (shape.length === 0 || idx.shape.length === 0) throw new ShapeError(op, `shape ${fmtShape(shape)} and indices ${fmtShape(idx.shape)} must have rank ≥ 1`, 'RANK');
    const k = idx.shape[idx.shape.length - 1]!;
    if (k < 1 || k > shape.length) throw new ShapeError(op, `the last dimension of indices ${fmtShape(idx.shape)} must be in [1, ${shape.length}] for shape ${fmtShape(shape)}`);
    const want = [...idx.shape.slice(0, -1), ...shape.slice(k)];
    if (want.length !== upd.shape.length || want.some((d, i) => d !== upd.shape[i])) {
      throw new ShapeError(op, `updates ${fmtShape(upd.shape)} must have shape ${fmtShape(want)} for indices ${fmtShape(idx.shape)} and shape ${fmtShape(shape)}`);
    }
    return {
      outputs: [{ shape: shape.slice(), dtype: upd.dtype }],
      dispatchDType: upd.dtype,
      rows: shapeSize(idx.shape.slice(0, -1)),
      segments: shapeSize(shape.slice(0, k)),
      inner: shapeSize(shape.slice(k)),
      shape: shape.slice(),
      indicesShape: idx.shape.slice(),
    };
  },
});

export interface BincountAttrs {
  size: number;
  /** 1 where a value occurs at all (weights ignored), instead of counts or weight sums. */
  binaryOutput?: boolean;
  /** Output dtype without weights (default int32); with weights, the weights' dtype. */
  dtype?: 'float32' | 'int32';
}

export interface BincountPlan extends SegmentPlan {
  weighted: boolean;
  binaryOutput: boolean;
}

/**
 * Bincount(x[, weights]) (tfjs Bincount/DenseBincount): x int32 [n] or [b, n] of non-negative
 * values; out [size] or [b, size] where out[.., v] counts the values v of its row (or sums their
 * weights). Values ≥ size are dropped; a negative value is an error (thrown by the kernel).
 */
export const bincountDef: OpDef<BincountAttrs, BincountPlan> = defineOp({
  name: 'Bincount',
  plan(inputs, attrs) {
    const op = 'Bincount';
    expectArity(op, inputs, 1, 2);
    const x = inputs[0]!;
    const w = inputs[1];
    expectDType(op, x, ['int32'], 'x');
    if (x.shape.length < 1 || x.shape.length > 2) throw new ShapeError(op, `x ${fmtShape(x.shape)} must have rank 1 or 2`, 'RANK');
    if (w) {
      expectDType(op, w, ['float32', 'int32'], 'weights');
      if (w.shape.length !== x.shape.length || w.shape.some((d, i) => d !== x.shape[i])) throw new ShapeError(op, `weights ${fmtShape(w.shape)} must have the shape of x ${fmtShape(x.shape)}`);
    }
    const size = attrs?.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new AttributeError(op, `size must be a non-negative integer, got ${String(size)}`);
    const dtype = w?.dtype ?? attrs.dtype ?? 'int32';
    if (dtype !== 'float32' && dtype !== 'int32') throw new AttributeError(op, `dtype must be float32 or int32, got ${String(dtype)}`);
    const batch = x.shape.length === 2 ? x.shape[0]! : 1;
    return {
      outputs: [{ shape: [...x.shape.slice(0, -1), size], dtype }],
      dispatchDType: dtype,
      rows: shapeSize(x.shape),
      segments: batch * size,
      inner: 1,
      shape: [],
      indicesShape: x.shape.slice(),
      weighted: w !== undefined,
      binaryOutput: attrs.binaryOutput ?? false,
    };
  },
});

export interface SparseSegmentAttrs {
  /** Output rows; tfjs uses the last segment id + 1. */
  numSegments: number;
}

export interface SparseSegmentPlan extends SegmentPlan {
  mean: boolean;
  /** Rows of data (indices must lie in [0, dataRows)). */
  dataRows: number;
}

/**
 * SparseSegmentSum / SparseSegmentMean(data, indices, segmentIds) (tfjs, TF): output row s sums
 * (or averages; int32 means truncate toward zero, as tfjs-backend-cpu) data rows indices[i] over
 * the i with segmentIds[i] = s; rows no id names are 0.
 * Segment ids must be non-negative, non-decreasing and below numSegments, indices within data's
 * first axis: the kernel checks the values and throws ShapeErrors naming the element.
 */
function sparseSegmentDef(name: 'SparseSegmentSum' | 'SparseSegmentMean'): OpDef<SparseSegmentAttrs, SparseSegmentPlan> {
  return defineOp({
    name,
    plan(inputs, attrs) {
      const op = name;
      expectArity(op, inputs, 3);
      const [x, idx, ids] = inputs as [TensorInfo, TensorInfo, TensorInfo];
      expectDType(op, x, ['float32', 'int32'], 'data');
      expectDType(op, idx, ['int32'], 'indices');
      expectDType(op, ids, ['int32'], 'segmentIds');
      if (x.shape.length < 1) throw new ShapeError(op, `data ${fmtShape(x.shape)} should be at least 1 dimensional`, 'RANK');
      if (idx.shape.length !== 1) throw new ShapeError(op, `indices ${fmtShape(idx.shape)} should be Tensor1D`, 'RANK');
      if (ids.shape.length !== 1) throw new ShapeError(op, `segmentIds ${fmtShape(ids.shape)} should be Tensor1D`, 'RANK');
      if (idx.shape[0] !== ids.shape[0]) throw new ShapeError(op, `indices ${fmtShape(idx.shape)} and segmentIds ${fmtShape(ids.shape)} must have one length`);
      const numSegments = attrs?.numSegments;
      if (typeof numSegments !== 'number' || !Number.isInteger(numSegments) || numSegments < 0) {
        throw new AttributeError(op, `numSegments must be a non-negative integer, got ${String(numSegments)}`);
      }
      const innerShape = x.shape.slice(1);
      return {
        outputs: [{ shape: [numSegments, ...innerShape], dtype: x.dtype }],
        dispatchDType: x.dtype,
        rows: idx.shape[0]!,
        segments: numSegments,
        inner: shapeSize(innerShape),
        shape: [],
        indicesShape: idx.shape.slice(),
        mean: name === 'SparseSegmentMean',
        dataRows: x.shape[0]!,
      };
    },
  });
}
export const sparseSegmentSumDef = sparseSegmentDef('SparseSegmentSum');
export const sparseSegmentMeanDef = sparseSegmentDef('SparseSegmentMean');
