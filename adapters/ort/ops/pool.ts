/** ONNX MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool → the twinops pools (NCHW). */
import type { OnnxNode } from '../model.js';
import { UnsupportedNodeError } from '../errors.js';
import { windowAttrs } from './conv.js';
import { Attrs, arity, need, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const maxPool: OnnxOpMapping = {
  op: 'MaxPool',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']);
    if (ctx.used(1)) throw new UnsupportedNodeError('the Indices output');
    if (at.int('storage_order', 0) !== 0) throw new UnsupportedNodeError('storage_order=1');
    if (!at.has('kernel_shape')) throw new UnsupportedNodeError('kernel_shape is required');
    const attrs = { ...windowAttrs(at), ceilMode: at.int('ceil_mode', 0) !== 0 };
    return { calls: ['MaxPool'], run: (x, ins) => x.op('MaxPool', [need(ins[0], 'X')], attrs) };
  },
};

const averagePool: OnnxOpMapping = {
  op: 'AveragePool',
  domain: '',
  lower(node: OnnxNode, _ctx: LowerCtx): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides']);
    if (!at.has('kernel_shape')) throw new UnsupportedNodeError('kernel_shape is required');
    const attrs = { ...windowAttrs(at), ceilMode: at.int('ceil_mode', 0) !== 0, countIncludePad: at.int('count_include_pad', 0) !== 0 };
    return { calls: ['AveragePool'], run: (x, ins) => x.op('AveragePool', [need(ins[0], 'X')], attrs) };
  },
};

function global(op: 'GlobalAveragePool' | 'GlobalMaxPool'): OnnxOpMapping {
  return {
    op,
    domain: '',
    lower(node: OnnxNode): Lowered {
      arity(node, 1);
      new Attrs(node, []);
      return { calls: [op], run: (x, ins) => x.op(op, [need(ins[0], 'X')]) };
    },
  };
}

export const POOL_MAPPINGS: OnnxOpMapping[] = [maxPool, averagePool, global('GlobalAveragePool'), global('GlobalMaxPool')];
