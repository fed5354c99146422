/** ONNX Constant nodes: evaluated once at session creation into host tensors (never scheduled). */
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import type { HostTensor } from '../tensor-proto.js';

export function constantValue(node: OnnxNode): HostTensor {
  if (node.attrs.size !== 1) throw new UnsupportedNodeError(`Constant needs exactly one value attribute, got ${[...node.attrs.keys()].join(', ') || 'none'}`);
  const [name, a] = [...node.attrs][0]!;
  switch (name) {
    case 'value':
      if (!a.t) throw new UnsupportedNodeError("Constant 'value' holds no tensor");
      return a.t;
    case 'value_float':
      return { dtype: 'float32', dims: [], data: Float32Array.of(a.f) };
    case 'value_floats':
      return { dtype: 'float32', dims: [a.floats.length], data: Float32Array.from(a.floats) };
    case 'value_int':
      return { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(a.i)) };
    case 'value_ints':
      return { dtype: 'int64', dims: [a.ints.length], data: BigInt64Array.from(a.ints, (v) => BigInt(v)) };
    default:
      throw new UnsupportedNodeError(`Constant attribute '${name}' (strings and sparse tensors are not supported)`);
  }
}
