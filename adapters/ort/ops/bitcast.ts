/** ONNX BitCast (opset 26): `to` (a TensorProto.DataType) → twinops BitCast, which reinterprets the bytes in place. */
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { dtypeOfOnnx, onnxTypeName } from '../tensor-proto.js';
import { addMappings } from './table.js';
import { Attrs, arity, need, type Lowered, type OnnxOpMapping } from './types.js';

const bitCast: OnnxOpMapping = {
  op: 'BitCast',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['to']);
    const toType = at.int('to', 0);
    const to = dtypeOfOnnx(toType);
    if (!to) throw new UnsupportedNodeError(`bit cast to ${onnxTypeName(toType)}`);
    return { calls: ['BitCast'], run: (x, ins) => x.op('BitCast', [need(ins[0], 'input')], { to }) };
  },
};

addMappings([bitCast]);
