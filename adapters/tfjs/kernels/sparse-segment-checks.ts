/**
 * tfjs' input rules for SparseSegmentSum / SparseSegmentMean, with its exact messages
 * (backend_util.getSparseSegmentReduction*ErrorMessage; tfjs' tests compare them verbatim). The
 * ids are walked segment by segment in tfjs-backend-cpu's order, so the first problem found is the
 * one tfjs reports. Returns the number of output rows (last id + 1).
 */
import { backend_util } from '@tensorflow/tfjs-core';

export function checkSparseSegments(indices: ArrayLike<number>, segmentIds: ArrayLike<number>, inputRows: number): number {
  const n = indices.length;
  const rows = n > 0 ? segmentIds[n - 1]! + 1 : 0;
  if (rows < 0 || (n > 0 && rows === 0)) throw new Error(backend_util.getSparseSegmentReductionNegativeSegmentIdsErrorMessage());
  let start = 0;
  let id = n > 0 ? segmentIds[0]! : 0;
  for (let end = 1; n > 0; end++) {
    if (end < n) {
      const next = segmentIds[end]!;
      if (next === id) continue;
      if (id >= next) throw new Error(backend_util.getSparseSegmentReductionNonIncreasingSegmentIdsErrorMessage());
    }
    if (id < 0 || id >= rows) throw new Error(backend_util.getSparseSegmentReductionSegmentIdOutOfRangeErrorMessage(id, rows));
    for (let i = start; i < end; i++) {
      if (indices[i]! < 0 || indices[i]! >= inputRows) throw new Error(backend_util.getSparseSegmentReductionIndicesOutOfRangeErrorMessage(i, indices[i]!, inputRows));
    }
    if (end >= n) break;
    start = end;
    id = segmentIds[end]!;
  }
  return rows;
}
