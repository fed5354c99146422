/**
 * Einsum → ops/einsum.ts's plan of twinops ops (Transpose, Reshape, Gather, Expand, ReduceSum,
 * MatMul). tfjs-core's own equation checks (backend_util.decodeEinsumEquation and
 * checkEinsumDimSizes) run first so that malformed equations fail with tfjs' messages; the
 * intermediates are released when the kernel returns.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { TwinopsError } from '../../../core/errors.js';
import { runEinsum, type EinsumExec } from '../../../ops/einsum.js';
import type { TensorInfo as OpInfo } from '../../../ops/types.js';
import { TfjsKernelError } from '../backend.js';
import { defineKernel } from './register.js';

type Info = TensorInfo & OpInfo;

defineKernel('Einsum', ['Transpose', 'Reshape', 'Gather', 'Expand', 'ReduceSum', 'MatMul'], ({ inputs, attrs, backend }) => {
  const equation = attrs.equation as string;
  const tensors = inputs as unknown as TensorInfo[];
  const { allDims, idDims } = backend_util.decodeEinsumEquation(equation, tensors.length);
  backend_util.checkEinsumDimSizes(allDims.length, idDims, tensors as never);
  const made: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (made.push(t), t as Info);
  const x: EinsumExec<Info> = {
    op: (name, ins, a = {}) => backend.runOp('Einsum', name, ins, a).map(keep),
    reshape: (t, shape) => keep(backend.alias(t, shape)),
    int32: (values, shape) => keep({ dataId: backend.write(values, shape.slice(), 'int32'), shape: shape.slice(), dtype: 'int32' }),
  };
  try {
    const y = runEinsum(x, equation, tensors as Info[]);
    made.splice(made.indexOf(y), 1);
    return y;
  } catch (e) {
    if (e instanceof TwinopsError) throw new TfjsKernelError('Einsum', e.message, { cause: e });
    throw e;
  } finally {
    for (const t of made) backend.release(t);
  }
});
