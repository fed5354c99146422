/**
 * RaggedTensorToTensor → ops/ragged-to-dense.ts (RaggedOutputIndex per level, then Less, Where,
 * Expand, ScatterND, Slice). The output shape and the default value's shape are checked and
 * combined with tfjs-core's own backend_util (its messages); a −1 left in a ragged dimension of the
 * shape (the longest row) is not supported.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TwinopsError } from '../../../core/errors.js';
import { runRaggedToDense, type RowPartitionType } from '../../../ops/ragged-to-dense.js';
import type { RaggedExec } from '../../../ops/ragged-gather.js';
import type { TensorInfo as OpInfo } from '../../../ops/types.js';
import { TfjsKernelError } from '../backend.js';
import { defineKernel } from './register.js';

type Info = TensorInfo & OpInfo;

defineKernel('RaggedTensorToTensor', ['RaggedOutputIndex', 'Less', 'Where', 'Expand', 'ScatterND', 'Slice'], ({ inputs, attrs, backend }) => {
  const kernel = 'RaggedTensorToTensor';
  const shapeT = inputs.shape as TensorInfo;
  const values = inputs.values as TensorInfo;
  const dflt = inputs.defaultValue as TensorInfo;
  const tensors = inputs.rowPartitionTensors as unknown as TensorInfo[];
  const types = attrs.rowPartitionTypes as RowPartitionType[];
  const raggedRank = types.filter((t) => t !== 'FIRST_DIM_SIZE').length;
  backend_util.validateDefaultValueShape(dflt.shape, values.shape);
  const given = Array.from(backend.readSync(shapeT.dataId) as Int32Array);
  const partial = shapeT.shape.length === 0 ? (given[0] === -1 ? [] : null) : given;
  if (partial === null) throw new Error('The only valid scalar shape tensor is the fully unknown shape specified as -1.');
  const shape = backend_util.combineRaggedTensorToTensorShapes(raggedRank, partial, values.shape);
  if (shape.length && shape[0]! < 0) {
    // the first dimension: FIRST_DIM_SIZE's value, or the first row splits' row count
    shape[0] = types[0] === 'FIRST_DIM_SIZE' ? (backend.readSync(tensors[0]!.dataId) as Int32Array)[0]! : tensors[0]!.shape[0]! - 1;
  }
  if (shape.some((d) => d < 0)) backend.unsupported(kernel, `a ragged dimension left unknown in shape [${given}] (the longest row) is not supported`);
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t as Info);
  const x: RaggedExec<Info> = {
    op: (name, ins, a = {}) => backend.runOp(kernel, name, ins, a).map(keep),
    reshape: (t, s) => keep(backend.alias(t, s)),
    int32: (v, s) => keep({ dataId: backend.write(v, s.slice(), 'int32'), shape: s.slice(), dtype: 'int32' }),
    read: (t) => backend.readSync(t.dataId) as Int32Array,
  };
  try {
    const y = runRaggedToDense(x, { shape, values: values as Info, defaultValue: dflt as Info, partitions: types.map((type, i) => ({ type, tensor: tensors[i] as Info })) });
    made.splice(made.indexOf(y), 1);
    return y;
  } catch (e) {
    if (e instanceof TwinopsError) throw new TfjsKernelError(kernel, e.message, { cause: e });
    throw e;
  } finally {
    for (const t of made) backend.release(t);
  }
});
