/**
 * Index-tuple kernels. GatherNd → GatherND and TensorScatterUpdate → ScatterND (replace; a repeated
 * tuple: the last update wins, as tfjs-backend-cpu). ScatterNd → ScatterNDSum (zeros of `shape`,
 * repeated tuples summed, as tfjs). Out-of-range indices are typed errors (tfjs-backend-cpu throws
 * too); a negative index in GatherNd wraps (the ONNX rule of twinops' GatherND) where tfjs throws.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { defineKernel } from './register.js';

defineKernel('GatherNd', ['GatherND'], ({ inputs, backend }) =>
  backend.runOne('GatherNd', 'GatherND', [inputs.params as TensorInfo, inputs.indices as TensorInfo]),
  { complexParts: true, strings: true },
);

defineKernel('TensorScatterUpdate', ['ScatterND'], ({ inputs, backend }) =>
  backend.runOne('TensorScatterUpdate', 'ScatterND', [inputs.tensor as TensorInfo, inputs.indices as TensorInfo, inputs.updates as TensorInfo]),
  { complexParts: true, strings: true },
);

defineKernel('ScatterNd', ['ScatterNDSum'], ({ inputs, attrs, backend }) => {
  const indices = inputs.indices as TensorInfo;
  // tfjs: rank-1 indices [n] are n one-element tuples ([n, 1])
  const tuples = indices.shape.length === 1 ? { ...indices, shape: [indices.shape[0]!, 1] } : indices;
  return backend.runOne('ScatterNd', 'ScatterNDSum', [tuples, inputs.updates as TensorInfo], { shape: attrs.shape as number[] });
});

/**
 * SparseToDense → Expand (defaultValue to outputShape) then ScatterND (values placed, a repeated
 * index: the last wins, as tfjs-backend-cpu). tfjs' index conventions: a scalar index is one
 * 1-tuple, rank-1 indices [n] are n 1-tuples; a scalar value is broadcast to every tuple's slab.
 */
defineKernel('SparseToDense', ['Expand', 'ScatterND'], ({ inputs, attrs, backend }) => {
  const indices = inputs.sparseIndices as TensorInfo;
  const values = inputs.sparseValues as TensorInfo;
  const outputShape = attrs.outputShape as number[];
  const tuples = indices.shape.length === 0 ? { ...indices, shape: [1, 1] } : indices.shape.length === 1 ? { ...indices, shape: [indices.shape[0]!, 1] } : indices;
  const k = tuples.shape[1]!;
  const slabs = [tuples.shape[0]!, ...outputShape.slice(k)];
  const made: TensorInfo[] = [];
  try {
    const base = backend.runOne('SparseToDense', 'Expand', [inputs.defaultValue as TensorInfo], { shape: outputShape });
    made.push(base);
    let upd = values;
    if (values.shape.length === 0) {
      upd = backend.runOne('SparseToDense', 'Expand', [values], { shape: slabs });
      made.push(upd);
    } else if (values.shape.length !== slabs.length) upd = { ...values, shape: slabs };
    return backend.runOne('SparseToDense', 'ScatterND', [base, tuples, upd]);
  } finally {
    for (const t of made) backend.release(t);
  }
}, { strings: true });
