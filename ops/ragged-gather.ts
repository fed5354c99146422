/**
 * RaggedGather as a plan of existing ops (no kernel of its own): rows `indices` of a ragged tensor
 * (nested row splits, outermost first, and dense values) are gathered level by level. At each
 * level the selected rows' starts and limits are gathered from the splits (Gather of splits and of
 * splits[1:], a Slice), their lengths become the output splits (RaggedRangeSplits with delta 1),
 * and the items they span become the next level's rows (RaggedRangeValues: each range's ids in
 * order). The dense values are gathered last (Gather, axis 0). Indices of rank k > 1 add k − 1
 * outer uniform splits [0, d, 2d, ...] from their shape; a scalar index drops the outermost level.
 *
 * The splits are assumed valid (non-empty, ascending, within the next level, indices in range):
 * adapters check them with their framework's messages first.
 */
import type { TensorInfo } from './types.js';

export interface RaggedExec<T extends TensorInfo> {
  op(name: string, inputs: readonly T[], attrs?: object): T[];
  reshape(t: T, shape: readonly number[]): T;
  /** A new int32 tensor holding `values` (shape-derived splits, the constant delta 1). */
  int32(values: Int32Array, shape: readonly number[]): T;
  /** The int32 values of a small tensor (a splits total), read on the host. */
  read(t: T): Int32Array;
}

export function runRaggedGather<T extends TensorInfo>(x: RaggedExec<T>, splits: readonly T[], values: T, indices: T): { splits: T[]; values: T } {
  const one = (name: string, ins: readonly T[], attrs: object = {}) => x.op(name, ins, attrs)[0]!;
  const out: T[] = [];
  const shape = indices.shape;
  let outer = 1;
  for (let d = 0; d + 1 < shape.length; d++) {
    outer *= shape[d]!;
    const step = shape[d + 1]!;
    out.push(x.int32(Int32Array.from({ length: outer + 1 }, (_, i) => i * step), [outer + 1]));
  }
  let ids = x.reshape(indices, [indices.shape.reduce((a, b) => a * b, 1)]);
  const delta = x.int32(Int32Array.of(1), []);
  for (const s of splits) {
    const n = s.shape[0]!;
    const starts = one('Gather', [s, ids], { axis: 0 });
    const limits = one('Gather', [one('Slice', [s], { starts: [1], ends: [n], axes: [0] }), ids], { axis: 0 });
    const lens = one('RaggedRangeSplits', [starts, limits, delta]);
    out.push(lens);
    const total = x.read(lens);
    ids = one('RaggedRangeValues', [starts, delta, lens], { total: total[total.length - 1]! });
  }
  // a scalar index selects one row: its own row split [0, n] is not part of the result
  return { splits: shape.length === 0 ? out.slice(1) : out, values: one('Gather', [values, ids], { axis: 0 }) };
}
