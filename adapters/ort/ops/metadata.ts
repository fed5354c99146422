/**
 * ONNX ops whose results follow from shapes and types alone: Shape, Size, ConstantOfShape, and the
 * inference forms of CastLike (a Cast to the other input's dtype) and Dropout (the input itself).
 * Shape and Size values are known during inference, so shape subgraphs built on them resolve at
 * session creation.
 */
import type { TensorInfo } from '../../../ops/types.js';
import { UnsupportedNodeError } from '../errors.js';
import type { OnnxNode } from '../model.js';
import { ARRAY_CTOR } from '../../../core/dtype.js';
import type { HostTensor } from '../tensor-proto.js';
import { Attrs, arity, constInts, intsOf, need, type Exec, type Lowered, type LowerCtx, type OnnxOpMapping } from './types.js';

const int64 = (values: readonly number[], dims: number[]): HostTensor => ({ dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });

const shape: OnnxOpMapping = {
  op: 'Shape',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    const at = new Attrs(node, ['start', 'end']);
    const start = at.has('start') ? at.int('start', 0) : undefined;
    const end = at.has('end') ? at.int('end', 0) : undefined;
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const dims = need(ins[0], 'data').shape.slice(start, end);
        return [x.tensor(int64(dims, [dims.length]))];
      },
    };
  },
};

const size: OnnxOpMapping = {
  op: 'Size',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 1);
    new Attrs(node, []);
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        return [x.tensor(int64([need(ins[0], 'data').shape.reduce((a, b) => a * b, 1)], []))];
      },
    };
  },
};

const constantOfShape: OnnxOpMapping = {
  op: 'ConstantOfShape',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1);
    new Attrs(node, ['value']);
    const v = node.attrs.get('value')?.t;
    if (v && v.data.length !== 1) throw new UnsupportedNodeError(`value must hold one element, got [${v.dims.join(',')}]`);
    const fill: HostTensor = v ?? { dtype: 'float32', dims: [1], data: new Float32Array(1) };
    const constant = constInts(ctx, 0);
    return {
      calls: [],
      run<T extends TensorInfo>(x: Exec<T>, ins: readonly (T | undefined)[]): T[] {
        const dims = intsOf(x, need(ins[0], 'input'), constant);
        const n = dims.reduce((a, b) => a * b, 1);
        const data = new ARRAY_CTOR[fill.dtype](n);
        (data as { fill(v: unknown): unknown }).fill(fill.data[0]);
        return [x.tensor({ dtype: fill.dtype, dims, data })];
      },
    };
  },
};

const castLike: OnnxOpMapping = {
  op: 'CastLike',
  domain: '',
  lower(node: OnnxNode): Lowered {
    arity(node, 2);
    new Attrs(node, ['saturate']);
    return { calls: ['Cast'], run: (x, ins) => x.op('Cast', [need(ins[0], 'input')], { to: need(ins[1], 'target_type').dtype }) };
  },
};

const dropout: OnnxOpMapping = {
  op: 'Dropout',
  domain: '',
  lower(node: OnnxNode, ctx: LowerCtx): Lowered {
    arity(node, 1, 3);
    new Attrs(node, ['ratio', 'seed'], ['is_test', 'consumed_inputs']);
    if (ctx.used(1)) throw new UnsupportedNodeError('the mask output');
    if (node.inputs.length > 2 && node.inputs[2] !== '') {
      const training = ctx.constant(2);
      if (!training || Number(training.data[0]) !== 0) throw new UnsupportedNodeError('training_mode (not a constant false)');
    }
    return { calls: [], run: (_x, ins) => [need(ins[0], 'data')] };
  },
};

export const METADATA_MAPPINGS: OnnxOpMapping[] = [shape, size, constantOfShape, castLike, dropout];
