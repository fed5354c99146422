/**
 * ONNX Einsum (opset 12) → ops/einsum.ts, which evaluates the equation with existing twinops ops
 * (Transpose, Reshape, Gather, Expand, ReduceSum, MatMul). The mapping only hands over the equation.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { runEinsum } from '../../../ops/einsum.js';
import type { OnnxNode } from '../model.js';
import { addMappings } from './table.js';
import { Attrs, need, type Exec, type Lowered, type OnnxOpMapping } from './types.js';
import { UnsupportedNodeError } from '../errors.js';

const einsum: OnnxOpMapping = {
  op: 'Einsum',
  domain: '',
  sinceOpset: 12,
  lower(node: OnnxNode): Lowered {
    const at = new Attrs(node, ['equation']);
    if (!at.has('equation')) throw new UnsupportedNodeError("attribute 'equation' is required");
    const equation = at.string('equation', '');
    if (node.inputs.length < 1) throw new UnsupportedNodeError('Einsum needs at least one input');
    return {
      calls: ['Transpose', 'Reshape', 'Gather', 'Expand', 'ReduceSum', 'MatMul'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const inputs = ins.map((t, i) => need(t, `${i}`));
        const y = runEinsum({ op: (n, i, a) => x.op(n, i, a), reshape: (t, s) => x.reshape(t, s), int32: (data, dims) => x.tensor({ dtype: 'int32', dims: dims.slice(), data }) }, equation, inputs);
        return [y];
      },
    };
  },
};

addMappings([einsum]);
