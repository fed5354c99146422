/** ONNX MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool → the twinops pools (NCHW). */
import type { OnnxNode } from '../model.js';
import { UnsupportedNodeError } from '../errors.js';
import { windowAttrs } from './conv.js';
import type { TensorInfo } from '../../../ops/types.js';
import { Attrs, arity, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const maxPool: OnnxOpMapping = {
  op: 'MaxPool',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']);
    if (!at.has('kernel_shape')) throw new UnsupportedNodeError('kernel_shape is required');
    const attrs = { ...windowAttrs(at), ceilMode: at.int('ceil_mode', 0) !== 0 };
    // storage_order only orders the Indices output. With Indices the node is one wasm op (onnxruntime's
    // NaN-skipping maximum and its index), so a WebGPU session never splits it across devices.
    const indices = ctx.used(1);
    const storageOrder = at.int('storage_order', 0);
    return {
      calls: ['MaxPool', 'MaxPoolWithIndices', 'Cast'],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const X = need(ins[0], 'X');
        // 8-bit inputs (MaxPool-12) pool exactly in float32 through MaxPoolWithIndices and narrow back:
        // the casts and it have no WebGPU kernel, so the node stays on wasm as a whole
        const bytes = X.dtype === 'uint8' || X.dtype === 'int8';
        if (!indices && !bytes) return x.op('MaxPool', [X], attrs);
        const f = X.dtype === 'float32' ? X : x.op('Cast', [X], { to: 'float32' })[0]!;
        const [y, i] = x.op('MaxPoolWithIndices', [f], { ...attrs, storageOrder });
        // back through int64, which WebGPU cannot hold, so that Cast also stays on wasm
        const v = X.dtype === 'float32' ? y! : x.op('Cast', [x.op('Cast', [y!], { to: 'int64' })[0]!], { to: X.dtype })[0]!;
        return indices ? [v, i!] : [v];
      },
    };
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
