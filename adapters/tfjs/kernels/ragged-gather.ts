/**
 * RaggedGather → ops/ragged-gather.ts's plan (Gather, Slice, RaggedRangeSplits, RaggedRangeValues).
 * tfjs' checks of the splits and indices run here first, in tfjs-backend-cpu's order and with its
 * exact messages (tfjs' tests compare them verbatim); intermediates are released on return.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runRaggedGather, type RaggedExec } from '../../../ops/ragged-gather.js';
import type { TensorInfo as OpInfo } from '../../../ops/types.js';
import type { TwinopsBackend } from '../backend.js';
import { defineKernel } from './register.js';

type Info = TensorInfo & OpInfo;

function check(backend: TwinopsBackend, splits: TensorInfo[], values: TensorInfo, indices: TensorInfo): void {
  if (splits.length === 0) throw new Error('paramsNestedSplits must be non empty');
  if (splits.some((s) => s.shape.length === 0)) throw new Error('Split tensors must not be scalars');
  if (values.shape.length === 0) throw new Error('params.rank must be nonzero');
  const data = splits.map((s) => backend.readSync(s.dataId) as Int32Array);
  data.forEach((s, dim) => {
    const limit = dim + 1 < data.length ? data[dim + 1]!.length - 1 : values.shape[0]!;
    if (s.length === 0) throw new Error('Ragged splits may not be empty');
    if (s[0]! < 0) throw new Error('Ragged splits must be non-negative');
    if (s[s.length - 1]! > limit) throw new Error('Ragged splits must not point past values');
    for (let i = 1; i < s.length; i++) if (s[i]! < s[i - 1]!) throw new Error('Ragged splits must be sorted in ascending order');
  });
  const rows = data[0]!.length - 1;
  const idx = backend.readSync(indices.dataId) as Int32Array;
  idx.forEach((v, i) => {
    if (v < 0 || v >= rows) throw new Error(`indices[${i}] = ${v} is not in [0, ${rows})`);
  });
}

defineKernel('RaggedGather', ['Gather', 'Slice', 'RaggedRangeSplits', 'RaggedRangeValues'], ({ inputs, backend }) => {
  const kernel = 'RaggedGather';
  const splits = inputs.paramsNestedSplits as unknown as TensorInfo[];
  const values = inputs.paramsDenseValues as TensorInfo;
  const indices = inputs.indices as TensorInfo;
  check(backend, splits, values, indices);
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t as Info);
  const x: RaggedExec<Info> = {
    op: (name, ins, a = {}) => backend.runOp(kernel, name, ins, a).map(keep),
    reshape: (t, shape) => keep(backend.alias(t, shape)),
    int32: (v, shape) => keep({ dataId: backend.write(v, shape.slice(), 'int32'), shape: shape.slice(), dtype: 'int32' }),
    read: (t) => backend.readSync(t.dataId) as Int32Array,
  };
  try {
    const r = runRaggedGather(x, splits as Info[], values as Info, indices as Info);
    const outs = [...r.splits, r.values];
    for (const t of outs) made.splice(made.indexOf(t), 1);
    return outs;
  } finally {
    for (const t of made) backend.release(t);
  }
});
